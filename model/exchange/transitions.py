"""``apply(state, action, ruleset) -> (state, outcome)``: the model's transitions (ACT-*).

Pure: no printing, no mutation. A refused action returns the very same state object
(INV-6) and an outcome naming the exchange's error code (REF-*). Every margin figure a
precondition reads comes from ``evaluate`` (see :mod:`marginspec.exchange.view`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marginspec import brackets, margin
from marginspec.account import CONDITIONAL_TYPES, MarginType, OrderSide, PositionSide
from marginspec.exchange import filters, self_trade
from marginspec.exchange import refusals as R
from marginspec.exchange.actions import (
    Action,
    CancelAllOrders,
    CancelOrder,
    Deposit,
    Fill,
    Funding,
    LastPrice,
    LiquidationSweep,
    MarkPrice,
    ModifyOrder,
    PlaceOrder,
    PositionMargin,
    SetLeverage,
    SetMarginType,
    SetPositionMode,
    Withdraw,
)
from marginspec.exchange.events import Event
from marginspec.exchange.fast_figures import (
    available_balance,
    max_withdraw,
    side_orders,
    side_requirement,
    totals,
)
from marginspec.exchange.fills import split, trade
from marginspec.exchange.liquidation_engine import sweep
from marginspec.exchange.refusals import Outcome, accepted, refused
from marginspec.exchange.state import (
    INSURANCE_FUND,
    ZERO,
    AccountState,
    ExchangeState,
    Order,
    SymbolSettings,
    evolve,
    with_orders,
    with_position,
)
from marginspec.exchange.triggers import fire, place_conditional
from marginspec.exchange.view import account_figures, position_figures
from marginspec.funding import funding_rate, is_funding_time, premium_average
from marginspec.memo import Memo
from marginspec.numbers import Exact
from marginspec.ruleset import (
    Market,
    OrderMarginCheck,
    ReduceOnlyNetting,
    RuleSet,
    SelfTradePrevention,
)

Result = tuple[ExchangeState, Outcome]


def _account(state: ExchangeState, name: str) -> Outcome | None:
    return None if name in state.accounts else refused(R.UNKNOWN_ACCOUNT, name)


def _user_account(state: ExchangeState, name: str) -> Outcome | None:
    if name == INSURANCE_FUND:
        return refused(R.INSURANCE_FUND_ACTION)
    return _account(state, name)


def _symbol(ruleset: RuleSet, symbol: str) -> Outcome | None:
    return None if symbol in ruleset.markets else refused(R.UNKNOWN_SYMBOL)


# ------------------------------------------------------------------ transfers


def deposit(state: ExchangeState, a: Deposit, ruleset: RuleSet) -> Result:
    """ACT-1: the cross wallet grows by ``amount`` (> 0); the insurance fund may be seeded too."""
    if (bad := _account(state, a.account)) or (bad := _positive(a.amount)):
        return state, bad
    acct = state.accounts[a.account]
    new = evolve(acct, cross_wallet=acct.cross_wallet + a.amount)
    state = evolve(state.with_account(a.account, new), net_deposits=state.net_deposits + a.amount)
    return state, accepted()


def _positive(amount: Exact) -> Outcome | None:
    return None if amount > 0 else refused(R.AMOUNT_NOT_POSITIVE)


def withdraw(state: ExchangeState, a: Withdraw, ruleset: RuleSet) -> Result:
    """ACT-2: at most ``maxWithdrawAmount`` (XFER-1) leaves the cross wallet."""
    if (bad := _user_account(state, a.account)) or (bad := _positive(a.amount)):
        return state, bad
    if a.amount > max_withdraw(state.accounts[a.account], state, ruleset):
        return state, refused(R.WITHDRAW_EXCEEDS)
    acct = state.accounts[a.account]
    new = evolve(acct, cross_wallet=acct.cross_wallet - a.amount)
    state = evolve(state.with_account(a.account, new), net_deposits=state.net_deposits - a.amount)
    return state, accepted()


# ------------------------------------------------------------------ settings


def _with_setting(acct: AccountState, symbol: str, setting: SymbolSettings) -> AccountState:
    settings = dict(acct.settings)
    settings[symbol] = setting
    return evolve(acct, settings=settings)


def set_leverage(state: ExchangeState, a: SetLeverage, ruleset: RuleSet) -> Result:
    """ACT-3, ACT-LEV-2, ACT-LEV-3: LEV-1 range, same value, -4161, -2027 (orders count), -2028."""
    if (bad := _user_account(state, a.account)) or (bad := _symbol(ruleset, a.symbol)):
        return state, bad
    market = ruleset.markets[a.symbol]
    if not 1 <= a.leverage <= market.max_leverage:
        return state, refused(R.INVALID_LEVERAGE, a.leverage)
    acct = state.accounts[a.account]
    old = acct.setting(a.symbol, ruleset)
    if a.leverage == old.leverage:
        return state, accepted()  # ACT-LEV-2: same leverage, nothing to do
    if (
        old.margin_type is MarginType.ISOLATED
        and a.leverage < old.leverage
        and acct.has_position(a.symbol)
    ):
        return state, refused(R.ISOLATED_LEVERAGE_REJECT)
    cap = _max_notional(market, a.leverage)
    for side in acct.sides():
        if side_requirement(acct, state, ruleset, a.symbol, side) * old.leverage > cap:
            return state, refused(R.MAX_POSITION)  # ACT-LEV-3: ORD-1 × L is the exposure
    new = _with_setting(acct, a.symbol, evolve(old, leverage=a.leverage))
    before = totals(acct, state, ruleset)
    increase = totals(new, state, ruleset).in_use - before.in_use
    if increase > 0 and increase > available_balance(acct, state, ruleset, before):
        return state, refused(R.MIN_LEVERAGE_RATIO)
    return state.with_account(a.account, new), accepted()


def set_margin_type(state: ExchangeState, a: SetMarginType, ruleset: RuleSet) -> Result:
    """ACT-4: per symbol; -4046 no change, -4047 open orders, -4048 position (B-MODE, A-MAR)."""
    if (bad := _user_account(state, a.account)) or (bad := _symbol(ruleset, a.symbol)):
        return state, bad
    acct = state.accounts[a.account]
    old = acct.setting(a.symbol, ruleset)
    if old.margin_type is a.margin_type:
        return state, refused(R.NO_NEED_MARGIN_TYPE)
    if acct.has_orders(a.symbol):
        return state, refused(R.MARGIN_TYPE_ORDERS)
    if any(k[0] == a.symbol for k in acct.positions):  # incl. a bankrupt leftover wallet
        return state, refused(R.MARGIN_TYPE_POSITION)
    new = _with_setting(acct, a.symbol, evolve(old, margin_type=a.margin_type))
    return state.with_account(a.account, new), accepted()


def set_position_mode(state: ExchangeState, a: SetPositionMode, ruleset: RuleSet) -> Result:
    """ACT-5: account-wide; -4059 no change, -4067 any open order, -4068 any position."""
    if bad := _user_account(state, a.account):
        return state, bad
    acct = state.accounts[a.account]
    if acct.dual_side_position == a.dual_side_position:
        return state, refused(R.NO_NEED_POSITION_MODE)
    if acct.has_orders():
        return state, refused(R.POSITION_MODE_ORDERS)
    if acct.positions:  # a position, or a bankrupt isolated wallet awaiting the sweep (IF-3)
        return state, refused(R.POSITION_MODE_POSITION)
    new = evolve(acct, dual_side_position=a.dual_side_position)
    return state.with_account(a.account, new), accepted()


# ------------------------------------------------------------------ orders


_CAPS: Memo[Exact] = Memo(1024)


def _max_notional(market: Market, leverage: int) -> Exact:
    """The cap of LEV-3 for a market and leverage, remembered (it depends on nothing else)."""
    key = (id(market), leverage)
    hit = _CAPS.get(key)
    if hit is not None:
        return hit
    return _CAPS.put(key, Exact(brackets.max_notional(market.brackets, Exact(leverage))), market)


def _multiple(value: Exact, step: Exact) -> bool:
    return bool((value / step).denominator == 1)


def _reducing(side: PositionSide, direction: int) -> bool:
    """A hedge-mode order that closes its side (SELL LONG, BUY SHORT) (ACT-ORD-4)."""
    return (side is PositionSide.LONG and direction < 0) or (
        side is PositionSide.SHORT and direction > 0
    )


def opening_quantity(held: Exact, direction: int, quantity: Exact, resting: Exact) -> Exact:
    """ACT-ORD-3: the part of a new order that B-MREQ counts as opening.

    With a position in the order's direction (or none) the whole order opens. Against
    the position, the resting orders of the same direction close it first: a buy
    against a short opens ``NewQty − (|ShortQty| − OpenBuyQty)`` when positive (B-MREQ:
    "short 1, resting buy 0.8, new buy 0.5: 0.5 > 1 − 0.8, so it is opening"); sells
    against a long symmetrically.
    """
    if held * direction >= 0:
        return quantity
    room = abs(held) - resting
    return quantity - room if quantity > room else ZERO


def _crossing(
    state: ExchangeState, symbol: str, side: OrderSide, limit: Exact | None, skip: str | None
) -> list[tuple[str, Order]]:
    """The resting orders (ACT-ORD-8) a taker on ``side`` would trade with, best price first,
    then oldest (price-time priority); ``limit`` None is a MARKET order; ``skip`` an account."""
    buy = side is OrderSide.BUY
    found = [
        (name, o)
        for name, acct in state.accounts.items()
        if name != skip
        for o in acct.orders
        if o.symbol == symbol
        and o.side is not side
        and o.order_type == "LIMIT"  # an untriggered conditional order is not on the book
        and (limit is None or (o.price <= limit if buy else o.price >= limit))
    ]
    found.sort(key=lambda item: (item[1].price if buy else -item[1].price, item[1].queue))
    return found


def _best(state: ExchangeState, symbol: str, side: OrderSide, skip: str) -> Exact | None:
    """The best resting price on ``side`` of the book (ask0 for SELL, bid0 for BUY)."""
    book = _crossing(
        state, symbol, OrderSide.BUY if side is OrderSide.SELL else OrderSide.SELL, None, skip
    )
    return book[0][1].price if book else None


def place_order(state: ExchangeState, a: PlaceOrder, ruleset: RuleSet) -> Result:
    """ACT-6, ACT-ORD-4, ACT-ORD-5, ACT-ORD-6, ACT-ORD-7, ACT-ORD-9, ACT-ORD-10: filters
    (PERCENT_PRICE, MAX_NUM_ORDERS), reduce-only, -2027, the margin check of the opening
    part (ACT-ORD-3) against AVB-1, a market order's price, then the time in force: GTC
    and GTX rest, IOC, FOK and MARKET match now (ACT-ORD-8)."""
    if (bad := _account(state, a.account)) or (bad := _symbol(ruleset, a.symbol)):
        return state, bad
    if a.order_type in CONDITIONAL_TYPES:
        return place_conditional(state, a, ruleset)  # ACT-COND-2
    market = ruleset.markets[a.symbol]
    acct = state.accounts[a.account]
    direction = a.side.direction
    is_market = a.order_type == "MARKET"
    if acct.dual_side_position == (a.position_side is PositionSide.BOTH):
        return state, refused(R.POSITION_SIDE_MISMATCH)
    if acct.dual_side_position and a.reduce_only:
        return state, refused(R.REDUCE_ONLY_IN_HEDGE)
    if not is_market and a.price <= 0:
        return state, refused(R.PRICE_NOT_POSITIVE)
    if a.quantity <= 0:
        return state, refused(R.QTY_NOT_POSITIVE)
    # FLT-1 … FLT-3: PRICE_FILTER (LIMIT), LOT_SIZE or MARKET_LOT_SIZE
    if (not is_market and (bad := filters.price_filter(market, a.price))) or (
        bad := filters.quantity_filter(market, a.quantity, is_market)
    ):
        return state, bad
    mark = state.mark_prices[a.symbol]
    # ACT-ORD-9: PERCENT_PRICE, relative to the mark
    if not is_market and (bad := filters.percent_price(market, direction, a.price, mark)):
        return state, bad
    side = a.position_side
    closing_side = _reducing(side, direction)  # hedge mode: SELL LONG, BUY SHORT
    count = 0
    resting = resting_reducing = ZERO  # the side's open orders in this direction (ACT-ORD-3/4)
    for o in acct.orders:
        if o.symbol == a.symbol:
            count += 1
            if o.position_side is side and o.side is a.side and o.order_type == "LIMIT":
                resting += o.remaining
                if o.reduce_only or closing_side:
                    resting_reducing += o.remaining
    if count >= market.max_num_orders:
        return state, refused(R.MAX_OPEN_ORDERS)  # ACT-ORD-10: MAX_NUM_ORDERS
    price = a.price
    if is_market:  # COST-3: the price a market order is charged at (A-COST)
        ask = _best(state, a.symbol, OrderSide.SELL, a.account)
        bid = _best(state, a.symbol, OrderSide.BUY, a.account)
        price = Exact(
            margin.market_order_price(
                direction, mark if ask is None else ask, mark if bid is None else bid, mark
            )
        )
    reducing = a.reduce_only or closing_side
    # MIN_NOTIONAL: price × quantity; a market order's notional is taken at the mark (A-API)
    notional_price = mark if is_market else a.price
    if not reducing and notional_price * a.quantity < market.min_notional:
        return state, refused(R.MIN_NOTIONAL, market.min_notional)
    if a.time_in_force == "GTX" and _crossing(state, a.symbol, a.side, a.price, None):
        return state, refused(R.POST_ONLY_REJECT)  # ACT-ORD-6: post-only would take
    held = acct.position(a.symbol, side).position_amt
    options = ruleset.options
    if reducing:
        # ACT-ORD-4: a reducing order may only shrink the position; netted, the side's
        # resting reducing orders of the same direction count against it too.
        netted = options.reduce_only_netting is ReduceOnlyNetting.NETTED
        claimed = a.quantity + (resting_reducing if netted else ZERO)
        if held * direction >= 0 or claimed > abs(held):
            return state, refused(R.REDUCE_ONLY_REJECT)
    order = Order(
        order_id=state.next_order_id,
        symbol=a.symbol,
        side=a.side,
        position_side=side,
        price=a.price,
        orig_qty=a.quantity,
        reduce_only=a.reduce_only,
        order_type=a.order_type,
        time_in_force=a.time_in_force,
    )
    new = with_orders(acct, (*acct.orders, order))
    # Only this position side's ORD-1 changes (its position IM does not).
    bids, asks = side_orders(acct, a.symbol, side)
    notional = margin.notional(held, mark)
    leverage = acct.setting(a.symbol, ruleset).leverage
    leverage_value = Exact(leverage)
    value = a.quantity * price
    before = margin.order_margin_requirement(notional, bids, asks, leverage_value)  # ORD-1
    after = margin.order_margin_requirement(
        notional,
        bids + value if direction > 0 else bids,
        asks + value if direction < 0 else asks,
        leverage_value,
    )
    if after > before and after * leverage > _max_notional(market, leverage):
        return state, refused(R.MAX_POSITION)  # ACT-ORD-5 / LEV-3: exposure = ORD-1 × L
    if options.order_margin_check is OrderMarginCheck.OPENING:
        opening = opening_quantity(held, direction, a.quantity, resting)
        cost = ZERO
        if opening > 0:  # COST-1 of the opening part (ACT-ORD-3)
            cost = margin.cost_to_open(opening, Exact(direction), price, mark, leverage_value)
    else:
        increase = after - before
        cost = ZERO
        if increase > 0:  # the earlier rule: ORD-1's rise + COST-2 on the whole order
            cost = increase + margin.open_loss(a.quantity, Exact(direction), mark, price)
    if cost > 0 and cost > available_balance(acct, state, ruleset):
        if reducing:
            return state, refused(R.REDUCE_ONLY_MARGIN)
        return state, refused(R.MARGIN_NOT_SUFFICIENT)
    accounts = dict(state.accounts)
    accounts[a.account] = new
    state = ExchangeState(
        state.mark_prices,
        accounts,
        state.fee_income,
        state.net_deposits,
        order.order_id + 1,
        state.last_prices,
    )
    if not is_market and a.time_in_force in ("GTC", "GTX"):
        return state, accepted(order_id=order.order_id)
    mode = self_trade.order_mode(a.self_trade_prevention_mode, options)
    return _take(state, a.account, order, ruleset, mode)


def _take(
    state: ExchangeState,
    name: str,
    order: Order,
    ruleset: RuleSet,
    mode: SelfTradePrevention = SelfTradePrevention.NONE,
) -> Result:
    """ACT-ORD-8: an IOC, FOK or MARKET order trades now against the resting orders of other
    accounts in price-time priority, each match a FILL-1 at the maker's price; the first
    match that a party cannot take (FILL-5, FILL-8) ends the matching; what is left expires
    (an ``EXPIRED`` event). A FOK order that cannot fill in full trades nothing. A resting
    order of its own account meets self-trade prevention (STP-1, STP-2)."""
    placed = state
    limit = None if order.order_type == "MARKET" else order.price
    events: list[Event] = []
    left = order.orig_qty
    taker_expires, maker_expires = self_trade.expiries(mode)
    skip = name if mode is SelfTradePrevention.NONE else None
    stopped = False  # STP-1: the taker's rest expired in the match
    for maker_name, maker in _crossing(state, order.symbol, order.side, limit, skip):
        if left == 0:
            break
        if maker_name == name:  # STP-1: the taker's mode decides what expires
            if maker_expires:
                acct = state.accounts[name]
                kept = tuple(o for o in acct.orders if o.order_id != maker.order_id)
                state = state.with_account(name, with_orders(acct, kept))
                events.append(self_trade.expired_in_match(name, maker, maker.remaining))
            if taker_expires:
                stopped = True
                break
            continue
        quantity = min(left, maker.remaining)
        after, outcome = fill(state, Fill(maker.order_id, order.order_id, quantity), ruleset)
        if not outcome.accepted:
            break
        state = after
        events.extend(outcome.events)
        left -= quantity
    if order.time_in_force == "FOK" and left > 0:
        state, events, left = placed, [], order.orig_qty  # all or nothing
    if left > 0:
        acct = state.accounts[name]
        kept = tuple(o for o in acct.orders if o.order_id != order.order_id)
        state = state.with_account(name, with_orders(acct, kept))
        if stopped and order.time_in_force != "FOK":  # STP-2: expired by prevention
            events.append(self_trade.expired_in_match(name, order, left))
            return state, accepted(order_id=order.order_id, events=tuple(events))
        events.append(
            Event(
                "EXPIRED",
                name,
                symbol=order.symbol,
                position_side=order.position_side.value,
                side=order.side.value,
                order_id=order.order_id,
                quantity=left,
            )
        )
    return state, accepted(order_id=order.order_id, events=tuple(events))


def cancel_order(state: ExchangeState, a: CancelOrder, ruleset: RuleSet) -> Result:
    """ACT-7: the order leaves the book; -2011 if the account has no such open order."""
    if bad := _account(state, a.account):
        return state, bad
    acct = state.accounts[a.account]
    remaining = tuple(o for o in acct.orders if o.order_id != a.order_id)
    if len(remaining) == len(acct.orders):
        return state, refused(R.UNKNOWN_ORDER)
    return state.with_account(a.account, with_orders(acct, remaining)), accepted()


def cancel_all_orders(state: ExchangeState, a: CancelAllOrders, ruleset: RuleSet) -> Result:
    """ACT-14: every open order of the account on the symbol leaves the book (none: accepted)."""
    if (bad := _account(state, a.account)) or (bad := _symbol(ruleset, a.symbol)):
        return state, bad
    acct = state.accounts[a.account]
    remaining = tuple(o for o in acct.orders if o.symbol != a.symbol)
    if len(remaining) == len(acct.orders):
        return state, accepted()  # nothing to cancel: the state object itself
    return state.with_account(a.account, with_orders(acct, remaining)), accepted()


# ------------------------------------------------------------------ fills


def fill(state: ExchangeState, a: Fill, ruleset: RuleSet) -> Result:
    """ACT-8, FILL-1, FILL-5, FILL-8: the taker trades against the maker at the maker's price."""
    maker_found = state.find_order(a.maker_order_id)
    taker_found = state.find_order(a.taker_order_id)
    if maker_found is None or taker_found is None:
        return state, refused(R.UNKNOWN_ORDER)
    maker_name, maker = maker_found
    taker_name, taker = taker_found
    if maker_name == taker_name:
        return state, refused(R.SELF_TRADE)
    if maker.symbol != taker.symbol or maker.side is taker.side:
        return state, refused(R.SAME_ORDER_BOOK_SIDE)
    price = maker.price
    if maker.order_type in CONDITIONAL_TYPES or taker.order_type in CONDITIONAL_TYPES:
        return state, refused(R.NOT_TRIGGERED)  # ACT-COND-1: not on the book yet
    if maker.order_type == "MARKET":
        return state, refused(R.NO_CROSS)  # a MARKET order never rests (ORD-3)
    if taker.order_type != "MARKET" and (
        (taker.side is OrderSide.BUY and taker.price < price)
        or (taker.side is OrderSide.SELL and taker.price > price)
    ):
        return state, refused(R.NO_CROSS)
    market = ruleset.markets[maker.symbol]
    quantity = a.quantity if a.quantity is not None else min(maker.remaining, taker.remaining)
    if (
        quantity <= 0
        or quantity > maker.remaining
        or quantity > taker.remaining
        or not _multiple(quantity, market.step_size)
    ):
        return state, refused(R.FILL_QUANTITY)
    changed: dict[str, AccountState] = {}
    events: list[Event] = []
    fees = ZERO
    for name, order, rate in (
        (maker_name, maker, market.maker_fee),
        (taker_name, taker, market.taker_fee),
    ):
        acct = state.accounts[name]
        direction = order.side.direction
        held = acct.position(order.symbol, order.position_side).position_amt
        _, opening = split(held, direction, quantity)
        reduce_only = order.reduce_only or _reducing(order.position_side, direction)
        if reduce_only and opening > 0:
            return state, refused(R.REDUCE_ONLY_REJECT)  # FILL-5
        result = trade(
            acct,
            order.symbol,
            order.position_side,
            direction,
            quantity,
            price,
            rate,
            ruleset,
        )
        if (
            result.account.cross_wallet < 0
            and result.account.cross_wallet < acct.cross_wallet
            and opening > 0
        ):
            return state, refused(R.MARGIN_NOT_SUFFICIENT)  # FILL-8: opening needs funds now
        done = order.executed_qty + quantity
        kept = [o for o in result.account.orders if o is not order]
        if done != order.orig_qty:  # partly filled: it keeps its place with less left
            index = result.account.orders.index(order)
            kept.insert(
                index,
                evolve(order, executed_qty=done),
            )
        changed[name] = with_orders(result.account, tuple(kept))
        fees += result.commission
        events.append(
            Event(
                "TRADE",
                name,
                symbol=order.symbol,
                position_side=order.position_side.value,
                side=order.side.value,
                order_id=order.order_id,
                quantity=quantity,
                price=price,
                realized_pnl=result.realized_pnl,
                commission=result.commission,
            )
        )
    accounts = dict(state.accounts)
    accounts.update(changed)
    last = dict(state.last_prices)
    last[maker.symbol] = price  # ACT-COND-9: a trade sets the contract's last price
    state = ExchangeState(
        state.mark_prices,
        accounts,
        state.fee_income + fees,
        state.net_deposits,
        state.next_order_id,
        last,
    )
    return state, accepted(events=tuple(events))


# ------------------------------------------------------------------ market events


def mark_price(state: ExchangeState, a: MarkPrice, ruleset: RuleSet) -> Result:
    """ACT-9: the mark changes, and the MARK_PRICE conditional orders of the symbol watch it
    (ACT-COND-5); liquidation waits for the next sweep (ACT-12)."""
    if bad := _symbol(ruleset, a.symbol):
        return state, bad
    if a.mark_price <= 0:
        return state, refused(R.MARK_NOT_POSITIVE)
    before = state.mark_prices[a.symbol]
    marks = dict(state.mark_prices)
    marks[a.symbol] = a.mark_price
    state, events = fire(
        evolve(state, mark_prices=marks), a.symbol, "MARK_PRICE", before, place_order, ruleset
    )
    return state, accepted(events=events)


def last_price(state: ExchangeState, a: LastPrice, ruleset: RuleSet) -> Result:
    """ACT-16: the symbol's last price changes and its CONTRACT_PRICE conditional orders
    watch it (ACT-COND-5, ACT-COND-9); no margin figure reads the last price."""
    if bad := _symbol(ruleset, a.symbol):
        return state, bad
    if a.last_price <= 0:
        return state, refused(R.LAST_NOT_POSITIVE)
    before = state.last_price(a.symbol)
    last = dict(state.last_prices)
    last[a.symbol] = a.last_price
    state, events = fire(
        evolve(state, last_prices=last), a.symbol, "CONTRACT_PRICE", before, place_order, ruleset
    )
    return state, accepted(events=events)


def funding(state: ExchangeState, a: Funding, ruleset: RuleSet) -> Result:
    """ACT-10, FUND-2, FUND-3: FUND-1 for every position open now, at mark, into its wallet."""
    if bad := _symbol(ruleset, a.symbol):
        return state, bad
    market = ruleset.markets[a.symbol]
    hours = market.funding_interval_hours
    if a.funding_time is not None and not is_funding_time(a.funding_time, hours):
        return state, refused(R.NOT_A_FUNDING_TIME, a.funding_time)  # FUND-6
    if a.funding_rate is None:  # FUND-4 from the interval's premium samples (FUND-5)
        rate = funding_rate(
            premium_average(a.premium_index, hours),
            market.interest_rate,
            hours,
            market.funding_floor,
            market.funding_cap,
        )
    elif not market.funding_floor <= a.funding_rate <= market.funding_cap:
        return state, refused(R.FUNDING_OUT_OF_RANGE)
    else:
        rate = a.funding_rate
    mark = state.mark_prices[a.symbol]
    changed: dict[str, AccountState] = {}
    events: list[Event] = []
    for name, acct in state.accounts.items():
        new = acct
        for (symbol, side), pos in acct.positions.items():
            if symbol != a.symbol or pos.position_amt == 0:
                continue
            amount = margin.funding_payment(pos.position_amt, mark, rate)
            if acct.setting(symbol, ruleset).margin_type is MarginType.ISOLATED:
                new = with_position(
                    new,
                    (symbol, side),
                    evolve(pos, isolated_wallet=pos.isolated_wallet + amount),
                )
            else:
                new = evolve(new, cross_wallet=new.cross_wallet + amount)
            events.append(
                Event("FUNDING_FEE", name, symbol=symbol, position_side=side.value, amount=amount)
            )
        if new is not acct:
            changed[name] = new
    return state.with_accounts(changed), accepted(events=tuple(events))


def position_margin(state: ExchangeState, a: PositionMargin, ruleset: RuleSet) -> Result:
    """ACT-11: type 1 adds (≤ XFER-2), type 2 removes (≤ XFER-3) isolated margin."""
    if (bad := _user_account(state, a.account)) or (bad := _symbol(ruleset, a.symbol)):
        return state, bad
    if a.type not in (1, 2):
        return state, refused(R.MARGIN_TYPE_PARAM)
    if bad := _positive(a.amount):
        return state, bad
    acct = state.accounts[a.account]
    if acct.setting(a.symbol, ruleset).margin_type is not MarginType.ISOLATED:
        return state, refused(R.ADD_ISOLATED_REJECT)
    if acct.dual_side_position == (a.position_side is PositionSide.BOTH):
        return state, refused(R.POSITION_SIDE_MISMATCH)
    pos = acct.position(a.symbol, a.position_side)
    if pos.position_amt == 0:
        return state, refused(R.POSITION_ZERO)
    p = position_figures(account_figures(acct, state, ruleset), a.symbol, a.position_side)
    assert p is not None and p.max_add_margin is not None and p.max_remove_margin is not None
    if a.type == 1 and a.amount > p.max_add_margin:
        return state, refused(R.CROSS_BALANCE_INSUFFICIENT)
    if a.type == 2 and a.amount > p.max_remove_margin:
        return state, refused(R.ISOLATED_BALANCE_INSUFFICIENT)
    delta = a.amount if a.type == 1 else -a.amount
    new = with_position(
        evolve(acct, cross_wallet=acct.cross_wallet - delta),
        (a.symbol, a.position_side),
        evolve(pos, isolated_wallet=pos.isolated_wallet + delta),
    )
    return state.with_account(a.account, new), accepted()


def liquidation_sweep(state: ExchangeState, a: LiquidationSweep, ruleset: RuleSet) -> Result:
    """The sweep (ACT-12): see :mod:`marginspec.exchange.liquidation_engine` (LIQP-*, ADL-*)."""
    new, events = sweep(state, ruleset)
    return new, accepted(events=events)


_HANDLERS: dict[type[Any], Callable[[ExchangeState, Any, RuleSet], Result]] = {
    Deposit: deposit,
    Withdraw: withdraw,
    SetLeverage: set_leverage,
    SetMarginType: set_margin_type,
    SetPositionMode: set_position_mode,
    PlaceOrder: place_order,
    CancelOrder: cancel_order,
    CancelAllOrders: cancel_all_orders,
    Fill: fill,
    MarkPrice: mark_price,
    LastPrice: last_price,
    Funding: funding,
    PositionMargin: position_margin,
    LiquidationSweep: liquidation_sweep,
}

# ACT-15 reuses this module's order helpers, so its module is imported after them.
from marginspec.exchange.amend import modify_order  # noqa: E402

_HANDLERS[ModifyOrder] = modify_order


def apply(state: ExchangeState, action: Action, ruleset: RuleSet) -> Result:
    """The state after ``action`` and its outcome; a refusal returns ``state`` itself."""
    return _HANDLERS[type(action)](state, action, ruleset)
