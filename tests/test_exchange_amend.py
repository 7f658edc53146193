"""Order amendment (ACT-15, AMEND-*), self-trade prevention (STP-*) and the filters'
bounds (FLT-*), each with its worked trace in docs/traces replayed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from marginspec.conformance.capabilities import parse_capabilities
from marginspec.errors import InputError
from marginspec.exchange import Model, action_json, parse_action
from marginspec.exchange.trace import replay
from marginspec.rulefile import dump_ruleset, load_bundled, parse_ruleset
from marginspec.ruleset import SelfTradePrevention
from tests.exchange_helpers import RULESET, initial, model, order

TRACES = Path(__file__).resolve().parents[1] / "docs" / "traces"


def modify(account: str, order_id: int, price: str, quantity: str) -> dict[str, Any]:
    return {
        "action": "modifyOrder",
        "account": account,
        "symbol": "BTCUSDT",
        "orderId": order_id,
        "price": price,
        "quantity": quantity,
    }


@pytest.mark.parametrize("name", ["modify-order", "self-trade-prevention", "filter-bounds"])
def test_worked_trace_replays(name: str) -> None:
    """The docs' worked trace of each feature replays step for step (TRACE-6)."""
    trace = json.loads((TRACES / f"{name}.json").read_text(encoding="utf-8"))
    assert replay(trace, TRACES) is None


def test_amendment_loses_time_priority() -> None:
    """AMEND-2 (B-MODIFY: "reordered in the match queue"): B's order amended to C's price
    goes behind it, so an IOC buy trades C's first."""
    m = model(A="100000", B="100000", C="100000")
    m.apply_json(order("B", "SELL", "80100", "0.1"))
    m.apply_json(order("C", "SELL", "80200", "0.1"))
    assert m.apply_json(modify("B", 1, "80200", "0.1")) == {"status": "accepted", "orderId": 1}
    out = m.apply_json(order("A", "BUY", "80200", "0.1", timeInForce="IOC"))
    makers = [e for e in out["events"] if e["account"] != "A"]
    assert [(e["account"], e["orderId"]) for e in makers] == [("C", 2)]
    assert m.state.next_order_id == 5  # the amendment took number 3, the IOC 4


def test_amendment_refusals_leave_the_order_as_it_was() -> None:
    """AMEND-1 (-5027), FLT-1 (-4014), AMEND-4 (-5029, -2019) and -2011: the order stays."""
    m = model(A="2000")
    m.apply_json(order("A", "BUY", "79000", "0.1"))
    before = m.snapshot("A")["openOrders"]
    assert m.apply_json(modify("A", 1, "79000", "0.1"))["code"] == -5027
    assert m.apply_json(modify("A", 1, "79000.05", "0.1"))["code"] == -4014
    assert m.apply_json(modify("A", 1, "4000", "0.001"))["code"] == -5029
    # 10 BTC at 79,000 and 20x: 39,500 > 2,000 even with the order's 395 freed
    assert m.apply_json(modify("A", 1, "79000", "10"))["code"] == -2019
    assert m.apply_json(modify("A", 9, "79000", "0.2"))["code"] == -2011
    assert m.snapshot("A")["openOrders"] == before
    # 0.2 × 79,000 / 20 = 790 ≤ 2,000 − 395 + 395: accepted
    assert m.apply_json(modify("A", 1, "79000", "0.2"))["status"] == "accepted"
    assert m.snapshot("A")["openOrders"][0]["origQty"] == "0.2"


def test_amendment_of_a_partly_filled_order_to_its_executed_part_cancels_it() -> None:
    """AMEND-3: new quantity ≤ executedQty cancels the order (B-MODIFY)."""
    m = model(B="100000", C="100000")
    m.apply_json(order("C", "BUY", "79500", "0.3"))
    m.apply_json(order("B", "SELL", "79500", "0.1"))
    m.apply_json({"action": "fill", "makerOrderId": 1, "takerOrderId": 2})
    out = m.apply_json(modify("C", 1, "79500", "0.1"))
    assert out["events"] == [
        {
            "type": "CANCELED",
            "account": "C",
            "symbol": "BTCUSDT",
            "positionSide": "BOTH",
            "side": "BUY",
            "orderId": 1,
            "quantity": "0.2",
        }
    ]
    assert m.snapshot("C")["openOrders"] == []


def test_gtx_amendment_that_would_take_cancels() -> None:
    """AMEND-3: a GTX order amended to a price that crosses the book is cancelled, not
    refused with -5022."""
    m = model(B="100000", C="100000")
    m.apply_json(order("B", "SELL", "80200", "0.1"))
    m.apply_json(order("C", "BUY", "80000", "0.1", timeInForce="GTX"))
    out = m.apply_json(modify("C", 2, "80200", "0.1"))
    assert [e["type"] for e in out["events"]] == ["CANCELED"]
    assert m.apply_json(modify("B", 1, "80300", "0.1"))["status"] == "accepted"


def test_reduce_only_amendment_is_netted() -> None:
    """AMEND-4 with ACT-ORD-4: long 0.2, two reduce-only sells of 0.1; raising one to 0.15
    claims 0.25 > 0.2 (-2022)."""
    m = model(A="100000", B="100000")
    m.apply_json(order("B", "SELL", "80000", "0.2"))
    m.apply_json(order("A", "BUY", "80000", "0.2"))
    m.apply_json({"action": "fill", "makerOrderId": 1, "takerOrderId": 2})
    m.apply_json(order("A", "SELL", "81000", "0.1", reduceOnly=True))
    m.apply_json(order("A", "SELL", "81000", "0.1", reduceOnly=True))
    assert m.apply_json(modify("A", 3, "81000", "0.15"))["code"] == -2022
    assert m.apply_json(modify("A", 3, "81500", "0.1"))["status"] == "accepted"


def test_a_conditional_order_is_amended_only_once_it_rests_as_a_limit_order() -> None:
    """REF-74 (AMEND-1; A-API: Modify Order takes LIMIT orders only): a waiting STOP order
    is refused with -5025 and stays as it was; triggered, it rests as a LIMIT order under
    the same id and is amended. Neither the refusal nor the amendment moves the last price
    (ACT-COND-9: only trades and ``lastPrice`` set it)."""
    m = model(A="100000")
    stop = order("A", "BUY", "81000", "1", type="STOP", stopPrice="81000")
    assert m.apply_json(stop) == {"status": "accepted", "orderId": 1}
    before = m.snapshot("A")
    out = m.apply_json(modify("A", 1, "81500", "1"))
    assert (out["code"], out["rule"]) == (-5025, "REF-74")
    assert m.snapshot("A") == before
    assert m.state.last_price("BTCUSDT") == 80000  # the mark until the first trade
    fired = m.apply_json({"action": "lastPrice", "symbol": "BTCUSDT", "lastPrice": "81000"})
    assert [e["type"] for e in fired["events"]] == ["TRIGGERED"]
    assert m.apply_json(modify("A", 1, "80900", "1")) == {"status": "accepted", "orderId": 1}
    (rests,) = m.snapshot("A")["openOrders"]
    assert (rests["type"], rests["price"], rests["origQty"]) == ("LIMIT", "80900", "1")
    assert m.state.last_price("BTCUSDT") == 81000


def test_self_trade_prevention_expiry_sets_no_last_price() -> None:
    """ACT-COND-9, STP-1: a taker expired by its own resting order trades nothing, so the
    last price stays; a later match against another account sets it to the maker's price."""
    m = stp_model(SelfTradePrevention.EXPIRE_TAKER)
    m.apply_json(order("A", "SELL", "80100", "0.1"))
    m.apply_json(order("B", "SELL", "80200", "0.1"))
    out = m.apply_json(order("A", "BUY", "80200", "0.1", timeInForce="IOC"))
    assert [e["type"] for e in out["events"]] == ["EXPIRED_IN_MATCH"]
    assert m.state.last_price("BTCUSDT") == 80000
    out = m.apply_json(
        order("A", "BUY", "80200", "0.1", timeInForce="IOC", selfTradePreventionMode="EXPIRE_MAKER")
    )
    assert [e["type"] for e in out["events"]] == ["EXPIRED_IN_MATCH", "TRADE", "TRADE"]
    assert m.state.last_price("BTCUSDT") == 80200


def stp_model(default: SelfTradePrevention) -> Model:
    rules = attrs.evolve(
        RULESET, options=attrs.evolve(RULESET.options, self_trade_prevention=default)
    )
    return Model.from_json(initial(A="100000", B="100000"), rules, check=True)


@pytest.mark.parametrize(
    ("mode", "expired", "traded"),
    [
        ("EXPIRE_TAKER", [(3, "0.2")], []),
        ("EXPIRE_MAKER", [(1, "0.1")], [2]),
        ("EXPIRE_BOTH", [(1, "0.1"), (3, "0.2")], []),
        ("NONE", [], [2]),
    ],
)
def test_self_trade_prevention_modes(
    mode: str, expired: list[tuple[int, str]], traded: list[int]
) -> None:
    """STP-1, STP-2: A rests a sell at 80,000 before B's at 80,100; A's IOC buy of 0.2 at
    80,100 meets its own order first."""
    m = stp_model(SelfTradePrevention(mode))
    m.apply_json(order("A", "SELL", "80000", "0.1"))
    m.apply_json(order("B", "SELL", "80100", "0.1"))
    out = m.apply_json(order("A", "BUY", "80100", "0.2", timeInForce="IOC"))
    assert out["orderId"] == 3
    events = out["events"]
    stp = [(e["orderId"], e["quantity"]) for e in events if e["type"] == "EXPIRED_IN_MATCH"]
    assert stp == expired
    makers = [e["orderId"] for e in events if e["type"] == "TRADE" and e["account"] == "B"]
    assert makers == traded
    own = [o["orderId"] for o in m.snapshot("A")["openOrders"]]
    assert own == ([] if mode in ("EXPIRE_MAKER", "EXPIRE_BOTH") else [1])


def test_order_mode_overrides_the_rule_set_and_is_written_only_when_sent() -> None:
    """STP-1: the order's selfTradePreventionMode wins; the JSON form keeps old traces."""
    m = stp_model(SelfTradePrevention.NONE)
    m.apply_json(order("A", "SELL", "80000", "0.1"))
    out = m.apply_json(
        order("A", "BUY", "80000", "0.1", timeInForce="IOC", selfTradePreventionMode="EXPIRE_TAKER")
    )
    assert [e["type"] for e in out["events"]] == ["EXPIRED_IN_MATCH"]
    plain = parse_action(order("A", "BUY", "80000", "0.1"))
    assert "selfTradePreventionMode" not in action_json(plain)
    named = parse_action(order("A", "BUY", "80000", "0.1", selfTradePreventionMode="NONE"))
    assert action_json(named)["selfTradePreventionMode"] == "NONE"
    with pytest.raises(InputError, match="selfTradePreventionMode"):
        parse_action(order("A", "BUY", "80000", "0.1", selfTradePreventionMode="DECREMENT"))


def test_bundled_defaults_and_round_trip() -> None:
    """STP-1's option: Aster's EXPIRE_TAKER, Binance's NONE; FLT bounds survive a dump."""
    assert RULESET.options.self_trade_prevention is SelfTradePrevention.EXPIRE_TAKER
    binance = load_bundled("binance-usdm")
    assert binance.options.self_trade_prevention is SelfTradePrevention.NONE
    again = parse_ruleset(dump_ruleset(RULESET), "dump")
    btc = again.markets["BTCUSDT"]
    assert (btc.min_price, btc.max_qty, btc.market_max_qty) == (
        RULESET.markets["BTCUSDT"].min_price,
        RULESET.markets["BTCUSDT"].max_qty,
        RULESET.markets["BTCUSDT"].market_max_qty,
    )


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"price": "0.05"}, -4013),
        ({"side": "SELL", "price": "10000000.1"}, -4002),
        ({"quantity": "0.0005"}, -4004),
        ({"quantity": "100000.001"}, -4005),
        ({"quantity": "0.0015"}, -4023),
    ],
)
def test_limit_filter_bounds(extra: dict[str, str], code: int) -> None:
    """FLT-1, FLT-2 on aster-pro's BTCUSDT (minPrice 0.1, maxPrice 10^7, LOT_SIZE 0.001 …
    100,000)."""
    m = model(A="100000")
    action = {**order("A", "BUY", "80000", "0.01"), **extra}
    assert m.apply_json(action)["code"] == code


def test_market_lot_size_is_its_own_filter() -> None:
    """FLT-3: 10,000.001 passes LOT_SIZE (≤ 100,000) but not MARKET_LOT_SIZE (≤ 10,000)."""
    m = model(A="100000")
    market = {"action": "placeOrder", "account": "A", "symbol": "BTCUSDT", "side": "BUY"}
    assert m.apply_json({**market, "type": "MARKET", "quantity": "10000.001"})["code"] == -4005
    assert m.apply_json({**market, "type": "MARKET", "quantity": "0.0005"})["code"] == -4004


def test_capabilities_restrict_the_stp_modes_the_kit_sends() -> None:
    """STP-1 in the handshake: an engine declaring only NONE is not sent EXPIRE_MAKER."""
    caps = parse_capabilities({"selfTradePrevention": ["NONE"]})
    named = order("A", "BUY", "80000", "0.1", selfTradePreventionMode="EXPIRE_MAKER")
    assert not caps.supports_action(named)
    assert caps.supports_action(order("A", "BUY", "80000", "0.1"))
    assert caps.to_json()["selfTradePrevention"] == ["NONE"]
    with pytest.raises(InputError, match="selfTradePrevention"):
        parse_capabilities({"selfTradePrevention": ["DECREMENT"]})
