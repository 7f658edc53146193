"""The rules issue 15 added are conformance targets the vectors reach (CONF-9): the
break-even price (FEE-2), the API form (SNAP-4), a positive price never written "0"
(DISP-3), and partial liquidation (LIQP-8) under its rule-set option."""

from __future__ import annotations

import json
from pathlib import Path

import attrs

from marginspec.conformance import coverage, vectors
from marginspec.exchange.trace import resolve_ruleset
from marginspec.numbers import Exact
from marginspec.ruleset import LiquidationFeeBy, PartialLiquidation
from tests.conformance.helpers import REPO, RULESET

PARTIAL = attrs.evolve(
    RULESET,
    options=attrs.evolve(RULESET.options, partial_liquidation=PartialLiquidation.BRACKET_STEP),
)


def test_the_venue_rules_are_targets_and_the_vectors_reach_them() -> None:
    wanted = ("FEE-2", "SNAP-4", "DISP-3")
    assert set(wanted) <= set(vectors.targets(RULESET))
    assert not set(wanted) & set(coverage.excluded(RULESET))
    index = vectors.generate("aster-pro", RULESET, 0, complete=False).index
    for rule in wanted:
        assert index["coverage"][rule], rule


def test_partial_liquidation_is_a_target_under_its_option() -> None:
    """LIQP-8 is excluded, with its reason, where the option is off, and a target the
    seed-0 vectors reach where it is on."""
    assert "LIQP-8" not in vectors.targets(RULESET)
    assert coverage.excluded(RULESET)["LIQP-8"].startswith("partial liquidation option")
    assert "LIQP-8" in vectors.targets(PARTIAL)
    assert coverage.unaccounted(PARTIAL) == set()
    index = vectors.generate("partial", PARTIAL, 0, complete=False).index
    assert index["uncovered"] == []
    assert index["coverage"]["LIQP-8"]


def _exercises(path: Path) -> set[str]:
    """The targets a worked trace exercises under its own rule set."""
    trace = json.loads(path.read_text(encoding="utf-8"))
    ruleset = resolve_ruleset(trace["ruleset"], path.parent)
    actions = [step["action"] for step in trace["steps"]]
    return set(vectors.exercises(ruleset, trace["initial"], actions, coverage.targets(ruleset)))


def test_the_worked_traces_exercise_their_rules() -> None:
    """The docs' worked traces are vectors of their rules: the tiny price (DISP-3) and the
    partial liquidation (LIQP-8, its rule set has the option)."""
    traces = REPO / "docs" / "traces"
    assert {"DISP-3", "FEE-2"} <= _exercises(traces / "tiny-liquidation-price.json")
    assert "LIQP-8" in _exercises(traces / "partial-liquidation.json")


def test_liquidation_fee_per_bracket_is_a_target_under_its_option() -> None:
    """LIQP-9 is excluded where its option is off, and reached by the seed-0 vectors where
    it is on and BTCUSDT lists a rate per bracket."""
    assert coverage.excluded(RULESET)["LIQP-9"].startswith("liquidation fee per bracket option")
    btc = RULESET.markets["BTCUSDT"]
    rates = tuple(Exact(n, 1000) for n in range(1, len(btc.brackets) + 1))
    by_bracket = attrs.evolve(
        RULESET,
        markets={**RULESET.markets, "BTCUSDT": attrs.evolve(btc, liquidation_fee_brackets=rates)},
        options=attrs.evolve(RULESET.options, liquidation_fee_by=LiquidationFeeBy.BRACKET),
    )
    assert coverage.unaccounted(by_bracket) == set()
    index = vectors.generate("by-bracket", by_bracket, 0, complete=False).index
    assert index["uncovered"] == []
    assert index["coverage"]["LIQP-9"]
    assert "LIQP-9" in _exercises(REPO / "docs" / "traces" / "bracket-liquidation-fee.json")
