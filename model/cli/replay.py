"""``marginspec replay TRACE.json`` and ``marginspec trace run ACTIONS.json`` (TRACE-*).

replay: exit 0 when the model agrees with every step, 1 at the first divergence
(step, JSON pointer, expected, actual, rule IDs on stdout), 2 on bad input.
trace run: execute a list of actions and write the full trace (outcomes and
snapshots), which ``replay`` then accepts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from marginspec.cli.app import engine_options, guarded, main
from marginspec.cli.io import read_json
from marginspec.errors import InputError
from marginspec.outputs import write_atomic


@main.command()
@click.argument("trace", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--no-check", is_flag=True, help="Skip the invariant checks (INV-*) while replaying.")
@engine_options
@guarded
def replay(trace: Path, no_check: bool, impl: str | None, cmd: str | None, timeout: float) -> None:
    """Replay TRACE.json against the model, or with --impl/--cmd against an implementation
    (a conformance failure report re-runs this way); exit 1 at the first divergence."""
    from marginspec.exchange.trace import replay as run_replay

    if impl or cmd:
        from marginspec.conformance.runner import engine_factory, replay_against, running

        with running(engine_factory(impl, cmd, timeout)) as engine:
            report, caps = replay_against(trace, engine)
        if report is not None:
            click.echo(report.text())
            sys.exit(1)
        click.echo(f"{trace}: the implementation {caps.name} agrees with every step")
        return

    document = read_json(str(trace), "the trace")
    try:
        divergence = run_replay(document, trace.parent, check=not no_check)
    except InputError as error:
        raise InputError(f"{trace}: {error.where}", error.message) from None
    if divergence is not None:
        click.echo(f"{trace}: divergence at {divergence.report()}")
        sys.exit(1)
    steps = len(document.get("steps", []))
    click.echo(f"{trace}: {steps} steps agree with the model")


@main.group()
def trace() -> None:
    """Write traces for the account model."""


@trace.command("run")
@click.argument("actions", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the trace here (default: stdout).",
)
@click.option(
    "--compact",
    is_flag=True,
    help="Keep a readable subset of each snapshot: account totals and open positions (TRACE-7).",
)
@guarded
def run(actions: Path, output: Path | None, compact: bool) -> None:
    """Execute ACTIONS.json ({"ruleset", "initial", "actions": [...]}) and print the full trace."""
    from marginspec.exchange.trace import run_actions

    document = read_json(str(actions), "the actions")
    try:
        result = run_actions(
            document, actions.parent, compact, output.parent if output is not None else None
        )
    except InputError as error:
        raise InputError(f"{actions}: {error.where}", error.message) from None
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text, "the trace")
