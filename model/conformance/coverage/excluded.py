"""The spec's rule IDs no step targets, each with the reason, and the check that every
rule ID is either targeted or excluded (CONF-9)."""

from __future__ import annotations

from marginspec.conformance.coverage.table import AREAS, targets
from marginspec.conformance.spec_ids import family, spec_rule_ids
from marginspec.ruleset import RuleSet

#: Whole families that are never a step's behaviour.
EXCLUDED_FAMILIES = {
    "THM": "a theorem proved for all inputs by `marginspec prove`, not a step",
    "INV": "an invariant checked after every step of every trace by the model's tests",
    "TRACE": "the trace format itself: every vector is a trace",
    "RS": "rule-set data and loading, not a step",
    "CONF": "a rule of the conformance kit itself (docs/conformance)",
    "IMP": "the impact of a rule change on a book (`marginspec impact`), computed from "
    "evaluate's figures of each account; not a step",
}

EXCLUDED = {
    "ACT-0": "the state every step reads and writes; no step exercises it more than another",
    "NUM-1": "input parsing: a vector's numbers are decimal strings by construction",
    "NUM-2": "input bounds: a vector's numbers are within them by construction (the hostile-input suite tests the refusals)",
    "BRK-1": "the bracket row itself (data), read by every MM figure",
    "BRK-5": "table well-formedness, checked when the rule set is loaded",
    "BRK-6": "notionalCoef is an input of imported tables; the rule sets have none",
    "SNAP-1": "evaluate's input form; the vectors' snapshots are the output form",
    "SNAP-2": "evaluate's input consistency checks; states in a trace are consistent by construction",
    "SNAP-3": "the output field set: every step's snapshot is compared field by field",
    "SNAP-5": "marginspec audit reads a venue's own answers into a snapshot; engines are "
    "compared on SNAP-3 snapshots (tests/test_audit.py reads the venues' examples)",
    "SNAP-6": "the audit's comparison of a venue's reported figures, not a step of an engine "
    "(tests/test_audit.py)",
    "ACT-COND-7": "MAX_NUM_ALGO_ORDERS needs 100 open conditional orders of one account on "
    "one symbol (aster-pro's limit); generated runs are 4-30 moves long "
    "(tests/test_exchange_conditional.py pins -4045 on a smaller limit)",
    "REF-62": "-4045 needs 100 open conditional orders of one account on one symbol "
    "(see ACT-COND-7)",
    "ADL-3": "equal ADL scores: a tie needs two counterparties with exactly equal ratios, "
    "which the generated states do not reach; not targeted",
}


def excluded(ruleset: RuleSet) -> dict[str, str]:
    """Rule IDs that are not a behaviour of one step, with the reason (an option-dependent
    target whose option is not in force among them)."""
    out = dict(EXCLUDED)
    for area in AREAS:
        for t in area.targets:
            if t.option is not None and not t.applies(ruleset):
                current = getattr(ruleset.options, t.option.name)
                out[t.rule] = (
                    f"{t.option.what} option not in force "
                    f"(the rule set uses {t.option.name}={current.value})"
                )
    return out


def unaccounted(ruleset: RuleSet) -> set[str]:
    """Spec IDs neither targeted nor excluded (must be empty)."""
    targeted = {t.rule for t in targets(ruleset)}
    skip = excluded(ruleset)
    return {
        r
        for r in spec_rule_ids()
        if r not in targeted and r not in skip and family(r) not in EXCLUDED_FAMILIES
    }
