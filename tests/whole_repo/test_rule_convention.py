"""A formula exists once: the function that computes a rule opens its docstring with the ID.

The convention is written in the preamble of ``spec/rules.md`` ("How the code cites a
rule"): every rule of that file has exactly one function in ``model/`` or ``proofs/``
whose docstring opens with ``ID:`` (or ``ID, ID:``), or a **Computed by.** part saying
why it has none. The conformance kit's target predicates are left out (they name the
rule they target and compute nothing).
"""

from __future__ import annotations

from marginspec import rule_registry
from marginspec.ruleindex import computing_functions

FIX = "see 'How the code cites a rule' in spec/rules.md"


def test_every_formula_rule_has_one_computing_function_or_a_reason() -> None:
    found = computing_functions()
    problems = []
    for rule in rule_registry.all_rules().values():
        if rule.spec != "rules.md":
            continue
        functions = [f"{f.name} ({f.where})" for f in found.get(rule.id, [])]
        if rule.computed_by and functions:
            problems.append(
                f"{rule.id} says '**Computed by.** {rule.computed_by}' but {functions} open "
                f"with it: drop the part or the openers"
            )
        elif not rule.computed_by and len(functions) != 1:
            problems.append(
                f"{rule.id}: {len(functions)} functions open their docstring with it "
                f"{functions}; open exactly one with '{rule.id}: ...' (the one that computes "
                "it) or give the rule a **Computed by.** part saying why none does"
            )
    assert not problems, f"{FIX}:\n" + "\n".join(problems)


def test_openers_name_rules_that_exist() -> None:
    unknown = {
        rule_id: [f.where for f in functions]
        for rule_id, functions in computing_functions().items()
        if rule_id not in rule_registry.all_rules()
    }
    assert not unknown, f"docstrings open with IDs that no spec file defines: {unknown}"


def test_the_counts_of_the_convention() -> None:
    """42 formula rules have their one function; 4 say why they have none (RS-1 and BRK-1
    are data, MM-3 a theorem, MR-1 one division inline in ``evaluate``)."""
    rules = [r for r in rule_registry.all_rules().values() if r.spec == "rules.md"]
    reasons = sorted(r.id for r in rules if r.computed_by)
    assert (len(rules) - len(reasons), reasons) == (42, ["BRK-1", "MM-3", "MR-1", "RS-1"])
