"""Aimed scenarios that reach a rule's boundary from both sides (issue 12, sixth round):
an order's cost exactly at the available balance, at COST-3's market-order price or a
limit price (AVB-1, ACT-ORD-3); a leverage change whose initial-margin rise is exactly
the available balance, with isolated open orders (ACT-LEV-3); a mark or last price in
(0, 1] (ACT-9, ACT-16); an isolated partial close that leaves the isolated wallet in
(0, 1] (FILL-6); an isolated opening fill that leaves the cross wallet at 0 or just above,
and an opening fill that leaves a negative one as it was (FILL-8); a takeover that puts
the insurance fund's net notional exactly at its limit (IF-5). Seventh round: a leverage
cut whose rise is in (0, 1] after leverage 1 (LEV-1's floor), and a leverage rise with the
exposure exactly at the new leverage's cap (ACT-LEV-3).

Each aims by the model's own figures (AVB-1 from the view, COST-1 and COST-3 from
:mod:`marginspec.margin`, a leverage change or a sweep tried on a copy of the state by
:func:`marginspec.exchange.apply`) and sends the action ON the boundary or one smallest
amount (10^-8) beside it, so that an engine writing ``<=`` for ``<`` (or leaving a term
out of the sum it compares) answers otherwise than the exchange.

They join the aimed table (:data:`marginspec.conformance.moves.aimed.AIMED`) when this
module is imported (by :mod:`marginspec.conformance.moves`).
"""

from __future__ import annotations

import attrs

from marginspec import brackets, margin
from marginspec.account import MarginType, OrderSide, PositionSide
from marginspec.conformance.moves.aimed import AIMED
from marginspec.conformance.moves.aiming import (
    ACCOUNTS,
    BUY,
    SELL,
    Chooser,
    Context,
    account_figures,
    decimal,
    flat,
    mark_of,
    move,
    on_step,
    opening,
    opposite,
    pair,
    round8,
    send,
    size_for,
)
from marginspec.exchange import INSURANCE_FUND, apply
from marginspec.exchange.actions import (
    Action,
    CancelAllOrders,
    Deposit,
    LastPrice,
    LiquidationSweep,
    MarkPrice,
    PlaceOrder,
    PositionMargin,
    SetLeverage,
    SetMarginType,
    Withdraw,
)
from marginspec.exchange.events import Event
from marginspec.exchange.fills import trade
from marginspec.exchange.state import evolve
from marginspec.exchange.view import account_figures as view_account_figures
from marginspec.exchange.view import figures, position_figures
from marginspec.numbers import Exact
from marginspec.ruleset import Market, OrderMarginCheck

#: The smallest amount an action carries (8 places, TRACE-2): one step off a boundary.
EPSILON = Exact(1, 10**8)
ZERO = Exact(0)
BOTH = PositionSide.BOTH


def _flat_pair(ctx: Context, c: Chooser) -> tuple[str, str] | None:
    """An (account, symbol) with no order and no position there, or None."""
    free = [(a, s) for a in ACCOUNTS for s in sorted(ctx.model.ruleset.markets) if flat(ctx, a, s)]
    return c.choice(free) if free else None


def _flat_at_top(ctx: Context, c: Chooser) -> tuple[str, str, Market, Exact] | None:
    """A flat (account, symbol) as :func:`_flat_pair`, its market and the cap of LEV-3 at
    the market's maximum leverage, or None."""
    found = _flat_pair(ctx, c)
    if found is None:
        return None
    account, symbol = found
    market = ctx.model.ruleset.markets[symbol]
    return (
        account,
        symbol,
        market,
        Exact(brackets.max_notional(market.brackets, Exact(market.max_leverage))),
    )


def _available_to(ctx: Context, account: str, target: Exact, at_least: bool) -> Exact | None:
    """Bring ``account``'s available balance (AVB-1) to ``target`` by a deposit or a
    withdrawal: exactly when the difference is a decimal, else on 8 places at or above
    the target (``at_least``) or below it. The amount withdrawn (0 after a deposit), for
    :func:`_give_back`; None when a withdrawal would pass ``maxWithdrawAmount`` (XFER-1)
    or the balance is held at AVB-1's floor of 0."""
    f = account_figures(ctx, account)
    have = f.available_balance
    if have <= 0 and target > 0:
        return None  # AVB-1's max(0, …) may hide a deficit a deposit would only fill
    if have < target:
        amount = target - have
        sent = decimal(amount) if at_least else round8(amount)
        if sent > 0:
            send(ctx, Deposit(account, sent))
        return Exact(0)
    amount = have - target
    sent = round8(amount) if at_least else decimal(amount)
    if sent > f.max_withdraw:
        return None
    if sent > 0:
        send(ctx, Withdraw(account, sent))
    return sent


def _give_back(ctx: Context, account: str, withdrawn: Exact | None) -> None:
    """Deposit what :func:`_available_to` withdrew: the boundary is tried, and the
    account goes on with its balance (a run of drained accounts refuses everything)."""
    if withdrawn and ctx.caps.supports("deposit"):
        send(ctx, Deposit(account, withdrawn))


def _best(ctx: Context, symbol: str, side: OrderSide, skip: str) -> Exact | None:
    """The best resting LIMIT price of ``side`` on ``symbol`` among the other accounts'
    orders (COST-3's ask0 for SELL, bid0 for BUY), None on an empty side."""
    prices = [
        o.price
        for name, acct in ctx.model.state.accounts.items()
        if name != skip
        for o in acct.orders
        if o.symbol == symbol and o.side is side and o.order_type == "LIMIT"
    ]
    if not prices:
        return None
    return min(prices) if side is SELL else max(prices)


@move(AIMED, "deposit", "withdraw", "placeOrder")
def cost_at_available(ctx: Context, c: Chooser) -> None:
    """An opening order sent with the available balance (AVB-1) 10^-8 short of its
    COST-1 (ACT-ORD-3 refuses it, -2019), then exactly at it (accepted: ``cost >
    available`` is false). An engine comparing with ``>=`` refuses the second.

    Three times in four the order is a MARKET order, charged at COST-3's price: a buy
    at the best ask plus 0.05 %, a sell at max(best bid, mark). Another account first
    rests an order a few ticks above the mark on the other side (a bid ABOVE the mark
    for a sell, so that max(bid0, mark) is the bid) and one beyond it on the order's
    own side, or the book is left as it is (an empty side is priced at the mark). The
    cost differs between those prices by cents, so an engine taking the mark or the
    wrong side of the book for the best price, leaving the 0.05 % out, subtracting or
    dividing it, or pricing a buy like a sell, accepts the order the exchange refuses
    or refuses the one it accepts."""
    account = c.choice(ACCOUNTS)
    symbol = c.choice(sorted(ctx.model.ruleset.markets))
    market = ctx.model.ruleset.markets[symbol]
    acct = ctx.model.state.accounts[account]
    held = ZERO if acct.dual_side_position else acct.position(symbol, BOTH).position_amt
    opening_rule = ctx.model.ruleset.options.order_margin_check is OrderMarginCheck.OPENING
    if not opening_rule and not flat(ctx, account, symbol):
        return  # the earlier rule's cost depends on the open orders: a flat account only
    # ACT-ORD-3: an order adding to the position (or opening one) opens in full, whatever
    # rests: its cost is COST-1 of the whole quantity
    side = c.choice((BUY, SELL)) if held == 0 else (BUY if held > 0 else SELL)
    tick = market.tick_size
    mark = mark_of(ctx, symbol)
    near = on_step(mark, tick)
    is_market = "MARKET" in ctx.caps.order_types and c.choice((True, True, True, False))
    if is_market and c.choice((True, True, False)):
        other = c.choice(tuple(a for a in ACCOUNTS if a != account))
        offset = tick * c.choice((1, 3, 20))
        # the other side of the book: an ask above the mark for a buy, a bid above it
        # for a sell (the band allows either a few ticks off)
        rest = near + offset
        rest_side = opposite(side)
        size = size_for(ctx, c, market, Exact(c.choice((500, 3000))))
        held = opening(ctx, other, rest_side)
        send(ctx, PlaceOrder(other, symbol, rest_side, held, rest, size))
        # and the order's own side beyond it (a bid under the ask, an ask over the bid):
        # an engine reading one side of the book for the other prices the order there
        beyond = rest - offset * 2 if side is BUY else rest + offset
        held = opening(ctx, other, side)
        send(ctx, PlaceOrder(other, symbol, side, held, beyond, size))
    if is_market:
        ask = _best(ctx, symbol, SELL, account)
        bid = _best(ctx, symbol, BUY, account)
        price = Exact(
            margin.market_order_price(
                side.direction, mark if ask is None else ask, mark if bid is None else bid, mark
            )
        )
    else:
        price = near + tick * c.choice((0, 1, -1, 5))
        if price <= 0:
            return
    leverage = Exact(ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage)
    unit = Exact(margin.cost_to_open(Exact(1), Exact(side.direction), price, mark, leverage))
    if unit <= 0:
        return
    quantity = size_for(ctx, c, market, Exact(c.choice((200, 1000, 5000))))
    if quantity * mark < market.min_notional:
        quantity = on_step(market.min_notional / mark, market.step_size, up=True)
    cost = quantity * unit
    order = PlaceOrder(account, symbol, side, opening(ctx, account, side), price, quantity)
    if is_market:
        order = attrs.evolve(order, order_type="MARKET", price=Exact(0))
    _short_then_exact(ctx, account, cost, order)


def _short_then_exact(ctx: Context, account: str, edge: Exact, action: Action) -> None:
    """Send ``action`` with the available balance 10^-8 short of ``edge`` (refused), then
    exactly at it (accepted): both sides of ``edge > available`` in one call, the short
    one first (a refusal leaves the state as it was)."""
    withdrawn = _available_to(ctx, account, edge - EPSILON, at_least=False)
    if withdrawn is None:
        return
    if send(ctx, action).get("status") == "refused":
        have = account_figures(ctx, account).available_balance
        if edge > have:
            send(ctx, Deposit(account, decimal(edge - have)))
        send(ctx, action)
    _give_back(ctx, account, withdrawn)


@move(AIMED, "setMarginType", "setLeverage", "placeOrder", "deposit", "withdraw")
def leverage_rise_at_available(ctx: Context, c: Chooser) -> None:
    """A leverage cut whose rise of initial margin is 10^-8 more than the available
    balance (ACT-LEV-3 refuses it, -2028), then exactly the available balance (accepted);
    the rise is tried on a copy of the state. The account holds only open orders on the
    symbol (it rests one first), mostly in ISOLATED mode: the rise is then all isolated
    open-order IM (AVB-1's Σisolated openOrderIM), which an engine summing the cross
    part alone (or subtracting the isolated part) does not see, and accepts the cut
    the exchange refuses. On the boundary itself an engine comparing with ``>=``
    refuses the cut the exchange accepts."""
    account = c.choice(ACCOUNTS)
    symbol = c.choice(sorted(ctx.model.ruleset.markets))
    market = ctx.model.ruleset.markets[symbol]
    acct = ctx.model.state.accounts[account]
    if acct.has_position(symbol):
        return  # an isolated cut with a position is -4161; a cross one is aimed elsewhere
    setting = acct.setting(symbol, ctx.model.ruleset)
    if (
        setting.margin_type is not MarginType.ISOLATED
        and not acct.has_orders(symbol)
        and c.choice((True, True, False))
        and ctx.caps.supports("setMarginType")
    ):
        send(ctx, SetMarginType(account, symbol, MarginType.ISOLATED))
    now = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage
    if now < 4:
        send(ctx, SetLeverage(account, symbol, min(20, market.max_leverage)))
        now = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage
    side = c.choice((BUY, SELL))
    near = on_step(mark_of(ctx, symbol), market.tick_size)
    # a bid below the mark or an ask above it: no open loss, the IM is all there is
    price = near - market.tick_size if side is BUY else near + market.tick_size
    size = size_for(ctx, c, market, Exact(c.choice((300, 1000, 4000))))
    made = send(ctx, PlaceOrder(account, symbol, side, opening(ctx, account, side), price, size))
    if "orderId" not in made:
        return
    target = c.choice((1, 2, max(1, now // 2)))
    if target >= now:
        return
    action = SetLeverage(account, symbol, target)
    # The rise, tried on a copy with a large deposit (AVB-1's floor of 0 kept away).
    rich, _ = apply(ctx.model.state, Deposit(account, Exact(10**9)), ctx.model.ruleset)
    cut, _ = apply(rich, action, ctx.model.ruleset)
    if cut is rich:
        return  # refused for another reason (-2027 on the cap)
    before = figures(rich, account, ctx.model.ruleset).available_balance
    rise = before - figures(cut, account, ctx.model.ruleset).available_balance
    if rise <= 0:
        return
    _short_then_exact(ctx, account, rise, action)


@move(AIMED, "setLeverage", "placeOrder", "deposit", "withdraw")
def small_leverage_rise(ctx: Context, c: Chooser) -> None:
    """A leverage cut whose rise of initial margin is small, in (0, 1], sent with the
    available balance 10^-8 under the rise (ACT-LEV-3 refuses it, -2028), then exactly at
    it (accepted). The refusal needs ``increase > 0`` and ``increase > available``: an
    engine guarding with ``increase > 1`` (or rounding the rise down to a whole unit)
    accepts the first cut. :func:`leverage_rise_at_available` tries rises of tens or
    hundreds, where the two guards agree.

    An account holding nothing on the symbol first sets leverage 1, the bottom of LEV-1's
    range (accepted: nothing is held, so no margin rises; an engine whose range starts at
    2 refuses it), then min(20, the market's maximum) L, rests one order of one to two
    times the minimum notional a tick off the mark (no open loss), and cuts to L − 1:
    the rise is the order's value / (L·(L − 1)), a fraction of 1 on the bundled markets."""
    found = _flat_pair(ctx, c)
    if found is None:
        return
    account, symbol = found
    market = ctx.model.ruleset.markets[symbol]
    send(ctx, SetLeverage(account, symbol, 1))
    high = min(20, market.max_leverage)
    if high < 2:
        return
    send(ctx, SetLeverage(account, symbol, high))
    side = c.choice((BUY, SELL))
    near = on_step(mark_of(ctx, symbol), market.tick_size)
    price = near - market.tick_size if side is BUY else near + market.tick_size
    if price <= 0:
        return
    notional = market.min_notional * c.choice((1, 2))
    quantity = max(on_step(notional / price, market.step_size, up=True), market.step_size)
    placed = PlaceOrder(account, symbol, side, opening(ctx, account, side), price, quantity)
    if "orderId" not in send(ctx, placed):
        return
    action = SetLeverage(account, symbol, high - 1)
    rich, _ = apply(ctx.model.state, Deposit(account, Exact(10**9)), ctx.model.ruleset)
    cut, _ = apply(rich, action, ctx.model.ruleset)
    if cut is rich:
        return
    before = figures(rich, account, ctx.model.ruleset).available_balance
    rise = before - figures(cut, account, ctx.model.ruleset).available_balance
    if not 0 < rise <= 1:
        return
    _short_then_exact(ctx, account, rise, action)


def exact_bids(total: Exact, mark: Exact, market: Market) -> tuple[tuple[Exact, Exact], ...]:
    """One or two (price, quantity) pairs whose values ``price × quantity`` add up to
    ``total`` exactly: prices on the tick within 1 % (and 2000 ticks) under ``mark``, quantities on the
    step and inside LOT_SIZE, each value at least the minimum notional. Empty when none
    is found (``total`` not a whole number of tick × step, or no split in the window)."""
    unit = market.tick_size * market.step_size
    whole = total / unit
    if whole.denominator != 1 or total <= 0:
        return ()
    n = int(whole)
    top = int(mark / market.tick_size)
    # at most 2000 ticks: a mark of many ticks (a market moved far) would make it long
    bottom = max(1, int(mark * Exact(99, 100) / market.tick_size) + 1, top - 2000)
    if top < bottom:
        return ()
    largest = market.max_qty / market.step_size if market.max_qty > 0 else None

    def fits(ticks: int, steps: int) -> bool:
        return (
            steps >= 1
            and ticks * steps * unit >= market.min_notional
            and (largest is None or steps <= largest)
        )

    ticks_range = range(top, bottom - 1, -1)
    for ticks in ticks_range:  # one order: a divisor of n in the window
        if n % ticks == 0 and fits(ticks, n // ticks):
            return ((ticks * market.tick_size, n // ticks * market.step_size),)
    # two orders: a·m1 + b·m2 = n with a few steps b at a second price m2 in the window
    least = int(market.min_notional / (bottom * unit)) + 1
    for m1 in ticks_range:
        for b in range(least, least + 4):
            low_a = (n - b * top + m1 - 1) // m1
            for a in range(max(1, low_a), (n - b * bottom) // m1 + 1):
                rest = n - a * m1
                if rest % b == 0 and bottom <= rest // b <= top and fits(m1, a):
                    m2 = rest // b
                    if fits(m2, b):
                        return (
                            (m1 * market.tick_size, a * market.step_size),
                            (m2 * market.tick_size, b * market.step_size),
                        )
    return ()


@move(AIMED, "setLeverage", "placeOrder")
def exposure_at_cap(ctx: Context, c: Chooser) -> None:
    """A leverage rise to the market's maximum L with the exposure (ORD-1 × the old
    leverage, LEV-3) exactly at the new leverage's cap: accepted, since ACT-LEV-3 refuses
    only an exposure ``> cap`` (-2027); an engine comparing with ``>=`` refuses it.

    An account holding nothing on the symbol takes the leverage of the next bracket down
    (the highest whose cap is larger, so the bids fit under ACT-ORD-5 and cost least),
    rests one or two bids within 1 % under the mark whose values add up to the cap
    exactly (:func:`exact_bids`), funded by a deposit when the available balance falls
    short, then asks for L."""
    found = _flat_at_top(ctx, c)
    if found is None:
        return
    account, symbol, market, cap = found
    table = market.brackets
    top = market.max_leverage
    lower = [
        int(b.initial_leverage)
        for b in table
        if Exact(brackets.max_notional(table, b.initial_leverage)) > cap
    ]
    if not lower or cap <= 0:
        return
    low = max(lower)
    bids = exact_bids(cap, mark_of(ctx, symbol), market)
    if not bids:
        return
    if ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage != low:
        send(ctx, SetLeverage(account, symbol, low))
    if ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage != low:
        return
    short = cap / low - account_figures(ctx, account).available_balance
    if short > 0:
        if not ctx.caps.supports("deposit"):
            return
        send(ctx, Deposit(account, decimal(short + 1)))
    held = opening(ctx, account, BUY)
    for price, quantity in bids:
        if "orderId" not in send(ctx, PlaceOrder(account, symbol, BUY, held, price, quantity)):
            return
    send(ctx, SetLeverage(account, symbol, top))


@move(AIMED, "markPrice")
def price_floor(ctx: Context, c: Chooser) -> None:
    """A mark price (ACT-9), then a last price (ACT-16), of 1 or 0.5: positive, so both
    are taken (only a price ``<= 0`` is refused, REF-44 and REF-67); an engine refusing
    prices up to 1 (a floor of 1 for 0) refuses them. The old price is put back at once, and no sweep
    follows, so nothing is liquidated on the way."""
    symbol = c.choice(sorted(ctx.model.ruleset.markets))
    low = c.choice((Exact(1), Exact(1, 2)))
    before = mark_of(ctx, symbol)
    send(ctx, MarkPrice(symbol, low))
    send(ctx, MarkPrice(symbol, before))
    if ctx.caps.supports("lastPrice"):
        last = ctx.model.state.last_price(symbol)
        send(ctx, LastPrice(symbol, low))
        send(ctx, LastPrice(symbol, last))


@move(AIMED, "setMarginType", "setLeverage", "placeOrder", "fill")
def isolated_release(ctx: Context, c: Chooser) -> None:
    """An isolated position partly closed at the price that leaves its isolated wallet,
    after the closing part's PnL and fee, at 1/2 or 1 (FILL-6): positive, so the closed
    share of it is released to the cross wallet. An engine releasing only a wallet above
    1 (or some other floor above 0) keeps it isolated, and the cross wallet differs.

    The account opens at the mark as the maker (the opening IM at the trade price is
    the isolated wallet, IM-1), at a leverage of 10 or more so that the closing price
    (about 1/L below the entry for a long) stays inside PERCENT_PRICE's band, then
    sells all but one step as the maker at that price."""
    found = _flat_pair(ctx, c)
    if found is None or not ctx.caps.supports("setMarginType"):
        return
    account, symbol = found
    market = ctx.model.ruleset.markets[symbol]
    if ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).margin_type is not (
        MarginType.ISOLATED
    ):
        send(ctx, SetMarginType(account, symbol, MarginType.ISOLATED))
    if ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage < 10:
        send(ctx, SetLeverage(account, symbol, min(20, market.max_leverage)))
    side = c.choice((BUY, SELL))
    held = opening(ctx, account, side)
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    quantity = size_for(ctx, c, market, Exact(c.choice((600, 2000))))
    if quantity <= market.step_size:
        quantity = market.step_size * 2
    if not pair(ctx, c, account, symbol, side, quantity, price, position_side=held):
        return
    pos = ctx.model.state.accounts[account].position(symbol, held)
    if pos.position_amt == 0 or pos.isolated_wallet <= 1:
        return
    closing = abs(pos.position_amt) - market.step_size
    keep = c.choice((Exact(1, 2), Exact(1)))
    sign = 1 if pos.position_amt > 0 else -1
    # iw + sign × closing × (p − entry) − fee(p) = keep, the fee the maker's
    rate = market.maker_fee
    exact = (keep - pos.isolated_wallet + sign * closing * pos.entry_price) / (
        closing * (sign - rate)
    )
    # rounded toward the side that leaves a little more than ``keep`` (a long: up)
    close_at = on_step(exact, market.tick_size, up=sign > 0)
    left = pos.isolated_wallet + sign * closing * (close_at - pos.entry_price)
    left -= closing * close_at * rate
    if not 0 < left <= 1:
        return
    pair(ctx, c, account, symbol, opposite(side), closing, close_at, position_side=held)


@move(AIMED, "setMarginType", "placeOrder", "fill", "deposit", "withdraw")
def isolated_open_drains_cross(ctx: Context, c: Chooser) -> None:
    """An isolated opening fill that moves the cross wallet's last cent into the isolated
    wallet (FILL-8): the account has no cross position and its orders are cancelled (so
    AVB-1 is its cross wallet; isolated positions keep their margin apart), its cross wallet is set to the
    order's initial margin exactly (or that plus 1/2), the order rests at a price
    that costs exactly that (COST-1, no open loss) and fills as the maker (no fee).
    The cross wallet ends at 0 (or 1/2): not negative, so the fill stands; an engine
    refusing at 0 (``<= 0``) or below 1 refuses it."""
    account = c.choice(ACCOUNTS)
    state = ctx.model.state
    acct = state.accounts[account]
    if not ctx.caps.supports("setMarginType"):
        return
    if acct.orders and ctx.caps.supports("cancelAllOpenOrders"):
        # open orders hold AVB-1 below the wallet: cancelled (ACT-14), the two are one
        for sym in sorted({o.symbol for o in acct.orders}):
            send(ctx, CancelAllOrders(account, sym))
        acct = ctx.model.state.accounts[account]
    if acct.orders:
        return
    if any(
        pos.position_amt != 0
        and acct.setting(sym, ctx.model.ruleset).margin_type is MarginType.CROSS
        for (sym, _), pos in acct.positions.items()
    ):
        return
    symbol = c.choice(sorted(ctx.model.ruleset.markets))
    market = ctx.model.ruleset.markets[symbol]
    if market.maker_fee != 0 or not flat(ctx, account, symbol):
        return
    if acct.setting(symbol, ctx.model.ruleset).margin_type is not MarginType.ISOLATED:
        send(ctx, SetMarginType(account, symbol, MarginType.ISOLATED))
    side = c.choice((BUY, SELL))
    near = on_step(mark_of(ctx, symbol), market.tick_size)
    price = near - market.tick_size if side is BUY else near + market.tick_size
    quantity = size_for(ctx, c, market, Exact(c.choice((300, 1500))))
    leverage = Exact(ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage)
    im = Exact(
        margin.cost_to_open(quantity, Exact(side.direction), price, mark_of(ctx, symbol), leverage)
    )
    extra = c.choice((Exact(0), Exact(0), Exact(1, 2)))
    withdrawn = _available_to(ctx, account, im + extra, True)
    if withdrawn is None:
        return
    if ctx.model.state.accounts[account].cross_wallet == im + extra:  # else not a decimal
        held = opening(ctx, account, side)
        pair(ctx, c, account, symbol, side, quantity, price, position_side=held)
    _give_back(ctx, account, withdrawn)


@move(AIMED, "placeOrder", "fill", "markPrice", "withdraw")
def negative_wallet_opening(ctx: Context, c: Chooser) -> None:
    """An opening fill that leaves a NEGATIVE cross wallet as it was (FILL-8): it stands,
    since the fill does not lower the wallet (``result < before`` is false); an engine
    refusing an opening fill whenever the wallet is not above what it was (``<=``), or
    whenever it is negative, refuses it.

    A cross long is opened at the mark as the maker (no fee, A-FEE), the mark rises 10 %
    (the unrealised profit keeps AVB-1 positive), the wallet is withdrawn to a little
    under the loss of selling half of it 5 % under the entry, and a part just large
    enough is sold there: the realised loss puts the wallet below 0. The account then buys a little more as the maker: the fee is 0, so
    the cross wallet is unchanged."""
    account = c.choice(ACCOUNTS)
    symbol = c.choice(sorted(ctx.model.ruleset.markets))
    market = ctx.model.ruleset.markets[symbol]
    acct = ctx.model.state.accounts[account]
    setting = acct.setting(symbol, ctx.model.ruleset)
    if market.maker_fee != 0 or setting.margin_type is not MarginType.CROSS:
        return
    if not flat(ctx, account, symbol):
        return
    if setting.leverage < 20 <= market.max_leverage and ctx.caps.supports("setLeverage"):
        # at 20x the profit left after the loss outweighs the IM: AVB-1 stays positive
        send(ctx, SetLeverage(account, symbol, 20))
    held = opening(ctx, account, BUY)
    near = on_step(mark_of(ctx, symbol), market.tick_size)
    quantity = size_for(ctx, c, market, Exact(c.choice((2000, 6000))))
    if not pair(ctx, c, account, symbol, BUY, quantity, near, position_side=held):
        return
    high = on_step(near * Exact(11, 10), market.tick_size)
    send(ctx, MarkPrice(symbol, high))
    low = on_step(near * Exact(95, 100), market.tick_size)
    loss = near - low  # per unit sold, the entry being ``near``
    if loss <= 0:
        return
    # The wallet is withdrawn to half the loss of selling half the long (or as far as
    # XFER-1 allows): the sale then leaves it about that much below 0, and no more, so
    # that the other positions' margin does not take AVB-1 to 0 first.
    half = on_step(quantity / 2, market.step_size)
    wallet = ctx.model.state.accounts[account].cross_wallet
    out = round8(min(wallet - half * loss / 2, account_figures(ctx, account).max_withdraw))
    if out > 0:
        send(ctx, Withdraw(account, out))
    wallet = ctx.model.state.accounts[account].cross_wallet
    sold = on_step(wallet / loss, market.step_size, up=True) + market.step_size
    if sold >= quantity:
        return
    if not pair(ctx, c, account, symbol, SELL, sold, low, position_side=held):
        return
    if ctx.model.state.accounts[account].cross_wallet >= 0:
        return
    more = on_step(market.min_notional * 2 / high, market.step_size, up=True)
    pair(ctx, c, account, symbol, BUY, more, high - market.tick_size, position_side=held)


def _sweep_events(ctx: Context, fund_deposit: Exact) -> tuple[Event, ...]:
    """The events of a sweep tried on a copy of the state, the fund seeded first."""
    state, ruleset = ctx.model.state, ctx.model.ruleset
    if fund_deposit > 0:
        state, _ = apply(state, Deposit(INSURANCE_FUND, fund_deposit), ruleset)
    _, outcome = apply(state, LiquidationSweep(), ruleset)
    return outcome.events


@move(AIMED, "placeOrder", "fill", "withdraw", "markPrice", "deposit", "liquidationSweep")
def fund_at_limit(ctx: Context, c: Chooser) -> None:
    """A liquidated position the insurance fund takes over with its net notional exactly
    at IF-5's limit (``net <= limit × margin balance``): it may hold it, so it takes it
    over; 10^-8 less in the fund and it may not, and ADL closes it against the
    counterparty. An engine comparing with ``<`` auto-deleverages at the limit.

    A cross account flat on the symbol opens a position of 10 to 50 steps (a quantity
    whose bankruptcy price is a finite decimal when it holds nothing else) as the maker, withdraws to XFER-1's maximum,
    and the mark moves 5 % against it (or a long's crashes to where its notional is
    about 1/2, so that the limit is met at a fund balance under 1). The fund's margin balance right after the
    takeover (LIQP-6, the clearance fee already in) is worked out with the model's own
    fill and figures; the fund is seeded (ACT-1) to the balance at which the limit is
    met exactly, checked on a copy of the state: with that seed the fund takes the
    position, with 10^-8 less ADL does. Then the sweep."""
    limit = ctx.model.ruleset.options.fund_max_net_notional
    if limit is None or limit <= 0:
        return
    state = ctx.model.state
    found = _flat_pair(ctx, c)
    if found is None:
        return
    account, symbol = found
    market = ctx.model.ruleset.markets[symbol]
    if state.accounts[account].setting(symbol, ctx.model.ruleset).margin_type is not (
        MarginType.CROSS
    ):
        return
    side = c.choice((BUY, SELL))
    near = on_step(mark_of(ctx, symbol), market.tick_size)
    quantity = market.step_size * c.choice((10, 20, 40, 50))
    if quantity * near < market.min_notional:
        return
    held = opening(ctx, account, side)
    if not pair(ctx, c, account, symbol, side, quantity, near, position_side=held):
        return
    most = round8(account_figures(ctx, account).max_withdraw)
    if most > 0:
        send(ctx, Withdraw(account, most))
    against = Exact(95, 100) if side is BUY else Exact(105, 100)
    crashed = on_step(near * against, market.tick_size)
    if side is BUY and c.choice((False, True)):
        # a long's mark crashed so far that its notional is about 1/2: the fund's net
        # notional and margin balance meet below 1, where a floor of 1 under the
        # balance (instead of 0) refuses what IF-5 lets the fund hold
        crashed = max(on_step(1 / (2 * quantity), market.tick_size), market.tick_size)
    send(ctx, MarkPrice(symbol, crashed))
    # where the fund takes it over (a rich fund surely may): the price and the fee before
    rich = _sweep_events(ctx, Exact(10**12))
    taken = [e for e in rich if e.type == "TAKEOVER" and e.symbol == symbol]
    if len(taken) != 1 or taken[0].price is None or taken[0].quantity != quantity:
        return
    fee = sum(
        (e.amount or ZERO for e in rich if e.type == "INSURANCE_CLEAR" and e.account == account),
        ZERO,
    )
    fund = ctx.model.state.accounts[INSURANCE_FUND]
    fund = evolve(fund, cross_wallet=fund.cross_wallet + fee)
    after = trade(
        fund, symbol, BOTH, side.direction, quantity, taken[0].price, ZERO, ctx.model.ruleset
    )
    f = view_account_figures(after.account, ctx.model.state, ctx.model.ruleset)
    net = sum((abs(p.notional) for p in f.positions), ZERO)
    seed = net / limit - f.total_margin_balance
    if seed <= EPSILON or decimal(seed) != seed:
        return
    at = _sweep_events(ctx, seed)
    short = _sweep_events(ctx, seed - EPSILON)
    if not any(e.type == "TAKEOVER" and e.quantity == quantity for e in at):
        return
    if not any(e.type == "ADL" for e in short):
        return
    send(ctx, Deposit(INSURANCE_FUND, seed))
    send(ctx, LiquidationSweep())


def _isolated_at(ctx: Context, account: str, symbol: str, leverage: int) -> bool:
    """Make ``account``'s ``symbol`` isolated at ``leverage`` (it holds nothing there)."""
    setting = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset)
    if setting.margin_type is not MarginType.ISOLATED:
        send(ctx, SetMarginType(account, symbol, MarginType.ISOLATED))
    if setting.leverage != leverage:
        send(ctx, SetLeverage(account, symbol, leverage))
    setting = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset)
    return setting.margin_type is MarginType.ISOLATED and setting.leverage == leverage


#: Leverages whose initial margin (notional / L) of a decimal notional is a decimal.
DECIMAL_LEVERAGES = (2, 4, 5, 10, 20, 25)


@move(AIMED, "setMarginType", "setLeverage", "placeOrder", "fill", "positionMargin", "markPrice")
def remove_at_cap(ctx: Context, c: Chooser) -> None:
    """A removal of isolated margin of exactly ``maxRemovableMargin`` (XFER-3): accepted,
    since ACT-11 refuses only an amount ``> max`` (-4051); one 10^-8 above it first,
    refused. An engine comparing with ``>=`` refuses the removal at the cap.

    The cap is a decimal of 8 places only when every term of XFER-3 is: an account flat
    on a symbol opens an isolated position at the mark as the maker, at a leverage whose
    IM terminates (:data:`DECIMAL_LEVERAGES`), so that its isolated wallet is the opening
    IM and nothing can be removed; it adds 1 or 10 (XFER-2), and the mark stays or moves
    a few ticks (the IM term then carries uPnL and the IM at the new mark). Elsewhere the
    cap has more places, a removal rounded to 8 sits under it, and the two comparisons
    answer alike."""
    found = _flat_pair(ctx, c)
    if found is None or not ctx.caps.supports("setMarginType"):
        return
    account, symbol = found
    market = ctx.model.ruleset.markets[symbol]
    choices = [lev for lev in DECIMAL_LEVERAGES if lev <= market.max_leverage]
    if not choices or not _isolated_at(ctx, account, symbol, c.choice(choices)):
        return
    side = c.choice((BUY, SELL))
    held = opening(ctx, account, side)
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    quantity = size_for(ctx, c, market, Exact(c.choice((200, 1000))))
    if not pair(ctx, c, account, symbol, side, quantity, price, position_side=held):
        return
    send(ctx, PositionMargin(account, symbol, held, Exact(c.choice((1, 10))), 1))
    ticks = c.choice((0, 0, 3, -3))
    if ticks:
        send(ctx, MarkPrice(symbol, price + market.tick_size * ticks))
    pos = position_figures(account_figures(ctx, account), symbol, held)
    if pos is None or pos.max_remove_margin is None or pos.max_remove_margin <= 0:
        return
    cap = pos.max_remove_margin
    if round8(cap) != cap:
        return  # not a decimal of 8 places: no action carries it
    send(ctx, PositionMargin(account, symbol, held, cap + EPSILON, 2))
    send(ctx, PositionMargin(account, symbol, held, cap, 2))


@move(AIMED, "setLeverage", "placeOrder", "fill", "markPrice")
def same_leverage_over_cap(ctx: Context, c: Chooser) -> None:
    """The leverage already in force asked for again while the exposure is above that
    leverage's cap (LEV-3): accepted at once, ACT-LEV-2 (nothing changes). An engine
    that runs ACT-LEV-3's checks on an unchanged leverage refuses it (-2027).

    An account flat on a symbol takes the market's maximum leverage, opens a position of
    about 90 % of that leverage's cap at the mark (under ACT-ORD-5's cap), the mark rises
    15 % so that the position's notional passes the cap (a short is then under water:
    the same-leverage answer does not look at its margin), and the account asks for the
    same leverage."""
    found = _flat_at_top(ctx, c)
    if found is None:
        return
    account, symbol, market, cap = found
    top = market.max_leverage
    if cap <= 0:
        return
    if ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage != top:
        send(ctx, SetLeverage(account, symbol, top))
    if ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage != top:
        return
    side = c.choice((BUY, SELL))
    held = opening(ctx, account, side)
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    quantity = on_step(cap * Exact(9, 10) / price, market.step_size)
    if quantity <= 0 or quantity * price < market.min_notional:
        return
    short = quantity * price / top - account_figures(ctx, account).available_balance
    if short > 0:
        if not ctx.caps.supports("deposit"):
            return
        send(ctx, Deposit(account, decimal(short + 1)))
    if not pair(ctx, c, account, symbol, side, quantity, price, position_side=held):
        return
    # the exposure is |amount| × mark for a short too: the mark rises either way
    send(ctx, MarkPrice(symbol, on_step(price * Exact(115, 100), market.tick_size)))
    send(ctx, SetLeverage(account, symbol, top))
