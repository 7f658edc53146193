"""The coverage table as Markdown (``marginspec vectors targets``): docs/conformance
includes it as ``coverage-table.snippet``, and a test checks the file is this output."""

from __future__ import annotations

from marginspec.conformance.coverage.excluded import EXCLUDED_FAMILIES, excluded
from marginspec.conformance.coverage.table import targets
from marginspec.ruleset import RuleSet


def markdown(ruleset: RuleSet) -> str:
    """The table as Markdown (``marginspec vectors targets``; docs/conformance includes it)."""
    table = targets(ruleset)
    lines = [
        f"Targets for the rule set `{ruleset.name}` ({len(table)}):",
        "",
        "| target | a step that covers it | moves aimed at it |",
        "|---|---|---|",
    ]
    for t in table:
        aims = ", ".join(f"`{a}`" for a in t.aims) or "(random moves)"
        lines.append(f"| {t.rule} | {t.what} | {aims} |")
    lines += ["", "Excluded rule IDs and families:", "", "| rule | why no step targets it |"]
    lines.append("|---|---|")
    for rule, why in sorted(excluded(ruleset).items()):
        lines.append(f"| {rule} | {why} |")
    for fam, why in EXCLUDED_FAMILIES.items():
        lines.append(f"| {fam}-* | {why} |")
    return "\n".join(lines) + "\n"
