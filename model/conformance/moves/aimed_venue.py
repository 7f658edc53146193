"""Aimed scenarios for the venue rules of issue 15: a positive liquidation price too
small for DISP-1's eight places (DISP-3), and funding at named funding times (FUND-6).

They join the aimed table (:data:`marginspec.conformance.moves.aimed.AIMED`) when this
module is imported (by :mod:`marginspec.conformance.moves`).
"""

from __future__ import annotations

from marginspec.account import MarginType
from marginspec.conformance.moves.aimed import AIMED
from marginspec.conformance.moves.aiming import (
    ACCOUNTS,
    BUY,
    Chooser,
    Context,
    any_symbol,
    decimal,
    mark_of,
    move,
    on_step,
    pair,
    round8,
    send,
    side_for,
)
from marginspec.exchange.actions import Deposit, Funding, Withdraw
from marginspec.funding import HOUR_MS
from marginspec.numbers import Exact

#: How far below full collateral the wallet is left: the liquidation price is about this
#: over the quantity, far below 10^-8 for any quantity the markets allow.
SHORTFALL = Exact(1, 10**12)


@move(AIMED, "deposit", "withdraw", "placeOrder", "fill")
def tiny_liquidation_price(ctx: Context, c: Chooser) -> None:
    """A cross long collateralised all but 10^-12 (DISP-3): a flat account's wallet is set
    to the notional minus the first bracket's maintenance amount and the shortfall (plus
    the maker fee it pays), then it buys as the maker, so LIQ-2 gives a liquidation price
    of about 10^-12 / quantity, which DISP-1 alone would write as "0"."""
    state = ctx.model.state
    free = [
        a for a in ACCOUNTS if not state.accounts[a].has_position() and not state.accounts[a].orders
    ]
    if not free:
        return
    account = c.choice(free)
    symbol = c.choice(sorted(ctx.model.ruleset.markets))
    market = ctx.model.ruleset.markets[symbol]
    if state.accounts[account].setting(symbol, ctx.model.ruleset).margin_type is not (
        MarginType.CROSS
    ):
        return
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    if price <= 0:  # a mark crashed below one tick: no order can be priced there
        return
    quantity = on_step(Exact(c.choice((100, 1000))) / price, market.step_size, up=True)
    notional = quantity * price
    target = notional * (1 + market.maker_fee) - Exact(market.brackets[0].cum) - SHORTFALL
    wallet = state.accounts[account].cross_wallet
    # An action's amount is a decimal (TRACE-2): a wallet that is not one (a fraction
    # left by an earlier fill) is moved to 8 places at or below the target.
    if wallet < target:
        amount = target - wallet
        send(ctx, Deposit(account, amount if decimal(amount) == amount else round8(amount)))
    elif wallet > target:
        send(ctx, Withdraw(account, decimal(wallet - target)))
    pair(ctx, c, account, symbol, BUY, quantity, price, side_for(ctx, c, account, BUY))


#: 2025-11-29 00:00 UTC in epoch ms: a day's first funding time for every interval.
_DAY = 1_764_374_400_000


@move(AIMED, "funding")
def funding_times(ctx: Context, c: Chooser) -> None:
    """Funding settled at a named time (FUND-6): on one of the market's interval boundaries,
    or an hour or a minute off one (refused, REF-45)."""
    symbol = any_symbol(ctx, c)
    hours = ctx.model.ruleset.markets[symbol].funding_interval_hours
    boundary = _DAY + hours * HOUR_MS * c.choice((1, 2))
    time = boundary + c.choice((0, 0, HOUR_MS, 60_000))
    send(ctx, Funding(symbol, c.choice((Exact(1, 10000), Exact(-1, 10000))), funding_time=time))
