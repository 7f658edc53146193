"""``marginspec evaluate``: every derived figure of an account snapshot."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from marginspec.account import parse_account
from marginspec.api_profile import VENUES, api_document, read_echoes
from marginspec.cli.app import guarded, main
from marginspec.cli.io import brackets_option, load_rules, read_json, rules_option
from marginspec.errors import InputError
from marginspec.evaluate import evaluate as evaluate_account
from marginspec.report import account_json
from marginspec.ruleset import RuleSet


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


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def print_tables(output: dict[str, Any], console: Console, title: str = "account") -> None:
    """The evaluate output for people: an account summary and one row per position."""
    summary = Table(title=title, show_header=False)
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    for key, label in _ACCOUNT_ROWS:
        summary.add_row(f"{label} [dim]({key})[/dim]", _text(output[key]))
    console.print(summary)
    # One column per position keeps the table narrow enough for a terminal.
    positions = Table(title="positions")
    positions.add_column("figure")
    for position in output["positions"]:
        positions.add_column(f"{position['symbol']} {position['positionSide']}", justify="right")
    for key, label in _POSITION_ROWS:
        positions.add_row(label, *(_text(p[key]) for p in output["positions"]))
    console.print(positions)


@main.command()
@click.argument("snapshot", default="-", metavar="[SNAPSHOT.json|-]")
@rules_option
@brackets_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "table"]),
    default="json",
    show_default=True,
    help="JSON in the exchange API's vocabulary, or tables for people.",
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
    snapshot: str, rules: str | None, brackets: str | None, output_format: str, api: str | None
) -> None:
    """Print every derived figure of an account snapshot (file or stdin).

    The input and output are described by the JSON Schemas that
    `marginspec schema input|output` prints; `--api` prints the venue's own answers
    instead (docs/cli.md).
    """
    if api and output_format != "json":
        raise InputError("--api", "the API profile is JSON; leave out --format table")
    ruleset = load_rules(rules, brackets)
    source = "<stdin>" if snapshot == "-" else snapshot
    output = evaluate_document(read_json(snapshot, "account snapshot"), ruleset, source, api)
    if output_format == "json":
        click.echo(json.dumps(output, indent=2))
    else:
        print_tables(output, Console())
