"""How a coverage target is declared: next to its predicate, by a decorator (CONF-9).

An area module (fills, funding, …) makes one :class:`Area` and declares each target on
its predicate, the way Hypothesis declares ``@rule``::

    FILLS = Area(Section.EFFECT)

    @FILLS.target("FILL-2", "a fill adding to a position (weighted entry)", ("trade_twice",))
    def _adds(s: Step) -> bool: ...

A predicate that serves a second rule is declared again by a call,
``FILLS.target("PNL-3", ...)(_flip)``. :func:`marginspec.conformance.coverage.table.targets`
collects the areas' targets by section.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TypeVar

import attrs

from marginspec.conformance.coverage.step import Predicate
from marginspec.ruleset import RuleSet

#: Aimed scenarios several areas name (marginspec.conformance.moves.aimed).
CRASH = ("crash",)
ISOLATED = ("isolated_trade",)


class Section(enum.Enum):
    """The parts of the coverage table, in the order it lists them (the static vectors
    steer at targets in this order, so it fixes the corpus a seed gives)."""

    ACTION = "one target per action, then the rules of the actions themselves (ACT-*)"
    REFUSAL = "refusals: every REF-n the model can answer"
    EVENT = "every event type of TRACE-3"
    EFFECT = "what fills, funding and the liquidation sweep do"
    FIGURE = "formula rules, read on the state after the step"
    RANKING = "the ADL ranking among several counterparties"


@attrs.frozen
class Option:
    """A target that exists only when a rule-set option has one value (e.g. ADL-2a)."""

    name: str  # the field of RuleOptions
    value: enum.Enum
    what: str  # the option in words, for the exclusion's reason

    def in_force(self, ruleset: RuleSet) -> bool:
        return bool(getattr(ruleset.options, self.name) == self.value)


@attrs.frozen
class Target:
    rule: str
    what: str  # what a covering step does, in words (rendered in the docs)
    predicate: Predicate = attrs.field(repr=False)
    aims: tuple[str, ...] = ()  # generator moves that tend to reach it
    section: Section = Section.FIGURE
    option: Option | None = None

    def applies(self, ruleset: RuleSet) -> bool:
        return self.option is None or self.option.in_force(ruleset)


P = TypeVar("P", bound=Callable[..., bool])


class Area:
    """The targets of one area of the rules, in the order they are declared."""

    def __init__(self, section: Section) -> None:
        self.section = section  # the section of its targets unless one says otherwise
        self.targets: list[Target] = []

    def target(
        self,
        rule: str,
        what: str,
        aims: tuple[str, ...] = (),
        *,
        section: Section | None = None,
        option: Option | None = None,
    ) -> Callable[[P], P]:
        """Declare the decorated predicate the target of ``rule``."""

        def declare(predicate: P) -> P:
            self.targets.append(
                Target(rule, what, predicate, aims, section or self.section, option)
            )
            return predicate

        return declare
