"""The aimed scenarios: short stories the static vectors (CONF-9) use to reach the
coverage targets the ordinary moves reach rarely.

Each coverage target names the scenarios aimed at it (its ``aims``). The Hypothesis
driver plays them too, drawn by their weights (:mod:`.weights`).
"""

from __future__ import annotations

import attrs

from marginspec import brackets
from marginspec.account import MarginType, OrderSide, PositionSide
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
from marginspec.exchange import INSURANCE_FUND, filters
from marginspec.exchange.actions import (
    CancelAllOrders,
    Deposit,
    Fill,
    Funding,
    LiquidationSweep,
    MarkPrice,
    ModifyOrder,
    PlaceOrder,
    SetLeverage,
    SetMarginType,
    SetPositionMode,
    Withdraw,
)
from marginspec.numbers import Exact

#: The aimed scenarios by name (coverage targets name them in ``aims``), each with the
#: action names it may emit.
AIMED: MoveTable = {}

#: Aimed names that need an empty insurance fund (so that ADL happens, ADL-1).
EMPTY_FUND = ("crash_small_fund", "crash_pair", "crash_shorts_empty_fund")

_SWEEP = ("placeOrder", "fill", "markPrice", "liquidationSweep")


def _held(ctx: Context, c: Chooser) -> Focus | None:
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
    account, symbol, _ = _held(ctx, c) or (None, any_symbol(ctx, c), None)
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
    focus = _held(ctx, c)
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
    position's bracket beyond the first (LEV-2)."""
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
    send(ctx, SetLeverage(account, symbol, value))


@move(AIMED, "placeOrder", "fill")
def both_books(ctx: Context, c: Chooser) -> None:
    """A position with a bid below and an ask above the mark on its side (ORD-1)."""
    focus = _held(ctx, c)
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


@move(AIMED, *_SWEEP, also=("crash_small_fund",))
def crash(ctx: Context, c: Chooser) -> None:
    """A victim with orders and positions against two counterparties, the mark past its
    bankruptcy price, and a sweep: liquidation, clearance fee, takeover or ADL, cover."""
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
            price = p.bankruptcy_price if c.choice((True, False)) else p.liquidation_price
            if price is not None:
                factor = Exact(c.choice((90, 97, 100, 101)), 100)
                target = price * (factor if p.position.position_amt > 0 else 2 - factor)
    if target is None or target <= 0:
        target = mark_of(ctx, symbol) * Exact(c.choice((50, 150)), 100)
    send(ctx, MarkPrice(symbol, round8(target)))
    send(ctx, LiquidationSweep())


@move(AIMED, *_SWEEP, also=("crash_shorts_empty_fund",))
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


@move(AIMED, "setMarginType", *_SWEEP)
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


@move(AIMED, *_SWEEP)
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


# ------------------------------------------------------------------ amendment, STP, filters


def _resting(ctx: Context, c: Chooser, account: str, symbol: str) -> Exact:
    """Rest a small order of ``account`` a tick inside the mark; its price (0: refused)."""
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    mark = on_step(mark_of(ctx, symbol), market.tick_size)
    price = mark - market.tick_size if side is BUY else mark + market.tick_size
    made = send(
        ctx,
        limit_order(ctx, c, account, symbol, side, price, size_for(ctx, c, market, Exact(500))),
    )
    return price if "orderId" in made else Exact(0)


@move(AIMED, "placeOrder", "modifyOrder")
def modify_order(ctx: Context, c: Chooser) -> None:
    """A resting order amended (ACT-15) to the price at which another account has just
    rested an order of its side: it goes behind it (AMEND-2); then to fewer, off the tick
    or under an unknown id; then to what it already is (-5027, AMEND-1)."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    how = c.choice(("less", "offTick", "unknown"))
    if not any(o.symbol == symbol for o in ctx.model.state.accounts[account].orders):
        _resting(ctx, c, account, symbol)
    mine = [o for o in ctx.model.state.accounts[account].orders if o.symbol == symbol]
    if not mine:
        return
    order = c.choice(mine)
    other = c.choice(tuple(a for a in ACCOUNTS if a != account))
    price = order.price + (market.tick_size if order.side is SELL else -market.tick_size)
    send(ctx, limit_order(ctx, c, other, symbol, order.side, price, order.orig_qty))
    send(ctx, ModifyOrder(account, symbol, order.order_id, price, order.orig_qty))
    found = ctx.model.state.find_order(order.order_id)
    if found is None:
        return
    now = found[1]
    if how == "less":
        quantity = max(now.orig_qty - market.step_size, market.step_size)
        send(ctx, ModifyOrder(account, symbol, now.order_id, now.price, quantity))
    elif how == "offTick":
        off = now.price + market.tick_size / 2
        send(ctx, ModifyOrder(account, symbol, now.order_id, off, now.orig_qty))
    else:
        send(ctx, ModifyOrder(account, symbol, 999, now.price, now.orig_qty))
    found = ctx.model.state.find_order(order.order_id)
    if found is not None:
        now = found[1]
        send(ctx, ModifyOrder(account, symbol, now.order_id, now.price, now.orig_qty))


@move(AIMED, "placeOrder", "modifyOrder")
def amend_adds(ctx: Context, c: Chooser) -> None:
    """A fresh bid amended to what the venue refuses for what it adds (AMEND-4): more
    than the available balance funds (-2019), or one step far below the mark (-5029)."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    how = c.choice(("more", "minNotional"))
    price = on_step(mark_of(ctx, symbol) * Exact(99, 100), market.tick_size)
    size = size_for(ctx, c, market, Exact(500))
    made = send(ctx, limit_order(ctx, c, account, symbol, BUY, price, size))
    if "orderId" not in made:
        return
    if how == "minNotional":
        price = on_step(market.min_notional / market.step_size / 2, market.tick_size)
        quantity = market.step_size
    else:
        budget = account_figures(ctx, account).available_balance
        lev = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage
        quantity = size + size_for(ctx, c, market, budget * lev * 2 + 1)
    send(ctx, ModifyOrder(account, symbol, made["orderId"], price, quantity))


@move(AIMED, "placeOrder", "fill", "modifyOrder")
def amend_cancels(ctx: Context, c: Chooser) -> None:
    """The amendments that cancel (AMEND-3): a partly filled order amended to its executed
    quantity, or a post-only order amended to a price that would take."""
    maker, taker = c.choice((("A", "B"), ("B", "C"), ("C", "A")))
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    size = size_for(ctx, c, market, Exact(1000))
    if c.choice((True, False)) and "GTX" in ctx.caps.time_in_force:
        away = price - market.tick_size * 2 if side is BUY else price + market.tick_size * 2
        post = limit_order(ctx, c, maker, symbol, side, away, size)
        made = send(ctx, attrs.evolve(post, time_in_force="GTX"))
        send(ctx, limit_order(ctx, c, taker, symbol, opposite(side), price, size))
        if "orderId" in made:
            send(ctx, ModifyOrder(maker, symbol, made["orderId"], price, size))
        return
    made = send(ctx, limit_order(ctx, c, maker, symbol, side, price, size * 2))
    taken = send(ctx, limit_order(ctx, c, taker, symbol, opposite(side), price, size))
    if "orderId" in made and "orderId" in taken:
        send(ctx, Fill(made["orderId"], taken["orderId"]))
        smaller = max(size - market.step_size, market.step_size)
        send(ctx, ModifyOrder(maker, symbol, made["orderId"], price, c.choice((size, smaller))))


@move(AIMED, "placeOrder")
def self_trade(ctx: Context, c: Chooser) -> None:
    """An immediate order reaching a resting order of its own account (STP-1, STP-2): the
    account rests at the mark, another account a tick beyond; the taker's mode (or the
    rule set's default) expires the taker, the maker or both."""
    kinds = [k for k in ("MARKET",) if k in ctx.caps.order_types]
    kinds += [t for t in ("IOC", "IOC", "FOK") if t in ctx.caps.time_in_force]
    if not kinds:
        return
    account, other = c.choice((("A", "B"), ("B", "C"), ("C", "A")))
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))  # the resting side
    mark = on_step(mark_of(ctx, symbol), market.tick_size)
    worse = mark + market.tick_size if side is SELL else mark - market.tick_size
    size = size_for(ctx, c, market, Exact(800))
    first, second = c.choice(((account, other), (other, account)))
    send(ctx, limit_order(ctx, c, first, symbol, side, mark, size))
    send(ctx, limit_order(ctx, c, second, symbol, side, worse, size))
    order = limit_order(ctx, c, account, symbol, opposite(side), worse, size * 2)
    kind = c.choice(kinds)
    if kind == "MARKET":
        order = attrs.evolve(order, order_type="MARKET", price=Exact(0))
    else:
        order = attrs.evolve(order, time_in_force=kind)
    named = c.choice((True, True, False))  # else the rule set's default mode
    modes: tuple[str, ...] = tuple(sorted(ctx.caps.self_trade_prevention))
    if modes and named:
        order = attrs.evolve(order, self_trade_prevention_mode=c.choice(modes))
    send(ctx, order)
    # The own order still rests (the taker's mode kept it): a second taker expires it.
    own = [o for o in ctx.model.state.accounts[account].orders if o.symbol == symbol]
    if own and "EXPIRE_MAKER" in modes and "IOC" in ctx.caps.time_in_force:
        again = attrs.evolve(order, order_type="LIMIT", time_in_force="IOC", price=worse)
        send(ctx, attrs.evolve(again, self_trade_prevention_mode="EXPIRE_MAKER"))


@move(AIMED, "placeOrder")
def filter_bounds(ctx: Context, c: Chooser) -> None:
    """A LIMIT order just outside PRICE_FILTER's minPrice or maxPrice (FLT-1: -4013,
    -4002), or on the bound."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    what = c.choice(("below", "above", "onMin", "onMax"))
    mark = on_step(mark_of(ctx, symbol), market.tick_size)
    order = limit_order(ctx, c, account, symbol, side, mark, market.step_size * 10)
    low, high, tick = market.min_price, market.max_price, market.tick_size
    if what in ("below", "onMin") and low > 0:
        price = low if what == "onMin" else (low - tick if low > tick else low / 2)
    elif what in ("above", "onMax") and high > 0:
        price = high if what == "onMax" else high + tick
    else:
        return
    send(ctx, attrs.evolve(order, price=price))


@move(AIMED, "placeOrder")
def lot_bounds(ctx: Context, c: Chooser) -> None:
    """An order just outside LOT_SIZE's minQty or maxQty (FLT-2), or a MARKET order just
    outside MARKET_LOT_SIZE's (FLT-3): -4004, -4005."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    what = c.choice(("marketMin", "marketMax", "minQty", "maxQty"))
    mark = on_step(mark_of(ctx, symbol), market.tick_size)
    order = limit_order(ctx, c, account, symbol, side, mark, market.step_size)
    is_market = what.startswith("market") and "MARKET" in ctx.caps.order_types
    low, high, step = filters.lot_bounds(market, is_market)
    minimum = what in ("marketMin", "minQty")
    bound = low if minimum else high
    if bound <= 0:
        return
    quantity = bound / 2 if minimum else bound + step
    if is_market:
        order = attrs.evolve(order, order_type="MARKET", price=Exact(0))
    send(ctx, attrs.evolve(order, quantity=quantity))


def _wallet_to(ctx: Context, account: str, amount: Exact) -> None:
    """Bring ``account``'s cross wallet to ``amount`` by a deposit, or by a withdrawal
    as far as ``maxWithdrawAmount`` allows (XFER-1)."""
    have = ctx.model.state.accounts[account].cross_wallet
    if have < amount:
        send(ctx, Deposit(account, decimal(amount - have)))
    elif have > amount:
        most = round8(min(have - amount, account_figures(ctx, account).max_withdraw))
        if most > 0:
            send(ctx, Withdraw(account, most))


def _opening(ctx: Context, account: str, side: OrderSide) -> PositionSide:
    """The position side an order of ``side`` opens on (BOTH in one-way mode)."""
    if not ctx.model.state.accounts[account].dual_side_position:
        return PositionSide.BOTH
    return PositionSide.LONG if side is BUY else PositionSide.SHORT


def _opening_trade(
    ctx: Context,
    maker: str,
    taker: str,
    symbol: str,
    side: OrderSide,
    quantity: Exact,
    price: Exact,
) -> None:
    """``maker`` rests ``side`` and ``taker`` takes it, each opening (either mode): by an
    IOC order at the same price when the engine has one (two actions, ACT-ORD-8), else by
    an explicit fill (three), so the stories stay short after shrinking."""
    made = send(ctx, PlaceOrder(maker, symbol, side, _opening(ctx, maker, side), price, quantity))
    if "orderId" not in made:
        return
    other = opposite(side)
    taking = PlaceOrder(taker, symbol, other, _opening(ctx, taker, other), price, quantity)
    if "IOC" in ctx.caps.time_in_force:
        send(ctx, attrs.evolve(taking, time_in_force="IOC"))
        return
    taken = send(ctx, taking)
    if "orderId" in taken:
        send(ctx, Fill(made["orderId"], taken["orderId"]))


@move(AIMED, "deposit", "withdraw", "setLeverage", "setMarginType", *_SWEEP)
def crash_ranked(ctx: Context, c: Chooser) -> None:
    """ADL choosing between two counterparties that the rankings order differently
    (ADL-2, ADL-2a, ADL-2b): the early one entered at a better price (the higher PnL and
    PnL%), the late one holds more (the higher maintenance margin, margin ratio and
    effective leverage); the fund holds part of the victim's side, so the counterparties
    hold more than the victim and the one ranked second keeps part of its position.

    With equal wallets, gains ``g`` (of the notional at the final mark F) and notionals
    ``N``, the ``aster`` score puts the early one first when ``N_late/N_early < r`` and the
    ``binance`` score puts the late one first when ``(N_late/N_early)² > r``, where
    ``r = g_early/g_late``; the move sizes ``N_late/N_early = (1 + r)/2``, strictly
    between (AM-GM). The victim's wallet is its loss at F plus half its maintenance, so
    LIQ-1 liquidates it at F, and the fund (IF-5) is too small to take its position."""
    victim = c.choice(ACCOUNTS)
    early, late = [a for a in ACCOUNTS if a != victim][:: c.choice((1, -1))]
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))  # the victim's
    wallet = Exact(c.choice((10000, 5000, 20000)))
    used = Exact(c.choice((1, 2)))  # the early counterparty's notional over its wallet
    moved, past = (Exact(c.choice(p), 100) for p in ((5, 3, 8), (5, 8, 3)))
    tick = market.tick_size
    first = on_step(mark_of(ctx, symbol), tick)
    second = on_step(first * (1 - side.direction * moved), tick)
    final = on_step(second * (1 - side.direction * past), tick)
    if final <= 0 or second == final:
        return
    ratio = (first - final) / (second - final)
    q_early = max(on_step(wallet * used / final, market.step_size), market.step_size * 5)
    q_late = on_step(q_early * (1 + ratio) / 2, market.step_size)
    q_fund = on_step(q_early / 5, market.step_size)
    for name in (victim, early, late):  # cross: the balance ADL-2 reads is the wallet
        setting = ctx.model.state.accounts[name].setting(symbol, ctx.model.ruleset)
        if setting.margin_type is MarginType.ISOLATED and flat(ctx, name, symbol):
            send(ctx, SetMarginType(name, symbol, MarginType.CROSS))
    for name in (early, late):
        _wallet_to(ctx, name, wallet)
        send(ctx, SetLeverage(name, symbol, 10))
    send(ctx, SetLeverage(victim, symbol, min(50, int(market.max_leverage))))
    held = q_early - q_fund + q_late
    loss = abs((q_early - q_fund) * (first - final) + q_late * (second - final))
    rate = market.brackets[0].maint_margin_ratio
    _wallet_to(ctx, victim, round8(loss + held * final * rate / 2))
    fund = account_figures(ctx, INSURANCE_FUND).available_balance
    if fund < q_fund * first / 10:
        send(ctx, Deposit(INSURANCE_FUND, round8(q_fund * first / 10 - fund, up=True)))
    # the fund on the victim's side, against the early counterparty
    _opening_trade(ctx, INSURANCE_FUND, early, symbol, side, q_fund, first)
    _opening_trade(ctx, victim, early, symbol, side, q_early - q_fund, first)
    send(ctx, MarkPrice(symbol, second))
    _opening_trade(ctx, victim, late, symbol, side, q_late, second)
    send(ctx, MarkPrice(symbol, final))
    send(ctx, LiquidationSweep())


@move(AIMED, "deposit", "withdraw", "setLeverage", "setMarginType", *_SWEEP)
def crash_with_fee(ctx: Context, c: Chooser) -> None:
    """A liquidation whose clearance fee is not zero (LIQP-4): at the final mark the
    victim's margin balance lies between the whole fee and its maintenance margin (the fee
    is charged whole; it needs a bracket whose maintenance rate exceeds the fee rate), or
    below both (the fee takes what is left). An engine that ignores the fee, charges it
    uncapped or on the wrong basis leaves a different wallet to the fund."""
    victim = c.choice(ACCOUNTS)
    other = c.choice(tuple(a for a in ACCOUNTS if a != victim))
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    table = market.brackets
    boundary = ctx.model.ruleset.options.bracket_boundary
    fee_rate = market.liquidation_fee
    whole = [b for b in table if b.maint_margin_ratio > fee_rate and b.notional_floor > 0]
    chosen = c.choice(tuple(whole[:2]) + table[:2]) if whole else c.choice(table[:2])
    side = c.choice((BUY, SELL))
    leverage = int(chosen.initial_leverage)
    moved = Exact(2) / leverage + Exact(1, 100)  # past the initial margin of the trade
    tick = market.tick_size
    first = on_step(mark_of(ctx, symbol), tick)
    final = on_step(first * (1 - side.direction * moved), tick)
    notional = (
        chosen.notional_floor * Exact(6, 5) if chosen.notional_floor else chosen.notional_cap / 2
    )
    quantity = max(on_step(notional / final, market.step_size), market.step_size)
    for name in (victim, other):
        setting = ctx.model.state.accounts[name].setting(symbol, ctx.model.ruleset)
        if setting.margin_type is MarginType.ISOLATED and flat(ctx, name, symbol):
            send(ctx, SetMarginType(name, symbol, MarginType.CROSS))
        send(ctx, SetLeverage(name, symbol, leverage))
    need = quantity * first / leverage * 2
    if ctx.model.state.accounts[other].cross_wallet < need:
        _wallet_to(ctx, other, decimal(need))
    maint = brackets.maint_margin(table, quantity * final, boundary)
    fee = fee_rate * quantity * final
    left = (fee + maint) / 2 if maint > fee and c.choice((True, False)) else min(fee, maint) / 2
    _wallet_to(ctx, victim, decimal(quantity * abs(first - final) + left))
    _opening_trade(ctx, victim, other, symbol, side, quantity, first)
    send(ctx, MarkPrice(symbol, final))
    send(ctx, LiquidationSweep())


@move(AIMED, "placeOrder", "fill")
def reducing_orders(ctx: Context, c: Chooser) -> None:
    """A reducing order with another reducing order of the same direction resting
    (ACT-ORD-4): its quantity larger than, equal to or smaller than the position, and on
    the netted boundary (quantity + resting = position) or one step either side of it."""
    focus = _held(ctx, c)
    if focus is None:
        return
    account, symbol, side = focus
    market = ctx.model.ruleset.markets[symbol]
    amt = ctx.model.state.accounts[account].position(symbol, side).position_amt
    step = market.step_size
    if abs(amt) < 2 * step:
        return
    closing = SELL if amt > 0 else BUY
    hedge = side is not PositionSide.BOTH  # SELL LONG / BUY SHORT reduce without the flag
    # away from the mark on the closing side's unfavourable end: it rests, it does not match
    price = on_step(
        mark_of(ctx, symbol) * (Exact(101, 100) if closing is SELL else Exact(99, 100)),
        market.tick_size,
    )
    resting = max(on_step(abs(amt) * Exact(c.choice((1, 2, 3)), 4), step), step)
    first = PlaceOrder(account, symbol, closing, side, price, resting, reduce_only=not hedge)
    send(ctx, first)
    net = abs(amt) - resting
    quantity = c.choice(
        (abs(amt) + step, abs(amt), abs(amt) - step, net, net + step, max(net - step, step))
    )
    send(ctx, PlaceOrder(account, symbol, closing, side, price, quantity, reduce_only=not hedge))


@move(AIMED, "deposit", "placeOrder", "fill")
def lp_beyond_cap(ctx: Context, c: Chooser) -> None:
    """A short whose liquidation price lies where its notional is past the last bracket's
    cap (BRK-4 inside LIQ-6's walk): a cross wallet larger than that cap behind a small
    short, so the LP is far above the mark and solved in the last bracket."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    last = market.brackets[-1].notional_cap
    send(ctx, Deposit(account, last * c.choice((2, 3))))
    size = size_for(ctx, c, market, Exact(c.choice((1000, 20000))))
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    pair(ctx, c, account, symbol, SELL, size, price, _opening(ctx, account, SELL))
