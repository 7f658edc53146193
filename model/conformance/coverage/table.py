"""The coverage table: every target of a rule set, collected from the area modules (CONF-9)."""

from __future__ import annotations

from marginspec.conformance.coverage.actions import ACTIONS
from marginspec.conformance.coverage.amendment import AMENDMENT
from marginspec.conformance.coverage.api_profile import API_PROFILE
from marginspec.conformance.coverage.brackets import BRACKETS
from marginspec.conformance.coverage.conditional import CONDITIONAL
from marginspec.conformance.coverage.display import DISPLAY
from marginspec.conformance.coverage.fills import FILLS
from marginspec.conformance.coverage.funding import FUNDING
from marginspec.conformance.coverage.liquidation_price import LIQUIDATION_PRICE
from marginspec.conformance.coverage.orders import ORDERS
from marginspec.conformance.coverage.positions import POSITIONS
from marginspec.conformance.coverage.step import Step
from marginspec.conformance.coverage.sweep import SWEEP
from marginspec.conformance.coverage.target import Area, Section, Target
from marginspec.conformance.coverage.transfers import TRANSFERS
from marginspec.ruleset import RuleSet

#: The areas in the order the table lists their targets within a section.
AREAS: tuple[Area, ...] = (
    ACTIONS,
    BRACKETS,
    POSITIONS,
    ORDERS,
    TRANSFERS,
    LIQUIDATION_PRICE,
    DISPLAY,
    API_PROFILE,
    FILLS,
    FUNDING,
    SWEEP,
    CONDITIONAL,
    AMENDMENT,
)


def targets(ruleset: RuleSet) -> tuple[Target, ...]:
    """Every target for ``ruleset`` (option-dependent rules only when their option is in
    force), by section, then area, then the order of declaration."""
    declared = [t for area in AREAS for t in area.targets if t.applies(ruleset)]
    return tuple(t for section in Section for t in declared if t.section is section)


def covered(step: Step, wanted: tuple[Target, ...]) -> list[str]:
    """The rules of ``wanted`` this step exercises."""
    return [t.rule for t in wanted if t.predicate(step)]
