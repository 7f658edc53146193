"""The account model's actions and refusals with real numbers (ACT-*, REF-*, FILL-*, LIQP-*)."""

from __future__ import annotations

from marginspec.exchange import INSURANCE_FUND
from tests.exchange_helpers import model, order, position, trade


def test_taker_fee_F1_and_maker_fee_zero() -> None:
    # EX-F-1 (A-FEE): 0.1 BTC × 80,000 × 0.04 % = 3.20 for the taker; the maker pays 0 %.
    m = model(A="10000", B="10000")
    out = trade(m, "A", "B", "80000", "0.1")
    by_account = {e["account"]: e for e in out["events"]}
    assert by_account["A"]["commission"] == "3.2"
    assert by_account["B"]["commission"] == "0"
    assert m.snapshot("A")["totalWalletBalance"] == "9996.8"
    assert m.snapshot()["feeIncome"] == "3.2"


def test_weighted_entry_realised_pnl_and_flip() -> None:
    m = model(A="100000", B="100000")
    trade(m, "A", "B", "80000", "0.1")
    trade(m, "A", "B", "80100", "0.3")
    # FILL-2: (0.1 × 80,000 + 0.3 × 80,100) / 0.4 = 80,075
    assert position(m, "A")["entryPrice"] == "80075"
    # A sells 0.5 at 80,200: closes 0.4 (FILL-4: 0.4 × (80,200 − 80,075) = 50), flips short 0.1
    out = trade(m, "B", "A", "80200", "0.5")
    a_event = next(e for e in out["events"] if e["account"] == "A")
    assert a_event["realizedPnl"] == "50"
    p = position(m, "A")
    assert p["positionAmt"] == "-0.1"
    assert p["entryPrice"] == "80200"  # PNL-3: the remainder opens at the fill price


def test_margin_check_refuses_with_2019() -> None:
    # COST-1: 1 BTC at 80,000 with 20x needs 4,000 of initial margin; 3,999 is not enough.
    m = model(A="3999", B="100000")
    out = m.apply_json(order("A", "BUY", "80000", "1"))
    assert out == {
        "status": "refused",
        "code": -2019,
        "msg": "Margin is insufficient.",
        "rule": "REF-1",
    }
    m.apply_json({"action": "deposit", "account": "A", "amount": "1"})
    assert m.apply_json(order("A", "BUY", "80000", "1"))["status"] == "accepted"
    # open loss (COST-2) counts: a buy above the mark costs IM at the price + the loss
    m2 = model(A="4020", B="100000")
    out = m2.apply_json(order("A", "BUY", "80400", "1"))
    # IM 4,020 + open loss 400 > 4,020
    assert out["code"] == -2019


def test_filters_and_min_notional() -> None:
    m = model(A="1000")
    assert m.apply_json(order("A", "BUY", "80000.05", "0.001"))["code"] == -4014
    assert m.apply_json(order("A", "BUY", "80000", "0.0015"))["code"] == -4023
    out = m.apply_json(order("A", "BUY", "4000", "0.001"))  # 4 USDT < 5
    assert out["code"] == -4164
    assert (
        out["msg"] == "Order's notional must be no smaller than 5 (unless you choose reduce only)"
    )
    assert m.apply_json(order("A", "BUY", "80000", "0.001", reduceOnly=True))["code"] == -2022
    hedge = m.apply_json(order("A", "BUY", "80000", "0.001", positionSide="LONG"))
    assert hedge["code"] == -4061


def test_leverage_refusals() -> None:
    m = model(A="100000", B="1000000")
    assert (
        m.apply_json(
            {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 126}
        )["code"]
        == -4028
    )
    # LEV-1: aster-pro's maximum is 100x (A-RUL), so 125 is not a valid leverage
    out = m.apply_json(
        {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 125}
    )
    assert out["code"] == -4028
    trade(m, "A", "B", "80000", "4")  # 320,000 notional at 20x
    # -2027: at 100x the cap is 250,000 (bracket 2) < 320,000; at 50x it is 1,000,000
    out = m.apply_json(
        {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 100}
    )
    assert out["code"] == -2027
    ok = m.apply_json(
        {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 50}
    )
    assert ok == {"status": "accepted"}
    # -2028: 1x needs 320,000 of IM; A has about 100,000
    out = m.apply_json(
        {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 1}
    )
    assert out["code"] == -2028


def test_isolated_leverage_reduction_refused_4161() -> None:
    m = model(A="100000", B="100000")
    m.apply_json(
        {"action": "setMarginType", "account": "A", "symbol": "BTCUSDT", "marginType": "ISOLATED"}
    )
    trade(m, "A", "B", "80000", "0.1")
    out = m.apply_json(
        {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 10}
    )
    assert out["code"] == -4161
    raised = m.apply_json(
        {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 50}
    )
    assert raised["status"] == "accepted"


def test_mode_changes_refused() -> None:
    m = model(A="100000", B="100000")
    same = {"action": "setMarginType", "account": "A", "symbol": "BTCUSDT", "marginType": "CROSSED"}
    assert m.apply_json(same)["code"] == -4046
    placed = m.apply_json(order("A", "BUY", "79000", "0.1"))
    iso = {"action": "setMarginType", "account": "A", "symbol": "BTCUSDT", "marginType": "ISOLATED"}
    assert m.apply_json(iso)["code"] == -4047
    dual = {"action": "setPositionMode", "account": "A", "dualSidePosition": True}
    assert m.apply_json(dual)["code"] == -4067
    m.apply_json({"action": "cancelOrder", "account": "A", "orderId": placed["orderId"]})
    trade(m, "A", "B", "80000", "0.1")
    assert m.apply_json(iso)["code"] == -4048
    assert m.apply_json(dual)["code"] == -4068
    # ETHUSDT has neither: its margin type may change
    eth = {"action": "setMarginType", "account": "A", "symbol": "ETHUSDT", "marginType": "ISOLATED"}
    assert m.apply_json(eth) == {"status": "accepted"}
    assert (
        m.apply_json({"action": "setPositionMode", "account": "A", "dualSidePosition": False})[
            "code"
        ]
        == -4059
    )


def test_isolated_allocation_funding_and_margin_transfer() -> None:
    m = model(A="10000", B="100000")
    m.apply_json(
        {"action": "setMarginType", "account": "A", "symbol": "BTCUSDT", "marginType": "ISOLATED"}
    )
    m.apply_json({"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 10})
    trade(m, "A", "B", "80000", "0.1")
    p = position(m, "A")
    # FILL-7: IM at the fill price 8,000 / 10 = 800 moves into the isolated wallet
    assert p["isolatedWallet"] == "800"
    assert m.snapshot("A")["totalCrossWalletBalance"] == "9196.8"  # 10,000 − 800 − fee 3.2
    # FUND-3: a long pays 0.1 × 80,000 × 0.01 % = 0.8 from its isolated wallet
    out = m.apply_json({"action": "funding", "symbol": "BTCUSDT", "fundingRate": "0.0001"})
    assert {e["account"]: e["amount"] for e in out["events"]} == {"A": "-0.8", "B": "0.8"}
    assert position(m, "A")["isolatedWallet"] == "799.2"
    # XFER-3 cap, then -4051 beyond it; -4049 on a cross symbol; -4055 for 0
    assert position(m, "A")["maxRemovableMargin"] == "0"
    remove = {
        "action": "positionMargin",
        "account": "A",
        "symbol": "BTCUSDT",
        "positionSide": "BOTH",
        "amount": "1",
        "type": 2,
    }
    assert m.apply_json(remove)["code"] == -4051
    add = dict(remove, type=1, amount="100")
    assert m.apply_json(add) == {"status": "accepted"}
    assert position(m, "A")["isolatedWallet"] == "899.2"
    assert m.apply_json(dict(add, symbol="ETHUSDT"))["code"] == -4049
    assert m.apply_json(dict(add, amount="0"))["code"] == -4055


def test_isolated_close_releases_wallet_to_cross() -> None:
    m = model(A="10000", B="100000")
    m.apply_json(
        {"action": "setMarginType", "account": "A", "symbol": "BTCUSDT", "marginType": "ISOLATED"}
    )
    m.apply_json({"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 10})
    trade(m, "A", "B", "80000", "0.2")  # iw 1,600; fee 6.4
    trade(m, "B", "A", "81000", "0.1")  # A sells half as maker (fee 0): pnl +100
    # FILL-6: iw 1,600 + 100 = 1,700, the closed half (850) released to the cross wallet
    assert position(m, "A")["isolatedWallet"] == "850"
    assert m.snapshot("A")["totalCrossWalletBalance"] == "9243.6"  # 10,000 − 1,600 − 6.4 + 850


def test_withdraw_capped() -> None:
    m = model(A="1000", B="100000")
    trade(m, "A", "B", "80000", "0.1")  # IM 400, fee 3.2
    assert m.snapshot("A")["maxWithdrawAmount"] == "596.8"
    assert (
        m.apply_json({"action": "withdraw", "account": "A", "amount": "596.81"})["rule"] == "REF-36"
    )
    assert m.apply_json({"action": "withdraw", "account": "A", "amount": "596.8"}) == {
        "status": "accepted"
    }


def test_liquidation_at_bankruptcy_price_with_fee() -> None:
    # A: 1,000 wallet, long 1 BTC at 80,000 with 100x; MM at 79,400: 79,400 × 0.4 % = 317.6
    m = model(A="1000", B="1000000")
    m.apply_json({"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 100})
    trade(m, "A", "B", "80000", "1")  # A pays 32 taker fee: wallet 968
    m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "79400"})
    # margin balance 968 − 600 = 368 > 317.6: not yet
    assert m.apply_json({"action": "liquidationSweep"}) == {"status": "accepted"}
    m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "79300"})
    # 968 − 700 = 268 < 317.2: liquidated. LIQP-4 fee 1 % × 79,300 = 793 capped at 268.
    out = m.apply_json({"action": "liquidationSweep"})
    types = [e["type"] for e in out["events"]]
    assert types == ["INSURANCE_CLEAR", "LIQUIDATION", "TAKEOVER"]
    assert out["events"][0]["amount"] == "268"
    # LIQP-5: BKR-1 with the wallet after the fee: 80,000 − 700 = 79,300 (= mark here)
    assert out["events"][1]["price"] == "79300"
    snap = m.snapshot()
    assert snap["accounts"]["A"]["totalWalletBalance"] == "0"
    fund = snap["accounts"][INSURANCE_FUND]
    assert fund["totalWalletBalance"] == "1000268"
    assert position(m, INSURANCE_FUND)["positionAmt"] == "1"


def test_isolated_liquidation_leaves_cross_wallet() -> None:
    m = model(A="10000", B="1000000")
    m.apply_json(
        {"action": "setMarginType", "account": "A", "symbol": "BTCUSDT", "marginType": "ISOLATED"}
    )
    m.apply_json({"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 50})
    trade(m, "A", "B", "80000", "1")  # iw 1,600
    cross_before = m.snapshot("A")["totalCrossWalletBalance"]
    m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "78000"})
    out = m.apply_json({"action": "liquidationSweep"})
    liq = next(e for e in out["events"] if e["type"] == "LIQUIDATION")
    # iw 1,600 below 0 at 78,000 (−2,000): BKR-1 = 80,000 − 1,600 = 78,400 (fee 0: nothing left)
    assert liq["price"] == "78400"
    assert m.snapshot("A")["totalCrossWalletBalance"] == cross_before
    assert position(m, "A")["isolatedWallet"] == "0"


def test_adl_when_fund_cannot_cover() -> None:
    m = Model_with_fund("0")
    m.apply_json({"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 100})
    trade(m, "A", "B", "80000", "1")
    trade(m, "A", "C", "80000", "1")
    m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "78000"})
    out = m.apply_json({"action": "liquidationSweep"})
    adl = [e for e in out["events"] if e["type"] == "ADL"]
    assert adl and sum(float(e["quantity"]) for e in adl) == 2.0
    assert all(e["price"] == adl[0]["price"] for e in adl)
    snap = m.snapshot()
    assert snap["accounts"]["A"]["totalWalletBalance"] == "0"
    assert position(m, INSURANCE_FUND)["positionAmt"] == "0"


def Model_with_fund(fund: str):  # type: ignore[no-untyped-def]
    from marginspec.exchange import Model
    from tests.exchange_helpers import RULESET, initial

    data = initial(A="2000", B="100000", C="50000")
    data["insuranceFund"] = fund
    return Model.from_json(data, RULESET, check=True)


def test_refusal_returns_the_same_state() -> None:
    m = model(A="100")
    before = m.state
    out = m.apply_json(order("A", "BUY", "80000", "1"))
    assert out["status"] == "refused"
    assert m.state is before


def test_hedge_mode_sides_and_closing_orders() -> None:
    m = model(A="100000", B="100000")
    assert m.apply_json(
        {"action": "setPositionMode", "account": "A", "dualSidePosition": True}
    ) == {"status": "accepted"}
    assert m.apply_json(order("A", "BUY", "80000", "0.1"))["code"] == -4061  # BOTH in hedge
    assert (
        m.apply_json(order("A", "BUY", "80000", "0.1", positionSide="LONG", reduceOnly=True))[
            "code"
        ]
        == -1106
    )
    trade(m, "A", "B", "80000", "0.1", buyer_side="LONG")
    # SELL SHORT opens a short side next to the long one
    trade(m, "B", "A", "80000", "0.2", seller_side="SHORT")
    assert position(m, "A", side="LONG")["positionAmt"] == "0.1"
    assert position(m, "A", side="SHORT")["positionAmt"] == "-0.2"
    # closing orders may not exceed their side (ACT-ORD-4) and need no min notional
    assert m.apply_json(order("A", "SELL", "80000", "0.2", positionSide="LONG"))["code"] == -2022
    small = m.apply_json(order("A", "BUY", "4000", "0.001", positionSide="SHORT"))
    assert small["status"] == "accepted"
    # a SELL that far below the mark fails PERCENT_PRICE first (ACT-ORD-9: 4,000 < 0.85 × mark)
    low = m.apply_json(order("A", "SELL", "4000", "0.001", positionSide="LONG"))
    assert (low["code"], low["rule"]) == (-4024, "REF-19")


def test_fill_refusals() -> None:
    m = model(A="100000", B="100000")
    a1 = m.apply_json(order("A", "BUY", "79000", "0.1"))["orderId"]
    a2 = m.apply_json(order("A", "SELL", "81000", "0.1"))["orderId"]
    b1 = m.apply_json(order("B", "SELL", "80000", "0.1"))["orderId"]
    b2 = m.apply_json(order("B", "BUY", "79500", "0.1"))["orderId"]
    fill = {"action": "fill", "makerOrderId": a1, "takerOrderId": 99}
    assert m.apply_json(fill)["code"] == -2011
    assert m.apply_json(dict(fill, takerOrderId=a2))["rule"] == "REF-13"  # same account
    assert m.apply_json(dict(fill, takerOrderId=b2))["rule"] == "REF-12"  # both BUY
    # taker SELL at 80,000 does not reach the maker's BUY at 79,000
    assert m.apply_json(dict(fill, takerOrderId=b1))["rule"] == "REF-11"
    ok = dict(fill, makerOrderId=b2, takerOrderId=a2)  # B buys 79,500, A sells 81,000: no
    assert m.apply_json(ok)["rule"] == "REF-11"
    part = {"action": "fill", "makerOrderId": a1, "takerOrderId": b1}
    # a SELL taker at 80,000 against a BUY maker at 79,000 does not cross either
    assert m.apply_json(part)["rule"] == "REF-11"
    cross = {"action": "fill", "makerOrderId": b1, "takerOrderId": a1}
    assert m.apply_json(cross)["rule"] == "REF-11"  # BUY taker 79,000 < maker SELL 80,000
    b3 = m.apply_json(order("B", "SELL", "79000", "0.1"))["orderId"]
    half = {"action": "fill", "makerOrderId": a1, "takerOrderId": b3, "quantity": "0.04"}
    assert m.apply_json(dict(half, quantity="0.0005"))["rule"] == "REF-14"
    assert m.apply_json(half)["status"] == "accepted"
    open_a = {o["orderId"]: o for o in m.snapshot("A")["openOrders"]}
    assert open_a[a1]["executedQty"] == "0.04"
    assert m.apply_json(dict(half, quantity="0.07"))["rule"] == "REF-14"  # only 0.06 left


def test_reduce_only_fill_cannot_open() -> None:
    m = model(A="100000", B="100000")
    trade(m, "A", "B", "80000", "0.1")
    ro = m.apply_json(order("A", "SELL", "80000", "0.1", reduceOnly=True))["orderId"]
    trade(m, "B", "A", "80000", "0.1")  # A closes by another order first
    b = m.apply_json(order("B", "BUY", "80000", "0.1"))["orderId"]
    out = m.apply_json({"action": "fill", "makerOrderId": ro, "takerOrderId": b})
    assert out["code"] == -2022


def test_funding_range_and_unknowns() -> None:
    m = model(A="1000")
    assert (
        m.apply_json({"action": "funding", "symbol": "BTCUSDT", "fundingRate": "0.0031"})["rule"]
        == "REF-42"
    )
    assert (
        m.apply_json({"action": "deposit", "account": "Z", "amount": "1"})["msg"]
        == "Unknown account Z."
    )
    assert (
        m.apply_json({"action": "markPrice", "symbol": "XYZUSDT", "markPrice": "1"})["code"]
        == -1121
    )
    assert (
        m.apply_json({"action": "withdraw", "account": INSURANCE_FUND, "amount": "1"})["rule"]
        == "REF-43"
    )


def test_adl_ranking_formulas() -> None:
    from marginspec.exchange import adl
    from marginspec.numbers import exact

    # ADL-2a: uPnL 500 on |notional| 10,000 (5 %), balance 1,500: effLev 10,000 / 2,000 = 5
    assert adl.aster_score(exact("500"), exact("10000"), exact("1500")) == exact("0.25")
    # a loser divides: -5 % / 5
    assert adl.aster_score(exact("-500"), exact("10000"), exact("2500")) == exact("-0.01")
    # ADL-2b: 500 / 1,500 × MM 50 / 2,000
    assert adl.binance_score(exact("500"), exact("50"), exact("1500")) == exact("1") / 120


def test_adl_picks_the_top_ranked_counterparty() -> None:
    # B and C are both short against A; C has the higher effective leverage → C first.
    m = Model_with_fund("0")
    m.apply_json({"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 100})
    trade(m, "A", "B", "80000", "1")
    trade(m, "A", "C", "80000", "1")
    m.apply_json({"action": "withdraw", "account": "C", "amount": "30000"})
    m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "78000"})
    out = m.apply_json({"action": "liquidationSweep"})
    adl_events = [e["account"] for e in out["events"] if e["type"] == "ADL"]
    assert adl_events == ["C", "B"]


def test_adl_binance_ranking_option() -> None:
    """ADL-2b: with ``adl_ranking = "binance"`` the ranking is PnL% × margin ratio."""
    import attrs

    from marginspec.exchange import Model
    from marginspec.ruleset import AdlRanking
    from tests.exchange_helpers import RULESET, initial

    ruleset = attrs.evolve(
        RULESET, options=attrs.evolve(RULESET.options, adl_ranking=AdlRanking.BINANCE)
    )
    data = initial(A="2000", B="100000", C="50000")
    data["insuranceFund"] = "0"
    m = Model.from_json(data, ruleset, check=True)
    m.apply_json({"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 100})
    trade(m, "A", "B", "80000", "1")
    trade(m, "A", "C", "80000", "1")
    m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "78000"})
    out = m.apply_json({"action": "liquidationSweep"})
    # uPnL 2,000 each, MM 312 each: C's smaller wallet ranks first under both formulas
    assert [e["account"] for e in out["events"] if e["type"] == "ADL"] == ["C", "B"]


def test_hedged_pair_closes_at_mark_and_next_symbol_absorbs() -> None:
    """LIQP-5: a hedged BTC pair (Σ amt = 0) has no bankruptcy price and closes at its mark;
    ETHUSDT, next by name, closes at its bankruptcy price and the wallet ends at 0."""
    m = model(A="3000", B="1000000")
    m.apply_json({"action": "setPositionMode", "account": "A", "dualSidePosition": True})
    trade(m, "A", "B", "80000", "0.1", buyer_side="LONG")
    trade(m, "B", "A", "80000", "0.1", seller_side="SHORT")
    trade(m, "A", "B", "3000", "5", symbol="ETHUSDT", buyer_side="LONG")
    # wallet 3,000 − fees 9.2 = 2,990.8; ETH at 2,420 loses 2,900; the BTC pair nets 0:
    # margin balance 90.8 < MM 126.1 (BTC 32.4 × 2, ETH 60.5)
    m.apply_json({"action": "markPrice", "symbol": "ETHUSDT", "markPrice": "2420"})
    m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "81000"})
    out = m.apply_json({"action": "liquidationSweep"})
    liq = {(e["symbol"], e["positionSide"]): e for e in out["events"] if e["type"] == "LIQUIDATION"}
    assert liq[("BTCUSDT", "LONG")]["price"] == "81000"
    assert liq[("BTCUSDT", "SHORT")]["price"] == "81000"
    assert out["events"][0] == {"type": "INSURANCE_CLEAR", "account": "A", "amount": "90.8"}
    # BKR-1 for ETH with the wallet after the fee (2,900) and the pair's PnL (0):
    # 3,000 − 2,900 / 5 = 2,420
    assert liq[("ETHUSDT", "LONG")]["price"] == "2420"
    snap = m.snapshot("A")
    assert snap["totalWalletBalance"] == "0"
    assert all(p["positionAmt"] == "0" for p in snap["positions"])
