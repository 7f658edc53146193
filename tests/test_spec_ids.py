"""spec/rules.md is the single home of every rule ID the code cites."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "spec" / "rules.md"
ACCOUNT = REPO / "spec" / "account-model.md"
HEADING = re.compile(r"^### ([A-Z]+-\d+) · (.+)$", re.MULTILINE)
FAMILIES = "NUM|RS|BRK|MM|LEV|NTL|IM|PNL|MB|MR|COST|ORD|AVB|XFER|LIQ|BKR|FUND|FEE|DISP|SNAP"
ACCOUNT_FAMILIES = "ACT|REF|FILL|LIQP|IF|ADL|INV|TRACE"
CITED = re.compile(rf"(?<![A-Z-])((?:{FAMILIES}|{ACCOUNT_FAMILIES})-\d+)\b")


def _rules() -> dict[str, str]:
    text = RULES.read_text(encoding="utf-8")
    headings = list(HEADING.finditer(text))
    bodies = {}
    for index, match in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        bodies[match.group(1)] = text[match.end() : end]
    return bodies


def test_ids_are_unique_and_complete() -> None:
    text = RULES.read_text(encoding="utf-8")
    ids = [m.group(1) for m in HEADING.finditer(text)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for rule, body in _rules().items():
        for part in ("**Statement.**", "**Formula.**", "**Source.**"):
            assert part in body, f"{rule} lacks {part}"
        if "**Option.**" in body:
            assert "**Decision.**" in body or "default" in body, rule


def test_every_cited_rule_exists() -> None:
    defined = set(_rules())
    account_text = ACCOUNT.read_text(encoding="utf-8")
    defined |= set(re.findall(rf"\*\*((?:{ACCOUNT_FAMILIES}|FUND|PNL)-\d+)", account_text))
    defined |= set(re.findall(r"^\| (REF-\d+) \|", account_text, re.MULTILINE))
    missing = {}
    for folder in ("model", "proofs"):
        for path in (REPO / folder).rglob("*.py"):
            for rule in CITED.findall(path.read_text(encoding="utf-8")):
                if rule not in defined:
                    missing.setdefault(rule, str(path.relative_to(REPO)))
    assert not missing, missing


def test_options_table_matches_the_code() -> None:
    import attrs

    from marginspec.ruleset import Options

    text = RULES.read_text(encoding="utf-8")
    for field in attrs.fields(Options):
        assert f"| `{field.name}` |" in text, field.name
