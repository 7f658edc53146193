"""Option types shared by every command: numbers a user types are checked by click.

A bad value is a usage error (one line, exit status 2) before a command runs: ``nan``,
``inf``, zero and negative seconds or counts are refused here, once, for every command.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class PositiveSeconds(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2 on
    """A finite duration in seconds, at least ``minimum`` (which is positive)."""

    name = "seconds"

    def __init__(self, minimum: float = 0.001, maximum: float = 86_400.0) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        if not self.minimum <= number <= self.maximum:
            self.fail(
                f"{value!r} is outside {self.minimum:g} … {self.maximum:g} seconds", param, ctx
            )
        return number


class Count(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2 on
    """A whole number from ``minimum`` (default 1) to ``maximum``."""

    name = "count"

    def __init__(self, minimum: int = 1, maximum: int = 10_000_000) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            # A count is written in plain digits: "1e3", "0x10" and "1_000" are refused,
            # and the length bound keeps int() from ever parsing a huge text.
            if not (text.isascii() and text.isdigit() and len(text) <= 12):
                self.fail(f"{value!r} is not a whole number", param, ctx)
            number = int(text)
        if not self.minimum <= number <= self.maximum:
            self.fail(f"{value!r} is outside {self.minimum} … {self.maximum}", param, ctx)
        return number


#: ``--timeout`` of the commands that run an implementation (seconds per answer).
TIMEOUT = PositiveSeconds()
#: ``--examples`` and other counts of runs: at least one.
COUNT = Count()


def format_option(*choices: str, help: str | None = None) -> Callable[[F], F]:
    """``--format`` (into ``output_format``): the first of ``choices`` is the default."""
    decorator: Callable[[F], F] = click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )
    return decorator
