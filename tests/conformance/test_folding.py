"""Shrinking the starting state (CONF-6): set-up actions folded into the initial state."""

from __future__ import annotations

import attrs

from marginspec.conformance.capabilities import ACTION_NAMES, Capabilities
from marginspec.conformance.engine import ModelEngine
from marginspec.conformance.folding import compensated, folded, prefix_folded, simpler
from marginspec.conformance.moves.aiming import aim_offset, aimed_again, round8
from marginspec.exchange.state import INSURANCE_FUND
from marginspec.exchange.view import figures
from marginspec.numbers import Exact, exact, to_plain
from tests.conformance.helpers import RULESET, initial

ALL = Capabilities()


def test_wallet_moves_fold_into_the_balance_and_never_below_zero() -> None:
    start = initial(A="1000", B="5000")
    out = folded(start, {"action": "withdraw", "account": "A", "amount": "997.5"}, ALL, RULESET)
    assert out is not None and out["accounts"]["A"]["crossWalletBalance"] == "2.5"
    assert start["accounts"]["A"]["crossWalletBalance"] == "1000"  # the input is kept
    fund = folded(
        start, {"action": "deposit", "account": "insuranceFund", "amount": "1"}, ALL, RULESET
    )
    assert fund is not None and fund["insuranceFund"] == "1000001"
    overdrawn = {"action": "withdraw", "account": "A", "amount": "1000.01"}
    assert folded(start, overdrawn, ALL, RULESET) is None
    assert folded(start, {"action": "deposit", "account": "Z", "amount": "1"}, ALL, RULESET) is None


def test_settings_fold_only_for_an_engine_that_can_reach_them() -> None:
    start = initial(A="1000")
    action = {"action": "setLeverage", "account": "A", "symbol": "ETHUSDT", "leverage": 50}
    out = folded(start, action, ALL, RULESET)
    # the other setting keeps its default (ACT-LEV-1: cross)
    assert out is not None
    assert out["accounts"]["A"]["symbols"] == {"ETHUSDT": {"leverage": 50, "marginType": "CROSSED"}}
    without = Capabilities(actions=frozenset(ACTION_NAMES) - {"setLeverage"})
    assert folded(start, action, without, RULESET) is None
    mode = {"action": "setPositionMode", "account": "A", "dualSidePosition": True}
    assert folded(start, mode, Capabilities(hedge_mode=False), RULESET) is None
    mark = {"action": "markPrice", "symbol": "BTCUSDT", "markPrice": "75000"}
    marked = folded(start, mark, ALL, RULESET)
    assert marked is not None and marked["markPrices"]["BTCUSDT"] == "75000"
    assert folded(start, {"action": "placeOrder", "account": "A"}, ALL, RULESET) is None


def test_simpler_states_empty_the_fund_then_drop_settings() -> None:
    start = initial(A="1000")
    start["accounts"]["A"]["symbols"] = {"BTCUSDT": {"leverage": 5, "marginType": "ISOLATED"}}
    first, second = simpler(start)
    assert first["insuranceFund"] == "0" and first["accounts"] == start["accounts"]
    assert second["insuranceFund"] == "1000000" and "symbols" not in second["accounts"]["A"]
    assert list(simpler({**second, "insuranceFund": "0"})) == []


def test_a_prefix_folds_only_where_nobody_holds_a_position_or_an_order() -> None:
    engine = ModelEngine(RULESET)
    engine.reset(initial(A="10000", B="10000"))
    assert engine.model is not None
    order = {"action": "placeOrder", "account": "A", "symbol": "ETHUSDT", "side": "BUY"}
    order |= {"positionSide": "BOTH", "type": "LIMIT", "price": "3000", "quantity": "1"}
    engine.apply(order)
    assert prefix_folded(engine.model.state, RULESET) is None  # A's order rests
    taker = {**order, "account": "B", "side": "SELL", "timeInForce": "IOC"}
    engine.apply(taker)
    assert prefix_folded(engine.model.state, RULESET) is None  # both hold a position
    engine.apply({**order, "side": "SELL", "price": "3100"})
    engine.apply({**order, "account": "B", "price": "3100", "timeInForce": "IOC"})
    engine.apply({"action": "markPrice", "symbol": "ETHUSDT", "markPrice": "3100"})
    start = prefix_folded(engine.model.state, RULESET)
    # A bought at 3000 and sold at 3100 as maker (no fee); B paid the taker fee twice
    assert start is not None and start["markPrices"]["ETHUSDT"] == "3100"
    assert start["accounts"]["A"]["crossWalletBalance"] == "10100"
    fees = Exact("0.0004") * (3000 + 3100)
    assert Exact(start["accounts"]["B"]["crossWalletBalance"]) == 10000 - 100 - fees


def test_a_prefix_leaving_a_negative_fund_does_not_fold() -> None:
    engine = ModelEngine(RULESET)
    engine.reset(initial(A="10000"))
    assert engine.model is not None
    state = engine.model.state
    fund = state.accounts[INSURANCE_FUND]
    drained = state.with_account(INSURANCE_FUND, attrs.evolve(fund, cross_wallet=Exact(-34832)))
    assert prefix_folded(drained, RULESET) is None
    assert prefix_folded(state, RULESET) is not None


def test_a_removed_trade_leaves_its_fees_in_the_initial_wallets() -> None:
    start = initial(A="10000", B="10000")
    engine = ModelEngine(RULESET)
    engine.reset(start)
    assert engine.model is not None
    order = {"action": "placeOrder", "account": "A", "symbol": "ETHUSDT", "side": "BUY"}
    order |= {"positionSide": "BOTH", "type": "LIMIT", "price": "3000", "quantity": "1"}
    engine.apply(order)
    before = engine.model.state
    assert compensated(start, before, before) is None  # nothing changed: no candidate
    engine.apply({**order, "account": "B", "side": "SELL", "timeInForce": "IOC"})
    folded_start = compensated(start, before, engine.model.state)
    # B took A's resting order: B paid the taker fee (0.04 %), A as maker paid none
    assert folded_start is not None
    assert folded_start["accounts"]["A"]["crossWalletBalance"] == "10000"
    assert Exact(folded_start["accounts"]["B"]["crossWalletBalance"]) == 10000 - Exact("1.2")
    assert start["accounts"]["B"]["crossWalletBalance"] == "10000"  # the original untouched
    poorer = initial(A="10000", B="1")
    assert compensated(poorer, before, engine.model.state) is None  # B would be below zero


def test_a_wallet_that_is_no_decimal_never_goes_into_an_initial_state() -> None:
    """An initial state's numbers are decimals (TRACE-1): a fold that would write a
    wallet such as 192574157419/184960000 (seen while shrinking a mutation) is no
    candidate."""
    engine = ModelEngine(RULESET)
    engine.reset(initial(A="10000"))
    assert engine.model is not None
    state = engine.model.state
    third = Exact(1, 3)
    odd = state.with_account("A", attrs.evolve(state.accounts["A"], cross_wallet=third))
    assert prefix_folded(odd, RULESET) is None
    assert compensated(initial(A="10000"), state, odd) is None


def test_amounts_on_a_boundary_are_found_and_aimed_again_at_the_same_offset() -> None:
    """CONF-6: a withdrawal of ``maxWithdrawAmount`` one cent over, and a deposit of the
    shortfall to maintenance, are told apart from other amounts and re-derived in
    another state at the same offset."""
    engine = ModelEngine(RULESET)
    engine.reset(initial(A="1000", B="100000"))
    model = engine.model
    assert model is not None
    order = {"action": "placeOrder", "account": "A", "symbol": "ETHUSDT", "side": "BUY"}
    engine.apply({**order, "type": "LIMIT", "quantity": "3", "price": "3000"})
    engine.apply(
        {
            **order,
            "account": "B",
            "side": "SELL",
            "timeInForce": "IOC",
            "type": "LIMIT",
            "quantity": "3",
            "price": "3000",
        }
    )
    most = figures(model.state, "A", RULESET).max_withdraw
    over = {"action": "withdraw", "account": "A", "amount": to_plain(round8(most) + Exact(1, 100))}
    assert aim_offset(model, over) == Exact(1, 100)
    assert aim_offset(model, {**over, "amount": "1"}) is None
    engine.apply({"action": "markPrice", "symbol": "ETHUSDT", "markPrice": "2670"})
    f = figures(model.state, "A", RULESET)
    short = f.cross_maint_margin - f.total_cross_wallet_balance - f.total_cross_unrealized_pnl
    deposit = {"action": "deposit", "account": "A", "amount": to_plain(short)}
    assert short > 0 and aim_offset(model, deposit) == 0
    engine.apply({"action": "deposit", "account": "A", "amount": "10"})
    again = aimed_again(model, deposit, Exact(1, 10**8))
    assert again is not None and exact(again["amount"]) == short - 10 + Exact(1, 10**8)
