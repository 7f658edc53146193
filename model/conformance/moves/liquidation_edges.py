"""Aimed scenarios for issue 12's sixth round: the edges of the liquidation price and
of the liquidation sweep that the other moves leave unobserved (LIQ-4's choice between
two consistent prices, ADL-2/ADL-3's ranking details, positions of exactly one unit),
and (seventh round) the insurance fund's edges: IF-5 at a margin balance of exactly 0,
a negative wallet left to the fund (IF-3, LIQP-7).

They join the aimed table (:data:`marginspec.conformance.moves.aimed.AIMED`) when this
module is imported (by :mod:`marginspec.conformance.moves`), after the other aimed
modules, so the table's order is unchanged.
"""

from __future__ import annotations

from typing import NamedTuple

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
    mark_of,
    move,
    on_step,
    opening,
    opposite,
    places,
    round8,
    send,
    wallet_to,
)
from marginspec.exchange import INSURANCE_FUND, apply
from marginspec.exchange.actions import (
    Deposit,
    Fill,
    Funding,
    LiquidationSweep,
    MarkPrice,
    PlaceOrder,
    SetLeverage,
    SetMarginType,
    Withdraw,
)
from marginspec.exchange.events import Event
from marginspec.exchange.state import ExchangeState
from marginspec.liquidation import Leg, prices
from marginspec.numbers import Exact

_EIGHTH = Exact(1, 10**8)


def _trade(
    ctx: Context,
    maker: str,
    taker: str,
    symbol: str,
    side: OrderSide,
    position_side: PositionSide,
    quantity: Exact,
    price: Exact,
) -> bool:
    """``maker`` rests ``side`` on ``position_side``, ``taker`` rests the opposite order
    (opening) and an explicit fill pairs them: an IOC order could meet older resting
    orders at a better price when the mark has just moved far. True if it filled."""
    made = send(ctx, PlaceOrder(maker, symbol, side, position_side, price, quantity))
    if "orderId" not in made:
        return False
    other = opposite(side)
    taken = send(ctx, PlaceOrder(taker, symbol, other, opening(ctx, taker, other), price, quantity))
    if "orderId" not in taken:
        return False
    return send(ctx, Fill(made["orderId"], taken["orderId"])).get("status") == "accepted"


# ------------------------------------------------------------------ LIQ-4: two prices


def _others(ctx: Context, account: str, symbol: str) -> tuple[Exact, Exact]:
    """LIQ-2's TMM1 and UPNL1 of ``account`` for ``symbol``: the MM and uPnL of its cross
    positions on other symbols."""
    f = account_figures(ctx, account)
    other_mm, other_upnl = f.cross_maint_margin, f.total_cross_unrealized_pnl
    for p in f.positions:
        if p.position.symbol == symbol and p.isolated_margin is None:
            other_mm -= p.maint_margin
            other_upnl -= p.unrealized_pnl
    return other_mm, other_upnl


def _roots(ctx: Context, account: str, symbol: str, wallet: Exact) -> tuple[Exact, Exact] | None:
    """The lowest and the highest consistent liquidation price of ``account``'s hedged
    pair on ``symbol`` with its cross wallet at ``wallet`` (LIQ-2, LIQ-3 by the model's own
    :func:`~marginspec.liquidation.prices`: LIQ-4 seen from a mark near 0 and from one far
    above), or None unless both exist and differ."""
    acct = ctx.model.state.accounts[account]
    table = ctx.model.ruleset.markets[symbol].brackets
    legs = []
    for side in (PositionSide.LONG, PositionSide.SHORT):
        pos = acct.position(symbol, side)
        if pos.position_amt == 0:
            return None
        legs.append(Leg(pos.position_amt, pos.entry_price, table))
    other_mm, other_upnl = _others(ctx, account, symbol)
    boundary = ctx.model.ruleset.options.bracket_boundary
    low = prices(legs, wallet, other_mm, other_upnl, _EIGHTH, boundary, ())[0]
    high = prices(legs, wallet, other_mm, other_upnl, Exact(10**15), boundary, ())[0]
    if not (low.exists and high.exists) or low.price == high.price:
        return None
    return Exact(low.price), Exact(high.price)


def _tie_wallet(
    ctx: Context, account: str, symbol: str, wallet: Exact
) -> tuple[Exact, Exact] | None:
    """A wallet on 8 decimals near ``wallet`` whose two consistent prices have a mark on 8
    decimals exactly halfway between them (LIQ-4's tie), and that mark; or None.

    Each price is affine in the wallet while its brackets stay (LIQ-2: the wallet is in
    the numerator only), so two evaluations give both lines; their sum barely moves with
    the wallet (the roots move in opposite directions), so the mark is searched on the
    finest grid, next to the midpoint, and each candidate checked against the model."""
    near = _roots(ctx, account, symbol, wallet)
    moved = _roots(ctx, account, symbol, wallet + 1)
    if near is None or moved is None:
        return None
    slope = (moved[0] - near[0]) + (moved[1] - near[1])  # of the sum of the two prices
    if slope == 0:
        return None
    base = round8((near[0] + near[1]) / 2)
    for k in range(200):
        for mark in (base + k * _EIGHTH, base - k * _EIGHTH):
            candidate = wallet + (2 * mark - near[0] - near[1]) / slope
            if candidate <= 0 or round8(candidate) != candidate:
                continue
            found = _roots(ctx, account, symbol, candidate)
            if found is not None and found[0] + found[1] == 2 * mark:
                return candidate, mark
    return None


@move(AIMED, "setPositionMode", "deposit", "withdraw", "placeOrder", "fill", "markPrice")
def two_liquidation_prices(ctx: Context, c: Chooser) -> None:
    """A hedged pair with two consistent liquidation prices (LIQ-3, LIQ-4), and the mark
    just below, exactly on and just above the midpoint between them.

    A LONG ``q`` and a SHORT ``0.9 q`` at one entry, cross, behind a wallet below the net
    exposure: the net long loses below the entry (the low root) and the maintenance
    margin of both legs, whose rate grows with the notional, overtakes its gain far above
    (the high root). The mark is first moved to 1 and ``q`` sized to twice the first
    bracket's cap, so the low root lies where both legs are in the first bracket and that
    bracket's price range ends below 1 (a search that prunes bracket combinations from
    the price 1, not 0, loses it). The observed liquidation price is the nearer root: an
    engine measuring the distance to the wrong point, or taking the higher root (or the
    later one) on the exact tie, shows the other root. The wallet is searched (by the
    model's own prices) so that the midpoint is a price on 8 decimals."""
    if not ctx.caps.hedge_mode:
        return
    found = places(ctx, c, ((MarginType.CROSS, True),))
    if found is None:
        return
    symbol, (account,) = found
    market = ctx.model.ruleset.markets[symbol]
    other = c.choice(tuple(a for a in ACCOUNTS if a != account))
    start = Exact(1)
    first = market.brackets[0]
    if start < market.min_price or first.notional_cap <= 0:
        return
    long_size = on_step(first.notional_cap * 2 / start, market.step_size)
    short_size = on_step(long_size * Exact(9, 10), market.step_size)
    if long_size > market.max_qty:
        return
    if ctx.caps.supports("setLeverage"):
        send(ctx, SetLeverage(account, symbol, min(50, int(market.max_leverage))))
    if ctx.caps.supports("setLeverage"):
        send(ctx, SetLeverage(other, symbol, min(20, int(market.max_leverage))))
    send(ctx, MarkPrice(symbol, start))
    # the counterparty pays margin for the whole long at whatever leverage it has; the
    # account's own wallet is brought to its target after the trades
    for name, cover in ((other, 2), (account, 1)):
        need = long_size * start * cover - account_figures(ctx, name).available_balance
        if need > 0:
            send(ctx, Deposit(name, decimal(need)))
    if not _trade(ctx, account, other, symbol, BUY, PositionSide.LONG, long_size, start):
        return
    if not _trade(ctx, account, other, symbol, SELL, PositionSide.SHORT, short_size, start):
        return
    # the low root near a quarter of the entry: V = 3/4 of the net exposure + 1/4 of MM
    net = (long_size - short_size) * start
    maint = (long_size + short_size) * start * first.maint_margin_ratio
    other_mm, other_upnl = _others(ctx, account, symbol)
    target = round8(net * 3 / 4 + maint / 4 + other_mm - other_upnl)
    tie = _tie_wallet(ctx, account, symbol, target)
    if tie is not None:
        target = tie[0]
    wallet_to(ctx, account, target)
    roots = _roots(ctx, account, symbol, ctx.model.state.accounts[account].cross_wallet)
    if roots is None:
        return
    low, high = roots
    middle = tie[1] if tie is not None and tie[0] == target else round8((low + high) / 2)
    near = round8(low / 4)
    for mark in (middle - near, middle, middle + near, start):
        if mark > low:
            send(ctx, MarkPrice(symbol, mark))


# ------------------------------------------------------------------ one unit


def _one_unit_margin(
    ctx: Context, account: str, symbol: str, side: OrderSide
) -> tuple[MarginType, ...] | None:
    """The margin types ``account`` can hold :func:`one_unit`'s position on ``symbol`` in:
    the one it is in, and the other one if the symbol is untouched and the engine can
    switch it (ACT-4); None if it already holds a position on that side."""
    acct = ctx.model.state.accounts[account]
    if acct.position(symbol, opening(ctx, account, side)).position_amt != 0:
        return None
    now = acct.setting(symbol, ctx.model.ruleset).margin_type
    untouched = not acct.has_orders(symbol) and not any(k[0] == symbol for k in acct.positions)
    if not untouched or not ctx.caps.supports("setMarginType"):
        return (now,)
    return (now, MarginType.CROSS if now is MarginType.ISOLATED else MarginType.ISOLATED)


@move(AIMED, "deposit", "withdraw", "placeOrder", "fill", "markPrice", "liquidationSweep")
def one_unit(ctx: Context, c: Chooser) -> None:
    """A long of exactly one unit (1 BTC, 1 ETH), cross or isolated (each half the time,
    wherever the account can be switched to it), funded (FUND-3), then taken one tick
    past its liquidation price and swept (LIQ-1, LIQP-1).

    Every rule that skips empty positions tests ``position_amt == 0``; an engine testing
    the amount against 1 skips this position instead: no funding fee, no maintenance
    check before the sweep's liquidation, no place in the cross scope it liquidates (a
    cross account's unit long left open by its liquidation)."""
    side = BUY  # +1: the amount an ``== 1`` test meets (a short is -1)
    want = c.choice((MarginType.ISOLATED, MarginType.CROSS))
    spots = [
        (name, symbol, _one_unit_margin(ctx, name, symbol, side))
        for name in ACCOUNTS
        for symbol in ctx.model.ruleset.markets
    ]
    usable = [(n, s, kinds) for n, s, kinds in spots if kinds is not None]
    preferred = [p for p in usable if want in p[2]] or usable
    if not preferred:
        return
    account, symbol, kinds = c.choice(preferred)
    market = ctx.model.ruleset.markets[symbol]
    position_side = opening(ctx, account, side)
    target = want if want in kinds else kinds[0]
    if target is not kinds[0]:
        made = send(ctx, SetMarginType(account, symbol, target))
        if made.get("status") != "accepted":
            return
    if ctx.caps.supports("setLeverage"):
        send(ctx, SetLeverage(account, symbol, min(20, int(market.max_leverage))))
    other = c.choice(tuple(a for a in ACCOUNTS if a != account))
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    unit = Exact(1)
    # a wallet of a fifth of the notional: the position's liquidation price is near
    wallet_to(ctx, account, round8(price / 5))
    need = price * 2 - account_figures(ctx, other).available_balance
    if need > 0:
        send(ctx, Deposit(other, decimal(need)))
    if not _trade(ctx, account, other, symbol, side, position_side, unit, price):
        return
    if ctx.caps.supports("funding"):
        send(ctx, Funding(symbol, c.choice((Exact(1, 1000), Exact(-1, 1000)))))
    figures = [
        p
        for p in account_figures(ctx, account, prices=True).positions
        if p.position.symbol == symbol and p.position.position_side is position_side
    ]
    if not figures:
        return
    held = figures[0]
    tick = market.tick_size
    if held.liquidation_price is None:
        return
    lp = held.liquidation_price
    mark = on_step(lp, tick) - tick if side is BUY else on_step(lp, tick, up=True) + tick
    if mark <= 0:
        return
    send(ctx, MarkPrice(symbol, mark))
    send(ctx, LiquidationSweep())


# ------------------------------------------------------------------ ADL's ranking


def _past_liquidation(ctx: Context, account: str, symbol: str, side: OrderSide) -> Exact | None:
    """A mark 2 % past ``account``'s liquidation price on ``symbol`` (its position opened
    by ``side``), on the tick; None without one."""
    market = ctx.model.ruleset.markets[symbol]
    for p in account_figures(ctx, account, prices=True).positions:
        if p.position.symbol == symbol and p.position.position_amt != 0:
            if p.liquidation_price is None:
                return None
            factor = Exact(98, 100) if side is BUY else Exact(102, 100)
            mark = on_step(p.liquidation_price * factor, market.tick_size)
            return mark if mark > 0 else None
    return None


def _fund_refuses(ctx: Context, symbol: str) -> Exact:
    """A notional on ``symbol`` the fund cannot take over (IF-5): beyond its margin
    balance times its limit (at least 20,000)."""
    fund = account_figures(ctx, INSURANCE_FUND).total_margin_balance
    limit = ctx.model.ruleset.options.fund_max_net_notional or Exact(1)
    return max(Exact(20000), fund * limit * Exact(3, 2))


@move(AIMED, "deposit", "withdraw", "placeOrder", "fill", "markPrice", "liquidationSweep")
def adl_tie(ctx: Context, c: Chooser) -> None:
    """ADL between two counterparties of equal score (ADL-3): the same size, entry and
    cross wallet, so ADL-2's score ties exactly; the one first by account name holds a
    hedge side (LONG/SHORT), the other the one-way side BOTH, so ordering the tie by
    position side instead of by account name reverses the order in which they are
    deleveraged (the ADL events' order). The victim's notional is beyond what the fund
    may take over (IF-5), and the mark goes past its liquidation price."""
    if not ctx.caps.hedge_mode:
        return
    cross = MarginType.CROSS
    # the hedge account first by name
    found = places(ctx, c, ((cross, None), (cross, True), (cross, False)), by_name=(1, 2))
    if found is None:
        return
    symbol, (victim, first, second) = found
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))  # the victim's
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    notional = _fund_refuses(ctx, symbol)
    half = max(on_step(notional / 2 / price, market.step_size), market.step_size)
    if ctx.caps.supports("setLeverage"):
        for name in (victim, first, second):
            send(ctx, SetLeverage(name, symbol, 10))
    wallet = round8(half * price)  # equal wallets, each the whole notional at 1x
    for name in (first, second):
        wallet_to(ctx, name, wallet)
    wallet_to(ctx, victim, round8(half * price / 2))
    victim_side = opening(ctx, victim, side)
    for name in (first, second):
        if not _trade(ctx, victim, name, symbol, side, victim_side, half, price):
            return
    for name in (first, second):  # the fees were equal; the wallets must be too
        if ctx.model.state.accounts[name].cross_wallet != wallet:
            wallet_to(ctx, name, wallet)
    mark = _past_liquidation(ctx, victim, symbol, side)
    if mark is None:
        return
    send(ctx, MarkPrice(symbol, mark))
    send(ctx, LiquidationSweep())


class _Crash(NamedTuple):
    """A victim's position against a big counterparty, the mark past its liquidation
    price, and a third account isolated at the highest leverage on the symbol."""

    symbol: str
    victim: str
    big: str
    thin: str
    side: OrderSide  # the victim's
    entry: Exact
    quantity: Exact
    crash: Exact
    #: the smallest quantity of the minimum notional at the crash mark (the thin position)
    small: Exact


def _crashed(ctx: Context, c: Chooser) -> _Crash | None:
    """:class:`_Crash`'s set-up: the victim's notional beyond what the fund may take over
    (IF-5, so the sweep deleverages), or None."""
    if not ctx.caps.supports("setMarginType") or not ctx.caps.supports("setLeverage"):
        return None
    cross = MarginType.CROSS
    found = places(ctx, c, ((cross, None), (cross, None), (MarginType.ISOLATED, None)))
    if found is None:
        return None
    symbol, (victim, big, thin) = found
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))  # the victim's
    tick, step = market.tick_size, market.step_size
    price = on_step(mark_of(ctx, symbol), tick)
    quantity = max(on_step(_fund_refuses(ctx, symbol) / price, step), step)
    for name in (victim, big):
        send(ctx, SetLeverage(name, symbol, 10))
    wallet_to(ctx, big, round8(quantity * price))
    wallet_to(ctx, victim, round8(quantity * price / 5))
    short = quantity * price / 5 - account_figures(ctx, victim).available_balance
    if short > 0:  # other positions hold margin: the trade still needs a fifth
        send(ctx, Deposit(victim, decimal(short)))
    if not _trade(ctx, victim, big, symbol, side, opening(ctx, victim, side), quantity, price):
        return None
    crash = _past_liquidation(ctx, victim, symbol, side)
    if crash is None:
        return None
    send(ctx, MarkPrice(symbol, crash))
    send(ctx, SetLeverage(thin, symbol, int(market.max_leverage)))
    small = on_step(market.min_notional / crash, step, up=True) or step
    return _Crash(symbol, victim, big, thin, side, price, quantity, crash, small)


@move(AIMED, "deposit", "withdraw", "placeOrder", "fill", "markPrice", "liquidationSweep")
def adl_thin_equity(ctx: Context, c: Chooser) -> None:
    """ADL whose best-ranked counterparty has a margin balance in (0, 1] (ADL-2a, ADL-2c's
    boundary): an isolated position of the smallest notional at the highest leverage,
    opened after the mark has crashed and in a small profit at the final mark, so its
    isolated wallet plus uPnL stays below 1 while its score (uPnL over that balance) beats
    the big counterparty's, whose wallet is large. An engine that gives no effective
    leverage to a balance up to 1 (``equity > 1`` for ``> 0``) scores it 0 and
    deleverages the big counterparty first (the ADL events' order)."""
    found = _crashed(ctx, c)
    if found is None:
        return
    symbol, _, big, thin, side, price, quantity, crash, small = found
    market = ctx.model.ruleset.markets[symbol]
    tick = market.tick_size
    leverage = ctx.model.state.accounts[thin].setting(symbol, ctx.model.ruleset).leverage
    wallet = small * crash / leverage
    if wallet >= 1:
        return
    if account_figures(ctx, thin).available_balance < 1:
        send(ctx, Deposit(thin, Exact(10)))
    thin_side = opening(ctx, thin, opposite(side))
    if not _trade(ctx, thin, big, symbol, opposite(side), thin_side, small, crash):
        return
    # a profit of half the room left below 1, on the tick
    move_by = on_step((1 - wallet) / 2 / small, tick) or tick
    final = crash - move_by if side is BUY else crash + move_by
    profit = (crash - final) * side.direction * small
    if final <= 0 or profit <= 0 or profit + wallet > 1:
        return
    send(ctx, MarkPrice(symbol, final))
    # the big counterparty's score, uPnL / (wallet + uPnL), a quarter of the thin one's
    score = profit / (wallet + profit)
    gain = abs(price - final) * quantity
    wallet_to(ctx, big, round8(gain * (4 / score - 1), up=True))
    send(ctx, LiquidationSweep())


@move(AIMED, "deposit", "withdraw", "placeOrder", "fill", "markPrice", "liquidationSweep")
def adl_negative_wallet(ctx: Context, c: Chooser) -> None:
    """ADL whose best-ranked counterparty has a negative isolated wallet and a larger
    profit (ADL-2a's ``effLev = |notional| / (balance + uPnL)``): an isolated position of
    two minimum lots, half of it closed at a loss larger than its wallet (FILL-6: the
    loss stays in the isolated wallet, which nothing releases), the rest then in profit.
    Its balance + uPnL is small and positive, so its score (uPnL over that) is above 1
    and it is deleveraged first; an engine that leaves the uPnL out of the effective
    leverage divides by the negative wallet, scores it 0 (ADL-2c) and deleverages the big
    counterparty first (the ADL events' order)."""
    found = _crashed(ctx, c)
    if found is None:
        return
    symbol, _, big, thin, side, price, quantity, crash, small = found
    market = ctx.model.ruleset.markets[symbol]
    tick = market.tick_size
    leverage = ctx.model.state.accounts[thin].setting(symbol, ctx.model.ruleset).leverage
    if account_figures(ctx, thin).available_balance < 10:
        send(ctx, Deposit(thin, Exact(10)))
    thin_side = opening(ctx, thin, opposite(side))
    if not _trade(ctx, thin, big, symbol, opposite(side), thin_side, small * 2, crash):
        return
    # against the thin position by three times its margin rate: closing half loses 1.5x
    # its wallet
    against = on_step(crash * (1 + side.direction * Exact(3) / leverage), tick)
    send(ctx, MarkPrice(symbol, against))
    if not _trade(ctx, thin, big, symbol, side, thin_side, small, against):
        return
    wallet = ctx.model.state.accounts[thin].position(symbol, thin_side).isolated_wallet
    if wallet >= 0:
        return
    # then in its favour: a profit of four times the deficit plus the maintenance margin
    room = (-wallet * 4 + small * crash * market.brackets[0].maint_margin_ratio) / small
    final = on_step(crash - side.direction * room, tick, up=side is SELL)
    if final <= 0:
        return
    send(ctx, MarkPrice(symbol, final))
    wallet_to(ctx, big, round8(abs(price - final) * quantity * 3))
    send(ctx, LiquidationSweep())


@move(AIMED, "deposit", "withdraw", "placeOrder", "fill", "markPrice", "liquidationSweep")
def adl_same_side(ctx: Context, c: Chooser) -> None:
    """ADL with a small position on the victim's own side in profit (ADL-2: only the
    opposite positions are ranked): an isolated position of the minimum lot (less than
    one unit) at the highest leverage, opened with the victim's direction after the
    crash, the mark then a little back, still past the victim's liquidation price. Its
    score is the best of all; an engine that ranks positions whose signed amount is below
    1 (``>= 1`` for ``>= 0``) deleverages it, on the victim's side, first."""
    found = _crashed(ctx, c)
    if found is None:
        return
    symbol, _, big, thin, side, price, quantity, crash, small = found
    market = ctx.model.ruleset.markets[symbol]
    if account_figures(ctx, thin).available_balance < 10:
        send(ctx, Deposit(thin, Exact(10)))
    if not _trade(ctx, thin, big, symbol, side, opening(ctx, thin, side), small, crash):
        return
    # a hundredth back: the victim stays past its liquidation price (2 % past), the thin
    # position gains about its whole margin
    final = on_step(crash * (1 + side.direction * Exact(1, 100)), market.tick_size)
    send(ctx, MarkPrice(symbol, final))
    wallet_to(ctx, big, round8(abs(price - final) * quantity * 3))
    send(ctx, LiquidationSweep())


@move(
    AIMED,
    "setPositionMode",
    "setMarginType",
    "setLeverage",
    "deposit",
    "withdraw",
    "placeOrder",
    "fill",
    "markPrice",
    "liquidationSweep",
)
def adl_flat_side(ctx: Context, c: Chooser) -> None:
    """ADL in a sweep where a counterparty also has an empty position side with a negative
    isolated wallet on the symbol (closed past its bankruptcy price by a fill; IF-3 resets
    it only after the passes): a hedge account, isolated, whose LONG was closed that way
    and whose SHORT, opened at the crash mark against a counterparty that closes, is the
    victim's only counterparty. Both score 0 (no uPnL; no margin balance), so the tie goes
    by position side (ADL-3): an engine that ranks the empty side too (``> 0`` for
    ``>= 0``) reaches it first and deleverages nothing there (an ADL of quantity 0)."""
    if not ctx.caps.hedge_mode:
        return
    cross = MarginType.CROSS
    found = places(ctx, c, ((cross, None), (MarginType.ISOLATED, True), (cross, False)))
    if found is None:
        return
    symbol, (victim, hedged, helper) = found
    market = ctx.model.ruleset.markets[symbol]
    if any(k[0] == symbol for k in ctx.model.state.accounts[hedged].positions):
        return  # an empty side already there: the LONG below would not start clean
    send(ctx, SetLeverage(hedged, symbol, 20))
    send(ctx, SetLeverage(helper, symbol, 10))
    tick, step = market.tick_size, market.step_size
    price = on_step(mark_of(ctx, symbol), tick)
    small = on_step(market.min_notional / price * 2, step, up=True) or step
    quantity = max(on_step(_fund_refuses(ctx, symbol) / price, step), step)
    wallet_to(ctx, helper, round8(quantity * price * 2))
    wallet_to(ctx, hedged, round8(quantity * price))
    long = PositionSide.LONG
    if not _trade(ctx, hedged, helper, symbol, BUY, long, small, price):
        return
    # closed 10 % lower: twice its margin at 20x lost, the empty side's wallet negative
    below = on_step(price * Exact(9, 10), tick)
    if not _trade(ctx, hedged, helper, symbol, SELL, long, small, below):
        return
    if ctx.model.state.accounts[hedged].position(symbol, long).isolated_wallet >= 0:
        return
    send(ctx, SetLeverage(hedged, symbol, 10))
    send(ctx, SetLeverage(victim, symbol, 10))
    wallet_to(ctx, victim, round8(quantity * price / 5))
    victim_side = opening(ctx, victim, BUY)
    if not _trade(ctx, victim, helper, symbol, BUY, victim_side, quantity, price):
        return
    crash = _past_liquidation(ctx, victim, symbol, BUY)
    if crash is None:
        return
    send(ctx, MarkPrice(symbol, crash))
    # the helper closes its short against the hedge account's new SHORT, at the mark
    if not _trade(ctx, hedged, helper, symbol, SELL, PositionSide.SHORT, quantity, crash):
        return
    send(ctx, LiquidationSweep())


# ------------------------------------------------------------------ IF-5 at a zero balance


def _swept(ctx: Context, fund_deposit: Exact) -> tuple[ExchangeState, tuple[Event, ...]]:
    """A sweep tried on a copy of the state, the fund seeded by ``fund_deposit`` first:
    the state after it and its events."""
    state, ruleset = ctx.model.state, ctx.model.ruleset
    if fund_deposit > 0:
        state, _ = apply(state, Deposit(INSURANCE_FUND, fund_deposit), ruleset)
    after, outcome = apply(state, LiquidationSweep(), ruleset)
    return after, outcome.events


def _takeovers(events: tuple[Event, ...], symbol: str) -> list[tuple[str | None, Exact | None]]:
    """(side, quantity) of each TAKEOVER on ``symbol``, in order."""
    return [(e.side, e.quantity) for e in events if e.type == "TAKEOVER" and e.symbol == symbol]


@move(
    AIMED,
    "setPositionMode",
    "setMarginType",
    "setLeverage",
    "deposit",
    "withdraw",
    "placeOrder",
    "fill",
    "markPrice",
    "liquidationSweep",
)
def fund_emptied(ctx: Context, c: Chooser) -> None:
    """A takeover (LIQP-6) after which the insurance fund is flat and its margin balance
    exactly 0 (IF-5's ``MB_fund >= 0`` met with equality, the net notional 0 within any
    limit): it may hold it, so it takes the position over. An engine refusing a zero
    balance (``<= 0``) or one below 1 auto-deleverages it instead (ADL-1: an ADL event
    against the hedged counterparty's short, where the exchange reports a TAKEOVER).

    Two isolated positions of one size on one symbol, a short opened at the mark ``P``
    and a long opened with the mark moved to ``3P``, both at 10x against one hedged
    counterparty; the mark then goes to ``1.12 P``, past both liquidation prices (no
    sweep in between). In one sweep the short (first by account name) is taken over at
    its bankruptcy price near ``1.1 P``, then the long at near ``2.7 P``: closing the
    fund's short there loses about 1.6 P per unit, which the fund (seeded with that
    loss less what it holds) pays to the last cent. The seed is worked out from the
    same sweep tried on a copy with a rich fund, and checked on a copy: with it the
    fund takes both and ends flat at 0 (10^-8 less and it may not hold the long: ADL
    closes it against the counterparty's hedged short, which is there for that). A fund
    holding any other position is skipped (its net notional would need a positive
    balance)."""
    if not ctx.caps.hedge_mode:
        return
    if ctx.model.state.accounts[INSURANCE_FUND].has_position():
        return
    iso = MarginType.ISOLATED
    found = places(ctx, c, ((iso, None), (iso, None), (MarginType.CROSS, True)), by_name=(0, 1))
    if found is None:
        return
    symbol, (short, long, other) = found
    market = ctx.model.ruleset.markets[symbol]
    if market.max_leverage < 10:
        return
    tick, step = market.tick_size, market.step_size
    for name in (short, long, other):
        send(ctx, SetLeverage(name, symbol, 10))
    low = on_step(mark_of(ctx, symbol), tick)
    high = on_step(low * 3, tick)
    crash = on_step(low * Exact(112, 100), tick)
    # the fund's loss (about 1.6 times the notional at ``low``) must outgrow its wallet
    fund = ctx.model.state.accounts[INSURANCE_FUND].cross_wallet
    quantity = on_step(max(fund, market.min_notional * 2) / low, step, up=True) or step
    if quantity > market.max_qty:
        return
    for name, need in ((short, low / 5), (long, high / 5), (other, (low + high) / 2)):
        short_by = quantity * need - account_figures(ctx, name).available_balance
        if short_by > 0:
            send(ctx, Deposit(name, decimal(short_by)))
    if not _trade(ctx, short, other, symbol, SELL, opening(ctx, short, SELL), quantity, low):
        return
    send(ctx, MarkPrice(symbol, high))
    if not _trade(ctx, long, other, symbol, BUY, opening(ctx, long, BUY), quantity, high):
        return
    send(ctx, MarkPrice(symbol, crash))
    both = [("SELL", quantity), ("BUY", quantity)]
    rich = Exact(10**12)
    after, events = _swept(ctx, rich)
    if _takeovers(events, symbol) != both or any(e.type == "ADL" for e in events):
        return
    seed = rich - after.accounts[INSURANCE_FUND].cross_wallet
    if seed <= 0 or decimal(seed) != seed:
        return
    after, events = _swept(ctx, seed)
    left = after.accounts[INSURANCE_FUND]
    if _takeovers(events, symbol) != both or left.has_position() or left.cross_wallet != 0:
        return
    send(ctx, Deposit(INSURANCE_FUND, seed))
    send(ctx, LiquidationSweep())


# ------------------------------------------------------------------ a negative rest


@move(AIMED, "deposit", "withdraw", "placeOrder", "fill", "markPrice", "liquidationSweep")
def negative_rest(ctx: Context, c: Chooser) -> None:
    """A cross wallet pushed below 0 by a closing fill's realised loss, then a sweep; the
    insurance fund pays the deficit either way, and an engine adding it to the fund
    (or not at all), or reporting it only when positive, shows another fund wallet or
    no INSURANCE_COVER event:

    - one-way, the whole long closed: no position stands behind the negative wallet, so
      IF-3 resets it after the passes;
    - hedged (in hedge mode, half the time): a LONG of ``2q`` and a SHORT of ``q`` at one
      entry, half the LONG closed: the account keeps a pair whose net amount is 0, so it
      has no bankruptcy price (BKR-1), the sweep closes it at the mark with no PnL and
      the scope's wallet is left negative: LIQP-7's rest, paid by the fund.

    The account (holding nothing else, at 20x) opens at the mark as the maker,
    withdraws to XFER-1's maximum, the mark falls 30 % (no sweep), and it sells at the
    new mark."""
    hedged = ctx.caps.hedge_mode and c.choice((False, True))
    cross = MarginType.CROSS
    found = places(ctx, c, ((cross, True if hedged else None), (cross, None)))
    if found is None:
        return
    symbol, (account, other) = found
    if ctx.model.state.accounts[account].has_position():
        return  # other positions would stand behind the wallet
    market = ctx.model.ruleset.markets[symbol]
    if ctx.caps.supports("setLeverage") and market.max_leverage >= 20:
        send(ctx, SetLeverage(account, symbol, 20))
    tick, step = market.tick_size, market.step_size
    price = on_step(mark_of(ctx, symbol), tick)
    half = on_step(market.min_notional * 400 / price, step, up=True) or step
    held = opening(ctx, account, BUY)
    for name, need in ((account, half * price), (other, half * price * 2)):
        short_by = need - account_figures(ctx, name).available_balance
        if short_by > 0:
            send(ctx, Deposit(name, decimal(short_by)))
    if not _trade(ctx, account, other, symbol, BUY, held, half * 2, price):
        return
    short = PositionSide.SHORT
    if hedged and not _trade(ctx, account, other, symbol, SELL, short, half, price):
        return
    most = round8(account_figures(ctx, account).max_withdraw)
    if most > 0:
        send(ctx, Withdraw(account, most))
    low = on_step(price * Exact(7, 10), tick)
    send(ctx, MarkPrice(symbol, low))
    if not _trade(ctx, account, other, symbol, SELL, held, half if hedged else half * 2, low):
        return
    if ctx.model.state.accounts[account].cross_wallet >= 0:
        return
    send(ctx, LiquidationSweep())
