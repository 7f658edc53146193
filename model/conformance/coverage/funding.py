"""Coverage targets of funding settlements (FUND-*)."""

from __future__ import annotations

from marginspec.conformance.coverage.step import Step
from marginspec.conformance.coverage.target import ISOLATED, Area, Section
from marginspec.numbers import exact

FUNDING = Area(Section.EFFECT)


@FUNDING.target("FUND-1", "a non-zero funding payment", ("funding",))
def _funding_paid(s: Step) -> bool:
    return any(exact(e["amount"]) != 0 for e in s.events("FUNDING_FEE"))


@FUNDING.target("FUND-2", "funding paid to several accounts at once", ("funding",))
def _funding_several(s: Step) -> bool:
    return len({e["account"] for e in s.events("FUNDING_FEE")}) > 1


@FUNDING.target("FUND-3", "funding on an isolated position", ISOLATED)
def _funding_isolated(s: Step) -> bool:
    return any(
        exact(e["amount"]) != 0 and s.isolated(e["account"], e["symbol"])
        for e in s.events("FUNDING_FEE")
    )


@FUNDING.target("FUND-4", "funding at a rate computed from premium samples", ("premium_funding",))
def _funding_computed(s: Step) -> bool:
    return s.name == "funding" and "premiumIndex" in s.action and bool(s.events("FUNDING_FEE"))


@FUNDING.target(
    "FUND-5", "funding from several premium samples (time-weighted)", ("premium_funding",)
)
def _funding_samples(s: Step) -> bool:
    return _funding_computed(s) and len(s.action["premiumIndex"]) > 1


@FUNDING.target("FUND-6", "funding settled at a named funding time", ("funding_times",))
def _funding_at_time(s: Step) -> bool:
    return s.name == "funding" and "fundingTime" in s.action and s.accepted
