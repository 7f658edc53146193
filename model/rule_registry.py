"""The rule registry: every rule ID of ``spec/rules.md`` and ``spec/account-model.md``.

The two spec files are parsed here once, and this is the only code that reads rule IDs
from them: tests, docs generators and the conformance kit ask this module. A rule is a
heading ``### ID · title`` followed by its parts (``**Statement.**``, ``**Formula.**`` or
``**Effect.**``, ``**Decision.**``, ``**Option.**``, ``**Computed by.**``,
``**Examples.**``, ``**Source.**``); a refusal is a row ``| REF-n | code | message | when |``
of the account model's refusal table (its :attr:`Rule.code` is set; the check that
raises it is found in the code, see :mod:`marginspec.ruleindex`).

A rule's kind says what sort of rule it is (see :class:`Kind`); for the formula rules of
``spec/rules.md`` the kind follows from the ``**Computed by.**`` part (the convention of
that file's preamble): none means one function computes the rule.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources

import attrs

#: The spec files, in the package ``marginspec.spec``.
SPEC_FILES = ("rules.md", "account-model.md")

#: A rule ID: a family, an optional sub-family, a number and an optional letter
#: (``MM-1``, ``ACT-LEV-3``, ``ADL-2a``).
ID = r"[A-Z]{2,5}(?:-[A-Z]{2,5})?-\d+[a-z]?"

_HEADING = re.compile(rf"^### ({ID}) · (.+)$", re.MULTILINE)
_SECTION = re.compile(r"^#{1,3} ", re.MULTILINE)
_PART = re.compile(r"^\*\*([A-Z][a-z]+(?: [a-z]+)?)\.\*\*\s*", re.MULTILINE)
_REFUSAL = re.compile(r"^\| (REF-\d+) \| (-?\d+|null) \| (.+?) \| (.+?) \|$", re.MULTILINE)
_OPTION = re.compile(r"`([a-z_]+)` =")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(])")


class Kind(enum.Enum):
    """What sort of rule an ID names."""

    FORMULA = "formula"  # a figure computed by one function (or inline, said why)
    DATA = "data"  # the shape of data (a rule set, a bracket row)
    THEOREM = "theorem-backed"  # a property of other rules, proved by theorems
    DECISION = "decision"  # a choice where the sources are silent or disagree
    ACTION = "action"  # an action of the account model (ACT-n)
    EFFECT = "effect"  # how a step moves money or state (fills, funding, liquidation)
    REFUSAL = "refusal"  # an error code and message (REF-n)
    INVARIANT = "invariant"  # a property checked after every transition (INV-n)
    FORMAT = "format"  # the trace format and its commands (TRACE-n)


@attrs.frozen
class Rule:
    """One rule as the spec states it; empty strings for parts it does not have."""

    id: str
    title: str
    family: str
    kind: Kind
    spec: str  # the spec file: "rules.md" or "account-model.md"
    statement: str
    formula: str = ""  # the formula, or the effect of an action or step
    source: str = ""
    decision: str = ""
    options: tuple[str, ...] = ()  # rule-set options named by its **Option.** part
    computed_by: str = ""  # why no single function computes it (**Computed by.**)
    examples: str = ""
    code: str = ""  # a refusal-table row's API code as written ("-2019", "null"); else ""

    @property
    def summary(self) -> str:
        """The statement's first sentence."""
        return _SENTENCE.split(self.statement, maxsplit=1)[0]


def family(rule_id: str) -> str:
    """The family of a rule ID: its leading letters (``ACT-LEV-3`` → ``ACT``)."""
    return rule_id.split("-", 1)[0]


def _parts(body: str) -> dict[str, str]:
    marks = list(_PART.finditer(body))
    parts = {}
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(body)
        parts[mark.group(1)] = body[mark.end() : end].strip()
    return parts


def _unfenced(text: str) -> str:
    return text.removeprefix("```").removesuffix("```").strip("\n")


def _kind(rule_id: str, spec: str, parts: Mapping[str, str]) -> Kind:
    computed_by = parts.get("Computed by", "")
    fixed = {"REF": Kind.REFUSAL, "INV": Kind.INVARIANT, "TRACE": Kind.FORMAT}
    if family(rule_id) in fixed:
        return fixed[family(rule_id)]
    if computed_by.startswith("no function: a theorem"):
        return Kind.THEOREM
    if computed_by.startswith("no function: data"):
        return Kind.DATA
    if spec == "rules.md" or "Formula" in parts:
        return Kind.FORMULA
    if re.fullmatch(r"ACT-\d+", rule_id):
        return Kind.ACTION
    if "Decision" in parts and "Effect" not in parts:
        return Kind.DECISION
    return Kind.EFFECT


def _parse(spec: str, text: str) -> list[Rule]:
    rules = []
    headings = list(_HEADING.finditer(text))
    for match in headings:
        following = _SECTION.search(text, match.end())
        body = text[match.end() : following.start() if following else len(text)]
        parts = _parts(body)
        rule_id = match.group(1)
        rules.append(
            Rule(
                id=rule_id,
                title=match.group(2).strip(),
                family=family(rule_id),
                kind=_kind(rule_id, spec, parts),
                spec=spec,
                statement=parts.get("Statement", ""),
                formula=_unfenced(parts.get("Formula", parts.get("Effect", ""))),
                source=parts.get("Source", ""),
                decision=parts.get("Decision", ""),
                options=tuple(_OPTION.findall(parts.get("Option", ""))),
                computed_by=parts.get("Computed by", ""),
                examples=parts.get("Examples", ""),
            )
        )
    for row in _REFUSAL.finditer(text):
        rule_id, code, message, when = row.groups()
        rules.append(
            Rule(
                id=rule_id,
                title=message,
                family="REF",
                kind=Kind.REFUSAL,
                spec=spec,
                statement=f"Refused with code {code}: {message}",
                formula=f"code {code}",
                source=f"Refused by {when}.",
                code=code,
            )
        )
    return rules


def spec_text(name: str) -> str:
    """The text of one spec file (``rules.md`` or ``account-model.md``)."""
    return resources.files("marginspec.spec").joinpath(name).read_text(encoding="utf-8")


@cache
def all_rules() -> Mapping[str, Rule]:
    """Every rule of both spec files by ID, in the order the files state them.

    Raises ``ValueError`` when an ID is stated twice.
    """
    found: dict[str, Rule] = {}
    for name in SPEC_FILES:
        for rule in _parse(name, spec_text(name)):
            if rule.id in found:
                raise ValueError(f"rule {rule.id} is stated twice ({found[rule.id].spec}, {name})")
            found[rule.id] = rule
    return found


def rule_ids() -> tuple[str, ...]:
    """Every rule ID of both spec files."""
    return tuple(all_rules())


def rule(rule_id: str) -> Rule:
    """The rule with this ID (``KeyError`` naming it when there is none)."""
    try:
        return all_rules()[rule_id]
    except KeyError:
        raise KeyError(f"no rule {rule_id} in spec/rules.md or spec/account-model.md") from None


def families() -> tuple[str, ...]:
    """The rule families, in the order the spec files introduce them."""
    return tuple(dict.fromkeys(r.family for r in all_rules().values()))


@cache
def _cited_pattern() -> re.Pattern[str]:
    names = "|".join(sorted(families(), key=len, reverse=True))
    return re.compile(rf"(?<![\w/:.\-])((?:{names})(?:-[A-Z]{{2,5}})?-\d+[a-z]?)(?![\w\-])")


def cited(text: str) -> list[str]:
    """The IDs of the rule families written in ``text``, in order, repeats kept.

    An ID is a whole token: ``EX-MR-1`` (an example label) and ``THM-MM-1`` (a theorem)
    are not rule IDs, and neither is ``MM-1`` inside them.
    """
    return _cited_pattern().findall(text)
