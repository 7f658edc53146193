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


def engine_options(function: Callable[P, R]) -> Callable[P, R]:
    """``--impl``, ``--cmd`` and ``--timeout``: the implementation a conformance command
    runs (``conform``, ``replay``, ``vectors check``), stated once."""
    for option in reversed(
        (
            click.option(
                "--impl",
                metavar="MODULE:FACTORY",
                help="A Python engine: module:factory returning an Engine.",
            ),
            click.option(
                "--cmd", metavar="COMMAND", help="A command speaking the JSON-lines protocol."
            ),
            click.option(
                "--timeout",
                type=float,
                default=10.0,
                show_default=True,
                help="Seconds to wait for each answer (--cmd).",
            ),
        )
    ):
        function = option(function)
    return function
