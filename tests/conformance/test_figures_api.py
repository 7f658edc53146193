"""The API-profile figures of the figures kit (FIG-8): the break-even price (FEE-2) and one
venue's API form (SNAP-4) are compared, not only reached: the model passes under both
venues, a tool ignoring the fees in the break-even price is caught naming FEE-2, one
writing the API's 8-place numbers with 2 places is caught naming SNAP-4, and the generator
draws the snapshots where these differ."""

from __future__ import annotations

import json
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from marginspec.api_profile import POSITION_PATH
from marginspec.cli import main
from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.figures.api_form import model_answer
from marginspec.conformance.figures.check import differences
from marginspec.conformance.figures.engine import (
    FiguresCapabilities,
    ModelFiguresEngine,
    hello_json,
    parse_figures_capabilities,
)
from marginspec.conformance.figures.explain import explain
from marginspec.conformance.figures.search import search
from marginspec.conformance.figures.strategies import RandomChooser, draw_snapshot
from marginspec.errors import InputError
from marginspec.numbers import Exact
from tests.conformance.figures_engines import BreakEvenAtEntry, TwoPlaceApi
from tests.conformance.helpers import RULESET

API_CAPS = FiguresCapabilities(break_even_flag=True, api="binance")


@pytest.mark.parametrize("venue", ["binance", "aster"])
def test_the_model_declaring_the_api_figures_is_no_false_alarm(venue: str) -> None:
    engine = ModelFiguresEngine(RULESET, break_even=True, api=venue)
    result = search(engine, "aster-pro", RULESET, seed=2, examples=200)
    assert result.failures == (), result.failures[0].text()
    assert result.skipped == ()
    assert result.capabilities.api == venue and result.capabilities.break_even


def test_a_break_even_price_without_fees_is_caught_naming_fee_2() -> None:
    result = search(BreakEvenAtEntry(), "aster-pro", RULESET, seed=0, examples=200)
    (failure,) = result.failures
    d = failure.difference
    assert d is not None and d.field == "breakEvenPrice"
    assert failure.rules[0] == "FEE-2"
    assert failure.positions == 1 and "openOrders" not in failure.snapshot
    (position,) = failure.snapshot["positions"]
    assert d.impl == position["entryPrice"] != d.model
    # A long's break-even lies above its entry by the round-trip fee (FEE-2).
    amount, entry = Decimal(position["positionAmt"]), Decimal(position["entryPrice"])
    rate = Decimal(position.get("breakEvenFeeRate", "0.0008"))  # aster-pro: taker 0.0004 twice
    assert Decimal(d.model) == entry * (1 + (rate if amount > 0 else -rate))
    assert "FEE-2" in failure.text()


def test_api_figures_written_to_two_places_are_caught_naming_snap_4() -> None:
    result = search(TwoPlaceApi(), "aster-pro", RULESET, seed=0, examples=200)
    (failure,) = result.failures
    d = failure.difference
    assert d is not None and d.field.startswith("api.")
    assert d.pointer.startswith("/api/")
    assert failure.rules[0] == "SNAP-4"
    assert failure.positions == 1 and "openOrders" not in failure.snapshot
    # The 2-place text is the 8-place figure rounded (a figure the API writes "x.00000000"
    # differs in its text only).
    assert Decimal(d.impl) == Decimal(d.model).quantize(Decimal("0.01"))
    assert len(d.model.partition(".")[2]) == 8 and len(d.impl.partition(".")[2]) == 2
    assert "SNAP-4" in failure.text()


def test_api_figures_rounded_to_two_places_differ_in_value_where_rounding_matters() -> None:
    """Beyond the padding: on drawn snapshots whose figures have more than 2 places, the
    2-place answer is a different amount (read exactly, "off by …"), named SNAP-4."""
    engine = TwoPlaceApi()
    caps = engine.handshake(hello_json("aster-pro", RULESET))
    rng = random.Random(1)
    off = 0
    for _ in range(40):
        snapshot = draw_snapshot(RandomChooser(rng), RULESET, caps)
        figures, model = model_answer(snapshot, RULESET, caps)
        for d in differences(model, engine.figures(snapshot), caps, set()):
            assert d.field.startswith("api.") and d.pointer.startswith("/api/")
            if "off by" in d.note:
                off += 1
                assert explain(d, figures, RULESET).rules[0] == "SNAP-4"
    assert off > 40


def test_the_same_amount_with_other_places_is_a_snap_4_difference() -> None:
    """The API form is text: "12.5" where the API writes "12.50000000" differs (SNAP-4)."""
    from marginspec.conformance.figures.api_form import api_value

    assert api_value("12.50000000", "12.50000000") is None
    assert api_value("12.50000000", "12.5") is not None
    assert "SNAP-4" in (api_value("12.50000000", "12.5") or "")
    assert api_value("12.50000000", "12.49") is not None
    assert api_value(3, 3) is None and api_value(True, False) is not None


def test_the_generator_draws_where_the_api_figures_differ() -> None:
    """FIG-3, FIG-8: drawn fee rates and ADL quantiles; every open position's break-even
    away from its entry (FEE-2's target); API figures the 8-place rounding changes and
    figures the padding changes (SNAP-4's target)."""
    rng = random.Random(0)
    rates: set[str] = set()
    adl: set[int] = set()
    rounded = padded = 0
    for _ in range(200):
        snapshot = draw_snapshot(RandomChooser(rng), RULESET, API_CAPS)
        figures, model = model_answer(snapshot, RULESET, API_CAPS)
        for raw, row in zip(snapshot["positions"], model["positions"], strict=True):
            rates.add(raw.get("breakEvenFeeRate", "default"))
            adl.add(raw.get("adl", 0))
            if Decimal(row["positionAmt"]) != 0:
                assert row["breakEvenPrice"] != row["entryPrice"]
        for f, row in zip(figures.positions, model["positions"], strict=True):
            exact = f.unrealized_pnl
            api = next(
                r
                for r in model["api"][POSITION_PATH]
                if (r["symbol"], r["positionSide"]) == (row["symbol"], row["positionSide"])
            )
            text = api["unRealizedProfit"]
            rounded += Exact(Decimal(text)) != exact
            padded += text != row["unRealizedProfit"] and Decimal(text) == Decimal(
                row["unRealizedProfit"]
            )
    assert rates == {"default", "0.0006", "0.001", "0.00035"}
    assert adl == {0, 1, 2, 3, 4}
    assert rounded > 50 and padded > 50


def test_the_api_capabilities_are_read_and_refused_as_declared() -> None:
    caps = parse_figures_capabilities({}, {"api": "aster", "breakEvenPrice": True})
    assert caps.api == "aster" and caps.break_even
    assert caps.to_json()["figures"]["api"] == "aster"
    listed = parse_figures_capabilities({"fields": {"position": {"breakEvenPrice": 8}}}, {})
    assert listed.break_even and listed.api is None
    assert not FiguresCapabilities(Capabilities()).break_even
    with pytest.raises(InputError, match="/figures/api"):
        parse_figures_capabilities({}, {"api": "okx"})
    with pytest.raises(InputError, match="/figures/breakEvenPrice"):
        parse_figures_capabilities({}, {"breakEvenPrice": "yes"})


def test_a_run_that_compares_the_api_figures_reports_the_targets_it_reached(
    tmp_path: Path,
) -> None:
    """FIG-8: FEE-2 and SNAP-4 are reached by the runs that compare them; a run that does
    not declare them reaches neither. Saved, a failure replays under the same declaration."""
    engines = "tests.conformance.figures_engines"
    runner = CliRunner()
    args = ["conform", "--figures", "--examples", "60"]
    passed = runner.invoke(main, [*args, "--impl", f"{engines}:model_with_api"])
    assert passed.exit_code == 0, passed.output
    line = next(x for x in passed.output.splitlines() if x.startswith("API-profile targets"))
    counts = dict(re.findall(r"(FEE-2|SNAP-4) on (\d+) snapshots", line))
    assert int(counts["FEE-2"]) == 60 and int(counts["SNAP-4"]) > 30
    plain = search(ModelFiguresEngine(RULESET), "aster-pro", RULESET, seed=0, examples=20)
    assert plain.reached == {}
    out = tmp_path / "fee.json"
    failed = runner.invoke(
        main, [*args, "--impl", f"{engines}:BreakEvenAtEntry", "--out", str(out)]
    )
    assert failed.exit_code == 1 and "rules: FEE-2" in failed.output
    assert json.loads(out.read_text())["rules"] == ["FEE-2"]
    again = ["conform", "--figures", "--replay", str(out)]
    wrong = runner.invoke(main, [*again, "--impl", f"{engines}:BreakEvenAtEntry"])
    assert wrong.exit_code == 1 and "breakEvenPrice" in wrong.output
    right = runner.invoke(main, [*again, "--impl", f"{engines}:model_with_api"])
    assert right.exit_code == 0, right.output
