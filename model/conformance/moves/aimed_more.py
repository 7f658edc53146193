"""Aimed scenarios for issue 14's amendment, self-trade prevention and filter bounds, and
issue 12's discriminating targets (an ADL that the rankings order differently, a
liquidation with a fee, reducing orders of every size, a liquidation price past the last
cap).

They join the aimed table (:data:`marginspec.conformance.moves.aimed.AIMED`) when this
module is imported (by :mod:`marginspec.conformance.moves`), right after
:mod:`~marginspec.conformance.moves.aimed`'s own, so the table's order is unchanged.
"""

from __future__ import annotations

import attrs

from marginspec import brackets
from marginspec.account import MarginType, OrderSide, PositionSide
from marginspec.conformance.moves.aimed import AIMED, SWEEP, held
from marginspec.conformance.moves.aiming import (
    ACCOUNTS,
    BUY,
    SELL,
    Chooser,
    Context,
    account_figures,
    any_symbol,
    can_be,
    decimal,
    flat,
    limit_order,
    mark_of,
    move,
    on_step,
    opening,
    opposite,
    pair,
    places,
    ready,
    round8,
    send,
    size_for,
    wallet_to,
)
from marginspec.evaluate import PositionFigures
from marginspec.exchange import INSURANCE_FUND, filters
from marginspec.exchange.actions import (
    Deposit,
    Fill,
    LiquidationSweep,
    MarkPrice,
    ModifyOrder,
    PlaceOrder,
    PositionMargin,
    SetLeverage,
    SetMarginType,
)
from marginspec.numbers import Exact

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
    """A fresh bid amended to what the venue refuses for what it adds (AMEND-4): one step
    far below the mark (-5029), then more than the available balance funds (-2019, or
    -2027 where the amount passes the leverage's notional cap first).
    Both each call (a refusal leaves the order as it was): one drawn of the two left
    -5029 unreached in whole quick runs (seeds 3, 4). The bid goes to a symbol where one
    step is below the minimum notional at a price inside PERCENT_PRICE's band (ETHUSDT
    at 3,000; not BTCUSDT at 80,000, where the band refuses the price first, -4016,
    and -5029 went unreached on seed 0)."""
    account = c.choice(ACCOUNTS)
    drawn = any_symbol(ctx, c)
    symbol = next((s for s in ctx.model.ruleset.markets if _below_minimum_in_band(ctx, s)), drawn)
    market = ctx.model.ruleset.markets[symbol]
    price = on_step(mark_of(ctx, symbol) * Exact(99, 100), market.tick_size)
    size = size_for(ctx, c, market, Exact(500))
    # a bid of 500 costs at most 500 and its open loss at 1x: fund it (on seed 0 every
    # call met an account with nothing available, -2019, and never amended)
    short = Exact(600) - account_figures(ctx, account).available_balance
    if short > 0 and ctx.caps.supports("deposit"):
        send(ctx, Deposit(account, decimal(short)))
    made = send(ctx, limit_order(ctx, c, account, symbol, BUY, price, size))
    if "orderId" not in made:
        return
    low = max(
        on_step(market.min_notional / market.step_size / 2, market.tick_size),
        _band_floor(ctx, symbol),
    )
    send(ctx, ModifyOrder(account, symbol, made["orderId"], low, market.step_size))
    budget = account_figures(ctx, account).available_balance
    lev = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage
    quantity = size + size_for(ctx, c, market, budget * lev * 2 + 1)
    send(ctx, ModifyOrder(account, symbol, made["orderId"], price, quantity))


def _band_floor(ctx: Context, symbol: str) -> Exact:
    """The lowest bid price PERCENT_PRICE lets through (FLT-1): on a tick, at or above
    the mark × multiplierDown."""
    market = ctx.model.ruleset.markets[symbol]
    return on_step(mark_of(ctx, symbol) * market.multiplier_down, market.tick_size, up=True)


def _below_minimum_in_band(ctx: Context, symbol: str) -> bool:
    """Whether one quantity step priced at the band's floor is below the minimum
    notional: where an amendment can meet -5029 rather than the band's refusal."""
    market = ctx.model.ruleset.markets[symbol]
    return bool(market.step_size * _band_floor(ctx, symbol) < market.min_notional)


@move(AIMED, "placeOrder", "fill", "modifyOrder")
def amend_cancels(ctx: Context, c: Chooser) -> None:
    """The amendments that cancel (AMEND-3): a post-only order amended to a price that
    would take, then a partly filled order amended to its executed quantity. Both each
    call: one drawn of the two left AMEND-3 unreached in a whole quick run (seed 4)."""
    maker, taker = c.choice((("A", "B"), ("B", "C"), ("C", "A")))
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    size = size_for(ctx, c, market, Exact(1000))
    if "GTX" in ctx.caps.time_in_force:
        away = price - market.tick_size * 2 if side is BUY else price + market.tick_size * 2
        post = limit_order(ctx, c, maker, symbol, side, away, size)
        made = send(ctx, attrs.evolve(post, time_in_force="GTX"))
        send(ctx, limit_order(ctx, c, taker, symbol, opposite(side), price, size))
        if "orderId" in made:
            send(ctx, ModifyOrder(maker, symbol, made["orderId"], price, size))
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
    -4002), then one on that bound. Each refusal has half the calls: with the four
    cases drawn apart, -4013 went unplayed in a whole quick run (seed 1)."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    below = c.choice((True, False))
    mark = on_step(mark_of(ctx, symbol), market.tick_size)
    order = limit_order(ctx, c, account, symbol, side, mark, market.step_size * 10)
    low, high, tick = market.min_price, market.max_price, market.tick_size
    if below and low > 0:
        outside, bound = (low - tick if low > tick else low / 2), low
    elif not below and high > 0:
        outside, bound = high + tick, high
    else:
        return
    send(ctx, attrs.evolve(order, price=outside))
    send(ctx, attrs.evolve(order, price=bound))


@move(AIMED, "placeOrder")
def lot_bounds(ctx: Context, c: Chooser) -> None:
    """An order just outside LOT_SIZE's minQty and maxQty (FLT-2), and a MARKET order
    just outside MARKET_LOT_SIZE's (FLT-3): -4004, -4005. All four each call (each
    refused, the state unchanged): one drawn of the four left -4004 unreached in a whole
    quick run (seed 4)."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    mark = on_step(mark_of(ctx, symbol), market.tick_size)
    order = limit_order(ctx, c, account, symbol, side, mark, market.step_size)
    kinds = [False, True] if "MARKET" in ctx.caps.order_types else [False]
    for is_market in kinds:
        low, high, step = filters.lot_bounds(market, is_market)
        for minimum, bound in ((True, low), (False, high)):
            if bound <= 0:
                continue
            quantity = bound / 2 if minimum else bound + step
            sent = attrs.evolve(order, quantity=quantity)
            if is_market:
                sent = attrs.evolve(sent, order_type="MARKET", price=Exact(0))
            send(ctx, sent)


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
    made = send(ctx, PlaceOrder(maker, symbol, side, opening(ctx, maker, side), price, quantity))
    if "orderId" not in made:
        return
    other = opposite(side)
    taking = PlaceOrder(taker, symbol, other, opening(ctx, taker, other), price, quantity)
    if "IOC" in ctx.caps.time_in_force:
        send(ctx, attrs.evolve(taking, time_in_force="IOC"))
        return
    taken = send(ctx, taking)
    if "orderId" in taken:
        send(ctx, Fill(made["orderId"], taken["orderId"]))


@move(AIMED, "deposit", "withdraw", "setLeverage", "setMarginType", *SWEEP)
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
    # Three accounts flat on one symbol and cross there (the balance ADL-2 reads is then
    # the wallet), drawn among all that fit: one fixed draw met a position or an isolated
    # setting held from earlier in the run in 31 of 32 plays of quick seed 2.
    found = places(ctx, c, ((MarginType.CROSS, None),) * 3)
    if found is None:
        return
    symbol, (victim, early, late) = found
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))  # the victim's
    wallet = Exact(c.choice((10000, 5000, 20000)))
    used = Exact(c.choice((1, 2)))  # the early counterparty's notional over its wallet
    # IF-5: the fund takes over what its limit allows, so the positions outgrow the fund
    # (a run may start with a fund of 1,000,000: 24 of 46 plays of quick seed 2 were
    # taken over, none deleveraged)
    limit = ctx.model.ruleset.options.fund_max_net_notional
    if limit is None:
        return  # the fund takes every position: no ADL
    fund_balance = account_figures(ctx, INSURANCE_FUND).total_margin_balance
    wallet = max(wallet, on_step(2 * limit * fund_balance / used, Exact(1), up=True))
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
    for name in (early, late):
        wallet_to(ctx, name, wallet)
        send(ctx, SetLeverage(name, symbol, 10))
    send(ctx, SetLeverage(victim, symbol, min(50, int(market.max_leverage))))
    held = q_early - q_fund + q_late
    loss = abs((q_early - q_fund) * (first - final) + q_late * (second - final))
    rate = market.brackets[0].maint_margin_ratio
    wallet_to(ctx, victim, round8(loss + held * final * rate / 2))
    fund = account_figures(ctx, INSURANCE_FUND).available_balance
    if fund < q_fund * first / 10:
        send(ctx, Deposit(INSURANCE_FUND, round8(q_fund * first / 10 - fund, up=True)))
    if "IOC" in ctx.caps.time_in_force:
        sizes = (q_early, q_fund, q_late)
        _ranked_takes(ctx, (victim, early, late), symbol, side, (first, second), sizes)
    else:
        # the fund on the victim's side, against the early counterparty
        _opening_trade(ctx, INSURANCE_FUND, early, symbol, side, q_fund, first)
        _opening_trade(ctx, victim, early, symbol, side, q_early - q_fund, first)
        send(ctx, MarkPrice(symbol, second))
        _opening_trade(ctx, victim, late, symbol, side, q_late, second)
    send(ctx, MarkPrice(symbol, final))
    send(ctx, LiquidationSweep())


def _ranked_takes(
    ctx: Context,
    accounts: tuple[str, str, str],
    symbol: str,
    side: OrderSide,
    prices: tuple[Exact, Exact],
    sizes: tuple[Exact, Exact, Exact],
) -> None:
    """:func:`crash_ranked`'s positions in four actions (six with the crash and the sweep,
    issue 12's bar for a shrunk story): the early counterparty rests its whole size at
    the first price, the fund takes part of it (IOC), the late one rests at the second
    price (inside PERCENT_PRICE's band: the mark need not move there, ACT-ORD-9), and the
    victim takes the rest of both in one IOC order (best price first, ACT-ORD-8)."""
    victim, early, late = accounts
    first, second = prices
    q_early, q_fund, q_late = sizes
    against = opposite(side)
    rest = PlaceOrder(early, symbol, against, opening(ctx, early, against), first, q_early)
    if "orderId" not in send(ctx, rest):
        return
    fund_side = opening(ctx, INSURANCE_FUND, side)
    take = PlaceOrder(INSURANCE_FUND, symbol, side, fund_side, first, q_fund, time_in_force="IOC")
    send(ctx, take)
    send(ctx, PlaceOrder(late, symbol, against, opening(ctx, late, against), second, q_late))
    whole = q_early - q_fund + q_late
    victim_side = opening(ctx, victim, side)
    send(ctx, PlaceOrder(victim, symbol, side, victim_side, first, whole, time_in_force="IOC"))


@move(AIMED, "deposit", "withdraw", "setLeverage", "setMarginType", *SWEEP)
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
        wallet_to(ctx, other, decimal(need))
    maint = brackets.maint_margin(table, quantity * final, boundary)
    fee = fee_rate * quantity * final
    left = (fee + maint) / 2 if maint > fee and c.choice((True, False)) else min(fee, maint) / 2
    wallet_to(ctx, victim, decimal(quantity * abs(first - final) + left))
    _opening_trade(ctx, victim, other, symbol, side, quantity, first)
    send(ctx, MarkPrice(symbol, final))
    send(ctx, LiquidationSweep())


@move(AIMED, "placeOrder", "fill")
def reducing_orders(ctx: Context, c: Chooser) -> None:
    """A reducing order with another reducing order of the same direction resting
    (ACT-ORD-4): its quantity larger than, equal to or smaller than the position, and on
    the netted boundary (quantity + resting = position) or one step either side of it."""
    focus = held(ctx, c)
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
    order = PlaceOrder(account, symbol, closing, side, price, quantity, reduce_only=not hedge)
    if "orderId" not in send(ctx, order) and quantity != net:
        # refused beyond the boundary: then exactly on it (drawn alone, one time in six,
        # the netted boundary went unreached in a whole quick run, seed 2)
        send(ctx, attrs.evolve(order, quantity=net))


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
    pair(ctx, c, account, symbol, SELL, size, price, opening(ctx, account, SELL))


@move(AIMED, "deposit", "withdraw", "placeOrder", "fill", "markPrice")
def on_trigger(ctx: Context, c: Chooser) -> None:
    """LIQ-1's trigger from both sides (CONF-5, issue 12's boundaries): a fresh position
    behind a modest wallet, the mark one tick past its liquidation price, then exactly
    the shortfall to maintenance margin added back (a deposit, or isolated margin), or one
    unit of the 8th decimal less or more: the margin balance below, equal to and above
    the maintenance margin, where a ``<=`` trigger for ``<`` differs. Four actions after
    shrinking (the set-up folded into the initial state): the trade, the mark, the top-up.
    The position is opened on a symbol the account is flat on, and an account that
    holds other positions plays it isolated where it can: a cross
    trigger read with other positions hangs on how they came about (quick seed 3 found
    the mistake on an account left with positions by an ADL story, 14 steps that no
    removal could shorten), an isolated one on this position alone. The switch draws
    nothing, so the draws stay as they were."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    if not flat(ctx, account, symbol):  # a fresh position: a symbol the account is flat on
        symbol = next((s for s in ctx.model.ruleset.markets if flat(ctx, account, s)), symbol)
    market = ctx.model.ruleset.markets[symbol]
    if (
        ctx.model.state.accounts[account].has_position()
        and ctx.caps.supports("positionMargin")
        and can_be(ctx, account, symbol, MarginType.ISOLATED)
    ):
        ready(ctx, account, symbol, MarginType.ISOLATED)
    side = c.choice((BUY, SELL))
    tick = market.tick_size
    if ctx.caps.supports("setLeverage"):
        send(ctx, SetLeverage(account, symbol, min(20, int(market.max_leverage))))
    wallet_to(ctx, account, Exact(c.choice((2000, 1000))))
    size = size_for(ctx, c, market, Exact(c.choice((5000, 10000))))
    price = on_step(mark_of(ctx, symbol), tick)
    position_side = opening(ctx, account, side)
    if not pair(ctx, c, account, symbol, side, size, price, position_side):
        return
    found = _position(ctx, account, symbol, position_side)
    if found is None or not found.liquidation_price:
        return
    # one tick past the liquidation price: a long below it, a short above it
    if found.position.position_amt > 0:
        mark = on_step(found.liquidation_price, tick) - tick
    else:
        mark = on_step(found.liquidation_price, tick, up=True) + tick
    if mark <= 0:
        return
    send(ctx, MarkPrice(symbol, mark))
    off = c.choice((Exact(0), Exact(-1, 10**8), Exact(1, 10**8)))
    found = _position(ctx, account, symbol, position_side)
    if found is None:
        return
    if found.isolated_margin is not None:
        if not ctx.caps.supports("positionMargin"):
            return
        short = found.maint_margin - found.isolated_margin
        if short + off > 0:
            send(ctx, PositionMargin(account, symbol, position_side, decimal(short + off), 1))
        return
    f = account_figures(ctx, account)
    short = f.cross_maint_margin - (f.total_cross_wallet_balance + f.total_cross_unrealized_pnl)
    if short + off > 0:
        send(ctx, Deposit(account, decimal(short + off)))


def _position(
    ctx: Context, account: str, symbol: str, side: PositionSide
) -> PositionFigures | None:
    for p in account_figures(ctx, account, prices=True).positions:
        if p.position.symbol == symbol and p.position.position_side is side:
            return p if p.position.position_amt != 0 else None
    return None
