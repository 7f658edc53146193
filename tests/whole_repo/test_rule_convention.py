"""A formula exists once: the function that computes a rule opens its docstring with the ID.

The convention is written in the preamble of ``spec/rules.md`` ("How the code cites a
rule") and of ``spec/account-model.md``: every rule of both files has exactly one function
in ``model/`` or ``proofs/`` whose docstring opens with ``ID:`` (or ``ID, ID:``), or a
**Computed by.** part saying why it has none; a row of the refusal table (REF-n) has
exactly one ``Refusal("REF-n", code, message)`` constant with the row's code and message,
and at least one function that returns ``refused(...)`` with it. The conformance kit's
target predicates are left out (they name the rule they target and compute nothing).
"""

from __future__ import annotations

import re

from marginspec import rule_registry
from marginspec.rule_registry import Rule
from marginspec.ruleindex import computing_functions, refusals

FIX = "see 'How the code cites a rule' in spec/rules.md"


def _problems(rule: Rule, functions: list[str]) -> list[str]:
    if rule.computed_by and functions:
        return [
            f"{rule.id} says '**Computed by.** {rule.computed_by}' but {functions} open "
            f"with it: drop the part or the openers"
        ]
    if not rule.computed_by and len(functions) != 1:
        return [
            f"{rule.id} ({rule.spec}): {len(functions)} functions open their docstring with "
            f"it {functions}; open exactly one with '{rule.id}: ...' (the one that computes "
            "it) or give the rule a **Computed by.** part saying why none does"
        ]
    return []


def test_every_rule_has_one_computing_function_or_a_reason() -> None:
    found = computing_functions()
    problems = []
    for rule in rule_registry.all_rules().values():
        if not rule.code:  # a refusal-table row is checked by the next test
            problems += _problems(rule, [f"{f.name} ({f.where})" for f in found.get(rule.id, [])])
    assert not problems, f"{FIX}:\n" + "\n".join(problems)


def _message(constant: str) -> re.Pattern[str]:
    """The table's wording of a constant's message: ``{0}`` stands for a written value."""
    return re.compile(re.escape(constant).replace(re.escape("{0}"), r"\S+"))


def test_every_refusal_has_one_constant_and_a_check_that_raises_it() -> None:
    scan = refusals()
    rows = {r.id: r for r in rule_registry.all_rules().values() if r.code}
    problems = [f"refused(...) at {where} names no Refusal constant" for where in scan.unresolved]
    for rule_id, row in rows.items():
        constants = scan.constants.get(rule_id, [])
        if len(constants) != 1:
            where = [c.where for c in constants]
            problems.append(f"{rule_id}: {len(constants)} Refusal constants {where}, want one")
            continue
        (constant,) = constants
        code = "null" if constant.code is None else str(constant.code)
        if code != row.code or not _message(constant.msg).fullmatch(row.title):
            problems.append(
                f"{rule_id}: {constant.name} ({constant.where}) says {code} "
                f"'{constant.msg}', the table {row.code} '{row.title}'"
            )
        if not scan.raised_by.get(rule_id):
            problems.append(f"{rule_id}: no function returns refused({constant.name}, ...)")
    for rule_id, constants in scan.constants.items():
        if rule_id not in rows:
            where = [c.where for c in constants]
            problems.append(f"{rule_id} ({where}) is not a row of the refusal table")
    assert not problems, f"{FIX}:\n" + "\n".join(problems)


def test_openers_name_rules_that_exist() -> None:
    unknown = {
        rule_id: [f.where for f in functions]
        for rule_id, functions in computing_functions().items()
        if rule_id not in rule_registry.all_rules()
    }
    assert not unknown, f"docstrings open with IDs that no spec file defines: {unknown}"
