"""The kit's ordinary moves: the rules of the Hypothesis driver (CONF-5), aimed at where
engines go wrong.

Each move reads the model's current state to aim: quantities whose notional lies on or
next to a bracket floor, the LEV-3 cap or the available balance; marks on or next to a
position's bracket boundary and its liquidation price (from the model's exact figures);
leverages at the bracket limit; transfers at ``maxWithdrawAmount`` and
``maxRemovableMargin`` (and at the MM-based cap engines use by mistake); mode and
leverage changes with open orders and positions; partial fills and flips; funding on
isolated positions; and refused actions of every kind (off-tick prices, unknown
orders, reduce-only in hedge mode, …).
"""

from __future__ import annotations

import attrs

from marginspec import brackets
from marginspec.account import MarginType, PositionSide
from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.moves.aiming import (
    ACCOUNTS,
    BUY,
    SELL,
    Chooser,
    Context,
    Focus,
    Move,
    MoveTable,
    account_figures,
    aimed_price,
    aimed_quantity,
    any_symbol,
    decimal,
    limit_order,
    mark_of,
    move,
    on_min_notional,
    on_step,
    open_positions,
    opening,
    opposite,
    pair,
    pick_focus,
    round8,
    send,
    size_for,
    within_band,
)
from marginspec.exchange import INSURANCE_FUND
from marginspec.exchange.actions import (
    CancelOrder,
    Deposit,
    Fill,
    Funding,
    LiquidationSweep,
    MarkPrice,
    PlaceOrder,
    PositionMargin,
    SetLeverage,
    SetMarginType,
    SetPositionMode,
    Withdraw,
)
from marginspec.numbers import Exact, to_plain

#: Every ordinary move and the action names it may emit (a move is used only if all are
#: supported); ``*_again`` names make a move twice as likely.
MOVES: MoveTable = {}


@move(MOVES, "placeOrder", "fill", also=("trade_again",))
def trade(ctx: Context, c: Chooser) -> Focus | None:
    """Two orders at one price and a (possibly partial) fill: opens, adds, closes or flips."""
    maker, symbol, held_side = pick_focus(ctx, c)
    if c.choice((False, True)):
        symbol = any_symbol(ctx, c)  # another symbol: several positions in one account
    others = tuple(a for a in ACCOUNTS if a != maker)
    taker = c.choice(others + others + (INSURANCE_FUND,))
    market = ctx.model.ruleset.markets[symbol]
    amt = ctx.model.state.accounts[maker].position(symbol, held_side).position_amt
    closing = SELL if amt > 0 else BUY
    side = c.choice((closing, BUY, SELL)) if amt != 0 else c.choice((BUY, SELL))
    price = aimed_price(ctx, c, market)
    quantity = aimed_quantity(ctx, c, maker, market, price, side)
    maker_order = limit_order(ctx, c, maker, symbol, side, price, quantity)
    made = send(ctx, maker_order)
    taken = send(ctx, limit_order(ctx, c, taker, symbol, opposite(side), price, quantity))
    if "orderId" in made and "orderId" in taken:
        part = c.choice((None, None, "half", "step"))
        size = None
        if part == "half":
            size = max(on_step(quantity / 2, market.step_size), market.step_size)
        elif part == "step":
            size = market.step_size
        send(ctx, Fill(made["orderId"], taken["orderId"], size))
        return maker, symbol, maker_order.position_side
    return None


@move(MOVES, "placeOrder", "fill")
def trade_then_change(ctx: Context, c: Chooser) -> None:
    """A trade, then at once a change on the maker's new position: leverage, margin
    type, position mode, isolated margin, or a second trade (adds, closes, flips)."""
    focus = trade(ctx, c)
    if focus is None:
        return
    follow = c.choice(("leverage", "marginType", "leverage", "positionMode", "margin", "trade"))
    # A mode change always without orders: -4068 (REF-28, positions) alone, which an engine
    # checking open orders only misses; set_position_mode's split accounts reach -4067.
    if follow == "positionMode" or (follow == "marginType" and c.choice((False, True))):
        _clear_orders(ctx, focus[0], focus[1] if follow == "marginType" else None)
    if follow == "leverage" and ctx.caps.supports("setLeverage"):
        set_leverage(ctx, c, focus)
    elif follow == "marginType" and ctx.caps.supports("setMarginType"):
        set_margin_type(ctx, c, focus)
    elif follow == "positionMode" and ctx.caps.supports("setPositionMode") and ctx.caps.hedge_mode:
        set_position_mode(ctx, c, focus)
    elif follow == "margin" and ctx.caps.supports("positionMargin"):
        position_margin(ctx, c, focus)
    else:
        trade(ctx, c)


def _clear_orders(ctx: Context, account: str, symbol: str | None) -> None:
    """Cancel the account's open orders (of ``symbol``, or all): with waiting conditional
    orders about (ACT-COND-1), an account seldom has none, and the open-order guards
    (-4047 REF-24, -4067 REF-27) would answer before the position ones (-4048 REF-25,
    -4068 REF-28) that a change after a trade aims at."""
    if not ctx.caps.supports("cancelOrder"):
        return
    for order in ctx.model.state.accounts[account].orders:
        if symbol is None or order.symbol == symbol:
            send(ctx, CancelOrder(account, order.order_id))


_FLAWS = (
    "reduceOnly",
    "minNotional",
    "offTick",
    "offStep",
    "zeroPrice",
    "wrongSide",
    "unknownAccount",
    "unknownSymbol",
    "insuranceFund",
)


@move(MOVES, "placeOrder")
def place_order(ctx: Context, c: Chooser) -> None:
    """A resting order (open-order margin), or one the exchange must refuse."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    price = aimed_price(ctx, c, market)
    quantity = aimed_quantity(ctx, c, account, market, price, side)
    order = limit_order(ctx, c, account, symbol, side, price, quantity)
    flaw = c.choice(_FLAWS) if c.choice((False, False, True)) else None
    if flaw == "reduceOnly":
        order = attrs.evolve(order, reduce_only=True)
    elif flaw == "offTick":
        order = attrs.evolve(order, price=price + market.tick_size / 2)
    elif flaw == "offStep":
        order = attrs.evolve(order, quantity=quantity + market.step_size / 2)
    elif flaw == "minNotional":
        # REF-7 from both sides: exactly the minimum notional, one tick below, one above
        price, quantity = on_min_notional(c, market)
        side = within_band(market, mark_of(ctx, symbol), price, side)
        order = attrs.evolve(
            order,
            price=price,
            quantity=quantity,
            side=side,
            position_side=opening(ctx, account, side),
        )
    elif flaw == "zeroPrice":
        order = attrs.evolve(order, price=Exact(0))
    elif flaw == "wrongSide":
        dual = ctx.model.state.accounts[account].dual_side_position
        order = attrs.evolve(order, position_side=PositionSide.BOTH if dual else PositionSide.LONG)
    elif flaw == "unknownAccount":
        order = attrs.evolve(order, account="Z")
    elif flaw == "unknownSymbol":
        order = attrs.evolve(order, symbol="NOSUCHUSDT")
    elif flaw == "insuranceFund":
        order = attrs.evolve(order, account=INSURANCE_FUND)
    send(ctx, order)


@move(MOVES, "placeOrder", "fill")
def on_filters(ctx: Context, c: Chooser) -> None:
    """An order on a filter's boundary, from both sides (CONF-5): one tick below the
    minimum notional (refused, -4164) and exactly at it (accepted, then cancelled), then
    the drawn one of at it, a tick below and a tick above (REF-7, ``<`` against ``<=``);
    then, sometimes, filled against a counter-order so the boundary trade settles too.
    Both sides are sent every call: drawn, the side a ``<=`` mistake differs on was
    never played in the 15 calls of quick seed 1 (Hypothesis's draws are far from
    even). The exact order is cancelled so that the state goes on as before (resting
    orders block margin-type and leverage changes)."""
    account = c.choice(ACCOUNTS)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    price, quantity = on_min_notional(c, market)
    side = within_band(market, mark_of(ctx, symbol), price, side)
    # An opening order: a closing hedge leg with nothing to close is refused (-2022) first.
    position_side = opening(ctx, account, side)
    tick = market.tick_size
    at = market.min_notional / quantity
    below = on_step(at, tick, up=True) - tick
    if below > 0:
        send(ctx, PlaceOrder(account, symbol, side, position_side, below, quantity))
    if (at / tick).denominator == 1:
        exact = send(ctx, PlaceOrder(account, symbol, side, position_side, at, quantity))
        if "orderId" in exact and ctx.caps.supports("cancelOrder"):
            send(ctx, CancelOrder(account, exact["orderId"]))
    made = send(ctx, PlaceOrder(account, symbol, side, position_side, price, quantity))
    if "orderId" in made and c.choice((False, True)):
        taker = c.choice(tuple(a for a in ACCOUNTS if a != account))
        taken = send(ctx, limit_order(ctx, c, taker, symbol, opposite(side), price, quantity))
        if "orderId" in taken:
            send(ctx, Fill(made["orderId"], taken["orderId"]))


@move(MOVES, "placeOrder", "fill", "withdraw")
def opening_against_resting(ctx: Context, c: Chooser) -> None:
    """B-MREQ's classification (ACT-ORD-3) and reduce-only netting (ACT-ORD-4): a one-way
    position, a resting closing order, the free balance withdrawn, then a closing order
    that the resting one makes opening (-2019, or -4118 when reduce-only: the whole
    position again, priced to cost more than a profit could fund), or a second
    reduce-only order that the first leaves no room for (-2022). -2019 and -4118 are
    sent together (refusals leave the state as it was): drawn apart, one of three aims
    went unplayed in a whole quick run (Hypothesis's draws are far from even)."""
    one_way = [a for a in ACCOUNTS if not ctx.model.state.accounts[a].dual_side_position]
    if not one_way:
        return
    account = c.choice(one_way)
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))
    size = size_for(ctx, c, market, Exact(c.choice((2000, 8000))))
    if not pair(ctx, c, account, symbol, side, size):
        return
    amt = ctx.model.state.accounts[account].position(symbol, PositionSide.BOTH).position_amt
    if amt == 0:
        return
    closing = opposite(side)
    price = on_step(mark_of(ctx, symbol), market.tick_size)
    netting = c.choice((False, True))  # -2022, or both margin refusals
    first = limit_order(ctx, c, account, symbol, closing, price, abs(amt))
    send(ctx, attrs.evolve(first, reduce_only=netting))
    free = round8(account_figures(ctx, account, prices=False).max_withdraw)
    if free > 0:
        send(ctx, Withdraw(account, free))
    if netting:
        second = limit_order(ctx, c, account, symbol, closing, price, market.step_size)
        send(ctx, attrs.evolve(second, reduce_only=True))
        return
    # The whole position again, 14 % beyond the mark (inside PERCENT_PRICE): its opening
    # cost (IM + open loss, COST-1) exceeds what the withdrawal leaves when the position
    # is in profit (available counts uPnL, maxWithdrawAmount does not: XFER-1). Sent
    # reduce-only (-4118) and not (-2019): each refused, the state unchanged.
    beyond = Exact(114, 100) if closing is BUY else Exact(86, 100)
    far = on_step(mark_of(ctx, symbol) * beyond, market.tick_size)
    second = limit_order(ctx, c, account, symbol, closing, far, abs(amt))
    send(ctx, attrs.evolve(second, reduce_only=True))
    send(ctx, second)


@move(MOVES, "placeOrder")
def immediate_order(ctx: Context, c: Chooser) -> None:
    """Two makers rest on one side at the mark and a tick beyond; the third account sends
    an immediate order (MARKET, IOC, FOK) or a post-only one (GTX) at them: fills in
    price-time priority and the rest expiring (ACT-ORD-6 … ACT-ORD-8), or -5022. The
    post-only order that would take is sent every call before the drawn one (refused, the
    state unchanged): drawn one time in four, -5022 went unreached in a whole quick run
    (seed 1)."""
    kinds = [k for k in ("MARKET",) if k in ctx.caps.order_types]
    kinds += [t for t in ("IOC", "FOK", "GTX") if t in ctx.caps.time_in_force]
    if not kinds:
        return
    taker, first, second = c.choice((("A", "B", "C"), ("B", "C", "A"), ("C", "A", "B")))
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice((BUY, SELL))  # the makers' side
    mark = on_step(mark_of(ctx, symbol), market.tick_size)
    worse = mark + market.tick_size if side is SELL else mark - market.tick_size
    sizes = [size_for(ctx, c, market, Exact(c.choice((500, 1500)))) for _ in range(2)]
    for maker, price, size in ((first, mark, sizes[0]), (second, worse, sizes[1])):
        send(ctx, limit_order(ctx, c, maker, symbol, side, price, size))
    kind = c.choice(kinds)
    total = sizes[0] + sizes[1]
    quantity = c.choice((sizes[0], total, total + market.step_size * 10))
    order = limit_order(ctx, c, taker, symbol, opposite(side), worse, quantity)
    if "GTX" in kinds:
        send(ctx, attrs.evolve(order, time_in_force="GTX", price=c.choice((mark, worse))))
    if kind == "MARKET":
        order = attrs.evolve(order, order_type="MARKET", price=Exact(0))
    else:
        limit = c.choice((mark, worse)) if kind != "GTX" else c.choice((mark, worse, worse))
        order = attrs.evolve(order, time_in_force=kind, price=limit)
    send(ctx, order)


@move(MOVES, "markPrice", "placeOrder")
def out_of_range(ctx: Context, c: Chooser) -> None:
    """A mark, an order price and an order quantity that are not positive (REF-44, -4001,
    -4003), and a price outside the PERCENT_PRICE band (-4016, -4024): the checks engines
    skip because their own clients never send such values. Every call plays all four
    (each refused, the state unchanged): one drawn among them left -4003 unreached in a
    whole quick run (seed 4)."""
    symbol = any_symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    value = Exact(c.choice((0, -1)))
    send(ctx, MarkPrice(symbol, value))
    account = c.choice(ACCOUNTS)
    side = c.choice((BUY, SELL))
    mark = mark_of(ctx, symbol)
    order = limit_order(ctx, c, account, symbol, side, mark, market.step_size)
    send(ctx, attrs.evolve(order, price=value))
    send(ctx, attrs.evolve(order, quantity=value))
    # 20 % beyond the mark: outside aster-pro's 1.15 / 0.85
    factor = Exact(12, 10) if side is BUY else Exact(8, 10)
    send(ctx, attrs.evolve(order, price=on_step(mark * factor, market.tick_size)))


@move(MOVES, "cancelOrder")
def cancel_order(ctx: Context, c: Chooser) -> None:
    account = c.choice(ACCOUNTS)
    orders = ctx.model.state.accounts[account].orders
    ids = (*tuple(o.order_id for o in orders), 999)
    send(ctx, CancelOrder(account, c.choice(ids)))


@move(MOVES, "fill")
def fill_resting(ctx: Context, c: Chooser) -> None:
    """A fill between resting orders: partial, too large, same account, not crossing, unknown."""
    resting = [o for acct in ctx.model.state.accounts.values() for o in acct.orders]
    if not resting:
        send(ctx, Fill(1, 2))
        return
    maker = c.choice(resting)
    takers = [o for o in resting if o.order_id != maker.order_id and o.symbol == maker.symbol]
    taker_id = c.choice(tuple(o.order_id for o in takers)) if takers else 999
    step = ctx.model.ruleset.markets[maker.symbol].step_size
    size = c.choice((None, "step", "all", "more", "zero"))
    quantity = {
        "step": step,
        "all": maker.remaining,
        "more": maker.remaining + step,
        "zero": Exact(0),
    }.get(size or "")
    send(ctx, Fill(maker.order_id, taker_id, quantity))


@move(MOVES, "setLeverage")
def set_leverage(ctx: Context, c: Chooser, focus: Focus | None = None) -> None:
    """Leverage at the bracket limit of the current exposure (LEV-2, LEV-3) and next to it."""
    account, symbol, _ = focus or pick_focus(ctx, c)
    if not focus and c.choice((False, False, False, False, True)):
        account = INSURANCE_FUND
    market = ctx.model.ruleset.markets[symbol]
    acct = ctx.model.state.accounts[account]
    current = acct.setting(symbol, ctx.model.ruleset).leverage
    exposure = max(
        (
            abs(p.position_amt) * mark_of(ctx, symbol)
            for (s, _), p in acct.positions.items()
            if s == symbol
        ),
        default=Exact(0),
    )
    limit = int(
        brackets.max_leverage(market.brackets, exposure, ctx.model.ruleset.options.bracket_boundary)
    )
    setting = acct.setting(symbol, ctx.model.ruleset)
    lower_first = setting.margin_type is MarginType.ISOLATED and acct.has_position(symbol)
    leverage = c.choice(
        (
            current - 1 if lower_first else limit + 1,
            limit + 1 if lower_first else current - 1,
            limit,
            max(1, current // 2),
            market.max_leverage + 1,
            current * 2,
        )
    )
    send(ctx, SetLeverage(account, symbol, leverage))


@move(MOVES, "setMarginType")
def set_margin_type(ctx: Context, c: Chooser, focus: Focus | None = None) -> None:
    account, symbol, _ = focus or pick_focus(ctx, c)
    current = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).margin_type
    isolated = current is MarginType.ISOLATED
    toggled = MarginType.CROSS if isolated else MarginType.ISOLATED
    same = MarginType.ISOLATED if isolated else MarginType.CROSS
    send(ctx, SetMarginType(account, symbol, c.choice((toggled, same))))


@move(MOVES, "setPositionMode")
def set_position_mode(ctx: Context, c: Chooser, focus: Focus | None = None) -> None:
    """A mode change, mostly of an account whose two guards disagree (ACT-5): positions
    without open orders (-4068 alone) or open orders without positions (-4067 alone),
    where an engine checking only one of them differs."""
    split = [
        name
        for name in ACCOUNTS
        if (acct := ctx.model.state.accounts[name]).has_position() != acct.has_orders()
    ]
    if focus is None and split and c.choice((True, True, False)):
        account = c.choice(split)
    else:
        account, _, _ = focus or pick_focus(ctx, c)
    dual = ctx.model.state.accounts[account].dual_side_position
    # A change mostly: the same mode is refused (-4059) before either guard is read.
    send(ctx, SetPositionMode(account, c.choice((not dual, not dual, dual))))


@move(MOVES, "deposit")
def deposit(ctx: Context, c: Chooser) -> None:
    """Deposits, including exactly the shortfall to maintenance (the LIQ-1 boundary)."""
    short = [
        name
        for name in ACCOUNTS
        if (f := account_figures(ctx, name)).cross_maint_margin
        > f.total_cross_wallet_balance + f.total_cross_unrealized_pnl
    ]
    account = c.choice(tuple(short) + ACCOUNTS + (INSURANCE_FUND,))
    f = account_figures(ctx, account)
    shortfall = f.cross_maint_margin - (f.total_cross_wallet_balance + f.total_cross_unrealized_pnl)
    kind = c.choice(("shortfall", "fixed", "zero", "negative"))
    if kind == "shortfall" and shortfall > 0:
        # exactly at LIQ-1, and one unit of the 8th decimal either side
        amount = shortfall + c.choice((Exact(0), Exact(1, 10**8), Exact(-1, 10**8)))
    elif kind == "zero":
        amount = Exact(0)
    elif kind == "negative":
        amount = Exact(-5)
    else:
        amount = Exact(c.choice((1000, 10000, 100, 1)))
    send(ctx, Deposit(account, decimal(amount)))


@move(MOVES, "withdraw")
def withdraw(ctx: Context, c: Chooser) -> None:
    """Withdrawals at ``maxWithdrawAmount`` (XFER-1), one cent past it and one below."""
    account = c.choice((*ACCOUNTS, INSURANCE_FUND))
    most = round8(account_figures(ctx, account).max_withdraw)
    below = most - Exact(1, 100)
    amount = c.choice((most, most + Exact(1, 100), most / 2, below, Exact(1), Exact(0)))
    send(ctx, Withdraw(account, round8(amount)))


@move(MOVES, "positionMargin")
def position_margin(ctx: Context, c: Chooser, focus: Focus | None = None) -> None:
    """Isolated margin moves: at XFER-3 (IM-based) and at the MM-based cap engines use wrongly."""
    account, symbol, side = focus or pick_focus(ctx, c)
    kind = c.choice((2, 1, 3))
    f = account_figures(ctx, account)
    pos = next(
        (
            p
            for p in f.positions
            if p.position.symbol == symbol and p.position.position_side is side
        ),
        None,
    )
    options: list[Exact] = [Exact(10)]
    if kind == 2 and pos is not None and pos.max_remove_margin is not None:
        iw = pos.position.isolated_wallet
        options = [
            pos.max_remove_margin,
            pos.max_remove_margin + Exact(1, 100),
            pos.max_remove_margin - Exact(1, 100),
            iw - pos.maint_margin,
            iw - pos.maint_margin - Exact(1, 100),
            Exact(10),
        ]
    elif kind == 1 and pos is not None and pos.max_add_margin is not None:
        options = [
            pos.max_add_margin + Exact(1, 100),
            pos.max_add_margin,
            pos.max_add_margin - Exact(1, 100),
            Exact(10),
        ]
    amount = c.choice((*tuple(options), Exact(0)))
    send(ctx, PositionMargin(account, symbol, side, round8(amount), kind))


@move(MOVES, "markPrice", also=("mark_price_again",))
def mark_price(ctx: Context, c: Chooser) -> None:
    """Marks on and next to a position's liquidation price and bracket boundaries."""
    _, symbol, _ = pick_focus(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    mark = mark_of(ctx, symbol)
    tick = market.tick_size
    kind = c.choice(("liquidation", "liquidation", "bracket", "bankrupt", "move", "zero"))
    held = [p for p in open_positions(ctx) if p[1] == symbol]
    new: Exact | None = None
    top_up = ""
    side = PositionSide.BOTH
    if kind == "liquidation" and held:
        top_up, _, side, amt = c.choice(held)
        for p in account_figures(ctx, top_up, prices=True).positions:
            if (
                p.position.symbol == symbol
                and p.position.position_side is side
                and p.liquidation_price
            ):
                # Just past the LP first (a long below it, a short above it), then around it.
                beyond = amt < 0
                new = round8(p.liquidation_price, c.choice((beyond, not beyond)))
                new += tick * c.choice((0, 1, -1, 10, -10))
    elif kind == "bankrupt" and held:
        # Past the bankruptcy price: the sweep's loss exceeds the margin (IF-*, ADL-*).
        name, _, side, amt = c.choice(held)
        for p in account_figures(ctx, name, prices=True).positions:
            if (
                p.position.symbol == symbol
                and p.position.position_side is side
                and p.bankruptcy_price
            ):
                factor = (
                    Exact(c.choice((95, 80)), 100) if amt > 0 else Exact(c.choice((105, 120)), 100)
                )
                new = on_step(p.bankruptcy_price * factor, tick)
    elif kind == "bracket" and held:
        # The notional at mark exactly on a floor needs floor/|amt| to be a decimal:
        # positions whose size allows it come first.
        table = market.brackets
        floor = table[c.choice(range(1, len(table)))].notional_floor if len(table) > 1 else mark
        exact_first = sorted(held, key=lambda h: "/" in to_plain(floor / abs(h[3])))
        _, _, _, amt = c.choice(exact_first)
        new = round8(floor / abs(amt)) + tick * c.choice((0, 1, -1))
    elif kind == "zero":
        new = Exact(0)
    if new is None or (new <= 0 and kind != "zero"):
        percent = c.choice((-1, 1, -5, 5, -20, 20, -50))
        new = on_step(mark * (100 + percent) / 100, tick)
    send(ctx, MarkPrice(symbol, round8(new)))
    if top_up and c.choice((True, False)):
        _top_up(ctx, top_up, symbol, side)


def _top_up(ctx: Context, account: str, symbol: str, side: PositionSide) -> None:
    """Bring margin balance exactly to maintenance margin (LIQ-1's edge): a deposit for a
    cross account, an isolated margin addition for an isolated position."""
    f = account_figures(ctx, account)
    for p in f.positions:
        if (
            p.position.symbol == symbol
            and p.position.position_side is side
            and p.isolated_margin is not None
        ):
            shortfall = p.maint_margin - p.isolated_margin
            if shortfall > 0:
                send(ctx, PositionMargin(account, symbol, side, decimal(shortfall), 1))
            return
    shortfall = f.cross_maint_margin - (f.total_cross_wallet_balance + f.total_cross_unrealized_pnl)
    if shortfall > 0:
        send(ctx, Deposit(account, decimal(shortfall)))


@move(MOVES, "funding")
def funding(ctx: Context, c: Chooser) -> None:
    _, symbol, _ = pick_focus(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    rate = c.choice(
        (
            Exact(1, 10000),
            Exact(-1, 10000),
            market.funding_cap,
            market.funding_floor,
            market.funding_cap + Exact(1, 10000),
        )
    )
    send(ctx, Funding(symbol, rate))


@move(MOVES, "liquidationSweep")
def sweep(ctx: Context, c: Chooser) -> None:
    """A sweep; half the time first the mark of a held position strictly between its
    liquidation and bankruptcy prices, so that the liquidation leaves margin for the
    clearance fee (LIQP-4) rather than a shortfall."""
    held = [h for h in open_positions(ctx) if h[0] != INSURANCE_FUND]
    if held and ctx.caps.supports("markPrice") and c.choice((True, False)):
        name, symbol, side, _ = c.choice(held)
        for p in account_figures(ctx, name, prices=True).positions:
            lp, bp = p.liquidation_price, p.bankruptcy_price
            if p.position.symbol == symbol and p.position.position_side is side and lp and bp:
                send(ctx, MarkPrice(symbol, round8((lp + bp) / 2)))
                break
    send(ctx, LiquidationSweep())


def usable_moves(caps: Capabilities) -> dict[str, Move]:
    """The moves whose actions the implementation declared it supports."""
    usable = {
        name: function
        for name, (function, actions) in MOVES.items()
        if all(caps.supports(a) for a in actions)
    }
    if not caps.hedge_mode:
        usable.pop("set_position_mode", None)
    return usable
