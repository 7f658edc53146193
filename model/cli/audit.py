"""``marginspec audit``: recompute every figure a venue's own answers report (SNAP-5, SNAP-6)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from marginspec import inputs
from marginspec.audit import Audit, audit_json, run_audit, shown
from marginspec.cli.app import guarded, main
from marginspec.cli.options import format_option
from marginspec.errors import InputError
from marginspec.responses import PARTS, Source, read_responses
from marginspec.rulefile import load_bundled, load_named

if TYPE_CHECKING:  # rich is imported for the table only (cold start, docs/performance.md)
    from rich.console import Console


def read_parts(bundle: str | None, files: dict[str, str | None]) -> dict[str, Source]:
    """The answers by part: each given file, or the parts of one bundle file."""
    parts: dict[str, Source] = {}
    if bundle is not None:
        name = inputs.source_name(bundle)
        data = inputs.read_json(bundle, "bundle of answers", numbers=True)
        if not isinstance(data, dict):
            raise InputError(f"{name}: /", "a bundle is a JSON object of the answers by part")
        for key, value in data.items():
            if key not in PARTS:
                raise InputError(
                    f"{name}: /{inputs.escape(key)}",
                    f"unknown part (expected one of: {', '.join(PARTS)})",
                )
            if files.get(key) is not None:
                raise InputError(f"{name}: /{key}", "given twice: in the bundle and as an option")
            parts[key] = Source(name, f"/{key}", value)
    for key, path in files.items():
        if path is not None:
            data = inputs.read_json(path, f"{key} answer", numbers=True)
            parts[key] = Source(inputs.source_name(path), "", data)
    if not parts:
        raise InputError("audit", "no answer given: a bundle file or --account, --position-risk, …")
    if "account" not in parts and "positionRisk" not in parts:
        raise InputError("audit", "nothing to audit: give the account or positionRisk answer")
    return parts


_COLOURS = {"agree": "green", "diverge": "bold red"}
_SCOPES = {"account": "account", "asset": "USDT asset"}


def print_audit(audit: Audit, console: Console) -> None:
    """The audit for people: one row per figure, then the divergences' inputs and what
    was not audited."""
    from rich.table import Table

    verdict = "every figure agrees" if audit.agree else "DIVERGENCE"
    table = Table(title=f"audit under {audit.ruleset}: {verdict}")
    for column in ("position / account", "field", "reported", "computed", "result", "rules"):
        table.add_column(column, justify="right" if column in ("reported", "computed") else "left")
    for c in audit.checks:
        who = f"{c.symbol} {c.side}" if c.symbol else _SCOPES[c.scope]
        result = "agree" if c.agree else "diverge"
        table.add_row(
            who,
            c.reported.field,
            c.reported.text,
            shown(c.computed),
            f"[{_COLOURS[result]}]{result}[/]",
            ", ".join(c.rules),
        )
    for d in audit.derived:
        who = f"{d.symbol} {d.side}" if d.symbol else d.scope
        table.add_row(who, d.field, "—", shown(d.value), "not reported", "MR-1")
    console.print(table)
    for c in audit.checks:
        if not c.agree:
            inputs_text = ", ".join(f"{k} {v}" for k, v in c.inputs.items())
            console.print(
                f"[bold red]diverge[/] {c.reported.where}: {c.reported.field} "
                f"{c.reported.text} against {shown(c.computed)} ({', '.join(c.rules)}); "
                f"inputs: {inputs_text}",
                highlight=False,
            )
    if audit.not_audited:
        skipped = Table(title="not audited")
        skipped.add_column("where")
        skipped.add_column("field")
        skipped.add_column("why")
        for n in audit.not_audited:
            skipped.add_row(n.where, n.field, n.reason)
        console.print(skipped)
    for note in audit.notes:
        console.print(f"note: {note}", highlight=False)


@main.command()
@click.argument("bundle", required=False, metavar="[BUNDLE.json|-]")
@click.option("--account", "account", metavar="FILE", help="GET /fapi/v2|v3/account answer.")
@click.option(
    "--position-risk", "position_risk", metavar="FILE", help="GET /fapi/v2|v3/positionRisk answer."
)
@click.option(
    "--leverage-bracket",
    "leverage_bracket",
    metavar="FILE",
    help="GET /fapi/v1/leverageBracket answer: the bracket tables (else --rules).",
)
@click.option(
    "--open-orders", "open_orders", metavar="FILE", help="GET /fapi/v1/openOrders answer."
)
@click.option(
    "--rules",
    "rules",
    metavar="NAME|FILE.toml",
    help="Rule set (options, fees; brackets unless --leverage-bracket). Default: aster-pro.",
)
@click.option(
    "--leverage",
    "leverages",
    multiple=True,
    metavar="[SYMBOL=]N",
    help="A symbol's leverage (N alone: every symbol's), where no answer states it "
    "(Binance v3). Repeatable.",
)
@click.option(
    "--fee-rate",
    "fee_rates",
    multiple=True,
    metavar="[SYMBOL=]RATE",
    help="Round-trip fee rate of breakEvenPrice (FEE-2), for all symbols or one. Repeatable.",
)
@format_option("table", "json", help="Tables for people, or JSON (marginspec schema audit).")
@guarded
def audit(
    bundle: str | None,
    account: str | None,
    position_risk: str | None,
    leverage_bracket: str | None,
    open_orders: str | None,
    rules: str | None,
    leverages: tuple[str, ...],
    fee_rates: tuple[str, ...],
    output_format: str,
) -> None:
    """Recompute every figure of a venue's own answers and compare (docs/cli.md).

    Give one bundle file {"account": …, "positionRisk": …, "leverageBracket": …,
    "openOrders": …} or each answer by its option. Exit status 0 when every reported
    figure agrees within the places the venue wrote, 1 on a divergence, 2 on bad input.
    """
    files = {
        "account": account,
        "positionRisk": position_risk,
        "leverageBracket": leverage_bracket,
        "openOrders": open_orders,
    }
    parts = read_parts(bundle, files)
    base = load_named(rules) if rules is not None else load_bundled()
    outcome = run_audit(read_responses(parts, base, leverages, fee_rates))
    if output_format == "json":
        click.echo(json.dumps(audit_json(outcome), indent=2))
    else:
        from rich.console import Console

        print_audit(outcome, Console(width=160))
    sys.exit(0 if outcome.agree else 1)
