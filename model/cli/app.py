"""The click group every command hangs on, and the one-line error policy."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import click

from marginspec import __version__
from marginspec.cli.options import TIMEOUT
from marginspec.errors import MarginspecError

P = ParamSpec("P")
R = TypeVar("R")


#: The longest error line printed; hostile input can make a message arbitrarily long.
MAX_MESSAGE = 1000


class OneLineError(click.ClickException):
    """A usage error (bad option, missing argument, unknown command) as the one line every
    error is: ``marginspec: error: <message> (see '<command> --help')``, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"marginspec: error: {one_line(self.message)}", err=True)


def _one_line_usage(error: click.ClickException) -> click.ClickException:
    """click's own error, which it prints as several lines (usage, hint, error), as one line.

    A group run without a command (``marginspec rules``) still shows its help: that is
    asked-for text, not an error report."""
    if isinstance(error, (OneLineError, click.exceptions.NoArgsIsHelpError)):
        return error
    message = error.format_message()
    context = getattr(error, "ctx", None)
    if isinstance(context, click.Context):
        message = f"{message} (see '{context.command_path} --help')"
    return OneLineError(message)


class Group(click.Group):
    """A click group whose usage errors, its commands' and its subgroups', are one line."""

    group_class: type[click.Group] | type[type] | None = (
        type  # subgroups made with ``@group.group()`` are of this class too
    )

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as error:
            raise _one_line_usage(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as error:
            raise _one_line_usage(error) from None


#: Each command and the module that registers it on :data:`main`. A module is imported
#: when its command runs (or for ``--help``), so ``evaluate`` starts without importing
#: z3, the proofs or the conformance kit (cold start, docs/performance.md).
COMMAND_MODULES = {
    "audit": "marginspec.cli.audit",
    "conform": "marginspec.cli.conform",
    "demo": "marginspec.cli.demo",
    "diff": "marginspec.cli.diff",
    "evaluate": "marginspec.cli.evaluate",
    "impact": "marginspec.cli.impact",
    "prove": "marginspec.cli.prove",
    "replay": "marginspec.cli.replay",
    "trace": "marginspec.cli.replay",
    "rules": "marginspec.cli.rules",
    "schema": "marginspec.cli.schema",
    "serve-protocol": "marginspec.cli.serve",
    "vectors": "marginspec.cli.vectors",
}


class _LazyGroup(Group):
    """The top group: imports a command's module on first use (:data:`COMMAND_MODULES`)."""

    group_class = Group  # its subgroups are one-line groups, not lazy ones

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(module)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="marginspec")
def main() -> None:
    """marginspec: the executable reference model of perpetual-futures margin rules."""


def one_line(message: str) -> str:
    """``message`` on one printable line of at most :data:`MAX_MESSAGE` characters."""
    text = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in message
    )
    return text if len(text) <= MAX_MESSAGE else f"{text[: MAX_MESSAGE - 1]}…"


def fail(message: str) -> None:
    """Print one line to stderr and exit with status 2 (bad input)."""
    click.echo(f"marginspec: error: {one_line(message)}", err=True)
    sys.exit(2)


def guarded(function: Callable[P, R]) -> Callable[P, R]:
    """The CLI's one error boundary: a :class:`MarginspecError` becomes :func:`fail`, and
    so does any other exception (one line naming it, exit 2, never a traceback).

    click's own exceptions (usage errors, exit) pass through to :class:`Group`, which
    prints a usage error as one line too.
    """
    import functools

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except MarginspecError as error:
            fail(str(error))
        except RecursionError:
            fail("input nested too deeply to process")
        except MemoryError:
            fail("input too large to process in memory")
        except Exception as error:
            fail(f"unexpected {type(error).__name__}: {error} (please report this)")
        raise AssertionError("unreachable")

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
                type=TIMEOUT,
                default=10.0,
                show_default=True,
                help="Seconds to wait for each answer (--cmd).",
            ),
        )
    ):
        function = option(function)
    return function
