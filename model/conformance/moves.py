"""The action vocabulary the kit generates, aimed at where engines go wrong (CONF-5).

Each move reads the model's current state to aim: quantities whose notional lies on or
next to a bracket floor, the LEV-3 cap or the available balance; marks on or next to a
position's bracket boundary and its liquidation price (from the model's exact figures);
leverages at the bracket limit; transfers at ``maxWithdrawAmount`` and
``maxRemovableMargin`` (and at the MM-based cap engines use by mistake); mode and
leverage changes with open orders and positions; partial fills and flips; funding on
isolated positions; and refused actions of every kind (off-tick prices, unknown
orders, reduce-only in hedge mode, …).

A move draws its choices from a :class:`Chooser` (Hypothesis data in the driver, a
seeded ``random.Random`` for the static vectors) and emits actions through a
:class:`Context`, which returns the model's outcome of each.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from marginspec import brackets
from marginspec.account import MarginType, PositionSide
from marginspec.conformance.capabilities import Capabilities
from marginspec.evaluate import AccountFigures, PositionFigures
from marginspec.exchange import INSURANCE_FUND, Model
from marginspec.exchange.view import figures
from marginspec.numbers import Exact, Rounding, round_to, to_plain
from marginspec.ruleset import Market, RuleSet

T = TypeVar("T")

ACCOUNTS = ("A", "B", "C")

#: Starting marks of the bundled markets; other symbols start at 100.
DEFAULT_MARKS = {"BTCUSDT": "80000", "ETHUSDT": "3000"}


class Chooser(Protocol):
    def choice(self, options: Sequence[T]) -> T:
        """One of ``options``; earlier options are simpler (shrinking goes there)."""
        ...


class RandomChooser:
    """Choices from a seeded :class:`random.Random` (deterministic vectors)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def choice(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]


class Context(Protocol):
    """Where moves send actions: the model (and, in the driver, the implementation)."""

    model: Model
    caps: Capabilities

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        """Apply ``action``; return the model's outcome JSON."""
        ...


def _text(value: Exact, decimals: int = 8, rounding: Rounding = Rounding.DOWN) -> str:
    return to_plain(round_to(value, decimals, rounding))


def _exact_text(value: Exact) -> str:
    """The exact decimal if it terminates, else rounded up on 8 places (an action needs a decimal)."""
    text = to_plain(value)
    return text if "/" not in text else to_plain(_round8(value, up=True))


def _round8(value: Exact, up: bool = False) -> Exact:
    """``value`` on 8 decimals, rounded toward zero (or away from it)."""
    down = round_to(value, 8, Rounding.DOWN)
    if up and down != value:
        return down + (Exact(1, 10**8) if value > 0 else Exact(-1, 10**8))
    return down


def _on_step(value: Exact, step: Exact, up: bool = False) -> Exact:
    """``value`` rounded down (or up) to a multiple of ``step``."""
    units = value / step
    whole = Exact(int(units))
    if up and whole != units:
        whole += 1
    return whole * step


# ------------------------------------------------------------------ initial state


def initial(c: Chooser, caps: Capabilities, ruleset: RuleSet) -> dict[str, Any]:
    """A starting exchange: three accounts with drawn wallets, modes and per-symbol settings."""
    accounts: dict[str, Any] = {}
    for name in ACCOUNTS:
        entry: dict[str, Any] = {
            "crossWalletBalance": c.choice(("100000", "20000", "1000000", "5000"))
        }
        if (
            caps.hedge_mode
            and caps.supports("setPositionMode")
            and c.choice((False, False, False, True))
        ):
            entry["dualSidePosition"] = True
        symbols: dict[str, Any] = {}
        for symbol, market in ruleset.markets.items():
            # Only settings the implementation can also reach by its own actions.
            leverage = 20
            if caps.supports("setLeverage"):
                leverage = c.choice((20, 5, 10, 1, market.max_leverage, 50))
            kind = "CROSSED"
            if caps.supports("setMarginType"):
                kind = c.choice(("CROSSED", "ISOLATED", "CROSSED"))
            leverage = min(leverage, market.max_leverage)
            if (leverage, kind) != (min(20, market.max_leverage), "CROSSED"):
                symbols[symbol] = {"leverage": leverage, "marginType": kind}
        if symbols:
            entry["symbols"] = symbols
        accounts[name] = entry
    return {
        "markPrices": {s: DEFAULT_MARKS.get(s, "100") for s in ruleset.markets},
        "insuranceFund": c.choice(("1000000", "0", "100")),
        "accounts": accounts,
    }


# ------------------------------------------------------------------ aiming helpers


def _figures(ctx: Context, account: str, prices: bool = False) -> AccountFigures:
    return figures(ctx.model.state, account, ctx.model.ruleset, prices)


def _mark(ctx: Context, symbol: str) -> Exact:
    return ctx.model.state.mark_prices[symbol]


def _position_side(ctx: Context, c: Chooser, account: str, side: str) -> str:
    if account in ctx.model.state.accounts and ctx.model.state.accounts[account].dual_side_position:
        opening = "LONG" if side == "BUY" else "SHORT"
        closing = "SHORT" if side == "BUY" else "LONG"
        return c.choice((opening, opening, closing))
    return "BOTH"


def _quantity(ctx: Context, c: Chooser, account: str, market: Market, price: Exact) -> Exact:
    """A quantity aimed at a boundary: bracket floor, LEV-3 cap, available balance (±1 step)."""
    step = market.step_size
    table = market.brackets
    acct = ctx.model.state.accounts.get(account)
    leverage = Exact(acct.setting(market.symbol, ctx.model.ruleset).leverage if acct else 20)
    kind = c.choice(("notional", "floor", "notional", "floor", "available", "cap", "steps"))
    if kind == "notional":
        target = Exact(c.choice((1000, 60000, 10000, 200, 300000)))
    elif kind == "floor":
        # On the floor at the MARK (the notional brackets use), then one step either side.
        reachable = range(1, min(len(table), 4))
        floor = table[c.choice(reachable)].notional_floor if len(table) > 1 else Exact(100)
        quantity = _on_step(floor / _mark(ctx, market.symbol), step, up=c.choice((False, True)))
        quantity += step * c.choice((0, 1, -1))
        return quantity if quantity > 0 else step
    elif kind == "available" and account in ctx.model.state.accounts:
        target = _figures(ctx, account).available_balance * leverage
    elif kind == "cap":
        target = brackets.max_notional(table, leverage)
    else:
        return step * c.choice((1, 2, 3, 10))
    quantity = _on_step(target / price, step, up=c.choice((False, True)))
    quantity += step * c.choice((0, 1, -1))
    return quantity if quantity > 0 else step


def _price(ctx: Context, c: Chooser, market: Market) -> Exact:
    mark = _mark(ctx, market.symbol)
    base = _on_step(mark, market.tick_size)
    offset = c.choice((0, 1, -1, 10, -10, 1000, -1000))
    price = base + offset * market.tick_size
    return price if price > 0 else market.tick_size


def _symbol(ctx: Context, c: Chooser) -> str:
    return c.choice(tuple(ctx.model.ruleset.markets))


def _open_positions(ctx: Context) -> list[tuple[str, str, PositionSide, Exact]]:
    found = []
    for name, acct in ctx.model.state.accounts.items():
        for (symbol, side), pos in acct.positions.items():
            if pos.position_amt != 0:
                found.append((name, symbol, side, pos.position_amt))
    return found


def _holdings(ctx: Context) -> list[tuple[str, str, PositionSide]]:
    """(account, symbol, side) of every open position and resting order: where bugs live."""
    found: dict[tuple[str, str, PositionSide], None] = {}
    for name, acct in ctx.model.state.accounts.items():
        if name == INSURANCE_FUND:
            continue
        for (symbol, side), pos in acct.positions.items():
            if pos.position_amt != 0:
                found[(name, symbol, side)] = None
        for order in acct.orders:
            found[(name, order.symbol, order.position_side)] = None
    return list(found)


_PREFER_HELD: tuple[bool, ...] = (True, True, True, False)
_MOSTLY: tuple[bool, ...] = (True, True, False)


def _target(ctx: Context, c: Chooser) -> tuple[str, str, PositionSide]:
    """Mostly a held (account, symbol, side); sometimes any."""
    held = _holdings(ctx)
    if held:
        prefer: bool = c.choice(_PREFER_HELD)
        if prefer:
            return c.choice(held)
    account = c.choice(ACCOUNTS)
    symbol = _symbol(ctx, c)
    return account, symbol, c.choice(ctx.model.state.accounts[account].sides())


# ------------------------------------------------------------------ moves


Focus = tuple[str, str, PositionSide]


def trade(ctx: Context, c: Chooser) -> Focus | None:
    """Two orders at one price and a (possibly partial) fill: opens, adds, closes or flips."""
    maker, symbol, held_side = _target(ctx, c)
    if c.choice((False, True)):
        symbol = _symbol(ctx, c)  # another symbol: several positions in one account
    others = tuple(a for a in ACCOUNTS if a != maker)
    taker = c.choice(others + others + (INSURANCE_FUND,))
    market = ctx.model.ruleset.markets[symbol]
    amt = ctx.model.state.accounts[maker].position(symbol, held_side).position_amt
    closing = "SELL" if amt > 0 else "BUY"
    side = c.choice((closing, "BUY", "SELL")) if amt != 0 else c.choice(("BUY", "SELL"))
    other = "SELL" if side == "BUY" else "BUY"
    price = _price(ctx, c, market)
    quantity = _quantity(ctx, c, maker, market, price)
    maker_order = _order(ctx, c, maker, symbol, side, price, quantity)
    made_side = maker_order["positionSide"]
    made = ctx.step(maker_order)
    taken = ctx.step(_order(ctx, c, taker, symbol, other, price, quantity))
    if "orderId" in made and "orderId" in taken:
        action: dict[str, Any] = {
            "action": "fill",
            "makerOrderId": made["orderId"],
            "takerOrderId": taken["orderId"],
        }
        part = c.choice((None, None, "half", "step"))
        if part == "half":
            action["quantity"] = to_plain(
                max(_on_step(quantity / 2, market.step_size), market.step_size)
            )
        elif part == "step":
            action["quantity"] = to_plain(market.step_size)
        ctx.step(action)
        return maker, symbol, PositionSide(made_side)
    return None


def _order(
    ctx: Context, c: Chooser, account: str, symbol: str, side: str, price: Exact, quantity: Exact
) -> dict[str, Any]:
    return {
        "action": "placeOrder",
        "account": account,
        "symbol": symbol,
        "side": side,
        "positionSide": _position_side(ctx, c, account, side),
        "type": "LIMIT",
        "price": to_plain(price),
        "quantity": to_plain(quantity),
        "reduceOnly": False,
    }


def place_order(ctx: Context, c: Chooser) -> None:
    """A resting order (open-order margin), or one the exchange must refuse."""
    account = c.choice(ACCOUNTS)
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice(("BUY", "SELL"))
    price = _price(ctx, c, market)
    quantity = _quantity(ctx, c, account, market, price)
    order = _order(ctx, c, account, symbol, side, price, quantity)
    flaw = None
    if c.choice((False, False, True)):
        flaw = c.choice(
            (
                "reduceOnly",
                "offTick",
                "offStep",
                "tiny",
                "zeroPrice",
                "wrongSide",
                "unknownAccount",
                "unknownSymbol",
                "insuranceFund",
            )
        )
    if flaw == "reduceOnly":
        order["reduceOnly"] = True
    elif flaw == "offTick":
        order["price"] = to_plain(price + market.tick_size / 2)
    elif flaw == "offStep":
        order["quantity"] = to_plain(quantity + market.step_size / 2)
    elif flaw == "tiny":
        order["quantity"] = to_plain(market.step_size)
        order["price"] = to_plain(
            _on_step(market.min_notional / market.step_size, market.tick_size) - market.tick_size
        )
    elif flaw == "zeroPrice":
        order["price"] = "0"
    elif flaw == "wrongSide":
        dual = ctx.model.state.accounts[account].dual_side_position
        order["positionSide"] = "BOTH" if dual else "LONG"
    elif flaw == "unknownAccount":
        order["account"] = "Z"
    elif flaw == "unknownSymbol":
        order["symbol"] = "NOSUCHUSDT"
    elif flaw == "insuranceFund":
        order["account"] = INSURANCE_FUND
    ctx.step(order)


def cancel_order(ctx: Context, c: Chooser) -> None:
    account = c.choice(ACCOUNTS)
    orders = ctx.model.state.accounts[account].orders
    ids = (*tuple(o.order_id for o in orders), 999)
    ctx.step({"action": "cancelOrder", "account": account, "orderId": c.choice(ids)})


def fill_resting(ctx: Context, c: Chooser) -> None:
    """A fill between resting orders: partial, too large, same account, not crossing, unknown."""
    resting = [o for acct in ctx.model.state.accounts.values() for o in acct.orders]
    if not resting:
        ctx.step({"action": "fill", "makerOrderId": 1, "takerOrderId": 2})
        return
    maker = c.choice(resting)
    takers = [o for o in resting if o.order_id != maker.order_id and o.symbol == maker.symbol]
    taker_id = c.choice(tuple(o.order_id for o in takers)) if takers else 999
    action: dict[str, Any] = {
        "action": "fill",
        "makerOrderId": maker.order_id,
        "takerOrderId": taker_id,
    }
    step = ctx.model.ruleset.markets[maker.symbol].step_size
    size = c.choice((None, "step", "all", "more", "zero"))
    if size == "step":
        action["quantity"] = to_plain(step)
    elif size == "all":
        action["quantity"] = to_plain(maker.remaining)
    elif size == "more":
        action["quantity"] = to_plain(maker.remaining + step)
    elif size == "zero":
        action["quantity"] = "0"
    ctx.step(action)


def set_leverage(ctx: Context, c: Chooser, focus: Focus | None = None) -> None:
    """Leverage at the bracket limit of the current exposure (LEV-2, LEV-3) and next to it."""
    account, symbol, _ = focus or _target(ctx, c)
    if not focus and c.choice((False, False, False, False, True)):
        account = INSURANCE_FUND
    market = ctx.model.ruleset.markets[symbol]
    acct = ctx.model.state.accounts[account]
    current = acct.setting(symbol, ctx.model.ruleset).leverage
    exposure = max(
        (
            abs(p.position_amt) * _mark(ctx, symbol)
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
    ctx.step({"action": "setLeverage", "account": account, "symbol": symbol, "leverage": leverage})


def set_margin_type(ctx: Context, c: Chooser, focus: Focus | None = None) -> None:
    account, symbol, _ = focus or _target(ctx, c)
    current = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).margin_type
    toggled = "CROSSED" if current is MarginType.ISOLATED else "ISOLATED"
    same = "ISOLATED" if current is MarginType.ISOLATED else "CROSSED"
    kind = c.choice((toggled, same))
    ctx.step({"action": "setMarginType", "account": account, "symbol": symbol, "marginType": kind})


def set_position_mode(ctx: Context, c: Chooser, focus: Focus | None = None) -> None:
    account, _, _ = focus or _target(ctx, c)
    dual = ctx.model.state.accounts[account].dual_side_position
    wanted = c.choice((not dual, dual))
    ctx.step({"action": "setPositionMode", "account": account, "dualSidePosition": wanted})


def deposit(ctx: Context, c: Chooser) -> None:
    """Deposits, including exactly the shortfall to maintenance (the LIQ-1 boundary)."""
    short = [
        name
        for name in ACCOUNTS
        if (f := _figures(ctx, name)).cross_maint_margin
        > f.total_cross_wallet_balance + f.total_cross_unrealized_pnl
    ]
    account = c.choice(tuple(short) + ACCOUNTS + (INSURANCE_FUND,))
    f = _figures(ctx, account)
    shortfall = f.cross_maint_margin - (f.total_cross_wallet_balance + f.total_cross_unrealized_pnl)
    kind = c.choice(("shortfall", "fixed", "zero", "negative"))
    if kind == "shortfall" and shortfall > 0:
        amount = shortfall + c.choice((Exact(0), Exact(1, 10**8)))  # exactly at LIQ-1
    elif kind == "zero":
        amount = Exact(0)
    elif kind == "negative":
        amount = Exact(-5)
    else:
        amount = Exact(c.choice((1000, 10000, 100, 1)))
    ctx.step({"action": "deposit", "account": account, "amount": _exact_text(amount)})


def withdraw(ctx: Context, c: Chooser) -> None:
    """Withdrawals at ``maxWithdrawAmount`` (XFER-1) and one unit past it."""
    account = c.choice((*ACCOUNTS, INSURANCE_FUND))
    most = round_to(_figures(ctx, account).max_withdraw, 8, Rounding.DOWN)
    amount = c.choice((most, most + Exact(1, 100), most / 2, Exact(1), Exact(0)))
    ctx.step({"action": "withdraw", "account": account, "amount": _text(amount)})


def position_margin(ctx: Context, c: Chooser, focus: Focus | None = None) -> None:
    """Isolated margin moves: at XFER-3 (IM-based) and at the MM-based cap engines use wrongly."""
    account, symbol, side = focus or _target(ctx, c)
    kind = c.choice((2, 1, 3))
    f = _figures(ctx, account)
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
            iw - pos.maint_margin,
            iw - pos.maint_margin - Exact(1, 100),
            Exact(10),
        ]
    elif kind == 1 and pos is not None and pos.max_add_margin is not None:
        options = [pos.max_add_margin + Exact(1, 100), pos.max_add_margin, Exact(10)]
    amount = c.choice((*tuple(options), Exact(0)))
    ctx.step(
        {
            "action": "positionMargin",
            "account": account,
            "symbol": symbol,
            "positionSide": side.value,
            "amount": _text(amount),
            "type": kind,
        }
    )


def mark_price(ctx: Context, c: Chooser) -> None:
    """Marks on and next to a position's liquidation price and bracket boundaries."""
    _, symbol, _ = _target(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    mark = _mark(ctx, symbol)
    tick = market.tick_size
    kind = c.choice(("liquidation", "liquidation", "bracket", "bankrupt", "move", "zero"))
    held = [p for p in _open_positions(ctx) if p[1] == symbol]
    new: Exact | None = None
    top_up = ""
    side = PositionSide.BOTH
    if kind == "liquidation" and held:
        top_up, _, side, amt = c.choice(held)
        for p in _figures(ctx, top_up, prices=True).positions:
            if (
                p.position.symbol == symbol
                and p.position.position_side is side
                and p.liquidation_price
            ):
                # Just past the LP first (a long below it, a short above it), then around it.
                beyond = amt < 0
                new = _round8(p.liquidation_price, c.choice((beyond, not beyond)))
                new += tick * c.choice((0, 1, -1, 10, -10))
    elif kind == "bankrupt" and held:
        # Past the bankruptcy price: the sweep's loss exceeds the margin (IF-*, ADL-*).
        name, _, side, amt = c.choice(held)
        for p in _figures(ctx, name, prices=True).positions:
            if (
                p.position.symbol == symbol
                and p.position.position_side is side
                and p.bankruptcy_price
            ):
                factor = (
                    Exact(c.choice((95, 80)), 100) if amt > 0 else Exact(c.choice((105, 120)), 100)
                )
                new = _on_step(p.bankruptcy_price * factor, tick)
    elif kind == "bracket" and held:
        # The notional at mark exactly on a floor needs floor/|amt| to be a decimal:
        # positions whose size allows it come first.
        table = market.brackets
        floor = table[c.choice(range(1, len(table)))].notional_floor if len(table) > 1 else mark
        exact_first = sorted(held, key=lambda h: "/" in to_plain(floor / abs(h[3])))
        _, _, _, amt = c.choice(exact_first)
        new = _round8(floor / abs(amt)) + tick * c.choice((0, 1, -1))
    elif kind == "zero":
        new = Exact(0)
    if new is None or (new <= 0 and kind != "zero"):
        percent = c.choice((-1, 1, -5, 5, -20, 20, -50))
        new = _on_step(mark * (100 + percent) / 100, tick)
    ctx.step({"action": "markPrice", "symbol": symbol, "markPrice": _text(new)})
    if top_up and c.choice((True, False)):
        _top_up(ctx, top_up, symbol, side)


def _top_up(ctx: Context, account: str, symbol: str, side: PositionSide) -> None:
    """Bring margin balance exactly to maintenance margin (LIQ-1's edge): a deposit for a
    cross account, an isolated margin addition for an isolated position."""
    f = _figures(ctx, account)
    for p in f.positions:
        if (
            p.position.symbol == symbol
            and p.position.position_side is side
            and p.isolated_margin is not None
        ):
            shortfall = p.maint_margin - p.isolated_margin
            if shortfall > 0:
                ctx.step(
                    {
                        "action": "positionMargin",
                        "account": account,
                        "symbol": symbol,
                        "positionSide": side.value,
                        "amount": _exact_text(shortfall),
                        "type": 1,
                    }
                )
            return
    shortfall = f.cross_maint_margin - (f.total_cross_wallet_balance + f.total_cross_unrealized_pnl)
    if shortfall > 0:
        ctx.step({"action": "deposit", "account": account, "amount": _exact_text(shortfall)})


def funding(ctx: Context, c: Chooser) -> None:
    _, symbol, _ = _target(ctx, c)
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
    ctx.step({"action": "funding", "symbol": symbol, "fundingRate": to_plain(rate)})


def sweep(ctx: Context, c: Chooser) -> None:
    ctx.step({"action": "liquidationSweep"})


def trade_then_change(ctx: Context, c: Chooser) -> None:
    """A trade, then at once a change on the maker's new position: leverage, margin
    type, position mode, isolated margin, or a second trade (adds, closes, flips)."""
    focus = trade(ctx, c)
    if focus is None:
        return
    follow = c.choice(("leverage", "marginType", "leverage", "positionMode", "margin", "trade"))
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


Move = Callable[[Context, Chooser], object]

#: Every move and the action names it may emit (a move is used only if all are supported).
MOVES: dict[str, tuple[Move, tuple[str, ...]]] = {
    "trade": (trade, ("placeOrder", "fill")),
    "trade_again": (trade, ("placeOrder", "fill")),
    "trade_then_change": (trade_then_change, ("placeOrder", "fill")),
    "place_order": (place_order, ("placeOrder",)),
    "cancel_order": (cancel_order, ("cancelOrder",)),
    "fill_resting": (fill_resting, ("fill",)),
    "set_leverage": (set_leverage, ("setLeverage",)),
    "set_margin_type": (set_margin_type, ("setMarginType",)),
    "set_position_mode": (set_position_mode, ("setPositionMode",)),
    "deposit": (deposit, ("deposit",)),
    "withdraw": (withdraw, ("withdraw",)),
    "position_margin": (position_margin, ("positionMargin",)),
    "mark_price": (mark_price, ("markPrice",)),
    "mark_price_again": (mark_price, ("markPrice",)),
    "funding": (funding, ("funding",)),
    "sweep": (sweep, ("liquidationSweep",)),
}


def usable_moves(caps: Capabilities) -> dict[str, Move]:
    """The moves whose actions the implementation declared it supports."""
    usable = {
        name: move
        for name, (move, actions) in MOVES.items()
        if all(caps.supports(a) for a in actions)
    }
    if not caps.hedge_mode:
        usable.pop("set_position_mode", None)
    return usable


# ------------------------------------------------------------------ aimed moves
#
# Used by the static vectors (CONF-9) to reach the coverage targets the random moves
# reach rarely (marginspec.conformance.coverage names them per target). They are not in
# MOVES, so the Hypothesis driver's generation is unchanged.


def _pair(
    ctx: Context,
    c: Chooser,
    maker: str,
    symbol: str,
    side: str,
    quantity: Exact,
    price: Exact | None = None,
    position_side: str | None = None,
    taker: str | None = None,
) -> bool:
    """``maker`` rests an order, another account takes it in full; True if it filled."""
    market = ctx.model.ruleset.markets[symbol]
    price = _price(ctx, c, market) if price is None else price
    order = _order(ctx, c, maker, symbol, side, price, quantity)
    if position_side is not None:
        order["positionSide"] = position_side
    made = ctx.step(order)
    if "orderId" not in made:
        return False
    if taker is None:
        taker = c.choice(tuple(a for a in ACCOUNTS if a != maker))
    other = "SELL" if side == "BUY" else "BUY"
    taken = ctx.step(_order(ctx, c, taker, symbol, other, price, quantity))
    if "orderId" not in taken:
        ctx.step({"action": "cancelOrder", "account": maker, "orderId": made["orderId"]})
        return False
    outcome = ctx.step(
        {"action": "fill", "makerOrderId": made["orderId"], "takerOrderId": taken["orderId"]}
    )
    return outcome.get("status") == "accepted"


def _flat(ctx: Context, account: str, symbol: str) -> bool:
    acct = ctx.model.state.accounts[account]
    return not acct.has_orders(symbol) and not any(k[0] == symbol for k in acct.positions)


def _size_for(ctx: Context, c: Chooser, market: Market, notional: Exact) -> Exact:
    return max(_on_step(notional / _mark(ctx, market.symbol), market.step_size), market.step_size)


def _held(ctx: Context, c: Chooser, account: str | None = None) -> Focus | None:
    """A held (account, symbol, side), opening one by a trade first if none is held."""
    held = [(n, s, side) for n, s, side, _ in _open_positions(ctx) if n != INSURANCE_FUND]
    if account is not None:
        held = [h for h in held if h[0] == account]
    if held:
        return c.choice(held)
    return trade(ctx, c)


def isolated_trade(ctx: Context, c: Chooser) -> None:
    """An isolated position (FILL-7), then something done to it: margin moves at the
    XFER-2/XFER-3 caps, leverage up or down (ACT-LEV-4, -4161), funding (FUND-3), a mark
    move and a partial close (FILL-6)."""
    account = c.choice(ACCOUNTS)
    symbol = _symbol(ctx, c)
    setting = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset)
    if setting.margin_type is not MarginType.ISOLATED and _flat(ctx, account, symbol):
        ctx.step(
            {
                "action": "setMarginType",
                "account": account,
                "symbol": symbol,
                "marginType": "ISOLATED",
            }
        )
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice(("BUY", "SELL"))
    size = _size_for(ctx, c, market, Exact(c.choice((1000, 20000, 60000))))
    position_side = _position_side(ctx, c, account, side)
    if not _pair(ctx, c, account, symbol, side, size, position_side=position_side):
        return
    focus = (account, symbol, PositionSide(position_side))
    for _ in range(c.choice((1, 2, 3))):
        follow = c.choice(("margin", "margin", "leverage", "funding", "mark", "close"))
        if follow == "margin":
            position_margin(ctx, c, focus)
        elif follow == "leverage":
            current = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage
            leverage = c.choice((current + 1, max(1, current - 1)))
            ctx.step(
                {
                    "action": "setLeverage",
                    "account": account,
                    "symbol": symbol,
                    "leverage": leverage,
                }
            )
        elif follow == "funding":
            rate = c.choice((Exact(1, 10000), Exact(-1, 10000)))
            ctx.step({"action": "funding", "symbol": symbol, "fundingRate": to_plain(rate)})
        elif follow == "mark":
            mark_price(ctx, c)
        else:
            other = "SELL" if side == "BUY" else "BUY"
            part = max(_on_step(size / 2, market.step_size), market.step_size)
            _pair(ctx, c, account, symbol, other, part, position_side=position_side)


def trade_twice(ctx: Context, c: Chooser) -> None:
    """Two trades of one account at different prices: an add (weighted entry, FILL-2,
    often with more than 8 decimals, FILL-9) or a partial close (FILL-4)."""
    account = c.choice(ACCOUNTS)
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice(("BUY", "SELL"))
    first = market.step_size * c.choice((1, 2, 3, 7))
    first = max(first, _on_step(Exact(100) / _mark(ctx, symbol), market.step_size, up=True))
    position_side = _position_side(ctx, c, account, side)
    if not _pair(ctx, c, account, symbol, side, first, position_side=position_side):
        return
    again = c.choice((side, side, "SELL" if side == "BUY" else "BUY"))
    quantity = (
        first * c.choice((2, 1))
        if again == side
        else max(_on_step(first / 3, market.step_size), market.step_size)
    )
    price = _on_step(_mark(ctx, symbol) * Exact(c.choice((101, 99, 103))) / 100, market.tick_size)
    _pair(ctx, c, account, symbol, again, quantity, price, position_side=position_side)


def flip(ctx: Context, c: Chooser) -> None:
    """A one-way position reversed by one fill (FILL-3, PNL-3)."""
    account = c.choice(ACCOUNTS)
    if ctx.model.state.accounts[account].dual_side_position:
        return
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice(("BUY", "SELL"))
    size = _size_for(ctx, c, market, Exact(c.choice((500, 3000))))
    if _pair(ctx, c, account, symbol, side, size):
        other = "SELL" if side == "BUY" else "BUY"
        price = _on_step(_mark(ctx, symbol) * Exact(c.choice((102, 98))) / 100, market.tick_size)
        _pair(ctx, c, account, symbol, other, size * 2 + market.step_size, price)


def hedge(ctx: Context, c: Chooser) -> None:
    """Hedge mode: a LONG and a SHORT on one symbol (LIQ-4), a reduce-only order (-1106)."""
    account = c.choice(ACCOUNTS)
    acct = ctx.model.state.accounts[account]
    if not acct.dual_side_position:
        if acct.orders or acct.positions:
            return
        ctx.step({"action": "setPositionMode", "account": account, "dualSidePosition": True})
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    long_size = _size_for(ctx, c, market, Exact(c.choice((5000, 60000, 30000))))
    short_size = _size_for(ctx, c, market, Exact(c.choice((3000, 70000, 30000))))
    _pair(ctx, c, account, symbol, "BUY", long_size, position_side="LONG")
    _pair(ctx, c, account, symbol, "SELL", short_size, position_side="SHORT")
    if c.choice((True, False)):
        order = _order(ctx, c, account, symbol, "SELL", _mark(ctx, symbol), market.step_size)
        order.update(positionSide="LONG", reduceOnly=True)
        ctx.step(order)
    if c.choice((True, False)):
        mark_price(ctx, c)


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
    closing = "SELL" if amt > 0 else "BUY"
    direction = c.choice((closing, closing, closing, "BUY" if closing == "SELL" else "SELL"))
    quantity = c.choice((market.step_size, abs(amt), abs(amt) + market.step_size))
    price = _on_step(_mark(ctx, symbol), market.tick_size)
    if c.choice((True, False)):
        # price × quantity just below minNotional (a reducing order is exempt)
        low = _on_step(market.min_notional / quantity, market.tick_size) - market.tick_size
        price = low if low > 0 else market.tick_size
    order = _order(ctx, c, account, symbol, direction, price, quantity)
    order["positionSide"] = side.value
    order["reduceOnly"] = side is PositionSide.BOTH
    ctx.step(order)


def reducing_fill(ctx: Context, c: Chooser) -> None:
    """A resting reduce-only order whose position was closed meanwhile: its fill would
    open a position and is refused (FILL-5)."""
    account = c.choice(ACCOUNTS)
    if ctx.model.state.accounts[account].dual_side_position:
        return
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    size = _size_for(ctx, c, market, Exact(2000))
    side = c.choice(("BUY", "SELL"))
    other = "SELL" if side == "BUY" else "BUY"
    if not _pair(ctx, c, account, symbol, side, size):
        return
    amt = ctx.model.state.accounts[account].position(symbol, PositionSide.BOTH).position_amt
    if amt == 0:
        return
    price = _on_step(_mark(ctx, symbol), market.tick_size)
    order = _order(ctx, c, account, symbol, other, price, abs(amt))
    order["reduceOnly"] = True
    rest = ctx.step(order)
    _pair(ctx, c, account, symbol, other, abs(amt))
    if "orderId" in rest:
        taker = c.choice(tuple(a for a in ACCOUNTS if a != account))
        taken = ctx.step(_order(ctx, c, taker, symbol, side, price, abs(amt)))
        if "orderId" in taken:
            ctx.step(
                {
                    "action": "fill",
                    "makerOrderId": rest["orderId"],
                    "takerOrderId": taken["orderId"],
                }
            )


def order_then_change(ctx: Context, c: Chooser) -> None:
    """A resting order, then a margin-type or position-mode change (-4047, -4067)."""
    account = c.choice(ACCOUNTS)
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice(("BUY", "SELL"))
    price = _on_step(_mark(ctx, symbol) * Exact(c.choice((99, 101))) / 100, market.tick_size)
    quantity = _size_for(ctx, c, market, Exact(500))
    ctx.step(_order(ctx, c, account, symbol, side, price, quantity))
    if c.choice((True, False)):
        set_margin_type(ctx, c, (account, symbol, PositionSide.BOTH))
    else:
        dual = ctx.model.state.accounts[account].dual_side_position
        ctx.step({"action": "setPositionMode", "account": account, "dualSidePosition": not dual})


def order_then_leverage(ctx: Context, c: Chooser) -> None:
    """A large resting order, then a higher leverage whose LEV-3 cap it exceeds
    (ACT-LEV-3: orders count), or an order past the cap of the current leverage."""
    account = c.choice(ACCOUNTS)
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    table = market.brackets
    acct = ctx.model.state.accounts[account]
    current = acct.setting(symbol, ctx.model.ruleset).leverage
    higher = sorted({int(b.initial_leverage) for b in table if b.initial_leverage > current})
    price = _on_step(_mark(ctx, symbol), market.tick_size)
    if bool(higher) and c.choice(_MOSTLY):
        new = c.choice(tuple(higher))
        cap = brackets.max_notional(table, Exact(new))
        quantity = _on_step(cap / price, market.step_size) + market.step_size
        side = c.choice(("BUY", "SELL"))
        ctx.step(_order(ctx, c, account, symbol, side, price, quantity))
        ctx.step({"action": "setLeverage", "account": account, "symbol": symbol, "leverage": new})
    else:
        cap = brackets.max_notional(table, Exact(current))
        quantity = _on_step(cap / price, market.step_size) + market.step_size
        ctx.step(_order(ctx, c, account, symbol, c.choice(("BUY", "SELL")), price, quantity))


def leverage(ctx: Context, c: Chooser) -> None:
    """Leverage at the market maximum (LEV-1), unchanged (ACT-LEV-2), or at the limit of a
    position's bracket beyond the first (LEV-2)."""
    kind = c.choice(("max", "same", "limit", "limit"))
    account = c.choice(ACCOUNTS)
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    acct = ctx.model.state.accounts[account]
    current = acct.setting(symbol, ctx.model.ruleset).leverage
    boundary = ctx.model.ruleset.options.bracket_boundary
    value = int(market.max_leverage) if kind == "max" else current
    if kind == "limit":
        floor = market.brackets[1].notional_floor if len(market.brackets) > 1 else Exact(0)
        size = _size_for(ctx, c, market, floor * Exact(c.choice((11, 15))) / 10)
        if not _pair(ctx, c, account, symbol, c.choice(("BUY", "SELL")), size):
            return
        amts = [
            abs(p.position_amt)
            for (s, _), p in ctx.model.state.accounts[account].positions.items()
            if s == symbol
        ]
        exposure = max(amts, default=Exact(0)) * _mark(ctx, symbol)
        value = int(brackets.max_leverage(market.brackets, exposure, boundary))
    ctx.step({"action": "setLeverage", "account": account, "symbol": symbol, "leverage": value})


def both_books(ctx: Context, c: Chooser) -> None:
    """A position with a bid below and an ask above the mark on its side (ORD-1)."""
    focus = _held(ctx, c)
    if focus is None:
        return
    account, symbol, side = focus
    market = ctx.model.ruleset.markets[symbol]
    mark = _mark(ctx, symbol)
    quantity = _size_for(ctx, c, market, Exact(200))
    for direction, factor in (("BUY", 98), ("SELL", 102)):
        if side is PositionSide.SHORT and direction == "BUY" and c.choice((True, False)):
            continue
        order = _order(
            ctx,
            c,
            account,
            symbol,
            direction,
            _on_step(mark * factor / 100, market.tick_size),
            quantity,
        )
        order["positionSide"] = side.value
        ctx.step(order)


def mark_on_boundary(ctx: Context, c: Chooser) -> None:
    """A position whose notional at the mark is exactly a bracket cap (BRK-3, MM-3)."""
    account = c.choice(ACCOUNTS)
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    table = market.brackets
    if len(table) < 2:
        return
    cap = table[c.choice(range(min(3, len(table) - 1)))].notional_cap
    # A size whose cap / size is an exact decimal: a power-of-ten multiple of the step.
    size = market.step_size * c.choice((1000, 100, 10000))
    if _pair(ctx, c, account, symbol, c.choice(("BUY", "SELL")), size):
        amt = abs(
            ctx.model.state.accounts[account].position(symbol, PositionSide.BOTH).position_amt
        )
        if amt:
            ctx.step({"action": "markPrice", "symbol": symbol, "markPrice": _exact_text(cap / amt)})


def mark_beyond_cap(ctx: Context, c: Chooser) -> None:
    """A mark that takes a position's notional past the last bracket's cap (BRK-4)."""
    held = [h for h in _open_positions(ctx) if h[0] != INSURANCE_FUND]
    if not held:
        trade(ctx, c)
        held = [h for h in _open_positions(ctx) if h[0] != INSURANCE_FUND]
        if not held:
            return
    _, symbol, _, amt = c.choice(held)
    market = ctx.model.ruleset.markets[symbol]
    last = market.brackets[-1].notional_cap
    mark = _on_step(last * Exact(c.choice((11, 2 * 10))) / 10 / abs(amt), market.tick_size, up=True)
    ctx.step({"action": "markPrice", "symbol": symbol, "markPrice": to_plain(mark)})


def crash(ctx: Context, c: Chooser) -> None:
    """A victim with orders and positions against two counterparties, the mark past its
    bankruptcy price, and a sweep: liquidation, clearance fee, takeover or ADL, cover."""
    victim, *others = ACCOUNTS
    if c.choice((True, False)):
        victim, others = others[0], [victim, others[1]]
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    side = c.choice(("BUY", "SELL"))
    f = _figures(ctx, victim)
    budget = f.available_balance * Exact(c.choice((10, 15, 19)))
    for other in others:
        size = _size_for(ctx, c, market, budget / 3)
        _pair(ctx, c, victim, symbol, side, size, taker=other)
    if c.choice((True, False)):
        # a second symbol in the same cross scope, and a resting order (LIQP-2)
        second = c.choice(tuple(ctx.model.ruleset.markets))
        m2 = ctx.model.ruleset.markets[second]
        _pair(ctx, c, victim, second, side, _size_for(ctx, c, m2, budget / 10), taker=others[0])
        price = _on_step(_mark(ctx, second) * 90 / 100, m2.tick_size)
        ctx.step(_order(ctx, c, victim, second, "BUY", price, _size_for(ctx, c, m2, Exact(100))))
    figures_now = _figures(ctx, victim, prices=True)
    target = None
    for p in figures_now.positions:
        if p.position.symbol == symbol and p.position.position_amt != 0:
            price = p.bankruptcy_price if c.choice((True, False)) else p.liquidation_price
            if price is not None:
                factor = Exact(c.choice((90, 97, 100, 101)), 100)
                target = price * (factor if p.position.position_amt > 0 else 2 - factor)
    if target is None or target <= 0:
        target = _mark(ctx, symbol) * Exact(c.choice((50, 150)), 100)
    ctx.step({"action": "markPrice", "symbol": symbol, "markPrice": _text(target)})
    ctx.step({"action": "liquidationSweep"})


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
    budget = min(_figures(ctx, victim).available_balance, _figures(ctx, other).available_balance)
    notional = budget * lev * Exact(c.choice((2, 3)), 10)
    for symbol, side in ((x, "BUY"), (y, "SELL")):
        market = ruleset.markets[symbol]
        size = _size_for(ctx, c, market, notional)
        if not _pair(
            ctx,
            c,
            victim,
            symbol,
            side,
            size,
            _on_step(_mark(ctx, symbol), market.tick_size),
            "BOTH",
            other,
        ):
            return
    q_x = abs(ctx.model.state.accounts[victim].position(x, PositionSide.BOTH).position_amt)
    q_y = abs(ctx.model.state.accounts[victim].position(y, PositionSide.BOTH).position_amt)
    if q_x == 0 or q_y == 0:
        return
    w_other = ctx.model.state.accounts[other].cross_wallet
    w_victim = ctx.model.state.accounts[victim].cross_wallet
    loss = w_other * Exact(c.choice((12, 15)), 10)
    gain = w_victim + loss + w_victim * Exact(3, 10)
    for symbol, size, move in ((x, q_x, loss), (y, q_y, gain)):
        tick = ruleset.markets[symbol].tick_size
        mark = _on_step(_mark(ctx, symbol) + move / size, tick, up=True)
        ctx.step({"action": "markPrice", "symbol": symbol, "markPrice": to_plain(mark)})
    ctx.step({"action": "liquidationSweep"})


def crash_shorts(ctx: Context, c: Chooser) -> None:
    """A cross account short two symbols whose marks both multiply: the loss on each
    exceeds the wallet plus the other's entry notional, so neither symbol has a positive
    bankruptcy price (LIQP-5), both close at the mark and the fund covers the negative
    remainder (IF-2)."""
    symbols = sorted(ctx.model.ruleset.markets)[:2]
    victim = c.choice(ACCOUNTS)
    if ctx.model.state.accounts[victim].dual_side_position:
        return
    budget = _figures(ctx, victim).available_balance / 4
    for symbol in symbols:
        market = ctx.model.ruleset.markets[symbol]
        lev = ctx.model.state.accounts[victim].setting(symbol, ctx.model.ruleset).leverage
        size = _size_for(ctx, c, market, budget * min(lev, 4))
        _pair(
            ctx,
            c,
            victim,
            symbol,
            "SELL",
            size,
            _on_step(_mark(ctx, symbol), market.tick_size),
            "BOTH",
        )
    factor = c.choice((5, 8))
    for symbol in symbols:
        mark = _mark(ctx, symbol) * factor
        ctx.step({"action": "markPrice", "symbol": symbol, "markPrice": to_plain(mark)})
    ctx.step({"action": "liquidationSweep"})


def close_beyond_bankruptcy(ctx: Context, c: Chooser) -> None:
    """A position closed by a fill at a price past its bankruptcy price: the wallet it
    leaves is negative with no position behind it, and the sweep's IF-3 resets it."""
    account = c.choice(ACCOUNTS)
    if ctx.model.state.accounts[account].dual_side_position:
        return
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    if c.choice((True, False)) and _flat(ctx, account, symbol):
        ctx.step(
            {
                "action": "setMarginType",
                "account": account,
                "symbol": symbol,
                "marginType": "ISOLATED",
            }
        )
    side = c.choice(("BUY", "SELL"))
    size = _size_for(ctx, c, market, _figures(ctx, account).available_balance * 3)
    mark = _on_step(_mark(ctx, symbol), market.tick_size)
    if not _pair(ctx, c, account, symbol, side, size, mark, "BOTH"):
        return
    p = position_figures_of(ctx, account, symbol)
    if p is None or p.bankruptcy_price is None:
        return
    past = p.bankruptcy_price * (Exact(8, 10) if side == "BUY" else Exact(12, 10))
    price = _on_step(past, market.tick_size)
    if price <= 0:
        return
    ctx.step({"action": "markPrice", "symbol": symbol, "markPrice": to_plain(price)})
    other = "SELL" if side == "BUY" else "BUY"
    amt = abs(ctx.model.state.accounts[account].position(symbol, PositionSide.BOTH).position_amt)
    _pair(ctx, c, account, symbol, other, amt, price, "BOTH")
    ctx.step({"action": "liquidationSweep"})


def position_figures_of(ctx: Context, account: str, symbol: str) -> PositionFigures | None:
    for p in _figures(ctx, account, prices=True).positions:
        if p.position.symbol == symbol and p.position.position_amt != 0:
            return p
    return None


def full_isolated_fill(ctx: Context, c: Chooser) -> None:
    """An isolated order whose initial margin is the whole available balance, filled as
    the taker: IM moves to the isolated wallet and the taker fee takes the cross wallet
    below zero, so the fill is refused (FILL-8)."""
    account = c.choice(ACCOUNTS)
    acct = ctx.model.state.accounts[account]
    if acct.dual_side_position:
        return
    symbol = _symbol(ctx, c)
    market = ctx.model.ruleset.markets[symbol]
    if acct.setting(symbol, ctx.model.ruleset).margin_type is not MarginType.ISOLATED:
        if not _flat(ctx, account, symbol):
            return
        ctx.step(
            {
                "action": "setMarginType",
                "account": account,
                "symbol": symbol,
                "marginType": "ISOLATED",
            }
        )
    leverage = ctx.model.state.accounts[account].setting(symbol, ctx.model.ruleset).leverage
    price = _on_step(_mark(ctx, symbol), market.tick_size)
    quantity = _on_step(
        _figures(ctx, account).available_balance * leverage / price, market.step_size
    )
    if quantity <= 0:
        return
    side = c.choice(("BUY", "SELL"))
    maker = c.choice(tuple(a for a in ACCOUNTS if a != account))
    other = "SELL" if side == "BUY" else "BUY"
    made = ctx.step(_order(ctx, c, maker, symbol, other, price, quantity))
    taken = ctx.step(_order(ctx, c, account, symbol, side, price, quantity))
    if "orderId" in made and "orderId" in taken:
        ctx.step(
            {"action": "fill", "makerOrderId": made["orderId"], "takerOrderId": taken["orderId"]}
        )


#: The aimed moves, by name (coverage targets name them in ``aims``).
AIMED: dict[str, tuple[Move, tuple[str, ...]]] = {
    "isolated_trade": (
        isolated_trade,
        ("setMarginType", "placeOrder", "fill", "positionMargin", "setLeverage", "funding"),
    ),
    "trade_twice": (trade_twice, ("placeOrder", "fill")),
    "flip": (flip, ("placeOrder", "fill")),
    "hedge": (hedge, ("setPositionMode", "placeOrder", "fill")),
    "hedge_trade": (hedge, ("setPositionMode", "placeOrder", "fill")),
    "reducing_order": (reducing_order, ("placeOrder", "fill")),
    "reducing_fill": (reducing_fill, ("placeOrder", "fill")),
    "order_then_change": (order_then_change, ("placeOrder", "setMarginType", "setPositionMode")),
    "order_then_leverage": (order_then_leverage, ("placeOrder", "setLeverage")),
    "leverage": (leverage, ("placeOrder", "fill", "setLeverage")),
    "both_books": (both_books, ("placeOrder", "fill")),
    "mark_on_boundary": (mark_on_boundary, ("placeOrder", "fill", "markPrice")),
    "mark_beyond_cap": (mark_beyond_cap, ("placeOrder", "fill", "markPrice")),
    "crash": (crash, ("placeOrder", "fill", "markPrice", "liquidationSweep")),
    "crash_small_fund": (crash, ("placeOrder", "fill", "markPrice", "liquidationSweep")),
    "crash_shorts": (crash_shorts, ("placeOrder", "fill", "markPrice", "liquidationSweep")),
    "crash_shorts_empty_fund": (
        crash_shorts,
        ("placeOrder", "fill", "markPrice", "liquidationSweep"),
    ),
    "close_beyond_bankruptcy": (
        close_beyond_bankruptcy,
        ("setMarginType", "placeOrder", "fill", "markPrice", "liquidationSweep"),
    ),
    "full_isolated_fill": (full_isolated_fill, ("setMarginType", "placeOrder", "fill")),
    "crash_pair": (crash_pair, ("placeOrder", "fill", "markPrice", "liquidationSweep")),
}

#: Aimed moves that need an empty insurance fund (so that ADL happens, ADL-1).
EMPTY_FUND = ("crash_small_fund", "crash_pair", "crash_shorts_empty_fund")
