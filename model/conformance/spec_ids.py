"""The rule IDs the spec defines, as the coverage table (:mod:`marginspec.conformance.coverage`)
must account for them: read through the one rule registry (:mod:`marginspec.rule_registry`)."""

from __future__ import annotations

from marginspec import rule_registry


def spec_rule_ids() -> set[str]:
    """Every rule ID stated in the two spec files (worked-example labels are ``EX-`` names)."""
    return set(rule_registry.rule_ids())


def family(rule: str) -> str:
    """The family of a rule ID: ``ACT`` for ``ACT-LEV-3``."""
    return rule_registry.family(rule)
