"""The ADL quantile, positionRisk's ``adl`` (ADL-4): rank over the queue, in five steps."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

from marginspec.account import PositionSide
from marginspec.exchange import Model
from marginspec.exchange.adl_quantile import quantile, quantiles
from marginspec.exchange.trace import named_markets, run_actions
from marginspec.numbers import Exact
from marginspec.rulefile import load_bundled
from marginspec.ruleset import AdlRanking

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "docs" / "traces" / "src" / "adl-quantile.json"


def test_adl4_five_steps_of_the_rank() -> None:
    """ADL-4: five distinct positive scores take 0, 1, 2, 3, 4 (rank/total 1/5 … 5/5)."""
    scores = [Exact(n, 10) for n in (1, 2, 3, 4, 5)]
    assert [quantile(s, scores) for s in scores] == [0, 1, 2, 3, 4]


def test_adl4_cut_points_and_ties() -> None:
    """ADL-4: ⌈5 × rank/total⌉ − 1: of 3, ranks 1, 2, 3 give 1, 3, 4; equal scores share
    the higher rank; one position alone is at the head of its queue."""
    three = [Exact(1), Exact(2), Exact(3)]
    assert [quantile(s, three) for s in three] == [1, 3, 4]
    tied = [Exact(1), Exact(2), Exact(2), Exact(5)]
    assert quantile(Exact(2), tied) == 3  # rank 3 of 4: ⌈3.75⌉ − 1
    assert quantile(Exact(7), [Exact(7)]) == 4


def test_adl4_no_positive_score_is_zero() -> None:
    """ADL-4: a losing position (score ≤ 0) is 0 whatever its rank."""
    scores = [Exact(-3), Exact(-1), Exact(0)]
    assert [quantile(s, scores) for s in scores] == [0, 0, 0]


def _final_adl(document: dict[str, object]) -> dict[str, int]:
    steps = document["steps"]
    assert isinstance(steps, list)
    accounts = steps[-1]["snapshot"]["accounts"]
    return {
        name: p["adl"]
        for name, answer in accounts.items()
        for p in answer["/fapi/v3/positionRisk"]
        if p["positionAmt"] not in ("0", "0.000")
    }


@pytest.mark.parametrize("venue", ["binance", "aster"])
def test_adl4_ex_adl4_worked_trace(venue: str) -> None:
    """EX-ADL-4 (docs/traces/adl-quantile.json): longs with wallets 10,000, 20,000 and
    40,000 score 8,000/18,000, 8,000/28,000, 8,000/48,000 (ADL-2a) → adl 4, 3, 1; the
    losing short 0. Binance writes ``adl`` in positionRisk; the trace's API snapshots
    rank over all its accounts (ADL-4)."""
    source = json.loads(SOURCE.read_text(encoding="utf-8"))
    source["api"] = venue
    produced = run_actions(source, SOURCE.parent)
    if venue == "binance":
        assert _final_adl(produced) == {"A": 4, "B": 3, "C": 1, "S": 0}
    else:  # Aster's positionRisk has no adl field (A-API "Position Information v3")
        risk = produced["steps"][-1]["snapshot"]["accounts"]["A"]["/fapi/v3/positionRisk"]
        assert risk and all("adl" not in p for p in risk)


def test_adl4_follows_the_ranking_option() -> None:
    """ADL-4 ranks by ADL-2's score under the rule set's option: with the ``binance``
    score (profit over wallet × margin ratio) the same three longs keep their order."""
    ruleset = load_bundled("aster-pro")
    options = attrs.evolve(ruleset.options, adl_ranking=AdlRanking.BINANCE)
    binance = attrs.evolve(ruleset, options=options)
    binance = named_markets(binance, json.loads(SOURCE.read_text(encoding="utf-8"))["initial"])
    source = json.loads(SOURCE.read_text(encoding="utf-8"))
    model = Model.from_json(source["initial"], binance)
    for raw in source["actions"]:
        assert model.apply_json(raw)["status"] == "accepted"
    found = quantiles(model.state, binance)
    side = PositionSide.BOTH
    assert [found[(n, "BTCUSDT", side)] for n in ("A", "B", "C", "S")] == [4, 3, 1, 0]
