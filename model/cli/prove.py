"""``marginspec prove``: the Z3 theorems of a rule set (THM-*)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from marginspec.cli.app import guarded, main
from marginspec.cli.io import brackets_option, load_rules
from marginspec.cli.options import PositiveSeconds, format_option
from marginspec.proofs.concrete import CONCRETE, buffer_text
from marginspec.proofs.runner import THEOREMS, prove_concrete, prove_generic
from marginspec.proofs.theorem import Result
from marginspec.ruleset import RuleSet


def _result_json(r: Result) -> dict[str, Any]:
    out: dict[str, Any] = {
        "theorem": r.theorem,
        "cites": list(THEOREMS[r.theorem].cites),
        "statement": THEOREMS[r.theorem].statement,
        "subject": r.subject,
        "status": r.status.value,
        "seconds": round(r.seconds, 4),
    }
    if r.detail:
        out["detail"] = r.detail
    if r.counterexample is not None:
        c = r.counterexample
        out["counterexample"] = {"values": c.values, "explanation": c.explanation}
        if c.snapshot is not None:
            out["counterexample"]["evaluateInput"] = c.snapshot
            out["counterexample"]["confirmedByModel"] = c.confirmed
    return out


def run_proofs(
    ruleset: RuleSet, generic_size: int, timeout_ms: int, console: Console | None, workers: int = 2
) -> list[Result]:
    """Every concrete theorem per symbol and the generic ones for K = 1 … ``generic_size``."""
    results: list[Result] = []
    steps = len(ruleset.markets) + len(THEOREMS) * generic_size
    with Progress(console=console, transient=True, disable=console is None) as progress:
        task = progress.add_task("proving", total=steps)
        for batch in prove_concrete(ruleset, timeout_ms, workers):
            results += batch
            progress.advance(task)
        results += prove_generic(generic_size, timeout_ms, lambda: progress.advance(task), workers)
    return results


def summary_table(ruleset: RuleSet, results: list[Result]) -> Table:
    table = Table(title=f"theorems of {ruleset.name}")
    for label in ("theorem", "cites", "proved", "failed", "unknown/timeout", "seconds"):
        table.add_column(label, justify="left" if label in ("theorem", "cites") else "right")
    for theorem_id, theorem in THEOREMS.items():
        mine = [r for r in results if r.theorem == theorem_id]
        if not mine:
            continue
        ok = sum(r.ok for r in mine)
        failed = sum(r.status.value == "failed" for r in mine)
        table.add_row(
            theorem_id,
            ", ".join(theorem.cites),
            str(ok),
            str(failed),
            str(len(mine) - ok - failed),
            f"{sum(r.seconds for r in mine):.2f}",
        )
    return table


def markdown(ruleset: RuleSet, results: list[Result]) -> str:
    lines = [
        f"# Proofs of `{ruleset.name}`",
        "",
        "| theorem | subject | status | statement |",
        "|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.theorem} | {r.subject} | {r.status.value} | {THEOREMS[r.theorem].statement} |"
        )
    bad = [r for r in results if not r.ok]
    for r in bad:
        lines += ["", f"## {r.theorem} {r.subject}: {r.status.value}", "", r.detail or ""]
        if r.counterexample:
            lines += ["```json", json.dumps(_result_json(r)["counterexample"], indent=2), "```"]
    return "\n".join(lines) + "\n"


def print_failures(results: list[Result], console: Console) -> None:
    for r in results:
        if r.ok:
            continue
        console.print(f"[bold red]{r.theorem}[/] {r.subject}: {r.status.value} {r.detail}")
        if r.counterexample is not None:
            c = r.counterexample
            console.print(
                f"  {c.explanation}: " + ", ".join(f"{k} = {v}" for k, v in c.values.items())
            )
            if c.snapshot is not None:
                console.print(f"  confirmed by the model: {c.confirmed}; evaluate input:")
                console.print_json(json.dumps(c.snapshot))


@main.command()
@click.option(
    "--rules",
    "rules",
    metavar="NAME|FILE.toml",
    help="Rule set: a bundled name or a TOML file. Default: aster-pro.",
)
@brackets_option
@format_option("table", "json", "markdown")
@click.option(
    "--generic-size",
    type=click.IntRange(0, 10),
    default=3,
    show_default=True,
    help="Prove the generic theorems for tables of 1 … K brackets.",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=PositiveSeconds(minimum=0.1),
    default=30.0,
    show_default=True,
    help="Time limit per theorem, seconds.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=2,
    show_default=True,
    help="Worker processes for the per-symbol and the generic theorems.",
)
@guarded
def prove(
    rules: str | None,
    brackets: str | None,
    output_format: str,
    generic_size: int,
    timeout_s: float,
    jobs: int,
) -> None:
    """Prove the theorems of a rule set; exit 1 if any fails or is not decided."""
    ruleset = load_rules(rules, brackets)
    console = Console(stderr=True) if output_format == "table" else None
    results = run_proofs(ruleset, generic_size, int(timeout_s * 1000), console, jobs)
    if output_format == "json":
        click.echo(json.dumps([_result_json(r) for r in results], indent=2))
    elif output_format == "markdown":
        click.echo(markdown(ruleset, results), nl=False)
    else:
        out = Console()
        out.print(summary_table(ruleset, results))
        if len(ruleset.markets) <= 20:
            for market in ruleset.markets.values():
                out.print(
                    f"{market.symbol}: IM exceeds MM at maximum leverage by at least {buffer_text(market)} of the notional"
                )
        print_failures(results, out)
        out.print(f"{sum(r.ok for r in results)} of {len(results)} proved")
    sys.exit(0 if all(r.ok for r in results) else 1)


__all__ = ["CONCRETE", "prove"]
