"""Order amendment: ``modifyOrder`` (ACT-15, AMEND-*), Binance's ``PUT /fapi/v1/order``
copied by Aster as ``PUT /fapi/v3/order``.

The new price and quantity pass the checks a new order of the same side would
(filters, PERCENT_PRICE, minimum notional, reduce-only netting, -2027, the margin check
of its opening part) with the order itself taken off the book, so the margin it held
counts as free: only what the amendment adds is checked. Two amendments cancel the order
instead (AMEND-3); an accepted one moves it to the back of its price level (AMEND-2).
"""

from __future__ import annotations

from marginspec import margin
from marginspec.exchange import filters
from marginspec.exchange import refusals as R
from marginspec.exchange.actions import ModifyOrder
from marginspec.exchange.events import Event
from marginspec.exchange.fast_figures import available_balance, side_orders
from marginspec.exchange.refusals import accepted, refused
from marginspec.exchange.state import ZERO, ExchangeState, Order, evolve, with_orders
from marginspec.exchange.transitions import (
    Result,
    _account,
    _crossing,
    _max_notional,
    _reducing,
    _symbol,
    opening_quantity,
)
from marginspec.numbers import Exact
from marginspec.ruleset import OrderMarginCheck, ReduceOnlyNetting, RuleSet


def _cancelled(state: ExchangeState, name: str, order: Order) -> Result:
    """The order the amendment cancels (AMEND-3) leaves the book; a ``CANCELED`` event
    names its remaining quantity."""
    acct = state.accounts[name]
    kept = tuple(o for o in acct.orders if o.order_id != order.order_id)
    event = Event(
        "CANCELED",
        name,
        symbol=order.symbol,
        position_side=order.position_side.value,
        side=order.side.value,
        order_id=order.order_id,
        quantity=order.remaining,
    )
    state = state.with_account(name, with_orders(acct, kept))
    return state, accepted(order_id=order.order_id, events=(event,))


def modify_order(state: ExchangeState, a: ModifyOrder, ruleset: RuleSet) -> Result:
    """ACT-15, AMEND-1, AMEND-3, AMEND-4: a resting LIMIT order's new price and quantity.

    Checks in order: the order (-2011), its type (-5025), a change (-5027), price and
    quantity positive (-4001, -4003), the filters (FLT-1, FLT-2), PERCENT_PRICE (-4016,
    -4024); then the cancellations of AMEND-3; then the minimum notional (-5029),
    reduce-only netting (-2022), -2027 and the margin check (-2019, -4118) of AMEND-4.
    """
    if (bad := _account(state, a.account)) or (bad := _symbol(ruleset, a.symbol)):
        return state, bad
    acct = state.accounts[a.account]
    found = next(
        (o for o in acct.orders if o.order_id == a.order_id and o.symbol == a.symbol), None
    )
    if found is None:
        return state, refused(R.UNKNOWN_ORDER)
    if found.order_type != "LIMIT":
        return state, refused(R.AMEND_LIMIT_ONLY)
    if a.price == found.price and a.quantity == found.orig_qty:
        return state, refused(R.AMEND_SAME_ORDER)
    if a.price <= 0:
        return state, refused(R.PRICE_NOT_POSITIVE)
    if a.quantity <= 0:
        return state, refused(R.QTY_NOT_POSITIVE)
    market = ruleset.markets[a.symbol]
    if (bad := filters.price_filter(market, a.price)) or (
        bad := filters.quantity_filter(market, a.quantity, False)
    ):
        return state, bad
    mark = state.mark_prices[a.symbol]
    if bad := filters.percent_price(market, found.side.direction, a.price, mark):
        return state, bad
    # AMEND-3: what the venues cancel rather than refuse
    if a.quantity <= found.executed_qty:
        return _cancelled(state, a.account, found)
    if found.time_in_force == "GTX" and _crossing(state, a.symbol, found.side, a.price, None):
        return _cancelled(state, a.account, found)
    return _amend(state, a, found, ruleset)


def _amend(state: ExchangeState, a: ModifyOrder, found: Order, ruleset: RuleSet) -> Result:
    """AMEND-2: an accepted amendment moves the order behind its price level (the next
    number of the order-id counter is its new time priority); AMEND-4's checks first."""
    market = ruleset.markets[a.symbol]
    acct = state.accounts[a.account]
    side, direction = found.position_side, found.side.direction
    reducing = found.reduce_only or _reducing(side, direction)
    if not reducing and a.price * a.quantity < market.min_notional:
        return state, refused(R.AMEND_MIN_NOTIONAL, market.min_notional)
    others = tuple(o for o in acct.orders if o.order_id != found.order_id)
    without = with_orders(acct, others)  # the book without the order: its margin is free
    remaining = a.quantity - found.executed_qty
    resting = resting_reducing = ZERO
    for o in others:
        if o.symbol == a.symbol and o.position_side is side and o.side is found.side:
            resting += o.remaining
            if o.reduce_only or _reducing(side, direction):
                resting_reducing += o.remaining
    held = acct.position(a.symbol, side).position_amt
    options = ruleset.options
    if reducing:  # ACT-ORD-4 on the amended quantity, the other reducing orders netted
        netted = options.reduce_only_netting is ReduceOnlyNetting.NETTED
        claimed = remaining + (resting_reducing if netted else ZERO)
        if held * direction >= 0 or claimed > abs(held):
            return state, refused(R.REDUCE_ONLY_REJECT)
    mark = state.mark_prices[a.symbol]
    leverage = acct.setting(a.symbol, ruleset).leverage
    lev = Exact(leverage)
    notional = margin.notional(held, mark)
    bids, asks = side_orders(without, a.symbol, side)
    value = remaining * a.price
    before = margin.order_margin_requirement(notional, *side_orders(acct, a.symbol, side), lev)
    after = margin.order_margin_requirement(
        notional,
        bids + value if direction > 0 else bids,
        asks + value if direction < 0 else asks,
        lev,
    )
    if after > before and after * leverage > _max_notional(market, leverage):
        return state, refused(R.MAX_POSITION)  # ACT-ORD-5 on the amended order
    if options.order_margin_check is OrderMarginCheck.OPENING:
        opening = opening_quantity(held, direction, remaining, resting)
        cost = ZERO
        if opening > 0:  # COST-1 of the opening part, against the balance without the order
            cost = margin.cost_to_open(opening, Exact(direction), a.price, mark, lev)
        available = available_balance(without, state, ruleset)
    else:  # the requirement rule: ORD-1's rise over the order as it was, + COST-2
        increase = after - before
        cost = ZERO
        if increase > 0:
            cost = increase + margin.open_loss(remaining, Exact(direction), mark, a.price)
        available = available_balance(acct, state, ruleset)
    if cost > 0 and cost > available:
        if reducing:
            return state, refused(R.REDUCE_ONLY_MARGIN)
        return state, refused(R.MARGIN_NOT_SUFFICIENT)
    amended = evolve(found, price=a.price, orig_qty=a.quantity, priority=state.next_order_id)
    orders = tuple(amended if o.order_id == found.order_id else o for o in acct.orders)
    state = evolve(
        state.with_account(a.account, with_orders(acct, orders)),
        next_order_id=state.next_order_id + 1,
    )
    return state, accepted(order_id=found.order_id)
