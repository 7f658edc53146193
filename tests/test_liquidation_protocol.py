"""The liquidation protocol as Binance and Aster publish it (LIQP-2, IF-5, LEV-1 per venue).

Each test replays the repro of a divergence reported in issue 15, the source named.
"""

from __future__ import annotations

from typing import Any

import attrs

from marginspec.exchange import Model
from marginspec.exchange.state import INSURANCE_FUND
from marginspec.numbers import Exact
from marginspec.numbers import exact as x
from marginspec.ruleset import Options, PartialLiquidation
from tests.exchange_helpers import RULESET, order, position, trade


def _model(marks: dict[str, str], fund: str = "1000000", **wallets: str) -> Model:
    data: dict[str, Any] = {
        "markPrices": marks,
        "insuranceFund": fund,
        "accounts": {name: {"crossWalletBalance": w} for name, w in wallets.items()},
    }
    return Model.from_json(data, RULESET, check=True)


def test_cross_liquidation_cancels_every_order() -> None:
    """LIQP-2 (B-LIQP, A-LIQ: "all open orders" of the account are cancelled).

    Repro: A cross long 1 BTC at 100x from 1,000, an ETHUSDT isolated buy 0.1 @ 2,000
    resting, BTC mark to 49,200: the cross sweep leaves no order behind (the model kept
    the isolated ETH order, with no margin behind it).
    """
    m = _model({"BTCUSDT": "50000", "ETHUSDT": "2000"}, A="1000", B="1000000")
    m.apply_json({"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 100})
    m.apply_json(
        {"action": "setMarginType", "account": "A", "symbol": "ETHUSDT", "marginType": "ISOLATED"}
    )
    trade(m, "A", "B", "50000", "1")  # A pays 20 taker fee: wallet 980
    assert m.apply_json(order("A", "BUY", "2000", "0.1", "ETHUSDT"))["status"] == "accepted"
    m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "49200"})
    # margin balance 980 − 800 = 180 < MM 49,200 × 0.4 % = 196.8: liquidated
    out = m.apply_json({"action": "liquidationSweep"})
    assert [e["type"] for e in out["events"]][:2] == ["INSURANCE_CLEAR", "LIQUIDATION"]
    assert m.state.accounts["A"].orders == ()
    assert m.snapshot("A")["totalCrossWalletBalance"] == "0"


def test_isolated_liquidation_keeps_other_symbols_orders() -> None:
    """LIQP-2: an isolated liquidation cancels only its symbol's orders (INV-4 isolation)."""
    m = _model({"BTCUSDT": "80000", "ETHUSDT": "3000"}, A="10000", B="1000000")
    m.apply_json(
        {"action": "setMarginType", "account": "A", "symbol": "BTCUSDT", "marginType": "ISOLATED"}
    )
    m.apply_json({"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 50})
    trade(m, "A", "B", "80000", "1")
    assert m.apply_json(order("A", "BUY", "2900", "0.1", "ETHUSDT"))["status"] == "accepted"
    m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "78000"})
    out = m.apply_json({"action": "liquidationSweep"})
    assert any(e["type"] == "LIQUIDATION" for e in out["events"])
    assert [o.symbol for o in m.state.accounts["A"].orders] == ["ETHUSDT"]


def _open_bracket_liquidate(options: Options) -> tuple[Model, list[dict[str, Any]]]:
    """docs/traces/open-bracket-liquidate with a fund of 1,000 (issue 15's repro)."""
    ruleset = attrs.evolve(RULESET, options=options)
    data = {
        "markPrices": {"BTCUSDT": "49000", "ETHUSDT": "3000"},
        "insuranceFund": "1000",
        "accounts": {"A": {"crossWalletBalance": "1700"}, "B": {"crossWalletBalance": "100000"}},
    }
    m = Model.from_json(data, ruleset, check=True)
    m.apply_json({"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 100})
    trade(m, "B", "A", "49000", "1")  # A short 1 BTC
    m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "50500"})
    out = m.apply_json({"action": "liquidationSweep"})
    return m, out["events"]


def test_fund_net_notional_limit_sends_the_position_to_adl() -> None:
    """IF-5 (B-IF: the fund's maximum net notional is by default 100 % of its size;
    beyond it, counterparty liquidation). The fund of ~1,000 cannot take a 50,500
    position over: B, the only opposite position, is auto-deleveraged at the
    bankruptcy price instead."""
    m, events = _open_bracket_liquidate(RULESET.options)
    assert RULESET.options.fund_max_net_notional == 1
    types = [e["type"] for e in events]
    assert "TAKEOVER" not in types
    adl = [e for e in events if e["type"] == "ADL"]
    assert [(e["account"], e["quantity"]) for e in adl] == [("B", "1")]
    liq = next(e for e in events if e["type"] == "LIQUIDATION")
    assert adl[0]["price"] == liq["price"]
    assert position(m, INSURANCE_FUND)["positionAmt"] == "0"
    assert position(m, "B")["positionAmt"] == "0"


def test_fund_without_limit_takes_over() -> None:
    """IF-5 option ``none``: only solvency counts, so the fund takes over (the old rule)."""
    m, events = _open_bracket_liquidate(attrs.evolve(RULESET.options, fund_max_net_notional=None))
    assert "ADL" not in [e["type"] for e in events]
    assert position(m, INSURANCE_FUND)["positionAmt"] == "-1"


def test_fund_limit_as_a_multiple() -> None:
    """IF-5: a limit of 60 × the fund's balance admits the 50,500 position (≈ 42.8×)."""
    m, events = _open_bracket_liquidate(
        attrs.evolve(RULESET.options, fund_max_net_notional=Exact(60))
    )
    assert "TAKEOVER" in [e["type"] for e in events]
    assert position(m, INSURANCE_FUND)["positionAmt"] == "-1"


def test_aster_refuses_125x() -> None:
    """LEV-1 (A-RUL: Aster's maximum leverage is 100): setLeverage 125 → -4028."""
    m = _model({"BTCUSDT": "80000", "ETHUSDT": "3000"}, A="1000")
    out = m.apply_json(
        {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 125}
    )
    assert (out["status"], out["code"]) == ("refused", -4028)
    ok = m.apply_json(
        {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 100}
    )
    assert ok == {"status": "accepted"}


def _stepped(partial: PartialLiquidation, fee: str, wallet: str) -> tuple[Model, list[Any]]:
    """A long 4 BTC at 80,000 (maker, no fee), 50x, mark 78,600: notional 314,400 is in
    bracket 3 (1 %, cum 1,300): MM 1,844 above the margin balance ``wallet`` − 5,600."""
    btc = attrs.evolve(RULESET.markets["BTCUSDT"], liquidation_fee=x(fee))
    ruleset = attrs.evolve(
        RULESET,
        markets={**RULESET.markets, "BTCUSDT": btc},
        options=attrs.evolve(RULESET.options, partial_liquidation=partial),
    )
    data = {
        "markPrices": {"BTCUSDT": "80000", "ETHUSDT": "3000"},
        "insuranceFund": "1000000",
        "accounts": {"A": {"crossWalletBalance": wallet}, "B": {"crossWalletBalance": "1000000"}},
    }
    m = Model.from_json(data, ruleset, check=True)
    m.apply_json({"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 50})
    m.apply_json(order("A", "BUY", "80000", "4"))  # A rests the BUY: maker, no fee
    m.apply_json(order("B", "SELL", "80000", "4"))
    m.apply_json({"action": "fill", "makerOrderId": 1, "takerOrderId": 2})
    m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "78600"})
    return m, m.apply_json({"action": "liquidationSweep"})["events"]


def test_bracket_step_rescues_a_position() -> None:
    """LIQP-8 (option bracket-step, BY-PROC): margin balance 1,700 < MM 1,844; reduced to
    bracket 3's floor 250,000: keep 3.18 BTC (249,948 at mark, bracket 2: MM 1,199.74),
    0.82 BTC closed at the mark, fee 0.1 % × 64,452 = 64.452; margin balance 1,635.548
    ≥ MM: the liquidation stops there."""
    m, events = _stepped(PartialLiquidation.BRACKET_STEP, "0.001", "7300")
    liq = [e for e in events if e["type"] == "LIQUIDATION"]
    assert [(e["quantity"], e["price"]) for e in liq] == [("0.82", "78600")]
    assert [e["amount"] for e in events if e["type"] == "INSURANCE_CLEAR"] == ["64.452"]
    assert position(m, "A")["positionAmt"] == "3.18"
    assert position(m, INSURANCE_FUND)["positionAmt"] == "0.82"
    snap = m.snapshot("A")
    assert snap["totalMarginBalance"] == "1635.548" and snap["liquidatable"] is False


def test_bracket_step_then_full_liquidation() -> None:
    """LIQP-8 then LIQP-3: with Aster's 1 % fee each step costs about what it saves
    (fee 644.52 vs MM 1,844 → 1,199.74), so the steps reach bracket 1 and the rest
    is liquidated whole."""
    m, events = _stepped(PartialLiquidation.BRACKET_STEP, "0.01", "7300")
    liq = [(e["quantity"], e["price"]) for e in events if e["type"] == "LIQUIDATION"]
    assert liq[:2] == [("0.82", "78600"), ("2.544", "78600")]
    assert len(liq) == 3 and position(m, "A")["positionAmt"] == "0"
    assert m.snapshot("A")["totalCrossWalletBalance"] == "0"


def test_default_liquidates_the_whole_position() -> None:
    """LIQP-3 (default ``none``): the same account loses its 4 BTC in one close."""
    m, events = _stepped(PartialLiquidation.NONE, "0.001", "7300")
    assert [e["quantity"] for e in events if e["type"] == "LIQUIDATION"] == ["4"]
    assert position(m, "A")["positionAmt"] == "0"
