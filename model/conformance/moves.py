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
from marginspec.evaluate import AccountFigures
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
