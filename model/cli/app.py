"""The click group every command hangs on, and the one-line error policy."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from marginspec import __version__
from marginspec.errors import MarginspecError

P = ParamSpec("P")
R = TypeVar("R")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="marginspec")
def main() -> None:
    """marginspec: the executable reference model of perpetual-futures margin rules."""


def fail(message: str) -> None:
    """Print one line to stderr and exit with status 2 (bad input)."""
    click.echo(f"marginspec: error: {message}", err=True)
    sys.exit(2)


def guarded(function: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`MarginspecError` raised by a command into :func:`fail`."""
    import functools

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except MarginspecError as error:
            fail(str(error))
            raise AssertionError("unreachable") from None

    return wrapper
