"""``marginspec impact OLD NEW --book FILE``: which accounts a rule change hurts, and how much."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from marginspec.cli.app import guarded, main
from marginspec.cli.options import COUNT, Count, format_option
from marginspec.ruleset import RuleSet


def _load(reference: str) -> RuleSet:
    """A rule set from a bundled name (RS-5), a TOML rule file or a leverageBracket /
    ccxt JSON file (as ``diff`` reads it)."""
    from marginspec.rulefile import load_bundled, load_named

    if reference.endswith(".json"):
        from marginspec.importers import load_brackets

        return load_brackets(reference, base=load_bundled())
    return load_named(reference)


class _Progress:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, total: int | None) -> None:
        self.bar: Any = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(
                TextColumn("positions"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=sys.stderr),
                transient=True,
            )
            self.task = self.bar.add_task("impact", total=total)

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def advance(self, positions: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, positions)


@main.command(name="impact")
@click.argument("old")
@click.argument("new")
@click.option(
    "--book",
    required=True,
    metavar="FILE",
    help="Accounts: JSON lines of account snapshots (.jsonl), or one row per position (.csv, .parquet).",
)
@click.option(
    "--out",
    "out",
    metavar="FILE",
    help="Write every account's figures under both rule sets (.jsonl, .csv or .parquet).",
)
@click.option("--plot", metavar="FILE.png", help="Draw the distributions (needs matplotlib).")
@click.option(
    "--top",
    type=Count(minimum=0, maximum=100_000),
    default=10,
    show_default=True,
    help="How many of the worst accounts to list.",
)
@format_option("table", "json", help="The summary on stdout: tables for people or JSON.")
@click.option("--processes", type=COUNT, default=1, show_default=True, help="Worker processes.")
@click.option(
    "--dask",
    "dask_address",
    metavar="local|tcp://HOST:PORT",
    help="Run on Dask (the 'distributed' extra): a new local cluster of --processes "
    "workers, or the scheduler at this address.",
)
@guarded
def impact_command(
    old: str,
    new: str,
    book: str,
    out: str | None,
    plot: str | None,
    top: int,
    output_format: str,
    processes: int,
    dask_address: str | None,
) -> None:
    """Evaluate every account of a book under the OLD and NEW rule sets (bundled names,
    TOML rule files or leverageBracket JSON) and report the accounts that become
    liquidatable, margin-called (available balance below zero) or get a lower maximum
    leverage, the extra margin each needs, the distributions and the worst accounts
    (rules IMP-1 … IMP-8, docs/guides/rule-change-impact.md)."""
    from marginspec import book as books
    from marginspec import impact_output as output
    from marginspec.impact import Summary
    from marginspec.impact_run import dask_client, run, run_dask

    before, after = _load(old), _load(new)
    books.kind_of(book)
    out_path = Path(out) if out is not None else None
    plot_path = Path(plot) if plot is not None else None
    if out_path is not None:
        output.out_kind(out_path)
    if plot_path is not None:
        output.plot_available()
    chunks = books.read_chunks(book)
    summary = Summary()
    with ExitStack() as stack:
        writer = stack.enter_context(output.RowWriter(out_path)) if out_path else None
        progress = stack.enter_context(_Progress(books.total_positions(book)))
        if dask_address is not None:
            client = stack.enter_context(dask_client(dask_address, processes))
            parts = run_dask(chunks, before, after, top, client, writer is not None)
        else:
            parts = run(chunks, before, after, top, processes, writer is not None)
        for part in parts:
            if writer is not None:
                writer.write(part.rows)
            summary = summary.merge(part.summary, top)
            progress.advance(part.positions)
    document = output.summary_json(summary, before.options, after.options)
    title = f"impact of {old} → {new} on {book}"
    if plot_path is not None:
        output.write_plot(plot_path, document, title)
    if output_format == "json":
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        from rich.console import Console

        output.print_summary(document, title, Console())
