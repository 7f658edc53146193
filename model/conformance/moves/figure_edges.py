"""Aimed scenarios for issue 12's seventh round: account figures whose inputs the other
moves leave at values where a wrong engine answers the same (the cross maintenance
margin inside ``maxWithdrawAmount``, the entry price of an opening added to a position
of exactly one unit).

They join the aimed table (:data:`marginspec.conformance.moves.aimed.AIMED`) when this
module is imported (by :mod:`marginspec.conformance.moves`); the table is looked up by
name (the draws follow ``moves/weights.py``'s order), so where it registers changes nothing.
"""

from __future__ import annotations

from marginspec.account import MarginType, OrderSide
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
from marginspec.exchange.actions import (
    Deposit,
    Fill,
    MarkPrice,
    PlaceOrder,
    SetLeverage,
    Withdraw,
)
from marginspec.numbers import Exact

_EIGHTH = Exact(1, 10**8)


def _fund_both(ctx: Context, names: tuple[str, str], notional: Exact) -> None:
    """Both sides of the trades funded for twice ``notional``: the trades must fill,
    whatever the leverage."""
    for name in names:
        need = notional * 2 - account_figures(ctx, name).available_balance
        if need > 0:
            send(ctx, Deposit(name, decimal(need)))


def _trade(
    ctx: Context,
    maker: str,
    taker: str,
    symbol: str,
    quantity: Exact,
    price: Exact,
    side: OrderSide = BUY,
) -> bool:
    """``maker`` rests ``side`` opening ``quantity`` at ``price``, ``taker`` the opposite
    order, and an explicit fill pairs them (an IOC order could meet older resting
    orders). True if it filled."""
    made = send(ctx, PlaceOrder(maker, symbol, side, opening(ctx, maker, side), price, quantity))
    if "orderId" not in made:
        return False
    other = opposite(side)
    taken = send(ctx, PlaceOrder(taker, symbol, other, opening(ctx, taker, other), price, quantity))
    if "orderId" not in taken:
        return False
    return send(ctx, Fill(made["orderId"], taken["orderId"])).get("status") == "accepted"


@move(AIMED, "deposit", "withdraw", "placeOrder", "fill", "markPrice")
def unit_then_profit(ctx: Context, c: Chooser) -> None:
    """Two figures a wrong engine gets right almost everywhere, on one cross long.

    PNL-3: the long opens at exactly one unit (1 BTC, 1 ETH), then a second opening buy
    adds to it at a price some ticks higher: the entry is the weighted mean of the two.
    An engine that tests the amount held against 1 instead of 0 takes the new trade's
    price as the entry (the amount 1 is the only one where it differs).

    XFER-1: the mark then rises 10 %, so the long's profit exceeds its IM less its MM
    and ``maxWithdrawAmount`` is bound by ``crossWB − Σiso open-order IM − Σcross MM``
    rather than the available balance. A withdrawal 10^-8 past it is refused (ACT-2,
    REF-36), one at it accepted; an engine that leaves the cross MM out of that
    bound (or computes it only where it is not needed) accepts the first. The mark
    returns where it was and the withdrawn amount is deposited again."""
    found = places(ctx, c, ((MarginType.CROSS, None),))
    if found is None:
        return
    symbol, (account,) = found
    market = ctx.model.ruleset.markets[symbol]
    unit = Exact(1)
    if unit % market.step_size != 0 or unit > market.max_qty:
        return
    other = c.choice(tuple(a for a in ACCOUNTS if a != account))
    before = mark_of(ctx, symbol)
    price = on_step(before, market.tick_size)
    added = market.step_size * c.choice((1, 3, 7))
    higher = price + market.tick_size * c.choice((1, 10, 100))
    _fund_both(ctx, (account, other), (unit + added) * higher)
    if not _trade(ctx, account, other, symbol, unit, price):
        return
    if higher > before * market.multiplier_up or not _trade(
        ctx, account, other, symbol, added, higher
    ):
        return
    send(ctx, MarkPrice(symbol, on_step(before * Exact(11, 10), market.tick_size)))
    f = account_figures(ctx, account)
    most = round8(f.max_withdraw)
    past = most + _EIGHTH
    if past <= min(f.max_withdraw + f.cross_maint_margin, f.available_balance):
        send(ctx, Withdraw(account, past))
        if most > 0:
            send(ctx, Withdraw(account, most))
            send(ctx, Deposit(account, most))
    send(ctx, MarkPrice(symbol, before))


@move(AIMED, "setPositionMode", "deposit", "withdraw", "placeOrder", "fill", "markPrice")
def hedge_past_liquidation(ctx: Context, c: Chooser) -> None:
    """BRK-3/BRK-4 inside LIQ-3: a cross hedged pair (a LONG and a SHORT of unequal
    sizes on one symbol) whose mark is moved 5 % past its liquidation price, no sweep
    between, then back.

    Past the liquidation price, the candidates of LIQ-3 for bracket combinations above
    the legs' own brackets solve to prices where a leg's notional lies below the
    assumed bracket's floor; only the floor test rejects them. An engine that lets
    a bracket other than the first own the notionals below its floor (the first
    bracket's "owns 0" given to another) takes such a candidate when it is nearer the
    mark (LIQ-4) and shows another liquidation price. On a grid of healthy pairs (both
    bundled tables, sizes 0.1-20 units, wallets 0.5-100 % of the larger leg, marks
    0.5-2 times the entry) no such candidate was nearer than the true one; past the
    liquidation price most were. Generated runs seldom leave a hedged account there
    unswept."""
    if not ctx.caps.hedge_mode:
        return
    found = places(ctx, c, ((MarginType.CROSS, True),))
    if found is None:
        return
    symbol, (account,) = found
    market = ctx.model.ruleset.markets[symbol]
    other = c.choice(tuple(a for a in ACCOUNTS if a != account))
    before = mark_of(ctx, symbol)
    price = on_step(before, market.tick_size)
    long_size = on_step(market.brackets[0].notional_cap / price, market.step_size)
    short_size = on_step(long_size * c.choice((Exact(1, 2), Exact(2))), market.step_size)
    if long_size <= 0 or short_size <= 0 or max(long_size, short_size) > market.max_qty:
        return
    if ctx.caps.supports("setLeverage"):  # LEV-3: room for both legs (-2027 otherwise)
        send(ctx, SetLeverage(account, symbol, min(10, int(market.max_leverage))))
    _fund_both(ctx, (account, other), (long_size + short_size) * price)
    if not _trade(ctx, account, other, symbol, long_size, price):
        return
    if not _trade(ctx, account, other, symbol, short_size, price, SELL):
        return
    wallet_to(ctx, account, round8(max(long_size, short_size) * price / 10))
    lp = next(
        (
            p.liquidation_price
            for p in account_figures(ctx, account, prices=True).positions
            if p.position.symbol == symbol and p.liquidation_price is not None
        ),
        None,
    )
    if lp is None:
        return
    past = lp * (Exact(95, 100) if lp < before else Exact(105, 100))
    moved = on_step(past, market.tick_size)
    if moved > 0:
        send(ctx, MarkPrice(symbol, moved))
    send(ctx, MarkPrice(symbol, before))
