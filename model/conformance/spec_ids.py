"""The rule IDs the spec defines, read from ``spec/rules.md`` and ``spec/account-model.md``.

The coverage table (:mod:`marginspec.conformance.coverage`) accounts for every one of
them; this module is the only place that knows how they are found.
"""

from __future__ import annotations

import re
from importlib import resources

_TOKEN = re.compile(r"(?<![\w/:.\-])([A-Z]{2,5}(?:-[A-Z]{2,5})?-\d+[a-z]?)(?![\w\-])")
SPEC_FILES = ("rules.md", "account-model.md")


def spec_rule_ids() -> set[str]:
    """Every rule ID written in the two spec files, worked-example labels aside
    (a line opening ``**Examples.**`` names the digest's example labels, not rules)."""
    found: set[str] = set()
    for name in SPEC_FILES:
        text = resources.files("marginspec.spec").joinpath(name).read_text(encoding="utf-8")
        for line in text.splitlines():
            if not line.startswith("**Examples.**"):
                found.update(_TOKEN.findall(line))
    return found


def family(rule: str) -> str:
    """The family of a rule ID: ``ACT`` for ``ACT-LEV-3``, ``THM`` for ``THM-MM-1``."""
    return rule.rsplit("-", 1)[0].split("-")[0]
