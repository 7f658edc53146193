"""The invariants (INV-1 … INV-8) catch broken transitions.

Each test takes a real transition and breaks its result the way a buggy model would
(money from nowhere, a one-sided position, a skipped liquidation, ...); ``check`` must
name the invariant. This guards the invariants' shortcuts (identity diffs, inductive
sums) against becoming checks that cannot fail.
"""

from __future__ import annotations

import attrs

from marginspec.account import MarginType, OrderSide, PositionSide
from marginspec.exchange import INSURANCE_FUND, Model, changes, invariant_plan
from marginspec.exchange.actions import (
    Action,
    CancelOrder,
    Deposit,
    Fill,
    Funding,
    LiquidationSweep,
    MarkPrice,
    PlaceOrder,
    SetMarginType,
    SetPositionMode,
)
from marginspec.exchange.refusals import MARGIN_NOT_SUFFICIENT, Outcome, accepted, refused
from marginspec.exchange.state import (
    AccountState,
    ExchangeState,
    Order,
    PositionState,
    SymbolSettings,
    evolve,
    with_orders,
    with_position,
)
from marginspec.numbers import Exact
from tests.exchange_helpers import RULESET, model, trade

BTC = "BTCUSDT"
BOTH = PositionSide.BOTH


def _traded(a_wallet: str = "100000") -> Model:
    """A long 1 BTC at 80,000 (A) against B's short, both cross, with B's resting order."""
    m = model(A=a_wallet, B="100000", C="100000")
    trade(m, "A", "B", "80000", "1")
    m.apply(PlaceOrder("B", BTC, OrderSide.SELL, BOTH, Exact(81000), Exact(1, 10)))
    return m


def _step(m: Model, action: Action) -> tuple[ExchangeState, ExchangeState, Outcome]:
    before = m.state
    m.apply(action)
    return before, m.state, accepted()


def _found(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome
) -> list[str]:
    return invariant_plan.check(before, action, after, outcome, RULESET)


def _rules(found: list[str]) -> set[str]:
    return {v.split(":")[0] for v in found}


def _with_wallet(state: ExchangeState, name: str, change: Exact) -> ExchangeState:
    acct = state.accounts[name]
    return state.with_account(name, evolve(acct, cross_wallet=acct.cross_wallet + change))


def test_real_transitions_hold() -> None:
    m = _traded()
    for action in (
        Deposit("C", Exact(5)),
        MarkPrice(BTC, Exact(79000)),
        Funding(BTC, Exact(1, 10000)),
        LiquidationSweep(),
    ):
        before, after, outcome = _step(m, action)
        assert _found(before, action, after, outcome) == []


def test_inv1_money_from_nowhere() -> None:
    m = _traded()
    before, after, outcome = _step(m, Deposit("C", Exact(5)))
    broken = _with_wallet(after, "A", Exact(1, 3))
    assert _rules(_found(before, Deposit("C", Exact(5)), broken, outcome)) == {"INV-1"}
    # a fill that books the realised PnL of one side twice
    m.apply(PlaceOrder("A", BTC, OrderSide.BUY, BOTH, Exact(81000), Exact(1, 10)))
    order_ids = [o.order_id for a in ("B", "A") for o in m.state.accounts[a].orders]
    fill = Fill(order_ids[0], order_ids[1])
    before, after, outcome = _step(m, fill)
    assert _found(before, fill, after, outcome) == []
    assert "INV-1" in _rules(_found(before, fill, _with_wallet(after, "B", Exact(-7)), outcome))
    # an entry price moved without any cash: uPnL changes, equity is not conserved
    acct = after.accounts["A"]
    pos = acct.position(BTC, BOTH)
    moved = after.with_account(
        "A", with_position(acct, (BTC, BOTH), evolve(pos, entry_price=pos.entry_price - 1))
    )
    assert "INV-1" in _rules(_found(before, fill, moved, outcome))


def test_inv1_and_inv2_one_sided_positions() -> None:
    m = _traded()
    before, after, outcome = _step(m, Deposit("C", Exact(5)))
    acct = after.accounts["C"]
    lopsided = after.with_account(
        "C", with_position(acct, (BTC, BOTH), PositionState(Exact(1, 1000), Exact(80000)))
    )
    found = _rules(_found(before, Deposit("C", Exact(5)), lopsided, outcome))
    assert "INV-2" in found
    # a mark move with lopsided open interest changes Σ uPnL: INV-1 (mark path)
    move = MarkPrice(BTC, Exact(79000))
    marks = dict(lopsided.mark_prices)
    marks[BTC] = Exact(79000)
    moved = evolve(lopsided, mark_prices=marks)
    assert "INV-1" in _rules(_found(lopsided, move, moved, accepted()))


def test_inv3_sweep_left_someone_below_maintenance() -> None:
    m = _traded(a_wallet="5000")
    m.apply(MarkPrice(BTC, Exact(75000)))  # A's long is below maintenance
    state = m.state
    found = _found(state, LiquidationSweep(), state, accepted())
    assert "INV-3" in _rules(found)
    assert any("A cross margin below maintenance" in v for v in found)


def test_inv4_mark_move_changed_an_account_and_isolation() -> None:
    m = _traded()
    move = MarkPrice(BTC, Exact(79000))
    before, after, outcome = _step(m, move)
    assert "INV-4" in _rules(_found(before, move, _with_wallet(after, "C", Exact(1)), outcome))
    marks = dict(after.mark_prices)
    marks["ETHUSDT"] = Exact(2999)
    both = evolve(after, mark_prices=marks)
    assert "INV-4" in _rules(_found(before, move, both, outcome))
    # a sweep that charges an uninvolved account's cross wallet
    sweep = LiquidationSweep()
    before = m.state
    broken = _with_wallet(
        _with_wallet(before, "C", Exact(-10)), INSURANCE_FUND, Exact(10)
    )  # money moved C -> fund: conserved, but C had nothing liquidated
    assert "INV-4" in _rules(_found(before, sweep, broken, accepted()))


def test_inv5_mode_changes_need_a_flat_symbol() -> None:
    m = _traded()
    before = m.state
    acct = before.accounts["B"]  # a short position and an open order on BTCUSDT
    settings = dict(acct.settings)
    settings[BTC] = SymbolSettings(MarginType.ISOLATED, settings[BTC].leverage)
    change = SetMarginType("B", BTC, MarginType.ISOLATED)
    after = before.with_account("B", evolve(acct, settings=settings))
    assert "INV-5" in _rules(_found(before, change, after, accepted()))
    mode = SetPositionMode("B", True)
    hedged = before.with_account("B", evolve(acct, dual_side_position=True))
    assert "INV-5" in _rules(_found(before, mode, hedged, accepted()))


def test_inv6_refusal_changed_the_state() -> None:
    m = _traded()
    before, after, _ = _step(m, Deposit("C", Exact(5)))
    found = _found(before, Deposit("C", Exact(5)), after, refused(MARGIN_NOT_SUFFICIENT))
    assert _rules(found) == {"INV-6"}
    assert _found(before, Deposit("C", Exact(5)), before, refused(MARGIN_NOT_SUFFICIENT)) == []


def test_inv7_a_transfer_made_a_wallet_negative() -> None:
    m = _traded()
    before, after, outcome = _step(m, Deposit("C", Exact(5)))
    # C's wallet drops below zero (and the money is booked to the fund: INV-1 holds)
    drained = _with_wallet(_with_wallet(after, "C", Exact(-200000)), INSURANCE_FUND, Exact(200000))
    assert _rules(_found(before, Deposit("C", Exact(5)), drained, outcome)) == {"INV-7"}


def test_inv8_orders_well_formed() -> None:
    m = _traded()
    place = PlaceOrder("C", BTC, OrderSide.BUY, BOTH, Exact(79000), Exact(1, 10))
    before, after, outcome = _step(m, place)
    assert _found(before, place, after, outcome) == []
    acct = after.accounts["C"]
    new = acct.orders[-1]

    def replaced(order: Order) -> ExchangeState:
        return after.with_account("C", with_orders(acct, (*acct.orders[:-1], order)))

    stale = evolve(new, order_id=1)  # an id handed out long ago
    assert "INV-8" in _rules(_found(before, place, replaced(stale), outcome))
    empty = evolve(new, executed_qty=new.orig_qty)
    assert "INV-8" in _rules(_found(before, place, replaced(empty), outcome))
    hedge_side = evolve(new, position_side=PositionSide.LONG)
    assert "INV-8" in _rules(_found(before, place, replaced(hedge_side), outcome))
    # an immediate order left resting (ACT-ORD-8: IOC, FOK and MARKET never rest)
    for immediate in (evolve(new, time_in_force="IOC"), evolve(new, order_type="MARKET")):
        assert "INV-8" in _rules(_found(before, place, replaced(immediate), outcome))
    # the same fresh id on two accounts
    twice = after.with_account(
        "A", with_orders(after.accounts["A"], (*after.accounts["A"].orders, new))
    )
    assert "INV-8" in _rules(_found(before, place, twice, outcome))
    # cancelling must not leave a changed order behind
    cancel = CancelOrder("B", before.accounts["B"].orders[0].order_id)
    before, after, outcome = _step(m, cancel)
    assert _found(before, cancel, after, outcome) == []


def test_frame_rule_names_every_part_of_the_state() -> None:
    """``check`` skips an invariant whose parts an action left alone (``READS``); that is
    only sound while ``changes`` compares every field of the state: a new field must be
    added there (and to the invariants that read it)."""
    assert {f.name for f in attrs.fields(ExchangeState)} == {
        "mark_prices",
        "accounts",
        "fee_income",
        "net_deposits",
        "next_order_id",
        "last_prices",
    }
    assert {f.name for f in attrs.fields(AccountState)} == {
        "cross_wallet",
        "dual_side_position",
        "settings",
        "positions",
        "orders",
    }


def test_frame_rule_still_checks_what_a_place_order_should_not_touch() -> None:
    """A placeOrder changes only orders and ids; one that also moves a wallet, a
    position or a setting is caught: the changed part brings its invariants back."""
    m = _traded()
    place = PlaceOrder("C", BTC, OrderSide.BUY, BOTH, Exact(79000), Exact(1, 10))
    before, after, outcome = _step(m, place)
    assert changes.parts(before, after) == changes.ORDERS | changes.IDS
    assert "INV-1" in _rules(_found(before, place, _with_wallet(after, "C", Exact(1)), outcome))
    acct = after.accounts["C"]
    lopsided = after.with_account(  # entry far from the mark: uPnL out of nowhere
        "C", with_position(acct, (BTC, BOTH), PositionState(Exact(1, 1000), Exact(70000)))
    )
    assert {"INV-1", "INV-2"} <= _rules(_found(before, place, lopsided, outcome))
    settings = dict(after.accounts["B"].settings)
    settings[BTC] = SymbolSettings(MarginType.ISOLATED, settings[BTC].leverage)
    switched = after.with_account("B", evolve(after.accounts["B"], settings=settings))
    assert "INV-5" in _rules(_found(before, place, switched, outcome))
