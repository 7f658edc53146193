"""The kit finds bugs: every deliberately wrong engine (tests/mutants) is caught by the
quick (CI) profile with a short shrunk trace, and the saved trace reproduces it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import tests.mutants as mutants
from marginspec.conformance import driver
from marginspec.conformance.engine import ModelEngine
from marginspec.conformance.report import DIVERGENCE
from marginspec.conformance.runner import replay_against
from marginspec.exchange.trace import replay
from tests.conformance.helpers import RULESET
from tests.mutants import MUTANTS

#: The longest shrunk trace accepted (issue 12), for every mutant. Failures that need
#: set-up their drawn start lacks (a wallet, a leverage, a drained insurance fund, or a
#: whole prefix that leaves nobody holding anything) get it folded into the initial state
#: by the shrinker (CONF-6, ``conformance.folding``); the ADL ranking's story is the
#: longest: two counterparties resting at two prices, the fund's and the victim's IOC
#: orders taking them, the crash mark and the sweep (``moves.aimed_more.crash_ranked``).
MAX_STEPS = 6


def test_there_are_at_least_twenty_five_classic_mistakes() -> None:
    assert len(MUTANTS) >= 25
    assert all(m.__doc__ and m.mistake for m in MUTANTS)


@pytest.mark.parametrize(
    "mutant",
    MUTANTS,
    ids=lambda m: m.__name__,
)
def test_quick_profile_catches_the_mutant_with_a_short_trace(mutant: type, tmp_path: Path) -> None:
    path = tmp_path / "failure.json"
    found = _quick(mutant.__name__, path)
    assert found is not None, f"{mutant.__name__} was not caught"
    assert found["kind"] == DIVERGENCE
    assert 1 <= found["steps"] <= MAX_STEPS, found["text"]
    assert found["field"] is not None and found["rules"]
    # The saved trace is the model's own record: the model replays it without divergence,
    # and re-running it on the mutant reproduces the failure at the same step.
    document = json.loads(path.read_text())
    assert replay(document, path.parent) is None
    again, _ = replay_against(path, mutant())
    assert again is not None and len(again.steps) == found["steps"]
    assert again.difference is not None and again.difference.field == found["field"]


def test_a_long_shrunk_trace_is_replaced_by_a_shorter_route_to_the_same_failure() -> None:
    """CONF-6: on seed 3 the first run to catch TriggerInclusive builds three positions
    with trades, a sweep and a withdrawal, then deposits the exact shortfall (14 steps
    after delta debugging, which cannot fold positions). Searching on finds another run
    failing the same way whose shrunk trace is within MAX_STEPS."""
    found = driver.run(mutants.TriggerInclusive(), "aster-pro", RULESET, "quick", seed=3).report
    assert found is not None and found.difference is not None
    assert found.difference.field.endswith("liquidatable")
    assert "LIQ-1" in found.rules
    assert len(found.steps) <= MAX_STEPS, found.text()


def _quick(name: str, path: Path) -> dict[str, Any] | None:
    """The quick run of one mutant on seed 0; its report saved to ``path``."""
    mutant = getattr(mutants, name)
    report = driver.run(mutant(), "aster-pro", RULESET, "quick", seed=0).report
    if report is None:
        return None
    report.save(path, RULESET)
    diff = report.difference
    return {
        "kind": report.kind,
        "steps": len(report.steps),
        "text": report.text(),
        "field": None if diff is None else diff.field,
        "rules": list(report.rules),
    }


def test_the_model_passes_the_quick_profile_in_process() -> None:
    result = driver.run(ModelEngine(RULESET), "aster-pro", RULESET, "quick", seed=0)
    assert result.report is None
    assert result.steps > 1000
