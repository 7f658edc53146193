"""Conditional orders (ACT-COND-*): STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET and
TRAILING_STOP_MARKET, their placement checks and codes, when they fire, what they hold,
and the ``lastPrice`` action (ACT-16)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from marginspec.errors import InputError
from marginspec.exchange import Model
from marginspec.exchange.actions import parse_action
from tests.exchange_helpers import RULESET, order
from tests.exchange_helpers import apply_ok as _ok
from tests.exchange_helpers import model_at as _model


def _cond(account: str, side: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "action": "placeOrder",
        "account": account,
        "symbol": "BTCUSDT",
        "side": side,
        "type": kind,
        **fields,
    }


def _long(m: Model, account: str = "A", quantity: str = "1") -> None:
    """``account`` holds ``quantity`` long at 80,000 (it takes a resting sell of B)."""
    made = _ok(m, order("B", "SELL", "80000", quantity))
    taken = _ok(m, order(account, "BUY", "80000", quantity))
    _ok(m, {"action": "fill", "makerOrderId": made["orderId"], "takerOrderId": taken["orderId"]})


def _last(price: str) -> dict[str, Any]:
    return {"action": "lastPrice", "symbol": "BTCUSDT", "lastPrice": price}


def _mark(price: str) -> dict[str, Any]:
    return {"action": "markPrice", "symbol": "BTCUSDT", "markPrice": price}


def _events(out: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    return [(e["type"], e["account"], e.get("orderId")) for e in out.get("events", [])]


def _refusal(out: dict[str, Any]) -> tuple[int | None, str]:
    return out.get("code"), out.get("rule", "")


def test_a_conditional_order_holds_no_margin_until_it_triggers() -> None:
    """ACT-COND-1, ORD-3 (B-MREQ: "Margin is not required when placing stop orders"): a
    STOP order waits with no open-order margin; triggered, it rests as a LIMIT order and
    holds ORD-1 margin at its limit price."""
    m = _model(A="100000")
    placed = _ok(m, _cond("A", "BUY", "STOP", price="81000", stopPrice="81000", quantity="1"))
    snap = m.snapshot("A")
    assert snap["totalOpenOrderInitialMargin"] == "0"
    (waiting,) = snap["openOrders"]
    assert waiting["type"] == "STOP" and waiting["stopPrice"] == "81000"
    assert waiting["workingType"] == "CONTRACT_PRICE" and waiting["priceProtect"] is False
    out = _ok(m, _last("81000"))  # BUY stop: last ≥ stopPrice
    assert _events(out) == [("TRIGGERED", "A", placed["orderId"])]
    snap = m.snapshot("A")
    (rests,) = snap["openOrders"]
    assert (rests["orderId"], rests["type"], rests["price"]) == (
        placed["orderId"],
        "LIMIT",
        "81000",
    )
    assert snap["totalOpenOrderInitialMargin"] == "4050"  # 1 × 81,000 / 20x (ORD-1)


def test_stop_market_with_close_position_closes_the_whole_position() -> None:
    """ACT-COND-5 (A-API: "If triggered, close all current long position (if SELL)"): a
    MARK_PRICE close-position stop-loss fires when the mark reaches it and its MARKET
    order takes the book until the position is flat."""
    m = _model(A="100000", B="100000", C="100000")
    _long(m, quantity="0.3")
    stop = _ok(
        m,
        _cond(
            "A",
            "SELL",
            "STOP_MARKET",
            stopPrice="79000",
            closePosition=True,
            workingType="MARK_PRICE",
        ),
    )
    _ok(m, order("C", "BUY", "78500", "1"))
    assert _events(_ok(m, _mark("79100"))) == []  # above the stop: nothing
    out = _ok(m, _mark("79000"))
    assert _events(out) == [
        ("TRIGGERED", "A", stop["orderId"]),
        ("TRADE", "C", 4),
        ("TRADE", "A", stop["orderId"]),
    ]
    assert out["events"][2]["quantity"] == "0.3" and out["events"][2]["price"] == "78500"
    assert m.snapshot("A")["openOrders"] == []
    assert all(p["positionAmt"] == "0" for p in m.snapshot("A")["positions"])


def test_take_profit_fires_on_the_last_price_and_a_trade_sets_it() -> None:
    """ACT-COND-3, ACT-COND-9: a CONTRACT_PRICE take-profit watches the last price, which a
    trade sets; it fires at the next price action, not during the fill."""
    m = _model(A="100000", B="100000", C="100000")
    _long(m, quantity="0.5")
    tp = _ok(m, _cond("A", "SELL", "TAKE_PROFIT_MARKET", stopPrice="80500", quantity="0.5"))
    _ok(m, order("C", "BUY", "80600", "1"))
    # a trade at 80,600 between B and C moves the last price past the take-profit
    sell = _ok(m, order("B", "SELL", "80600", "0.1", timeInForce="IOC"))
    assert [e["type"] for e in sell["events"]] == ["TRADE", "TRADE"]
    assert m.state.last_price("BTCUSDT") == 80600
    assert m.snapshot("A")["openOrders"][0]["orderId"] == tp["orderId"]  # not fired yet
    out = _ok(m, _last("80600"))
    assert _events(out)[0] == ("TRIGGERED", "A", tp["orderId"])
    assert out["events"][-1]["quantity"] == "0.5" and out["events"][-1]["realizedPnl"] == "300"


def test_trailing_stop_follows_the_highest_price_then_fires() -> None:
    """ACT-COND-4: a SELL trailing stop with callbackRate 1 tracks the highest last price
    (82,000) and fires at 82,000 × 0.99 = 81,180, not at 81,181."""
    m = _model(A="100000", B="100000", C="100000")
    _long(m, quantity="0.2")
    ts = _ok(m, _cond("A", "SELL", "TRAILING_STOP_MARKET", callbackRate="1", quantity="0.2"))
    waiting = m.snapshot("A")["openOrders"][0]
    assert (waiting["activatePrice"], waiting["priceRate"]) == ("80000", "1")
    _ok(m, order("C", "BUY", "81000", "1"))
    assert _events(_ok(m, _last("82000"))) == []
    assert _events(_ok(m, _last("81181"))) == []
    out = _ok(m, _last("81180"))
    assert _events(out)[0] == ("TRIGGERED", "A", ts["orderId"])
    assert out["events"][0]["price"] == "81180"


def test_trailing_stop_waits_for_its_activation_price() -> None:
    """ACT-COND-4: with activationPrice 81,000 a SELL trailing stop does not fire on a fall
    before the highest price reached 81,000; -2021 for an activation price at or below the
    price now (A-API: "SELL: activationPrice should be larger than latest price")."""
    m = _model(A="100000", B="100000", C="100000")
    _long(m, quantity="0.2")
    refused = m.apply_json(
        _cond(
            "A",
            "SELL",
            "TRAILING_STOP_MARKET",
            callbackRate="1",
            activationPrice="80000",
            quantity="0.2",
        )
    )
    assert _refusal(refused) == (-2021, "REF-60")
    _ok(
        m,
        _cond(
            "A",
            "SELL",
            "TRAILING_STOP_MARKET",
            callbackRate="1",
            activationPrice="81000",
            quantity="0.2",
        ),
    )
    assert _events(_ok(m, _last("78000"))) == []  # fell 2.5 %, but never activated
    assert _events(_ok(m, _last("81000"))) == []  # activated, the highest is 81,000
    assert _events(_ok(m, _last("80190")))[0][0] == "TRIGGERED"  # 81,000 × 0.99


@pytest.mark.parametrize(
    ("fields", "code", "rule"),
    [
        (
            {"type": "STOP_MARKET", "stopPrice": "79000", "closePosition": True, "quantity": "1"},
            -4137,
            "REF-64",
        ),
        (
            {
                "type": "STOP_MARKET",
                "stopPrice": "79000",
                "closePosition": True,
                "reduceOnly": True,
            },
            -1106,
            "REF-9",
        ),
        ({"type": "STOP_MARKET", "stopPrice": "0", "quantity": "1"}, -4006, "REF-61"),
        ({"type": "STOP_MARKET", "stopPrice": "81000", "quantity": "1"}, -2021, "REF-60"),
        ({"type": "STOP_MARKET", "stopPrice": "79000.05", "quantity": "1"}, -4014, "REF-5"),
        ({"type": "STOP", "stopPrice": "79000", "price": "0", "quantity": "1"}, -4001, "REF-10"),
        ({"type": "TAKE_PROFIT_MARKET", "stopPrice": "79000", "quantity": "1"}, -2021, "REF-60"),
        (
            {"type": "TAKE_PROFIT", "stopPrice": "81000", "price": "81000", "quantity": "0"},
            -4003,
            "REF-15",
        ),
        (
            {"type": "TRAILING_STOP_MARKET", "callbackRate": "0.09", "quantity": "1"},
            -1130,
            "REF-65",
        ),
        ({"type": "TRAILING_STOP_MARKET", "callbackRate": "5.1", "quantity": "1"}, -1130, "REF-65"),
        (
            {
                "type": "TRAILING_STOP_MARKET",
                "callbackRate": "1",
                "activationPrice": "0",
                "quantity": "1",
            },
            -4135,
            "REF-63",
        ),
    ],
)
def test_placement_checks_and_their_codes(fields: dict[str, Any], code: int, rule: str) -> None:
    """ACT-COND-2: each placement check answers its code from the published list (a SELL
    at mark and last price 80,000)."""
    m = _model(A="100000")
    out = m.apply_json({**_cond("A", "SELL", fields.pop("type")), **fields})
    assert _refusal(out) == (code, rule)
    assert m.snapshot("A")["openOrders"] == []


def test_callback_rate_bounds_follow_the_venue() -> None:
    """ACT-COND-4: callbackRate 10 is refused on aster-pro (max 5) and accepted where the
    option is Binance's 10; 0.1 and 5 are accepted on both."""
    binance = attrs.evolve(RULESET, options=attrs.evolve(RULESET.options, callback_rate_max=10))
    for ruleset, rate, accepted in (
        (RULESET, "10", False),
        (binance, "10", True),
        (RULESET, "0.1", True),
        (RULESET, "5", True),
    ):
        m = _model(ruleset=ruleset, A="100000")
        out = m.apply_json(
            _cond("A", "SELL", "TRAILING_STOP_MARKET", callbackRate=rate, quantity="1")
        )
        assert (out["status"] == "accepted") is accepted, (rate, out)


def test_close_position_cannot_open_in_hedge_mode() -> None:
    """ACT-COND-2 (A-API: "In Hedge Mode, cannot be used with BUY orders in LONG position
    side"): -2022."""
    m = _model(A="100000")
    _ok(m, {"action": "setPositionMode", "account": "A", "dualSidePosition": True})
    out = m.apply_json(
        _cond("A", "BUY", "STOP_MARKET", positionSide="LONG", stopPrice="81000", closePosition=True)
    )
    assert _refusal(out) == (-2022, "REF-3")
    _ok(
        m,
        _cond(
            "A", "SELL", "STOP_MARKET", positionSide="LONG", stopPrice="79000", closePosition=True
        ),
    )


def test_max_num_algo_orders() -> None:
    """ACT-COND-7: with max_num_algo_orders 2 the third conditional order on a symbol is
    refused -4045; LIMIT orders do not count toward it, but conditional ones count toward
    MAX_NUM_ORDERS (-2025)."""
    market = attrs.evolve(RULESET.markets["BTCUSDT"], max_num_algo_orders=2, max_num_orders=4)
    ruleset = attrs.evolve(RULESET, markets={**RULESET.markets, "BTCUSDT": market})
    m = _model(ruleset=ruleset, A="100000")
    stop = _cond("A", "SELL", "STOP_MARKET", stopPrice="79000", quantity="0.1")
    _ok(m, stop)
    _ok(m, stop)
    assert _refusal(m.apply_json(stop)) == (-4045, "REF-62")
    _ok(m, order("A", "BUY", "79000", "0.1"))
    _ok(m, order("A", "BUY", "79000", "0.1"))
    assert _refusal(m.apply_json(order("A", "BUY", "79000", "0.1"))) == (-2025, "REF-37")


def test_a_triggered_order_that_fails_its_checks_is_rejected_not_dropped() -> None:
    """ACT-COND-5: a reduce-only stop whose position is gone fires, and its MARKET order is
    refused -2022: a REJECTED event with the code, message and rule, the order gone."""
    m = _model(A="100000", B="100000", C="100000")
    _long(m, quantity="0.1")
    stop = _ok(
        m, _cond("A", "SELL", "STOP_MARKET", stopPrice="79000", quantity="0.1", reduceOnly=True)
    )
    _ok(m, order("C", "BUY", "80000", "0.1"))
    _ok(m, order("A", "SELL", "80000", "0.1", timeInForce="IOC"))  # closed by hand
    out = _ok(m, _last("78000"))
    assert out["events"] == [
        {
            "type": "TRIGGERED",
            "account": "A",
            "symbol": "BTCUSDT",
            "positionSide": "BOTH",
            "side": "SELL",
            "orderId": stop["orderId"],
            "price": "78000",
        },
        {
            "type": "REJECTED",
            "account": "A",
            "symbol": "BTCUSDT",
            "positionSide": "BOTH",
            "side": "SELL",
            "orderId": stop["orderId"],
            "quantity": "0.1",
            "code": -2022,
            "msg": "ReduceOnly Order is rejected.",
            "rule": "REF-3",
        },
    ]
    assert m.snapshot("A")["openOrders"] == []


def test_several_orders_fire_nearest_trigger_first() -> None:
    """ACT-COND-6: one fall from 80,000 to 77,000 fires the stop nearest the price before
    the move (79,800) first, then those at 79,500, the older first."""
    m = _model(A="100000", B="100000", C="100000")
    _long(m, quantity="0.3")
    far = _ok(m, _cond("A", "SELL", "STOP_MARKET", stopPrice="79500", quantity="0.1"))
    near = _ok(m, _cond("A", "SELL", "STOP_MARKET", stopPrice="79800", quantity="0.1"))
    tie = _ok(m, _cond("A", "SELL", "STOP_MARKET", stopPrice="79500", quantity="0.1"))
    _ok(m, order("C", "BUY", "77000", "1"))
    out = _ok(m, _last("77000"))
    fired = [e["orderId"] for e in out["events"] if e["type"] == "TRIGGERED"]
    assert fired == [near["orderId"], far["orderId"], tie["orderId"]]


def test_price_protect_holds_a_trigger_while_mark_and_last_differ() -> None:
    """ACT-COND-8: with triggerProtect 0.15 (mark 80,000), a priceProtect stop does not
    fire at a last price of 67,999 (|80,000 − 67,999| / 80,000 = 0.1500125 > 0.15), nor on
    a mark move (not its working price), and fires at 68,000 (exactly 0.15 is allowed)."""
    m = _model(A="100000", B="100000", C="100000")
    _long(m, quantity="0.1")
    stop = _ok(
        m, _cond("A", "SELL", "STOP_MARKET", stopPrice="79000", quantity="0.1", priceProtect=True)
    )
    _ok(m, order("C", "BUY", "67000", "1"))
    assert _events(_ok(m, _last("67999"))) == []
    assert m.snapshot("A")["openOrders"][0]["orderId"] == stop["orderId"]
    assert _events(_ok(m, _mark("80000"))) == []
    out = _ok(m, _last("68000"))
    assert _events(out)[0] == ("TRIGGERED", "A", stop["orderId"])
    assert m.snapshot("A")["openOrders"] == []


def test_untriggered_orders_are_off_the_book() -> None:
    """ACT-COND-1: an immediate order does not match a conditional order and a fill naming
    one is refused (REF-66)."""
    m = _model(A="100000", B="100000")
    stop = _ok(m, _cond("A", "SELL", "STOP", stopPrice="79000", price="79000", quantity="0.1"))
    buy = _ok(m, order("B", "BUY", "81000", "0.1", timeInForce="IOC"))
    assert [e["type"] for e in buy["events"]] == ["EXPIRED"]
    rest = _ok(m, order("B", "BUY", "79000", "0.1"))
    out = m.apply_json(
        {"action": "fill", "makerOrderId": stop["orderId"], "takerOrderId": rest["orderId"]}
    )
    assert _refusal(out) == (None, "REF-66")


def test_last_price_must_be_positive() -> None:
    """ACT-16: REF-67, code null."""
    m = _model(A="1")
    assert _refusal(m.apply_json(_last("0"))) == (None, "REF-67")


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"type": "STOP_MARKET", "stopPrice": "1", "quantity": "1", "price": "1"}, "/price"),
        (
            {
                "type": "STOP",
                "stopPrice": "1",
                "price": "1",
                "quantity": "1",
                "closePosition": True,
            },
            "/closePosition",
        ),
        (
            {
                "type": "TRAILING_STOP_MARKET",
                "callbackRate": "1",
                "quantity": "1",
                "stopPrice": "1",
            },
            "/stopPrice",
        ),
        ({"type": "LIMIT", "price": "1", "quantity": "1", "stopPrice": "1"}, "/stopPrice"),
        ({"type": "STOP_MARKET", "quantity": "1"}, "/"),
        (
            {"type": "STOP_MARKET", "stopPrice": "1", "quantity": "1", "workingType": "INDEX"},
            "/workingType",
        ),
    ],
)
def test_fields_a_type_does_not_take_are_input_errors(fields: dict[str, Any], where: str) -> None:
    """ACT-COND-1: a field outside the type's parameters, a missing stopPrice or an unknown
    workingType is refused with its JSON pointer (TRACE-2)."""
    action = {"action": "placeOrder", "account": "A", "symbol": "BTCUSDT", "side": "SELL", **fields}
    with pytest.raises(InputError) as error:
        parse_action(action)
    assert error.value.where == where
