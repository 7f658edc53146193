"""The clearance fee's rate per bracket (LIQP-9): an option, off in the bundled rule sets."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

from marginspec.clearance import liquidation_fee_rate
from marginspec.errors import RuleSetError
from marginspec.exchange.trace import run_actions
from marginspec.numbers import Exact
from marginspec.rulefile import dump_ruleset, load_bundled, parse_ruleset
from marginspec.ruleset import LiquidationFeeBy, Market

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "docs" / "traces" / "src" / "bracket-liquidation-fee.json"
RULESET = load_bundled("aster-pro")
BY_BRACKET = attrs.evolve(RULESET.options, liquidation_fee_by=LiquidationFeeBy.BRACKET)
RATES = tuple(Exact(n, 1000) for n in range(1, 11))


def _market_with_rates() -> Market:
    return attrs.evolve(RULESET.markets["BTCUSDT"], liquidation_fee_brackets=RATES)


def test_liqp9_rate_by_option_and_data() -> None:
    """LIQP-9: the bracket's rate only with the option and a list; else the market's 1 %."""
    market = _market_with_rates()
    assert liquidation_fee_rate(market, 3, BY_BRACKET) == Exact(3, 1000)
    assert liquidation_fee_rate(market, 1, BY_BRACKET) == Exact(1, 1000)
    assert liquidation_fee_rate(market, 3, RULESET.options) == Exact(1, 100)
    plain = RULESET.markets["BTCUSDT"]
    assert liquidation_fee_rate(plain, 3, BY_BRACKET) == Exact(1, 100)


def test_liqp9_ex_liqp9_worked_trace() -> None:
    """EX-LIQP-9: 4 BTC liquidated in bracket 3 (314,400 at 78,600) pay 0.3 % = 943.2,
    not the market's 1 % (3,144, capped at the 1,700 left); closed at 78,410.8."""
    trace = run_actions(json.loads(SOURCE.read_text(encoding="utf-8")), SOURCE.parent)
    events = trace["steps"][-1]["outcome"]["events"]
    clear = [e for e in events if e["type"] == "INSURANCE_CLEAR"]
    assert [e["amount"] for e in clear] == ["943.2"]
    closed = [e for e in events if e["type"] == "LIQUIDATION"]
    assert [(e["quantity"], e["price"]) for e in closed] == [("4", "78410.8")]


def test_liqp9_market_rate_without_the_option(tmp_path: Path) -> None:
    """LIQP-4 as before when the option is off: the fee is 1 % × 314,400 capped at 1,700."""
    source = json.loads(SOURCE.read_text(encoding="utf-8"))
    toml = (SOURCE.parent / source["ruleset"]).read_text(encoding="utf-8")
    (tmp_path / "off.toml").write_text(
        toml.replace('liquidation_fee_by = "bracket"', 'liquidation_fee_by = "market"'),
        encoding="utf-8",
    )
    source["ruleset"] = "off.toml"
    trace = run_actions(source, tmp_path)
    events = trace["steps"][-1]["outcome"]["events"]
    assert [e["amount"] for e in events if e["type"] == "INSURANCE_CLEAR"] == ["1700"]


def test_liqp9_rates_round_trip_and_are_checked() -> None:
    """The rule file's ``liquidation_fee_brackets``: one rate per bracket, 0 ≤ rate < 1,
    written back by ``dump_ruleset`` (the kits send the rule set to engines so)."""
    ruleset = attrs.evolve(
        RULESET,
        markets={**RULESET.markets, "BTCUSDT": _market_with_rates()},
        options=BY_BRACKET,
    )
    again = parse_ruleset(dump_ruleset(ruleset), "<dumped>")
    assert again.markets["BTCUSDT"].liquidation_fee_brackets == RATES
    assert again.options.liquidation_fee_by is LiquidationFeeBy.BRACKET
    assert again.markets["ETHUSDT"].liquidation_fee_brackets == ()
    text = dump_ruleset(ruleset)
    short = text.replace('"0.001",\n', "", 1)
    with pytest.raises(RuleSetError, match="expected an array of 10 rates, one per bracket"):
        parse_ruleset(short, "<short>")
    with pytest.raises(RuleSetError, match=r"liquidation_fee_brackets\[0\]"):
        parse_ruleset(text.replace('"0.001",', '"1",', 1), "<one>")
