"""Placement checks against the sources (issue 14's divergences): B-MREQ's opening orders
(ACT-ORD-3), reduce-only netting (ACT-ORD-4), the codes of non-positive price and
quantity (REF-10, REF-15) and which order types hold margin (ORD-3)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from marginspec.account import ORDER_TYPES, parse_account
from marginspec.errors import InputError
from marginspec.evaluate import evaluate
from marginspec.exchange import Model
from marginspec.exchange.transitions import opening_quantity
from marginspec.numbers import Exact
from marginspec.ruleset import OrderMarginCheck, ReduceOnlyNetting, RuleSet
from tests.exchange_helpers import RULESET, order
from tests.exchange_helpers import apply_ok as _ok
from tests.exchange_helpers import model_at as _model

REQUIREMENT = attrs.evolve(
    RULESET, options=attrs.evolve(RULESET.options, order_margin_check=OrderMarginCheck.REQUIREMENT)
)
AT_FILL = attrs.evolve(
    RULESET, options=attrs.evolve(RULESET.options, reduce_only_netting=ReduceOnlyNetting.AT_FILL)
)


def _position(m: Model, account: str, side: str, price: str, quantity: str) -> None:
    """``account`` rests ``side`` (maker, fee 0 %), B takes it: ``account`` holds the position."""
    maker = _ok(m, order(account, side, price, quantity))
    other = "SELL" if side == "BUY" else "BUY"
    taker = _ok(m, order("B", other, price, quantity))
    _ok(m, {"action": "fill", "makerOrderId": maker["orderId"], "takerOrderId": taker["orderId"]})


def _available(m: Model, account: str) -> str:
    return str(m.snapshot(account)["availableBalance"])


def _short_one_with_resting_buy(ruleset: RuleSet) -> Model:
    """Issue 14's repro: A short 1 BTCUSDT at 2x with availableBalance 0, a resting buy 0.8."""
    m = _model("20000", ruleset, A="10000", B="1000000")
    _ok(m, {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 2})
    _position(m, "A", "SELL", "20000", "1")
    assert _available(m, "A") == "0"
    _ok(m, order("A", "BUY", "19000", "0.8"))  # 0.8 ≤ 1 − 0: closing, not margin-checked
    return m


def test_B_MREQ_example_buy_against_a_short_is_opening() -> None:
    """ACT-ORD-3: "0.5 > 1 − 0.8, so it is opening": the source refuses it with -2019."""
    m = _short_one_with_resting_buy(RULESET)
    out = m.apply_json(order("A", "BUY", "19500", "0.5"))
    assert out == {
        "status": "refused",
        "code": -2019,
        "msg": "Margin is insufficient.",
        "rule": "REF-1",
    }
    # a buy that the resting 0.8 leaves room for is closing and needs no margin
    _ok(m, order("A", "BUY", "19500", "0.2"))


def test_the_earlier_rule_is_the_requirement_option() -> None:
    """ACT-ORD-3 option ``requirement``: the order does not raise ORD-1, so it is accepted."""
    m = _short_one_with_resting_buy(REQUIREMENT)
    _ok(m, order("A", "BUY", "19500", "0.5"))


def test_every_buy_opens_with_a_long_even_behind_a_large_resting_sell() -> None:
    """ACT-ORD-3, issue 14's second repro: long 1, a resting sell of 3, then a buy 0.5."""
    for ruleset, expected in ((RULESET, "refused"), (REQUIREMENT, "accepted")):
        m = _model("20000", ruleset, A="31000", B="1000000")
        _ok(m, {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 2})
        _position(m, "A", "BUY", "20000", "1")
        # the sell of 3 opens 2 (COST-1: 2 × 21,000 / 2 = 21,000 ≤ 31,000 − 10,000)
        _ok(m, order("A", "SELL", "21000", "3"))
        # ORD-1 = max(|20,000|, |20,000 − 63,000|) / 2 = 21,500: 9,500 is left, withdrawn
        assert _available(m, "A") == "9500"
        _ok(m, {"action": "withdraw", "account": "A", "amount": "9500"})
        out = m.apply_json(order("A", "BUY", "19500", "0.5"))
        assert out["status"] == expected, (ruleset.options, out)
        if expected == "refused":
            assert out["code"] == -2019


def test_the_cost_of_the_opening_part_is_COST_1() -> None:
    """ACT-ORD-3: the part that opens is charged IM at the order price plus its open loss."""
    m = _short_one_with_resting_buy(RULESET)
    # 0.5 − (1 − 0.8) = 0.3 opens: 0.3 × 20,100 / 2 = 3,015 plus open loss 0.3 × 100 = 30
    _ok(m, {"action": "deposit", "account": "A", "amount": "3044.9"})
    assert m.apply_json(order("A", "BUY", "20100", "0.5"))["code"] == -2019
    _ok(m, {"action": "deposit", "account": "A", "amount": "0.1"})
    _ok(m, order("A", "BUY", "20100", "0.5"))


def test_opening_quantity_formula() -> None:
    """ACT-ORD-3 with B-MREQ's own numbers: short 1, resting buy 0.8, new buy 0.5 opens 0.3;
    long 1.4, resting sell 0.8, new sell 0.5: "0.5 < 1.4 − 0.8", nothing opens."""
    assert opening_quantity(Exact(-1), 1, Exact("0.5"), Exact("0.8")) == Exact("0.3")
    assert opening_quantity(Exact("1.4"), -1, Exact("0.5"), Exact("0.8")) == 0
    assert opening_quantity(Exact(1), 1, Exact("0.5"), Exact(3)) == Exact("0.5")
    assert opening_quantity(Exact(0), -1, Exact("0.5"), Exact(0)) == Exact("0.5")


def _short_one(ruleset: RuleSet, wallet: str = "100000") -> Model:
    m = _model("10000", ruleset, A=wallet, B="1000000")
    _position(m, "A", "SELL", "10000", "1")
    return m


def test_reduce_only_orders_are_netted() -> None:
    """ACT-ORD-4, Binance's support answer: short 1 BTC, a resting reduce-only buy 1 @
    10,000, another reduce-only buy 1 @ 9,999: the second is rejected (-2022)."""
    m = _short_one(RULESET)
    _ok(m, order("A", "BUY", "10000", "1", reduceOnly=True))
    out = m.apply_json(order("A", "BUY", "9999", "1", reduceOnly=True))
    assert out == {
        "status": "refused",
        "code": -2022,
        "msg": "ReduceOnly Order is rejected.",
        "rule": "REF-3",
    }
    # option at-fill (the earlier rule): accepted now, refused only when its fill would open
    m = _short_one(AT_FILL)
    _ok(m, order("A", "BUY", "10000", "1", reduceOnly=True))
    second = _ok(m, order("A", "BUY", "9999", "1", reduceOnly=True))
    taker = _ok(m, order("B", "SELL", "10000", "1"))
    first_id = second["orderId"] - 1
    _ok(m, {"action": "fill", "makerOrderId": first_id, "takerOrderId": taker["orderId"]})
    taker = _ok(m, order("B", "SELL", "9999", "1"))
    fill = {"action": "fill", "makerOrderId": second["orderId"], "takerOrderId": taker["orderId"]}
    assert m.apply_json(fill)["code"] == -2022  # FILL-5


def test_hedge_mode_closing_orders_are_netted_too() -> None:
    m = _model("10000", RULESET, A="100000", B="1000000")
    _ok(m, {"action": "setPositionMode", "account": "A", "dualSidePosition": True})
    maker = _ok(m, order("A", "SELL", "10000", "1", positionSide="SHORT"))
    taker = _ok(m, order("B", "BUY", "10000", "1"))
    _ok(m, {"action": "fill", "makerOrderId": maker["orderId"], "takerOrderId": taker["orderId"]})
    _ok(m, order("A", "BUY", "10000", "0.6", positionSide="SHORT"))
    assert m.apply_json(order("A", "BUY", "9999", "0.5", positionSide="SHORT"))["code"] == -2022
    _ok(m, order("A", "BUY", "9999", "0.4", positionSide="SHORT"))


def test_reduce_only_margin_variant_is_4118() -> None:
    """ACT-ORD-3/4: a resting (not reduce-only) buy 1 already closes the short; a reduce-only
    buy is then opening for B-MREQ and, with nothing available, fails with -4118."""
    m = _short_one(RULESET, wallet="500")  # 20x: IM 500, nothing left
    _ok(m, order("A", "BUY", "10000", "1"))
    assert _available(m, "A") == "0"
    out = m.apply_json(order("A", "BUY", "9999", "0.1", reduceOnly=True))
    assert out == {
        "status": "refused",
        "code": -4118,
        "msg": "ReduceOnly Order Failed. Please check your existing position and open orders",
        "rule": "REF-16",
    }


def test_non_positive_price_and_quantity_have_the_lists_codes() -> None:
    """REF-10 and REF-15: -4001 PRICE_LESS_THAN_ZERO, -4003 QTY_LESS_THAN_ZERO (A-API list)."""
    m = _model("80000", RULESET, A="100000")
    assert m.apply_json(order("A", "BUY", "0", "1")) == {
        "status": "refused",
        "code": -4001,
        "msg": "Price less than 0.",
        "rule": "REF-10",
    }
    assert m.apply_json(order("A", "BUY", "80000", "-1")) == {
        "status": "refused",
        "code": -4003,
        "msg": "Quantity less than zero.",
        "rule": "REF-15",
    }
    mark = m.apply_json({"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "0"})
    assert (mark["code"], mark["rule"]) == (None, "REF-44")


def _snapshot(kind: object) -> dict[str, Any]:
    return {
        "crossWalletBalance": "10000",
        "positions": [
            {"symbol": "BTCUSDT", "positionAmt": "0", "markPrice": "80000", "leverage": 10}
        ],
        "openOrders": [
            {"symbol": "BTCUSDT", "side": "BUY", "type": kind, "price": "80000", "origQty": "1"}
        ],
    }


def test_only_limit_orders_hold_margin() -> None:
    """ORD-3: LIMIT 1 @ 80,000 at 10x holds 8,000; every other type of the list holds none."""
    held = {
        kind: evaluate(
            parse_account(_snapshot(kind), RULESET), RULESET, prices=False
        ).total_open_order_initial_margin
        for kind in ORDER_TYPES
    }
    assert held == {kind: Exact(8000) if kind == "LIMIT" else Exact(0) for kind in ORDER_TYPES}


@pytest.mark.parametrize("kind", ["STOP_MARKT", "LIMIT_MAKER", "limit", 7])
def test_unknown_order_types_are_refused(kind: object) -> None:
    with pytest.raises(InputError) as error:
        parse_account(_snapshot(kind), RULESET)
    assert error.value.where == "/openOrders/0/type"


# ------------------------------------------------------------------ time in force, market


def _book(m: Model) -> None:
    """Asks: B 0.1 @ 80,000 (id 1), C 0.2 @ 80,100 (id 2), B 0.1 @ 80,000 (id 3)."""
    _ok(m, order("B", "SELL", "80000", "0.1"))
    _ok(m, order("C", "SELL", "80100", "0.2"))
    _ok(m, order("B", "SELL", "80000", "0.1"))


def _trades(out: dict[str, Any], account: str) -> list[tuple[int, str, str]]:
    return [
        (e["orderId"], e["quantity"], e["price"])
        for e in out["events"]
        if e["type"] == "TRADE" and e["account"] == account
    ]


def test_market_order_takes_the_book_in_price_time_priority() -> None:
    """ACT-ORD-8: best price first, then the older order; each at the maker's price."""
    m = _model("80000", RULESET, A="100000", B="100000", C="100000")
    _book(m)
    out = _ok(
        m, {k: v for k, v in order("A", "BUY", "0", "0.25", type="MARKET").items() if k != "price"}
    )
    makers = [
        (e["orderId"], e["quantity"], e["price"])
        for e in out["events"]
        if e["type"] == "TRADE" and e["account"] != "A"
    ]
    assert makers == [(1, "0.1", "80000"), (3, "0.1", "80000"), (2, "0.05", "80100")]
    assert _trades(out, "A") == [(4, "0.1", "80000"), (4, "0.1", "80000"), (4, "0.05", "80100")]
    assert m.snapshot("A")["openOrders"] == []  # a MARKET order never rests (ORD-3)


def test_ioc_fills_what_crosses_and_the_rest_expires() -> None:
    m = _model("80000", RULESET, A="100000", B="100000", C="100000")
    _book(m)
    out = _ok(m, order("A", "BUY", "80000", "0.5", timeInForce="IOC"))
    assert _trades(out, "A") == [(4, "0.1", "80000"), (4, "0.1", "80000")]
    assert out["events"][-1] == {
        "type": "EXPIRED",
        "account": "A",
        "symbol": "BTCUSDT",
        "positionSide": "BOTH",
        "side": "BUY",
        "orderId": 4,
        "quantity": "0.3",
    }
    assert position_amt(m, "A") == "0.2"


def position_amt(m: Model, account: str) -> str:
    return str(
        next(p for p in m.snapshot(account)["positions"] if p["symbol"] == "BTCUSDT")["positionAmt"]
    )


def test_fok_fills_in_full_or_not_at_all() -> None:
    m = _model("80000", RULESET, A="100000", B="100000", C="100000")
    _book(m)
    out = _ok(m, order("A", "BUY", "80100", "0.5", timeInForce="FOK"))  # 0.4 on offer
    assert [e["type"] for e in out["events"]] == ["EXPIRED"]
    assert out["events"][0]["quantity"] == "0.5"
    assert position_amt(m, "A") == "0"
    out = _ok(m, order("A", "BUY", "80100", "0.4", timeInForce="FOK"))
    assert len(_trades(out, "A")) == 3 and position_amt(m, "A") == "0.4"


def test_gtx_is_refused_when_it_would_take() -> None:
    m = _model("80000", RULESET, A="100000", B="100000", C="100000")
    _book(m)
    out = m.apply_json(order("A", "BUY", "80000", "0.1", timeInForce="GTX"))
    assert (out["code"], out["rule"]) == (-5022, "REF-17")
    rested = _ok(m, order("A", "BUY", "79900", "0.1", timeInForce="GTX"))
    assert "events" not in rested
    assert m.snapshot("A")["openOrders"][0]["timeInForce"] == "GTX"


def test_market_cost_C4() -> None:
    """COST-3, A-COST's example C-4: ask0 102,946.8 → est. entry 102,998.2734 (stated
    102,998.27); bid0 102,946.9 above the mark 102,941.0 → the short's price is bid0."""
    from marginspec.margin import cost_to_open, market_order_price

    ask, bid, mark = Exact("102946.8"), Exact("102946.9"), Exact("102941.0")
    long_price = market_order_price(1, ask, bid, mark)
    assert long_price == Exact("102998.2734")
    assert market_order_price(-1, ask, bid, mark) == bid
    # the rest of C-4, derived: IM 5,149.91367 + open loss 57.2734 at 20x
    assert cost_to_open(Exact(1), Exact(1), long_price, mark, Exact(20)) == Exact("5207.18707")


def test_market_order_is_margin_checked_at_its_estimated_price() -> None:
    """ACT-ORD-7: a market buy of 1 against ask0 80,000 at 20x costs 80,040 / 20 + open
    loss 40 = 4,042: 4,041.99 is refused -2019, 4,042 is enough."""
    m = _model("80000", RULESET, A="4041.99", B="1000000")
    _ok(m, order("B", "SELL", "80000", "1"))
    market_buy = {
        "action": "placeOrder",
        "account": "A",
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "MARKET",
        "quantity": "1",
    }
    assert m.apply_json(market_buy)["code"] == -2019
    _ok(m, {"action": "deposit", "account": "A", "amount": "0.01"})
    out = _ok(m, market_buy)
    assert _trades(out, "A") == [(2, "1", "80000")]


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({"type": "MARKET", "price": "80000"}, "/price"),
        ({"type": "MARKET", "timeInForce": "IOC"}, "/timeInForce"),
        ({"timeInForce": "GTD"}, "/timeInForce"),
        ({"type": "STOP_MARKT"}, "/type"),
        ({"type": "STOP_MARKET", "stopPrice": "81000"}, "/price"),  # ACT-COND-1
    ],
)
def test_order_parameters_are_checked(extra: dict[str, Any], where: str) -> None:
    m = _model("80000", RULESET, A="100000")
    action = {**order("A", "BUY", "80000", "0.1"), **extra}
    if extra.get("type") == "MARKET" and "price" not in extra:
        del action["price"]
    with pytest.raises(InputError) as error:
        m.apply_json(action)
    assert error.value.where == where


# ------------------------------------------------------------------ filters


def test_percent_price_band_is_relative_to_the_mark() -> None:
    """ACT-ORD-9, aster-pro's 1.15 / 0.85 (A-API example): at mark 80,000 a BUY may be
    priced up to 92,000 and a SELL down to 68,000."""
    m = _model("80000", RULESET, A="1000000")
    _ok(m, order("A", "BUY", "92000", "0.001"))
    out = m.apply_json(order("A", "BUY", "92000.1", "0.001"))
    assert (out["code"], out["msg"]) == (-4016, "Price is higher than mark price multiplier cap.")
    _ok(m, order("A", "SELL", "68000", "0.001"))
    out = m.apply_json(order("A", "SELL", "67999.9", "0.001"))
    assert (out["code"], out["msg"]) == (-4024, "Price is lower than mark price multiplier floor.")
    # a BUY far below and a SELL far above the mark are inside the band
    _ok(m, order("A", "BUY", "40000", "0.001"))
    _ok(m, order("A", "SELL", "160000", "0.001"))


def test_max_num_orders() -> None:
    """ACT-ORD-10: with max_num_orders 3, the fourth open order on a symbol is refused -2025;
    another symbol, or a cancel, makes room."""
    market = attrs.evolve(RULESET.markets["BTCUSDT"], max_num_orders=3)
    ruleset = attrs.evolve(RULESET, markets={**RULESET.markets, "BTCUSDT": market})
    m = _model("80000", ruleset, A="1000000")
    ids = [_ok(m, order("A", "BUY", "79000", "0.01"))["orderId"] for _ in range(3)]
    out = m.apply_json(order("A", "BUY", "79000", "0.01"))
    assert out == {
        "status": "refused",
        "code": -2025,
        "msg": "Reach max open order limit.",
        "rule": "REF-37",
    }
    _ok(m, order("A", "BUY", "2900", "0.01", symbol="ETHUSDT"))
    _ok(m, {"action": "cancelOrder", "account": "A", "orderId": ids[0]})
    _ok(m, order("A", "BUY", "79000", "0.01"))


def test_market_filter_fields_round_trip_through_toml() -> None:
    from marginspec.rulefile import dump_ruleset, parse_ruleset

    market = attrs.evolve(
        RULESET.markets["BTCUSDT"],
        multiplier_up=Exact("1.05"),
        multiplier_down=Exact("0.95"),
        max_num_orders=50,
    )
    ruleset = attrs.evolve(RULESET, markets={**RULESET.markets, "BTCUSDT": market})
    again = parse_ruleset(dump_ruleset(ruleset), "dumped")
    assert again.markets["BTCUSDT"] == market


def test_cancel_all_open_orders_of_a_symbol() -> None:
    """ACT-14: every open order of the account on the symbol goes, the margin they held is
    free again; other symbols and accounts keep theirs; an empty book is accepted."""
    m = _model("80000", RULESET, A="100000", B="100000")
    for price in ("79000", "79500"):
        _ok(m, order("A", "BUY", price, "0.1"))
    _ok(m, order("A", "BUY", "2900", "1", symbol="ETHUSDT"))
    _ok(m, order("B", "BUY", "79000", "0.1"))
    held = m.snapshot("A")["totalOpenOrderInitialMargin"]
    cancel = {"action": "cancelAllOpenOrders", "account": "A", "symbol": "BTCUSDT"}
    _ok(m, cancel)
    assert [o["symbol"] for o in m.snapshot("A")["openOrders"]] == ["ETHUSDT"]
    assert len(m.snapshot("B")["openOrders"]) == 1
    # ORD-1 at 20x: 0.1 × 79,000 / 20 + 0.1 × 79,500 / 20 = 792.5 freed, ETH's 145 kept
    assert (held, m.snapshot("A")["totalOpenOrderInitialMargin"]) == ("937.5", "145")
    before = m.state
    assert m.apply_json(cancel) == {"status": "accepted"}
    assert m.state is before
    assert m.apply_json({**cancel, "symbol": "NOSUCHUSDT"})["code"] == -1121


def test_a_match_a_party_cannot_take_ends_the_matching() -> None:
    """ACT-ORD-8: C is long 0.1 and asks 0.1 (id 3), then 0.1 reduce-only (id 4). A buyer
    takes id 3, which closes C's long, so id 4's fill would open a short (FILL-5): an IOC
    stops there and its rest expires; a FOK undoes every match and expires whole."""
    for tif, quantity, bought, left in (("IOC", "0.3", "0.1", "0.2"), ("FOK", "0.2", "0", "0.2")):
        m = _model("80000", RULESET, A="100000", B="100000", C="100000")
        _position(m, "C", "BUY", "80000", "0.1")
        _ok(m, order("C", "SELL", "80000", "0.1"))
        _ok(m, order("C", "SELL", "80000", "0.1", reduceOnly=True))
        out = _ok(m, order("A", "BUY", "80000", quantity, timeInForce=tif))
        assert [e["type"] for e in out["events"]][-1] == "EXPIRED"
        assert out["events"][-1]["quantity"] == left
        assert position_amt(m, "A") == bought
        assert len(m.snapshot("C")["openOrders"]) == (1 if tif == "IOC" else 2)


def test_hedge_mode_market_order_opens_its_side() -> None:
    m = _model("80000", RULESET, A="100000", B="100000")
    _ok(m, {"action": "setPositionMode", "account": "A", "dualSidePosition": True})
    _ok(m, order("B", "BUY", "79990", "0.2"))
    market_sell = {
        "action": "placeOrder",
        "account": "A",
        "symbol": "BTCUSDT",
        "side": "SELL",
        "positionSide": "SHORT",
        "type": "MARKET",
        "quantity": "0.2",
    }
    out = _ok(m, market_sell)
    assert _trades(out, "A") == [(2, "0.2", "79990")]
    short = next(
        p
        for p in m.snapshot("A")["positions"]
        if p["positionSide"] == "SHORT" and p["symbol"] == "BTCUSDT"
    )
    assert (short["positionAmt"], short["entryPrice"]) == ("-0.2", "79990")
