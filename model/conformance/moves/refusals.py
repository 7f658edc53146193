"""Aimed scenarios for the refusals the ordinary moves never request (issue 12, sixth round).

The mutation benchmark (``benchmarks/bench_mutation.py``) found guards no generated
action ever tripped: an unknown account or symbol named by a mark, a last price, a
funding settlement, a cancel, a margin-type or position-mode change or a margin
transfer (REF-UNKNOWN_*), a margin transfer on the position side the account's mode
does not have, and the open-order cap MAX_NUM_ORDERS (ACT-ORD-10). An engine that skips
such a guard answers with a crash, a silent no-op or a state change where the venue
refuses; one that counts its orders from 1, or refuses at ``>`` instead of ``≥``,
refuses the 200th order or accepts the 201st.

They join the aimed table (:data:`marginspec.conformance.moves.aimed.AIMED`) when this
module is imported (by :mod:`marginspec.conformance.moves`). A refusal leaves the state
as it was, so each move sends every refusal it aims at on every call: a drawn choice
among them went unplayed on some seeds (issue 14's coverage round).
"""

from __future__ import annotations

from marginspec.account import MarginType, PositionSide
from marginspec.conformance.moves.aimed import AIMED
from marginspec.conformance.moves.aiming import (
    ACCOUNTS,
    BUY,
    SELL,
    Chooser,
    Context,
    any_symbol,
    mark_of,
    move,
    on_step,
    opening,
    send,
)
from marginspec.exchange import INSURANCE_FUND
from marginspec.exchange.actions import (
    CancelAllOrders,
    CancelOrder,
    Deposit,
    Fill,
    Funding,
    LastPrice,
    MarkPrice,
    PlaceOrder,
    PositionMargin,
    SetMarginType,
    SetPositionMode,
)
from marginspec.numbers import Exact

#: A name no rule set lists, and an account no run has (``initial`` makes A, B and C).
NO_SYMBOL = "NOSUCHUSDT"
NO_ACCOUNT = "Z"


@move(AIMED, "markPrice")
def misnamed(ctx: Context, c: Chooser) -> None:
    """Action kinds the engine supports, naming what does not exist. Either an unknown
    symbol: for a mark, a last price, a funding settlement, a cancel-all, a margin-type
    change and a margin transfer (-1121), then a margin transfer on the position side the
    account's mode lacks (BOTH in hedge mode, LONG in one-way mode: -4061); or an unknown
    account or the insurance fund for a cancel, a cancel-all, a margin-type and
    position-mode change and a margin transfer. Each is refused and leaves the state
    unchanged, so an engine that skips the guard (a KeyError, a no-op answered as
    success, a new symbol created) differs at once. Half of them a call: all of them
    took the refusal share of quick seed 0 past 40 %."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    supports = ctx.caps.supports
    if c.choice(("symbol", "account")) == "symbol":
        mark = mark_of(ctx, symbol)
        send(ctx, MarkPrice(NO_SYMBOL, mark))
        if supports("lastPrice"):
            send(ctx, LastPrice(NO_SYMBOL, mark))
        if supports("funding"):
            send(ctx, Funding(NO_SYMBOL, Exact(1, 10000)))
        if supports("cancelAllOpenOrders"):
            send(ctx, CancelAllOrders(account, NO_SYMBOL))
        if supports("setMarginType"):
            send(ctx, SetMarginType(account, NO_SYMBOL, MarginType.ISOLATED))
        if supports("positionMargin"):
            send(ctx, PositionMargin(account, NO_SYMBOL, PositionSide.BOTH, Exact(1), 1))
            dual = ctx.model.state.accounts[account].dual_side_position
            wrong = PositionSide.BOTH if dual else PositionSide.LONG
            send(ctx, PositionMargin(account, symbol, wrong, Exact(1), 1))
        return
    who = c.choice((NO_ACCOUNT, INSURANCE_FUND))
    if supports("cancelOrder"):
        send(ctx, CancelOrder(who, 1))
    if supports("cancelAllOpenOrders"):
        send(ctx, CancelAllOrders(who, symbol))
    if supports("setMarginType"):
        send(ctx, SetMarginType(who, symbol, MarginType.ISOLATED))
    if supports("setPositionMode") and ctx.caps.hedge_mode:
        send(ctx, SetPositionMode(who, True))
    if supports("positionMargin"):
        send(ctx, PositionMargin(who, symbol, PositionSide.BOTH, Exact(1), 1))


@move(AIMED, "placeOrder", "cancelAllOpenOrders")
def order_cap(ctx: Context, c: Chooser) -> None:
    """ACT-ORD-10 (MAX_NUM_ORDERS) from both sides: one account rests orders on one symbol
    until it holds exactly the cap (200 on aster-pro), then sends one more (-2025); the
    100th, 199th and 200th orders are accepted. An engine that counts from 1, counts an
    order twice or refuses at ``>`` differs on one of them. The orders are bids of the
    minimum notional far inside PERCENT_PRICE's band (nothing fills them), funded by a
    deposit, and are cancelled at the end, so the run goes on from the state it had."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    price = on_step(mark_of(ctx, symbol) * Exact(9, 10), market.tick_size)
    if price <= 0:
        return
    quantity = max(
        on_step(market.min_notional / price, market.step_size, up=True), market.step_size
    )
    if ctx.caps.supports("deposit"):
        send(ctx, Deposit(account, price * quantity * market.max_num_orders))
    position_side = opening(ctx, account, BUY)
    order = PlaceOrder(account, symbol, BUY, position_side, price, quantity)
    held = sum(1 for o in ctx.model.state.accounts[account].orders if o.symbol == symbol)
    for _ in range(market.max_num_orders - held + 1):
        send(ctx, order)
    send(ctx, CancelAllOrders(account, symbol))


@move(AIMED, "placeOrder", "fill")
def self_trade_fill(ctx: Context, c: Chooser) -> None:
    """A fill naming two resting orders of ONE account (REF-13): refused, an account
    does not trade with itself. The pair is an ask and a bid at one price (the mark on the
    tick, or a tick under it): GTC orders rest without matching
    (ACT-ORD-8), so both are on the book and they cross; every other check of the fill
    passes (same symbol, opposite sides, crossing, the full remaining quantity). An
    engine without the guard trades the pair: it answers accepted with two TRADE events,
    charges the taker's fee and closes the account's own resting orders.

    The ordinary moves never send this fill: ``trade`` names a maker and a taker of two
    accounts, and ``fill_resting`` draws among the orders left on the book, where an
    account's own bid and ask almost never cross (its asks rest above its bids, or the
    fill meets NO_CROSS first). The orders are cancelled afterwards when the engine can."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    price = on_step(mark_of(ctx, symbol), market.tick_size) - market.tick_size * c.choice((0, 1))
    if price <= 0:
        return
    quantity = max(
        on_step(market.min_notional * 2 / price, market.step_size, up=True), market.step_size
    )
    made = send(
        ctx, PlaceOrder(account, symbol, SELL, opening(ctx, account, SELL), price, quantity)
    )
    taken = send(ctx, PlaceOrder(account, symbol, BUY, opening(ctx, account, BUY), price, quantity))
    if "orderId" in made and "orderId" in taken:
        send(ctx, Fill(made["orderId"], taken["orderId"]))
    if ctx.caps.supports("cancelOrder"):
        for outcome in (made, taken):
            if "orderId" in outcome:
                send(ctx, CancelOrder(account, outcome["orderId"]))
