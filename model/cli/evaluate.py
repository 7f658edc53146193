"""``marginspec evaluate``: every derived figure of an account snapshot."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from marginspec.account import parse_account
from marginspec.api_profile import VENUES, api_document, read_echoes
from marginspec.cli.app import guarded, main
from marginspec.cli.io import brackets_option, load_rules, read_json, rules_option
from marginspec.cli.options import COUNT, format_option
from marginspec.errors import InputError
from marginspec.evaluate import evaluate as evaluate_account
from marginspec.report import account_json, cell_text
from marginspec.ruleset import RuleSet

if TYPE_CHECKING:  # rich is imported for --format table only (cold start, docs/performance.md)
    from rich.console import Console


def evaluate_document(
    document: Any, ruleset: RuleSet, source: str = "", api: str | None = None
) -> dict[str, Any]:
    """The evaluate output for a decoded input document (``source`` names it in errors);
    with ``api``, the venue's API answers instead (SNAP-4)."""
    try:
        account = parse_account(document, ruleset)
        echoes = read_echoes(document) if api else {}
    except InputError as error:
        if not source:
            raise
        raise InputError(f"{source}: {error.where}", error.message) from None
    figures = evaluate_account(account, ruleset)
    if api:
        return api_document(account, figures, ruleset, api, echoes)
    return account_json(figures, ruleset.options)


_ACCOUNT_ROWS = [
    ("totalWalletBalance", "wallet balance"),
    ("totalUnrealizedProfit", "unrealized PnL"),
    ("totalMarginBalance", "margin balance"),
    ("totalInitialMargin", "initial margin"),
    ("totalMaintMargin", "maintenance margin"),
    ("marginRatio", "margin ratio (cross)"),
    ("availableBalance", "available balance"),
    ("maxWithdrawAmount", "max withdraw"),
    ("liquidatable", "liquidatable (cross)"),
]

_POSITION_ROWS = [
    ("marginType", "margin type"),
    ("positionAmt", "amount"),
    ("entryPrice", "entry price"),
    ("markPrice", "mark price"),
    ("notional", "notional"),
    ("leverage", "leverage"),
    ("bracket", "bracket"),
    ("maintMarginRatio", "MM rate"),
    ("maintAmount", "MM amount (cum)"),
    ("initialMargin", "initial margin"),
    ("openOrderInitialMargin", "open-order IM"),
    ("maintMargin", "maintenance margin"),
    ("unRealizedProfit", "unrealized PnL"),
    ("isolatedWallet", "isolated wallet"),
    ("liquidationPrice", "liquidation price"),
    ("bankruptcyPrice", "bankruptcy price"),
    ("maxNotionalValue", "max notional at lev."),
]


def print_tables(output: dict[str, Any], console: Console, title: str = "account") -> None:
    """The evaluate output for people: an account summary and one row per position."""
    from rich.table import Table

    summary = Table(title=title, show_header=False)
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    for key, label in _ACCOUNT_ROWS:
        summary.add_row(f"{label} [dim]({key})[/dim]", cell_text(output[key]))
    console.print(summary)
    # One column per position keeps the table narrow enough for a terminal.
    positions = Table(title="positions")
    positions.add_column("figure")
    for position in output["positions"]:
        positions.add_column(f"{position['symbol']} {position['positionSide']}", justify="right")
    for key, label in _POSITION_ROWS:
        positions.add_row(label, *(cell_text(p[key]) for p in output["positions"]))
    console.print(positions)


@main.command()
@click.argument("snapshot", default="-", metavar="[SNAPSHOT.json|-]")
@rules_option
@brackets_option
@format_option("json", "table", help="JSON in the exchange API's vocabulary, or tables for people.")
@click.option(
    "--jsonl",
    is_flag=True,
    help="One account snapshot per line in, one result per line out (a refused line: its error object).",
)
@click.option(
    "--processes",
    type=COUNT,
    default=1,
    show_default=True,
    help="With --jsonl: worker processes (output stays in input order).",
)
@click.option(
    "--api",
    type=click.Choice(VENUES),
    default=None,
    help="Answer as the venue's GET /fapi/v3/positionRisk and account endpoint, field for "
    "field (JSON only).",
)
@guarded
def evaluate(
    snapshot: str,
    rules: str | None,
    brackets: str | None,
    output_format: str,
    jsonl: bool,
    processes: int,
    api: str | None,
) -> None:
    """Print every derived figure of an account snapshot (file or stdin).

    The input and output are described by the JSON Schemas that
    `marginspec schema input|output` prints; `--api` prints the venue's own answers
    instead (docs/cli.md). With --jsonl, every line of the input is a snapshot and every
    line of the output its result, in order; exit status 2 if any line was refused (its
    output line says why).
    """
    if processes != 1 and not jsonl:
        raise click.UsageError("--processes works with --jsonl")
    if api and output_format != "json":
        raise InputError("--api", "the API profile is JSON; leave out --format table")
    if api and jsonl:
        raise InputError("--api", "the API profile answers one snapshot; leave out --jsonl")
    ruleset = load_rules(rules, brackets)
    if jsonl:
        _stream(snapshot, ruleset, processes)
        return
    source = "<stdin>" if snapshot == "-" else snapshot
    output = evaluate_document(read_json(snapshot, "account snapshot"), ruleset, source, api)
    if output_format == "json":
        click.echo(json.dumps(output, indent=2))
    else:
        from rich.console import Console

        print_tables(output, Console())


def _stream(snapshot: str, ruleset: RuleSet, processes: int) -> None:
    """``--jsonl``: evaluate line by line (marginspec.stream), writing as results come."""
    import sys

    from marginspec import stream

    try:
        handle = sys.stdin.buffer if snapshot == "-" else open(snapshot, "rb")  # noqa: SIM115
    except OSError as error:
        raise InputError(snapshot, f"cannot read account snapshots ({error.strerror})") from None
    refused = first_refused = 0
    out = sys.stdout
    # A pipe or a terminal may be a conversation (a program that writes a line and waits
    # for its answer): each answer is flushed. A file is read in bulk and written buffered.
    conversation = processes == 1 and not _regular_file(handle)
    with handle:
        results = stream.evaluate_stream(stream.read_lines(handle), ruleset, processes)
        for number, (line, ok) in enumerate(results, 1):
            out.write(line)
            out.write("\n")
            if conversation:
                out.flush()
            if not ok:
                refused += 1
                first_refused = first_refused or number
    out.flush()
    if refused:
        raise InputError(
            "<stdin>" if snapshot == "-" else snapshot,
            f"{refused} line(s) refused, the first line {first_refused} (see its output line)",
        )


def _regular_file(handle: Any) -> bool:
    import os
    import stat

    try:
        return stat.S_ISREG(os.fstat(handle.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False
