"""The aimed scenarios: short stories the static vectors (CONF-9) use to reach the
coverage targets the ordinary moves reach rarely.

Each coverage target names the scenarios aimed at it (its ``aims``). The Hypothesis
driver plays them too, drawn by their weights (:mod:`.weights`).
"""

from __future__ import annotations

import attrs

from marginspec import brackets
from marginspec.account import MarginType, PositionSide
from marginspec.conformance.moves.aiming import (
    ACCOUNTS,
    BUY,
    MOSTLY,
    SELL,
    Chooser,
    Context,
    Focus,
    MoveTable,
    account_figures,
    any_symbol,
    decimal,
    flat,
    limit_order,
    mark_of,
    move,
    on_step,
    open_positions,
    opposite,
    pair,
    round8,
    send,
    side_for,
    size_for,
)
from marginspec.conformance.moves.ordinary import (
    mark_price,
    position_margin,
    set_margin_type,
    trade,
)
from marginspec.evaluate import PositionFigures
from marginspec.exchange import INSURANCE_FUND
from marginspec.exchange.actions import (
    CancelAllOrders,
    Fill,
    Funding,
    LiquidationSweep,
    MarkPrice,
    SetLeverage,
    SetMarginType,
    SetPositionMode,
)
from marginspec.numbers import Exact

#: The aimed scenarios by name (coverage targets name them in ``aims``), each with the
#: action names it may emit.
AIMED: MoveTable = {}

#: Aimed names that need an empty insurance fund (so that ADL happens, ADL-1).
EMPTY_FUND = ("crash_small_fund", "crash_pair", "crash_shorts_empty_fund")

SWEEP = ("placeOrder", "fill", "markPrice", "liquidationSweep")


def held(ctx: Context, c: Chooser) -> Focus | None:
    """A held (account, symbol, side), opening one by a trade first if none is held."""
    held = [(n, s, side) for n, s, side, _ in open_positions(ctx) if n != INSURANCE_FUND]
    if held:
        return c.choice(held)
    return trade(ctx, c)


def _position_figures(ctx: Context, account: str, symbol: str) -> PositionFigures | None:
    for p in account_figures(ctx, account, prices=True).positions:
        if p.position.symbol == symbol and p.position.position_amt != 0:
            return p
    return None


# ------------------------------------------------------------------ fills and positions


@move(
    AIMED,
    "setMarginType",
    "placeOrder",
    "fill",
    "positionMargin",
    "setLeverage",
    "funding",
)
def isolated_trade(ctx: Context, c: Chooser) -> None:
    """An isolated position (FILL-7), then something done to it: margin moves at the
    XFER-2/XFER-3 caps, leverage up or down (ACT-LEV-4, -4161), funding (FUND-3), a mark
    move and a partial close (FILL-6)."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    setting = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset)
    if setting.margin_type is not MarginType.ISOLATED and flat(ctx, account, symbol):
        send(ctx, SetMarginType(account, symbol, MarginType.ISOLATED))
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    size = size_for(ctx, c, market, Exact(c.choice((1000, 20000, 60000))))
    position_side = side_for(ctx, c, account, side)
    if not pair(ctx, c, account, symbol, side, size, position_side=position_side):
        return
    focus = (account, symbol, position_side)
    for _ in range(c.choice((1, 2, 3))):
        follow = c.choice(("margin", "margin", "leverage", "funding", "mark", "close"))
        if follow == "margin":
            position_margin(ctx, c, focus)
        elif follow == "leverage":
            current = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage
            send(ctx, SetLeverage(account, symbol, c.choice((current + 1, max(1, current - 1)))))
        elif follow == "funding":
            send(ctx, Funding(symbol, c.choice((Exact(1, 10000), Exact(-1, 10000)))))
        elif follow == "mark":
            mark_price(ctx, c)
        else:
            part = max(on_step(size / 2, market.step_size), market.step_size)
            pair(ctx, c, account, symbol, opposite(side), part, position_side=position_side)


@move(AIMED, "placeOrder", "fill")
def trade_twice(ctx: Context, c: Chooser) -> None:
    """Two trades of one account at different prices: an add (weighted entry, FILL-2,
    often with more than 8 decimals, FILL-9) or a partial close (FILL-4)."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    first = market.step_size * c.choice((1, 2, 3, 7))
    first = max(first, on_step(Exact(100) / mark_of(ctx, symbol), market.step_size, up=True))
    position_side = side_for(ctx, c, account, side)
    if not pair(ctx, c, account, symbol, side, first, position_side=position_side):
        return
    again = c.choice((side, side, opposite(side)))
    quantity = (
        first * c.choice((2, 1))
        if again == side
        else max(on_step(first / 3, market.step_size), market.step_size)
    )
    price = on_step(mark_of(ctx, symbol) * Exact(c.choice((101, 99, 103))) / 100, market.tick_size)
    pair(ctx, c, account, symbol, again, quantity, price, position_side=position_side)


@move(AIMED, "placeOrder", "fill")
def exact_entry(ctx: Context, c: Chooser) -> None:
    """Two trades whose weighted entry terminates beyond 8 decimals (DISP-4): m steps one
    tick above the price, then 2^k − m steps at it, so the entry is price + tick × m / 2^k."""
    account = c.choice(ACCOUNTS)
    symbol = min(ctx.model.ruleset.markets, key=lambda s: mark_of(ctx, s))  # the cheapest
    market = ctx.model.ruleset.markets[symbol]
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    m = 1
    while m * market.step_size * price < 2 * market.min_notional:
        m += 2
    total = 512
    side = c.choice((BUY, SELL))
    position_side = side_for(ctx, c, account, side)
    first = market.step_size * m
    if pair(ctx, c, account, symbol, side, first, price + market.tick_size, position_side):
        rest = market.step_size * (total - m)
        pair(ctx, c, account, symbol, side, rest, price, position_side=position_side)


@move(AIMED, "placeOrder", "fill", "funding")
def premium_funding(ctx: Context, c: Chooser) -> None:
    """A funding settlement whose rate the venue computes from the interval's premium
    samples (FUND-4, FUND-5): near the interest rate, beyond the ±0.05 % clamp, or past
    the market's cap."""
    account, symbol, _ = held(ctx, c) or (None, any_symbol(ctx, c), None)
    if account is None:
        return
    samples = c.choice(
        (
            (Exact(15, 100000),),
            (Exact(2, 10000), Exact(-1, 10000), Exact(3, 10000)),
            (Exact(-2, 1000), Exact(-1, 1000)),
            (Exact(1, 10), Exact(2, 10)),
        )
    )
    send(ctx, Funding(symbol, None, samples))


@move(AIMED, "placeOrder", "fill")
def flip(ctx: Context, c: Chooser) -> None:
    """A one-way position reversed by one fill (FILL-3, PNL-3)."""
    account = c.choice(ACCOUNTS)
    if ctx.model.state.accounts[account].dual_side_position:
        return
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    size = size_for(ctx, c, market, Exact(c.choice((500, 3000))))
    if pair(ctx, c, account, symbol, side, size):
        price = on_step(mark_of(ctx, symbol) * Exact(c.choice((102, 98))) / 100, market.tick_size)
        pair(ctx, c, account, symbol, opposite(side), size * 2 + market.step_size, price)


@move(AIMED, "setPositionMode", "placeOrder", "fill", also=("hedge_trade",))
def hedge(ctx: Context, c: Chooser) -> None:
    """Hedge mode: a LONG and a SHORT on one symbol (LIQ-4), a reduce-only order (-1106)."""
    account = c.choice(ACCOUNTS)
    acct = ctx.model.state.accounts[account]
    if not acct.dual_side_position:
        if acct.orders or acct.positions:
            return
        send(ctx, SetPositionMode(account, True))
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    long_size = size_for(ctx, c, market, Exact(c.choice((5000, 60000, 30000))))
    short_size = size_for(ctx, c, market, Exact(c.choice((3000, 70000, 30000))))
    pair(ctx, c, account, symbol, BUY, long_size, position_side=PositionSide.LONG)
    pair(ctx, c, account, symbol, SELL, short_size, position_side=PositionSide.SHORT)
    if c.choice((True, False)):
        order = limit_order(ctx, c, account, symbol, SELL, mark_of(ctx, symbol), market.step_size)
        send(ctx, attrs.evolve(order, position_side=PositionSide.LONG, reduce_only=True))
    if c.choice((True, False)):
        mark_price(ctx, c)


# ------------------------------------------------------------------ orders and settings


@move(AIMED, "placeOrder", "fill")
def reducing_order(ctx: Context, c: Chooser) -> None:
    """Reducing orders: below the minimum notional (ACT-ORD-4), larger than the position
    or in its direction (-2022), and exactly the position (ACT-ORD-3)."""
    focus = held(ctx, c)
    if focus is None:
        return
    account, symbol, side = focus
    market = ctx.model.ruleset.markets[symbol]
    amt = ctx.model.state.accounts[account].position(symbol, side).position_amt
    if amt == 0:
        return
    closing = SELL if amt > 0 else BUY
    direction = c.choice((closing, closing, closing, opposite(closing)))
    quantity = c.choice((market.step_size, abs(amt), abs(amt) + market.step_size))
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    if c.choice((True, False)):
        # price × quantity just below minNotional (a reducing order is exempt)
        low = on_step(market.min_notional / quantity, market.tick_size) - market.tick_size
        price = low if low > 0 else market.tick_size
    order = limit_order(ctx, c, account, symbol, direction, price, quantity)
    send(ctx, attrs.evolve(order, position_side=side, reduce_only=side is PositionSide.BOTH))


@move(AIMED, "placeOrder", "cancelAllOpenOrders")
def cancel_all(ctx: Context, c: Chooser) -> None:
    """Orders on two symbols, then every order of one symbol cancelled (ACT-14); or a
    symbol without orders (accepted, nothing changes)."""
    account = c.choice(ACCOUNTS)
    for symbol in ctx.model.ruleset.markets:
        market = ctx.model.ruleset.markets[symbol]
        price = on_step(mark_of(ctx, symbol) * Exact(99, 100), market.tick_size)
        send(
            ctx,
            limit_order(ctx, c, account, symbol, BUY, price, size_for(ctx, c, market, Exact(500))),
        )
    send(ctx, CancelAllOrders(account, any_symbol(ctx, c)))
    if c.choice((True, False)):
        send(ctx, CancelAllOrders(account, any_symbol(ctx, c)))


@move(AIMED, "placeOrder", "fill")
def reducing_fill(ctx: Context, c: Chooser) -> None:
    """A resting reduce-only order whose position was closed meanwhile: its fill would
    open a position and is refused (FILL-5)."""
    account = c.choice(ACCOUNTS)
    if ctx.model.state.accounts[account].dual_side_position:
        return
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    size = size_for(ctx, c, market, Exact(2000))
    side = c.choice((BUY, SELL))
    other = opposite(side)
    if not pair(ctx, c, account, symbol, side, size):
        return
    amt = ctx.model.state.accounts[account].position(symbol, PositionSide.BOTH).position_amt
    if amt == 0:
        return
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    order = limit_order(ctx, c, account, symbol, other, price, abs(amt))
    rest = send(ctx, attrs.evolve(order, reduce_only=True))
    pair(ctx, c, account, symbol, other, abs(amt))
    if "orderId" in rest:
        taker = c.choice(tuple(a for a in ACCOUNTS if a != account))
        taken = send(ctx, limit_order(ctx, c, taker, symbol, side, price, abs(amt)))
        if "orderId" in taken:
            send(ctx, Fill(rest["orderId"], taken["orderId"]))


@move(AIMED, "placeOrder", "setMarginType", "setPositionMode")
def order_then_change(ctx: Context, c: Chooser) -> None:
    """A resting order, then a margin-type or position-mode change (-4047, -4067)."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    price = on_step(mark_of(ctx, symbol) * Exact(c.choice((99, 101))) / 100, market.tick_size)
    quantity = size_for(ctx, c, market, Exact(500))
    send(ctx, limit_order(ctx, c, account, symbol, side, price, quantity))
    if c.choice((True, False)):
        set_margin_type(ctx, c, (account, symbol, PositionSide.BOTH))
    else:
        dual = ctx.model.state.accounts[account].dual_side_position
        send(ctx, SetPositionMode(account, not dual))


@move(AIMED, "placeOrder", "setLeverage")
def order_then_leverage(ctx: Context, c: Chooser) -> None:
    """A large resting order, then a higher leverage whose LEV-3 cap it exceeds
    (ACT-LEV-3: orders count), or an order past the cap of the current leverage."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    table = market.brackets
    acct = ctx.model.state.accounts[account]
    current = acct.setting(symbol, ctx.model.ruleset).leverage
    higher = sorted({int(b.initial_leverage) for b in table if b.initial_leverage > current})
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    if bool(higher) and c.choice(MOSTLY):
        new = c.choice(tuple(higher))
        cap = brackets.max_notional(table, Exact(new))
        # one step past the cap of the new leverage, or the most within it
        quantity = on_step(cap / price, market.step_size) + market.step_size * c.choice((1, 0))
        side = c.choice((BUY, SELL))
        send(ctx, limit_order(ctx, c, account, symbol, side, price, quantity))
        send(ctx, SetLeverage(account, symbol, new))
    else:
        cap = brackets.max_notional(table, Exact(current))
        quantity = on_step(cap / price, market.step_size) + market.step_size * c.choice((1, 0))
        send(ctx, limit_order(ctx, c, account, symbol, c.choice((BUY, SELL)), price, quantity))


@move(AIMED, "placeOrder", "fill", "setLeverage")
def leverage(ctx: Context, c: Chooser) -> None:
    """Leverage at the market maximum (LEV-1), unchanged (ACT-LEV-2), or at the limit of a
    position's bracket beyond the first (LEV-2) after one above it (LEV-3, -2027)."""
    kind = c.choice(("max", "same", "limit", "limit"))
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    acct = ctx.model.state.accounts[account]
    current = acct.setting(symbol, ctx.model.ruleset).leverage
    boundary = ctx.model.ruleset.options.bracket_boundary
    value = int(market.max_leverage) if kind == "max" else current
    if kind == "limit":
        floor = market.brackets[1].notional_floor if len(market.brackets) > 1 else Exact(0)
        size = size_for(ctx, c, market, floor * Exact(c.choice((11, 15))) / 10)
        if not pair(ctx, c, account, symbol, c.choice((BUY, SELL)), size):
            return
        amts = [
            abs(p.position_amt)
            for (s, _), p in ctx.model.state.accounts[account].positions.items()
            if s == symbol
        ]
        exposure = max(amts, default=Exact(0)) * mark_of(ctx, symbol)
        value = int(brackets.max_leverage(market.brackets, exposure, boundary))
        if value < market.max_leverage:
            # LEV-3 from both sides: one above the limit is refused (-2027), then the limit
            send(ctx, SetLeverage(account, symbol, value + 1))
    send(ctx, SetLeverage(account, symbol, value))


@move(AIMED, "placeOrder", "fill")
def both_books(ctx: Context, c: Chooser) -> None:
    """A position with a bid below and an ask above the mark on its side (ORD-1)."""
    focus = held(ctx, c)
    if focus is None:
        return
    account, symbol, side = focus
    market = ctx.model.ruleset.markets[symbol]
    mark = mark_of(ctx, symbol)
    quantity = size_for(ctx, c, market, Exact(200))
    for direction, factor in ((BUY, 98), (SELL, 102)):
        if side is PositionSide.SHORT and direction is BUY and c.choice((True, False)):
            continue
        price = on_step(mark * factor / 100, market.tick_size)
        order = limit_order(ctx, c, account, symbol, direction, price, quantity)
        send(ctx, attrs.evolve(order, position_side=side))


# ------------------------------------------------------------------ marks and brackets


@move(AIMED, "placeOrder", "fill", "markPrice")
def mark_on_boundary(ctx: Context, c: Chooser) -> None:
    """A position whose notional at the mark is exactly a bracket cap (BRK-3, MM-3)."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    table = market.brackets
    if len(table) < 2:
        return
    cap = table[c.choice(range(min(3, len(table) - 1)))].notional_cap
    # A size whose cap / size is an exact decimal: a power-of-ten multiple of the step.
    size = market.step_size * c.choice((1000, 100, 10000))
    if pair(ctx, c, account, symbol, c.choice((BUY, SELL)), size):
        amt = abs(
            ctx.model.state.accounts[account].position(symbol, PositionSide.BOTH).position_amt
        )
        if amt:
            # on the cap, then one tick either side of it
            offset = market.tick_size * c.choice((0, 1, -1))
            send(ctx, MarkPrice(symbol, decimal(cap / amt) + offset))


@move(AIMED, "placeOrder", "fill", "markPrice")
def mark_beyond_cap(ctx: Context, c: Chooser) -> None:
    """A mark that takes a position's notional past the last bracket's cap (BRK-4)."""
    held = [h for h in open_positions(ctx) if h[0] != INSURANCE_FUND]
    if not held:
        trade(ctx, c)
        held = [h for h in open_positions(ctx) if h[0] != INSURANCE_FUND]
        if not held:
            return
    _, symbol, _, amt = c.choice(held)
    market = ctx.model.ruleset.markets[symbol]
    last = market.brackets[-1].notional_cap
    mark = on_step(last * Exact(c.choice((11, 2 * 10))) / 10 / abs(amt), market.tick_size, up=True)
    send(ctx, MarkPrice(symbol, mark))


# ------------------------------------------------------------------ liquidation, fund, ADL


@move(AIMED, *SWEEP, also=("crash_small_fund",))
def crash(ctx: Context, c: Chooser) -> None:
    """A victim with orders and positions against two counterparties, the mark at or past
    its liquidation or bankruptcy price, or between the two, and a sweep: liquidation,
    clearance fee, takeover or ADL, cover."""
    victim, *others = ACCOUNTS
    if c.choice((True, False)):
        victim, others = others[0], [victim, others[1]]
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    f = account_figures(ctx, victim)
    budget = f.available_balance * Exact(c.choice((10, 15, 19)))
    for other in others:
        size = size_for(ctx, c, market, budget / 3)
        pair(ctx, c, victim, symbol, side, size, taker=other)
    if c.choice((True, False)):
        # a second symbol in the same cross scope, and a resting order (LIQP-2)
        second = c.choice(tuple(ctx.model.ruleset.markets))
        m2 = ctx.model.ruleset.markets[second]
        pair(ctx, c, victim, second, side, size_for(ctx, c, m2, budget / 10), taker=others[0])
        price = on_step(mark_of(ctx, second) * 90 / 100, m2.tick_size)
        quantity = size_for(ctx, c, m2, Exact(100))
        send(ctx, limit_order(ctx, c, victim, second, BUY, price, quantity))
    figures_now = account_figures(ctx, victim, prices=True)
    target = None
    for p in figures_now.positions:
        if p.position.symbol == symbol and p.position.position_amt != 0:
            bankrupt, liquidated = p.bankruptcy_price, p.liquidation_price
            where = c.choice(("between", "bankruptcy", "liquidation"))
            if where == "between" and bankrupt is not None and liquidated is not None:
                # LIQP-4: strictly inside the band, margin is left for the clearance fee
                target = (bankrupt + liquidated) / 2
                continue
            price = bankrupt if where == "bankruptcy" else liquidated
            if price is not None:
                factor = Exact(c.choice((90, 97, 100, 101)), 100)
                target = price * (factor if p.position.position_amt > 0 else 2 - factor)
    if target is None or target <= 0:
        target = mark_of(ctx, symbol) * Exact(c.choice((50, 150)), 100)
    send(ctx, MarkPrice(symbol, round8(target)))
    send(ctx, LiquidationSweep())


@move(AIMED, *SWEEP, also=("crash_shorts_empty_fund",))
def crash_shorts(ctx: Context, c: Chooser) -> None:
    """A cross account short two symbols whose marks both multiply: the loss on each
    exceeds the wallet plus the other's entry notional, so neither symbol has a positive
    bankruptcy price (LIQP-5), both close at the mark and the fund covers the negative
    remainder (IF-2)."""
    symbols = sorted(ctx.model.ruleset.markets)[:2]
    victim = c.choice(ACCOUNTS)
    if ctx.model.state.accounts[victim].dual_side_position:
        return
    budget = account_figures(ctx, victim).available_balance / 4
    for symbol in symbols:
        market = ctx.model.ruleset.markets[symbol]
        lev = ctx.model.state.accounts[victim].setting(symbol, ctx.model.ruleset).leverage
        size = size_for(ctx, c, market, budget * min(lev, 4))
        price = on_step(mark_of(ctx, symbol), market.tick_size)
        pair(ctx, c, victim, symbol, SELL, size, price, PositionSide.BOTH)
    factor = c.choice((5, 8))
    for symbol in symbols:
        send(ctx, MarkPrice(symbol, mark_of(ctx, symbol) * factor))
    send(ctx, LiquidationSweep())


@move(AIMED, "setMarginType", *SWEEP)
def close_beyond_bankruptcy(ctx: Context, c: Chooser) -> None:
    """A position closed by a fill at a price past its bankruptcy price: the wallet it
    leaves is negative with no position behind it, and the sweep's IF-3 resets it."""
    account = c.choice(ACCOUNTS)
    if ctx.model.state.accounts[account].dual_side_position:
        return
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    if c.choice((True, False)) and flat(ctx, account, symbol):
        send(ctx, SetMarginType(account, symbol, MarginType.ISOLATED))
    side = c.choice((BUY, SELL))
    size = size_for(ctx, c, market, account_figures(ctx, account).available_balance * 3)
    mark = on_step(mark_of(ctx, symbol), market.tick_size)
    if not pair(ctx, c, account, symbol, side, size, mark, PositionSide.BOTH):
        return
    p = _position_figures(ctx, account, symbol)
    if p is None or p.bankruptcy_price is None:
        return
    past = p.bankruptcy_price * (Exact(8, 10) if side is BUY else Exact(12, 10))
    price = on_step(past, market.tick_size)
    if price <= 0:
        return
    send(ctx, MarkPrice(symbol, price))
    amt = abs(ctx.model.state.accounts[account].position(symbol, PositionSide.BOTH).position_amt)
    pair(ctx, c, account, symbol, opposite(side), amt, price, PositionSide.BOTH)
    send(ctx, LiquidationSweep())


@move(AIMED, "setMarginType", "placeOrder", "fill")
def full_isolated_fill(ctx: Context, c: Chooser) -> None:
    """An isolated order whose initial margin is the whole available balance, filled as
    the taker: IM moves to the isolated wallet and the taker fee takes the cross wallet
    below zero, so the fill is refused (FILL-8)."""
    account = c.choice(ACCOUNTS)
    acct = ctx.model.state.accounts[account]
    if acct.dual_side_position:
        return
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    if acct.setting(symbol, ctx.model.ruleset).margin_type is not MarginType.ISOLATED:
        if not flat(ctx, account, symbol):
            return
        send(ctx, SetMarginType(account, symbol, MarginType.ISOLATED))
    leverage = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    quantity = on_step(
        account_figures(ctx, account).available_balance * leverage / price, market.step_size
    )
    if quantity <= 0:
        return
    side = c.choice((BUY, SELL))
    maker = c.choice(tuple(a for a in ACCOUNTS if a != account))
    made = send(ctx, limit_order(ctx, c, maker, symbol, opposite(side), price, quantity))
    taken = send(ctx, limit_order(ctx, c, account, symbol, side, price, quantity))
    if "orderId" in made and "orderId" in taken:
        send(ctx, Fill(made["orderId"], taken["orderId"]))


@move(AIMED, *SWEEP)
def crash_pair(ctx: Context, c: Chooser) -> None:
    """ADL against a counterparty whose own balance + uPnL on the symbol is negative
    (ADL-2c): the victim is long X and short Y against it; X rises until the
    counterparty's loss on X exceeds its wallet, Y rises until the victim is bankrupt
    (the counterparty stays healthy on its gain in Y); the sweep closes the victim's X
    at its bankruptcy price above the mark, which an empty fund cannot take over."""
    symbols = sorted(ctx.model.ruleset.markets)
    if len(symbols) < 2:
        return
    x, y = symbols[0], c.choice(tuple(symbols[1:]))
    victim, other = c.choice((("A", "B"), ("B", "C"), ("A", "C"), ("C", "A")))
    state = ctx.model.state
    if state.accounts[victim].dual_side_position or state.accounts[other].dual_side_position:
        return
    ruleset = ctx.model.ruleset
    lev = min(
        state.accounts[n].setting(s, ruleset).leverage for n in (victim, other) for s in (x, y)
    )
    budget = min(
        account_figures(ctx, victim).available_balance,
        account_figures(ctx, other).available_balance,
    )
    notional = budget * lev * Exact(c.choice((2, 3)), 10)
    for symbol, side in ((x, BUY), (y, SELL)):
        market = ruleset.markets[symbol]
        size = size_for(ctx, c, market, notional)
        price = on_step(mark_of(ctx, symbol), market.tick_size)
        if not pair(ctx, c, victim, symbol, side, size, price, PositionSide.BOTH, other):
            return
    q_x = abs(ctx.model.state.accounts[victim].position(x, PositionSide.BOTH).position_amt)
    q_y = abs(ctx.model.state.accounts[victim].position(y, PositionSide.BOTH).position_amt)
    if q_x == 0 or q_y == 0:
        return
    w_other = ctx.model.state.accounts[other].cross_wallet
    w_victim = ctx.model.state.accounts[victim].cross_wallet
    loss = w_other * Exact(c.choice((12, 15)), 10)
    gain = w_victim + loss + w_victim * Exact(3, 10)
    for symbol, size, rise in ((x, q_x, loss), (y, q_y, gain)):
        tick = ruleset.markets[symbol].tick_size
        send(ctx, MarkPrice(symbol, on_step(mark_of(ctx, symbol) + rise / size, tick, up=True)))
    send(ctx, LiquidationSweep())
