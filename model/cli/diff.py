"""``marginspec diff OLD NEW``: review a rule change before release."""

from __future__ import annotations

import json
import sys
from typing import Any

import attrs
import click
from rich.console import Console
from rich.table import Table

from marginspec.cli.app import guarded, main
from marginspec.cli.options import format_option
from marginspec.importers import load_brackets
from marginspec.proofs.diff import SymbolDiff, diff
from marginspec.rulefile import load_bundled, load_named
from marginspec.ruleset import RuleSet


def _load(path: str) -> RuleSet:
    """A rule set from a bundled name (RS-5), a TOML rule file or a leverageBracket / ccxt
    JSON file."""
    if path.endswith(".json"):
        return load_brackets(path, base=load_bundled())
    return load_named(path)


def _json(d: SymbolDiff) -> dict[str, Any]:
    out = attrs.asdict(d, recurse=False)
    for key in ("stricter", "looser", "leverage_dropped"):
        out[key] = [r.text() for r in getattr(d, key)]
    out["changes"] = list(d.changes)
    return out


@main.command(name="diff")
@click.argument("old")
@click.argument("new")
@format_option("table", "json")
@click.option(
    "--fail-on",
    type=click.Choice(["stricter", "looser", "any"]),
    default=None,
    help="Exit 1 when some symbol's MM is stricter, looser, or changed at all.",
)
@click.option("--symbol", "symbols", multiple=True, help="Only these symbols (repeatable).")
@guarded
def diff_command(
    old: str, new: str, output_format: str, fail_on: str | None, symbols: tuple[str, ...]
) -> None:
    """Compare two rule sets: what changed per symbol, where MM is stricter or looser,
    where max leverage dropped, and Z3 witness positions confirmed by the model."""
    before, after = _load(old), _load(new)
    if symbols:
        for name in symbols:
            before.market(name, "--symbol") if name not in after.markets else after.market(name)
        before = attrs.evolve(
            before, markets={k: v for k, v in before.markets.items() if k in symbols}
        )
        after = attrs.evolve(
            after, markets={k: v for k, v in after.markets.items() if k in symbols}
        )
    results = diff(before, after)
    if output_format == "json":
        click.echo(json.dumps([_json(d) for d in results], indent=2))
    else:
        console = Console()
        table = Table(title=f"{old} → {new}")
        for label in (
            "symbol",
            "status",
            "MM stricter on",
            "MM looser on",
            "max leverage dropped on",
        ):
            table.add_column(label)
        for d in results:
            if d.status == "unchanged":
                continue
            table.add_row(
                d.symbol,
                d.status,
                " ".join(r.text() for r in d.stricter) or "—",
                " ".join(r.text() for r in d.looser) or "—",
                " ".join(r.text() for r in d.leverage_dropped) or "—",
            )
        console.print(table)
        for d in results:
            if d.liquidated_witness:
                w = d.liquidated_witness
                console.print(
                    f"{d.symbol}: healthy under OLD, liquidatable under NEW at the same mark: notional "
                    f"{w['notional']}, isolated wallet {w['isolatedWallet']} (confirmed by the model: {w['confirmedByModel']})"
                )
                console.print_json(json.dumps(w["evaluateInput"]))
            if d.refused_witness:
                w = d.refused_witness
                console.print(
                    f"{d.symbol}: could open under OLD, refused under NEW (-2027): notional {w['notional']} at "
                    f"{w['leverage']}x (confirmed: {w['confirmedByModel']})"
                )
        unchanged = sum(d.status == "unchanged" for d in results)
        console.print(f"{len(results) - unchanged} symbols differ, {unchanged} unchanged")
    failing = {
        "stricter": any(d.stricter for d in results),
        "looser": any(d.looser for d in results),
        "any": any(d.status != "unchanged" for d in results),
    }
    sys.exit(1 if fail_on and failing[fail_on] else 0)
