"""Conditional orders (ACT-COND-*): STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET and
TRAILING_STOP_MARKET, placed by ``placeOrder`` and fired by the price actions.

A conditional order waits in the account's open orders without margin (ORD-3) and off the
book (it neither matches nor is matched) until its working price (the mark for
``MARK_PRICE``, the last price for ``CONTRACT_PRICE``, ACT-COND-9) reaches its trigger.
Then it leaves the open orders and its LIMIT or MARKET order is placed, under the same
order id, through every check of ``placeOrder`` (ACT-6); a refusal is a ``REJECTED`` event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marginspec.account import CONDITIONAL_TYPES, OrderSide, PositionSide
from marginspec.exchange import refusals as R
from marginspec.exchange.actions import PlaceOrder
from marginspec.exchange.events import Event
from marginspec.exchange.refusals import Outcome, accepted, refused
from marginspec.exchange.state import (
    ZERO,
    AccountState,
    ExchangeState,
    Order,
    evolve,
    with_orders,
)
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet

Result = tuple[ExchangeState, Outcome]
Place = Callable[[ExchangeState, PlaceOrder, RuleSet], Result]

#: ACT-COND-4: the smallest ``callbackRate`` (percent) on both venues (A-API, B-API).
CALLBACK_RATE_MIN = Exact(1, 10)
_HUNDRED = Exact(100)


def working_price(state: ExchangeState, symbol: str, working_type: str) -> Exact:
    """The price a conditional order watches: the mark, or the last price (ACT-COND-3)."""
    if working_type == "MARK_PRICE":
        return state.mark_prices[symbol]
    return state.last_price(symbol)


def _is_stop(kind: str) -> bool:
    return kind in ("STOP", "STOP_MARKET")


def trigger_price(order: Order) -> Exact:
    """The price at which ``order`` fires: its stop price, or for a trailing stop the
    extreme moved back by the callback rate (ACT-COND-4)."""
    if order.order_type != "TRAILING_STOP_MARKET":
        return order.stop_price
    back = order.callback_rate / _HUNDRED
    if order.side is OrderSide.SELL:
        return order.extreme * (1 - back)
    return order.extreme * (1 + back)


def fires(order: Order, price: Exact) -> bool:
    """ACT-COND-3, ACT-COND-4: whether a conditional order fires at the working ``price``.

    STOP, STOP_MARKET: BUY when price ≥ stopPrice, SELL when price ≤ stopPrice;
    TAKE_PROFIT, TAKE_PROFIT_MARKET: BUY when price ≤ stopPrice, SELL when price ≥ stopPrice;
    TRAILING_STOP_MARKET (its extreme already updated with ``price``): BUY when the lowest
    price ≤ activationPrice and price ≥ lowest × (1 + rate), SELL when the highest price
    ≥ activationPrice and price ≤ highest × (1 − rate) (A-API ``POST /fapi/v3/order``).
    """
    buy = order.side is OrderSide.BUY
    if order.order_type == "TRAILING_STOP_MARKET":
        if buy:
            return bool(order.extreme <= order.activation_price and price >= trigger_price(order))
        return bool(order.extreme >= order.activation_price and price <= trigger_price(order))
    if _is_stop(order.order_type) == buy:  # a BUY stop or a SELL take-profit
        return bool(price >= order.stop_price)
    return bool(price <= order.stop_price)


def track(order: Order, price: Exact) -> Order:
    """A trailing stop's extreme after the working price ``price`` (ACT-COND-4): the highest
    price seen for a SELL, the lowest for a BUY (other orders unchanged)."""
    if order.order_type != "TRAILING_STOP_MARKET":
        return order
    if order.side is OrderSide.SELL:
        return order if price <= order.extreme else evolve(order, extreme=price)
    return order if price >= order.extreme else evolve(order, extreme=price)


def _multiple(value: Exact, step: Exact) -> bool:
    return bool((value / step).denominator == 1)


def place_conditional(state: ExchangeState, a: PlaceOrder, ruleset: RuleSet) -> Result:
    """ACT-COND-2, ACT-COND-7: the placement checks of a conditional order, in order; an
    accepted one rests untriggered, holding no margin (ORD-3).

    -4061 position side vs mode; -1106 ``reduceOnly`` in hedge mode or with
    ``closePosition``; -4137 a quantity with ``closePosition``; -2022 a close-position order
    that would open in hedge mode (BUY LONG, SELL SHORT); -4001 price ≤ 0 (STOP,
    TAKE_PROFIT); -4003 quantity ≤ 0; -4006 stopPrice ≤ 0; -4135 activationPrice ≤ 0;
    -1130 callbackRate outside [0.1, ``callback_rate_max``]; -4014 price, stopPrice or
    activationPrice off the tick; -4023 quantity off the step; -2025 MAX_NUM_ORDERS; -4045
    MAX_NUM_ALGO_ORDERS; -2021 it would trigger at once.
    """
    market = ruleset.markets[a.symbol]
    acct = state.accounts[a.account]
    hedge = acct.dual_side_position
    if hedge == (a.position_side is PositionSide.BOTH):
        return state, refused(R.POSITION_SIDE_MISMATCH)
    if a.reduce_only and (hedge or a.close_position):
        return state, refused(R.REDUCE_ONLY_IN_HEDGE)
    if a.close_position:
        if a.quantity != 0:
            return state, refused(R.QTY_WITH_CLOSE_POSITION)
        opens = (a.position_side is PositionSide.LONG and a.side is OrderSide.BUY) or (
            a.position_side is PositionSide.SHORT and a.side is OrderSide.SELL
        )
        if opens:
            return state, refused(R.REDUCE_ONLY_REJECT)
    limit = a.order_type in ("STOP", "TAKE_PROFIT")
    trailing = a.order_type == "TRAILING_STOP_MARKET"
    if limit and a.price <= 0:
        return state, refused(R.PRICE_NOT_POSITIVE)
    if not a.close_position and a.quantity <= 0:
        return state, refused(R.QTY_NOT_POSITIVE)
    stop = a.stop_price if a.stop_price is not None else ZERO
    if not trailing and stop <= 0:
        return state, refused(R.STOP_PRICE_NOT_POSITIVE)
    price_now = working_price(state, a.symbol, a.working_type)
    activation = a.activation_price if a.activation_price is not None else price_now
    if activation <= 0:
        return state, refused(R.INVALID_ACTIVATION_PRICE)
    rate = a.callback_rate if a.callback_rate is not None else ZERO
    if trailing and not CALLBACK_RATE_MIN <= rate <= ruleset.options.callback_rate_max:
        return state, refused(R.INVALID_CALLBACK_RATE)
    tick = market.tick_size
    if (
        (limit and not _multiple(a.price, tick))
        or (not trailing and not _multiple(stop, tick))
        or (trailing and a.activation_price is not None and not _multiple(activation, tick))
    ):
        return state, refused(R.PRICE_TICK)
    if not _multiple(a.quantity, market.step_size):
        return state, refused(R.QTY_STEP)
    count = algo = 0
    for o in acct.orders:
        if o.symbol == a.symbol:
            count += 1
            if o.order_type in CONDITIONAL_TYPES:
                algo += 1
    if count >= market.max_num_orders:
        return state, refused(R.MAX_OPEN_ORDERS)  # ACT-ORD-10: algo orders count too
    if algo >= market.max_num_algo_orders:
        return state, refused(R.MAX_STOP_ORDERS)  # ACT-COND-7
    order = Order(
        order_id=state.next_order_id,
        symbol=a.symbol,
        side=a.side,
        position_side=a.position_side,
        price=a.price,
        orig_qty=a.quantity,
        reduce_only=a.reduce_only,
        order_type=a.order_type,
        time_in_force=a.time_in_force,
        stop_price=ZERO if trailing else stop,
        working_type=a.working_type,
        price_protect=a.price_protect,
        close_position=a.close_position,
        activation_price=activation if trailing else ZERO,
        callback_rate=rate,
        extreme=price_now if trailing else ZERO,
    )
    if trailing:
        # A-API: "BUY: activationPrice should be smaller than latest price; SELL: larger";
        # without one it is the latest price itself and the stop is active at once.
        buy = a.side is OrderSide.BUY
        given = a.activation_price is not None
        if given and (activation >= price_now if buy else activation <= price_now):
            return state, refused(R.WOULD_TRIGGER)
    elif fires(order, price_now):
        return state, refused(R.WOULD_TRIGGER)
    new = with_orders(acct, (*acct.orders, order))
    state = evolve(state.with_account(a.account, new), next_order_id=order.order_id + 1)
    return state, accepted(order_id=order.order_id)


def _protected(order: Order, state: ExchangeState, ruleset: RuleSet) -> bool:
    """ACT-COND-8: a ``priceProtect`` order does not fire while mark and last price differ
    by more than the market's ``triggerProtect`` (relative to the mark)."""
    if not order.price_protect:
        return False
    mark = state.mark_prices[order.symbol]
    gap = abs(mark - state.last_price(order.symbol)) / mark
    return bool(gap > ruleset.markets[order.symbol].trigger_protect)


def fire(
    state: ExchangeState,
    symbol: str,
    working_type: str,
    before: Exact,
    place: Place,
    ruleset: RuleSet,
) -> tuple[ExchangeState, tuple[Event, ...]]:
    """ACT-COND-5, ACT-COND-6: after the ``working_type`` price of ``symbol`` moved from
    ``before``, update the trailing extremes, then fire every order whose condition holds,
    the trigger price nearest ``before`` first, then the older order; each fired order
    leaves the open orders (``TRIGGERED``) and its LIMIT or MARKET order is placed under the
    same id through ACT-6 (``REJECTED`` with the refusal when a check fails)."""
    price = working_price(state, symbol, working_type)
    changed: dict[str, AccountState] = {}
    due: list[tuple[Exact, int, str]] = []
    for name, acct in state.accounts.items():
        orders = acct.orders
        kept = []
        moved = False
        for o in orders:
            if (
                o.symbol == symbol
                and o.working_type == working_type
                and o.order_type in CONDITIONAL_TYPES
            ):
                now = track(o, price)
                moved = moved or now is not o
                if fires(now, price) and not _protected(now, state, ruleset):
                    due.append((abs(trigger_price(now) - before), now.order_id, name))
                kept.append(now)
            else:
                kept.append(o)
        if moved:
            changed[name] = with_orders(acct, tuple(kept))
    if changed:
        state = state.with_accounts(changed)
    events: list[Event] = []
    for _distance, order_id, name in sorted(due):
        state, fired = _trigger(state, name, order_id, price, place, ruleset)
        events.extend(fired)
    return state, tuple(events)


def _trigger(
    state: ExchangeState, name: str, order_id: int, price: Exact, place: Place, ruleset: RuleSet
) -> tuple[ExchangeState, list[Event]]:
    """One conditional order fires (ACT-COND-5): TRIGGERED, then its placement's events."""
    acct = state.accounts[name]
    order = next((o for o in acct.orders if o.order_id == order_id), None)
    if order is None:  # gone since (an earlier trigger's account was liquidated: not yet)
        return state, []
    rest = tuple(o for o in acct.orders if o.order_id != order_id)
    state = state.with_account(name, with_orders(acct, rest))
    events = [_event("TRIGGERED", name, order, price=price)]
    quantity = order.orig_qty
    reduce_only = order.reduce_only
    if order.close_position:  # close the whole position of the side, now (A-API Close-All)
        held = acct.position(order.symbol, order.position_side).position_amt
        quantity = abs(held) if held * order.side.direction < 0 else ZERO
        reduce_only = not acct.dual_side_position
        if quantity == 0:
            events.append(_event("EXPIRED", name, order, quantity=ZERO))
            return state, events
    limit = order.order_type in ("STOP", "TAKE_PROFIT")
    placed = PlaceOrder(
        account=name,
        symbol=order.symbol,
        side=order.side,
        position_side=order.position_side,
        price=order.price if limit else ZERO,
        quantity=quantity,
        reduce_only=reduce_only,
        order_type="LIMIT" if limit else "MARKET",
        time_in_force=order.time_in_force if limit else "GTC",
    )
    following = state.next_order_id
    after, outcome = place(evolve(state, next_order_id=order_id), placed, ruleset)
    if not outcome.accepted:
        events.append(
            _event(
                "REJECTED",
                name,
                order,
                quantity=quantity,
                code=outcome.code,
                msg=outcome.msg,
                rule=outcome.rule,
            )
        )
        return state, events
    events.extend(outcome.events)
    return evolve(after, next_order_id=following), events


def _event(kind: str, name: str, order: Order, **fields: Any) -> Event:
    return Event(
        kind,
        name,
        symbol=order.symbol,
        position_side=order.position_side.value,
        side=order.side.value,
        order_id=order.order_id,
        **fields,
    )
