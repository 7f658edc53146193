"""The conditional orders' moves (ACT-COND-*): placing them with and without flaws, moving
the last price, and a story that fires several at once.

``conditional_order`` and ``last_price`` are ordinary moves (the driver plays them);
``trigger_story`` is an aimed scenario (the vectors steer at the trigger targets with
it, and the driver plays it by its weight). Each plays only the order types the
implementation declares (``orderTypes``, CONF-1).
"""

from __future__ import annotations

import attrs

from marginspec.account import PositionSide
from marginspec.conformance.moves.aimed import AIMED
from marginspec.conformance.moves.aiming import (
    ACCOUNTS,
    BUY,
    SELL,
    Chooser,
    Context,
    any_symbol,
    limit_order,
    mark_of,
    move,
    on_step,
    opposite,
    pair,
    send,
    side_for,
    size_for,
)
from marginspec.conformance.moves.ordinary import MOVES
from marginspec.exchange.actions import Fill, LastPrice, MarkPrice, ModifyOrder, PlaceOrder
from marginspec.numbers import Exact

CONDITIONAL = ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET")

#: Placement flaws and the refusal each aims at (ACT-COND-2), besides -2021 (every type).
_FLAWS = (
    "stopZero",  # -4006
    "activationZero",  # -4135
    "callback",  # -1130
    "closeQuantity",  # -4137
    "closeReduceOnly",  # -1106
)


#: The types a flaw applies to.
_FITS = {
    "stopZero": ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"),
    "activationZero": ("TRAILING_STOP_MARKET",),
    "callback": ("TRAILING_STOP_MARKET",),
    "closeQuantity": ("STOP_MARKET", "TAKE_PROFIT_MARKET"),
    "closeReduceOnly": ("STOP_MARKET", "TAKE_PROFIT_MARKET"),
}


def _types(ctx: Context) -> tuple[str, ...]:
    return tuple(t for t in CONDITIONAL if t in ctx.caps.order_types)


def _working(ctx: Context, symbol: str, working_type: str) -> Exact:
    state = ctx.model.state
    if working_type == "MARK_PRICE":
        return state.mark_prices[symbol]
    return state.last_price(symbol)


def conditional(
    ctx: Context,
    c: Chooser,
    account: str,
    symbol: str,
    side: PositionSide | None,
    kind: str,
    direction: str,
    working_type: str,
    away: Exact,
    quantity: Exact,
) -> PlaceOrder:
    """A ``kind`` order of ``account`` on ``direction`` (BUY/SELL) whose trigger lies
    ``away`` (a fraction) from the working price on the side it waits on."""
    market = ctx.model.ruleset.markets[symbol]
    order_side = BUY if direction == "BUY" else SELL
    now = _working(ctx, symbol, working_type)
    # A BUY stop and a SELL take-profit wait above the price, the others below.
    above = (kind in ("STOP", "STOP_MARKET")) == (order_side is BUY)
    if kind == "TRAILING_STOP_MARKET":
        above = order_side is SELL  # SELL: activation above the price, BUY below
    target = now * (1 + away) if above else now * (1 - away)
    stop = on_step(target, market.tick_size, up=above)
    base = limit_order(ctx, c, account, symbol, order_side, stop, quantity)
    position_side = side if side is not None else side_for(ctx, c, account, order_side)
    limit = kind in ("STOP", "TAKE_PROFIT")
    trailing = kind == "TRAILING_STOP_MARKET"
    return attrs.evolve(
        base,
        position_side=position_side,
        order_type=kind,
        price=stop if limit else Exact(0),
        stop_price=None if trailing else stop,
        working_type=working_type,
        activation_price=stop if trailing and (away < 0 or c.choice((True, False))) else None,
        callback_rate=Exact(c.choice((1, 2, "0.5"))) if trailing else None,
    )


@move(MOVES, "placeOrder", "fill")
def conditional_order(ctx: Context, c: Chooser) -> None:
    """A conditional order of each type near its working price (ACT-COND-1), after the
    flawed copies of it that its placement checks refuse (ACT-COND-2: -2021, -4006, -4135,
    -1130, -4137, -1106, every flaw the type takes); the accepted one is sometimes named in
    a fill (refused: not on the book, REF-66) or in an amendment (refused: only LIMIT
    orders are amended, REF-74)."""
    kinds = _types(ctx)
    if not kinds:
        return
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    kind = c.choice(kinds)
    working = c.choice(("CONTRACT_PRICE", "MARK_PRICE"))
    quantity = size_for(ctx, c, market, Exact(c.choice((500, 2000))))
    direction = c.choice(("BUY", "SELL"))
    away = Exact(2, 100)
    order = conditional(ctx, c, account, symbol, None, kind, direction, working, away, quantity)
    # Every flaw the type takes, each refused (the state unchanged): one flaw drawn per
    # call left -4137 (seeds 0, 2), -4135 (seeds 1, 2) or -1130 (seed 0) unreached in
    # whole quick runs, Hypothesis's draws not being uniform over a run.
    # -2021: the trigger on the other side of the working price (its condition holds now).
    send(ctx, conditional(ctx, c, account, symbol, None, kind, direction, working, -away, quantity))
    for flaw in _FLAWS:
        if kind in _FITS.get(flaw, ()):
            send(ctx, _flawed(order, flaw))
    placed = send(ctx, order)
    then = c.choice((None, "fill", "modify")) if "orderId" in placed else None
    if then == "modify" and ctx.caps.supports("modifyOrder"):  # REF-74: amending it
        price = order.price if order.price > 0 else order.stop_price or mark_of(ctx, symbol)
        size = order.quantity if order.quantity > 0 else market.step_size
        send(
            ctx,
            ModifyOrder(account, symbol, placed["orderId"], on_step(price, market.tick_size), size),
        )
    if then == "fill":  # REF-66: a fill naming it
        other = c.choice(tuple(a for a in ACCOUNTS if a != account))
        price = on_step(mark_of(ctx, symbol), market.tick_size)
        maker = limit_order(ctx, c, other, symbol, opposite(order.side), price, quantity)
        made = send(ctx, maker)
        if "orderId" in made:
            send(ctx, Fill(made["orderId"], placed["orderId"]))


def _flawed(order: PlaceOrder, flaw: str | None) -> PlaceOrder:
    trailing = order.order_type == "TRAILING_STOP_MARKET"
    closing = order.order_type in ("STOP_MARKET", "TAKE_PROFIT_MARKET")
    if flaw == "stopZero" and not trailing:
        return attrs.evolve(order, stop_price=Exact(0))
    if flaw == "activationZero" and trailing:
        return attrs.evolve(order, activation_price=Exact(0))
    if flaw == "callback" and trailing:  # above both venues' maximum (5 and 10)
        return attrs.evolve(order, callback_rate=Exact(50))
    if flaw in ("closeQuantity", "closeReduceOnly") and closing:
        order = attrs.evolve(order, close_position=True)
        if flaw == "closeReduceOnly":
            return attrs.evolve(order, quantity=Exact(0), reduce_only=True)
        return order
    return order


@move(MOVES, "lastPrice")
def last_price(ctx: Context, c: Chooser) -> None:
    """The last traded price a few percent either side of the mark (ACT-16), firing the
    CONTRACT_PRICE orders that wait there, half the time after a price that is not
    positive (REF-67; a quarter of the calls, alone, left it unreached on quick seed 0)."""
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    if c.choice((True, False)):  # half the time first a refused one (REF-67)
        send(ctx, LastPrice(symbol, Exact(c.choice((0, -1)))))
    shift = Exact(c.choice((0, 1, -1, 3, -3, 5, -5)), 100)
    send(ctx, LastPrice(symbol, on_step(mark_of(ctx, symbol) * (1 + shift), market.tick_size)))


@move(AIMED, "placeOrder", "fill", "markPrice", "lastPrice")
def trigger_story(ctx: Context, c: Chooser) -> None:
    """A position, liquidity on the book, then two or three conditional orders that one
    price move fires together (ACT-COND-3 … ACT-COND-6): a stop-loss and a close-position
    stop, a trailing stop, a reduce-only order that no longer reduces (REJECTED), a
    ``priceProtect`` order held back while mark and last price differ (ACT-COND-8)."""
    kinds = _types(ctx)
    if not kinds:
        return
    holder, maker = c.choice((("A", "B"), ("B", "C"), ("C", "A")))
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    long = c.choice((True, False))
    # In hedge mode the story holds the LONG or SHORT side, without reduce-only orders
    # (-1106 there). It used to end at once: seed 2's accounts were mostly in hedge mode
    # and a whole quick run fired no conditional order.
    hedge = ctx.model.state.accounts[holder].dual_side_position
    held = (PositionSide.LONG if long else PositionSide.SHORT) if hedge else PositionSide.BOTH
    size = size_for(ctx, c, market, Exact(c.choice((1000, 3000))))
    mark = on_step(mark_of(ctx, symbol), market.tick_size)
    if not pair(ctx, c, holder, symbol, BUY if long else SELL, size, mark, held):
        return
    closing = "SELL" if long else "BUY"
    # Liquidity 5 % away, where the stops' MARKET orders will trade.
    book = mark * Exact(95, 100) if long else mark * Exact(105, 100)
    depth = size * 3
    send(
        ctx,
        limit_order(
            ctx, c, maker, symbol, BUY if long else SELL, on_step(book, market.tick_size), depth
        ),
    )
    protect = c.choice((False, True))
    working = "CONTRACT_PRICE" if protect else c.choice(("MARK_PRICE", "CONTRACT_PRICE"))
    stops = [k for k in kinds if k in ("STOP_MARKET", "STOP", "TRAILING_STOP_MARKET")]
    if not stops:
        return
    # Two different kinds (one alone when only one is supported): each story then fires a
    # stop and, two times in three, a trailing stop (ACT-COND-3, ACT-COND-4), where two
    # independent draws left ACT-COND-4 unreached in a whole quick run (seed 1).
    first = c.choice(stops)
    second = c.choice([k for k in stops if k != first] or stops)
    activation = False  # a trailing stop waiting for its activation price
    for away, kind in ((Exact(1, 100), first), (Exact(2, 100), second)):
        order = conditional(ctx, c, holder, symbol, held, kind, closing, working, away, size)
        if kind == "STOP" and order.stop_price is not None:  # a limit at the book's price
            order = attrs.evolve(order, price=on_step(book, market.tick_size))
        if kind == "STOP_MARKET" and c.choice((False, True)):
            order = attrs.evolve(order, close_position=True, quantity=Exact(0))
        reduce_only = c.choice((False, True)) and not order.close_position and not hedge
        order = attrs.evolve(order, reduce_only=reduce_only, price_protect=protect)
        activation = activation or order.activation_price is not None
        send(ctx, order)
    # The same direction again: reduce-only, so once the others closed the position it
    # no longer reduces and its triggered order is REJECTED (-2022).
    if "STOP_MARKET" in kinds and c.choice((True, False)) and not hedge:
        extra = conditional(
            ctx,
            c,
            holder,
            symbol,
            PositionSide.BOTH,
            "STOP_MARKET",
            closing,
            working,
            Exact(3, 200),
            size,
        )
        send(ctx, attrs.evolve(extra, reduce_only=True))
    # A trailing stop first needs the price to run its way (its extreme), then fall back.
    # A run of 1 or 2 % meets a trigger 1 or 2 % away exactly: where the inclusive
    # comparison shows (the TriggerInclusive mutant).
    run = Exact(c.choice((1, 2)), 100)
    crash = Exact(c.choice((4, 6)), 100)
    ahead = mark * (1 + run) if long else mark * (1 - run)
    behind = mark * (1 - crash) if long else mark * (1 + crash)
    moves = [ahead, behind] if activation or c.choice((True, False)) else [behind]
    if protect and working == "CONTRACT_PRICE":
        # The mark stays behind the last price: more than triggerProtect apart.
        apart = behind * Exact(80, 100) if long else behind * Exact(120, 100)
        send(ctx, MarkPrice(symbol, on_step(apart, market.tick_size)))
    for price in moves:
        price = on_step(price, market.tick_size)
        if working == "MARK_PRICE":
            send(ctx, MarkPrice(symbol, price))
        else:
            send(ctx, LastPrice(symbol, price))
