"""``marginspec demo``: the main job on the embedded default rule set, in one command.

Each step is a function in :data:`STEPS`; a step returns False when it found a problem.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from importlib import resources

from rich.console import Console

from marginspec.cli.app import guarded, main
from marginspec.cli.evaluate import evaluate_document, print_tables
from marginspec.rulefile import load_bundled
from marginspec.ruleset import RuleSet


def sample_account() -> object:
    """The embedded sample: Binance's cross example (L-1) with a reduce-only order."""
    text = (resources.files("marginspec") / "examples" / "sample-account.json").read_text(
        encoding="utf-8"
    )
    return json.loads(text)


def evaluate_sample(ruleset: RuleSet, console: Console) -> bool:
    console.rule("evaluate: the sample account (marginspec evaluate --format table)")
    print_tables(evaluate_document(sample_account(), ruleset), console, "sample account")
    return True


def prove_rules(ruleset: RuleSet, console: Console) -> bool:
    from marginspec.cli.prove import print_failures, run_proofs, summary_table

    console.rule("prove: the default rule set (marginspec prove)")
    results = run_proofs(ruleset, 2, 30000, console, workers=1)
    console.print(summary_table(ruleset, results))
    print_failures(results, console)
    console.print(f"{sum(r.ok for r in results)} of {len(results)} theorems proved")
    return all(r.ok for r in results)


STEPS: list[Callable[[RuleSet, Console], bool]] = [evaluate_sample, prove_rules]


@main.command()
@guarded
def demo() -> None:
    """Evaluate a sample account and prove the default rule set."""
    ruleset = load_bundled()
    console = Console()
    console.print(f"rule set [bold]{ruleset.name}[/bold]: {', '.join(ruleset.markets)}")
    ok = all([step(ruleset, console) for step in STEPS])
    sys.exit(0 if ok else 1)
