"""The spec files are the single home of every rule ID the code, tests and docs cite.

Both files are read through :mod:`marginspec.rule_registry`, the one parser of rule IDs.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from marginspec import rule_registry
from marginspec.rule_registry import Kind
from marginspec.ruleset import Options

REPO = Path(__file__).resolve().parents[2]


def test_every_rule_has_its_parts() -> None:
    rules = rule_registry.all_rules()
    assert len(rules) == 160  # 46 formula rules, 114 of the account model
    for rule in rules.values():
        assert rule.statement, f"{rule.id} lacks a **Statement.**"
        assert rule.source, f"{rule.id} lacks a **Source.**"
        if rule.kind is not Kind.REFUSAL:
            assert rule.formula or rule.decision, f"{rule.id}: no Formula, Effect or Decision"
        if rule.spec == "rules.md":
            assert rule.formula, f"{rule.id} lacks a **Formula.**"
        if rule.options:
            assert rule.decision or "default" in rule.statement, (
                f"{rule.id}: option without its default"
            )


def test_no_heading_is_left_unparsed() -> None:
    """A rule heading the registry cannot read (a missing ``·``, a lower-case family) would
    silently drop the rule: every ``###`` heading of the spec files must be a rule."""
    for name in rule_registry.SPEC_FILES:
        text = rule_registry.spec_text(name)
        for heading in re.findall(r"^### (.+)$", text, re.MULTILINE):
            assert heading.split(" · ")[0] in rule_registry.all_rules(), f"{name}: {heading}"


def test_a_duplicate_id_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = rule_registry.spec_text("rules.md")
    monkeypatch.setattr(rule_registry, "spec_text", lambda name: text)  # both files alike
    rule_registry.all_rules.cache_clear()
    try:
        with pytest.raises(ValueError, match="stated twice"):
            rule_registry.all_rules()
    finally:
        monkeypatch.undo()
        rule_registry.all_rules.cache_clear()


def test_registry_reads_refusals_and_sub_rules() -> None:
    ref = rule_registry.rule("REF-4")
    assert (ref.kind, ref.formula) == (Kind.REFUSAL, "code -2027")
    assert "ACT-LEV-3" in ref.source
    assert rule_registry.rule("ADL-2a").family == "ADL"
    assert rule_registry.rule("LIQ-1").options == ("liquidation_trigger",)
    assert rule_registry.rule("MM-3").kind is Kind.THEOREM
    assert rule_registry.rule("INV-1").kind is Kind.INVARIANT
    assert rule_registry.rule("ACT-6").kind is Kind.ACTION
    unknown = "XFER-" + "99"  # spelt in two parts: the scan below would flag it
    with pytest.raises(KeyError, match=f"no rule {unknown}"):
        rule_registry.rule(unknown)


def test_example_labels_are_not_rule_ids() -> None:
    assert rule_registry.cited("EX-MR-1: long 0.5 at mark (ORD-1), THM-MM-1, MM-1.") == [
        "ORD-1",
        "MM-1",
    ]


#: the generated index quotes test names and sources, which the other folders already check.
_SKIP = ("docs/rule-index.md",)


@pytest.mark.parametrize("folder", ["model", "proofs", "tests", "docs", "benchmarks"])
def test_every_cited_rule_exists(folder: str) -> None:
    """An ID that no spec file defines is a typo or an example label without its ``EX-``."""
    defined = set(rule_registry.rule_ids())
    missing: dict[str, str] = {}
    for path in sorted((REPO / folder).rglob("*")):
        where = path.relative_to(REPO).as_posix()
        if path.suffix in (".py", ".md") and not where.startswith(_SKIP):
            for rule in rule_registry.cited(path.read_text(encoding="utf-8")):
                if rule not in defined:
                    missing.setdefault(rule, where)
    assert not missing, missing


def test_options_table_matches_the_code() -> None:
    text = rule_registry.spec_text("rules.md")
    options = {o for r in rule_registry.all_rules().values() for o in r.options}
    for field in attrs.fields(Options):
        assert f"| `{field.name}` |" in text, field.name
        assert field.name in options, f"no rule's **Option.** part names {field.name}"
