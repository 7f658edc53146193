"""What every move shares: the chooser and context protocols, and the aiming helpers.

A move draws its choices from a :class:`Chooser` (Hypothesis data in the driver, a
seeded ``random.Random`` for the static vectors) and sends actions, built from the
classes of :mod:`marginspec.exchange.actions`, through a :class:`Context`, which
returns the model's outcome of each. The helpers here read the model's state to aim:
quantities on bracket floors, the LEV-3 cap or the available balance; prices near the
mark; the accounts, symbols and sides that hold something.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import attrs

from marginspec import brackets
from marginspec.account import MarginType, OrderSide, PositionSide
from marginspec.conformance.capabilities import Capabilities
from marginspec.errors import InputError
from marginspec.evaluate import AccountFigures
from marginspec.exchange import INSURANCE_FUND, Model
from marginspec.exchange.actions import (
    Action,
    CancelOrder,
    Deposit,
    Fill,
    PlaceOrder,
    SetMarginType,
    SetPositionMode,
    Withdraw,
    action_json,
)
from marginspec.exchange.view import figures
from marginspec.numbers import Exact, Rounding, exact, round_to, to_plain
from marginspec.ruleset import Market

T = TypeVar("T")

ACCOUNTS = ("A", "B", "C")

#: Starting marks of the bundled markets; other symbols start at 100.
DEFAULT_MARKS = {"BTCUSDT": "80000", "ETHUSDT": "3000"}

BUY, SELL = OrderSide.BUY, OrderSide.SELL

#: (account, symbol, position side): what a move acts on next.
Focus = tuple[str, str, PositionSide]


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
        """Apply ``action`` (its JSON form); return the model's outcome JSON."""
        ...


Move = Callable[[Context, Chooser], object]

#: A table of moves by name, each with the action names it may emit.
MoveTable = dict[str, tuple[Move, tuple[str, ...]]]

M = TypeVar("M", bound=Move)


def move(table: MoveTable, *actions: str, also: tuple[str, ...] = ()) -> Callable[[M], M]:
    """Declare a move in ``table`` under its name (and the names in ``also``), with the
    action names it may emit (a move is used only if the implementation supports all)."""

    def declare(function: M) -> M:
        for name in (function.__name__, *also):
            table[name] = (function, actions)
        return function

    return declare


def send(ctx: Context, action: Action) -> dict[str, Any]:
    """Apply ``action`` through ``ctx`` in its JSON form (TRACE-2); the model's outcome."""
    return ctx.step(action_json(action))


# ------------------------------------------------------------------ numbers


def decimal(value: Exact) -> Exact:
    """The exact decimal if it terminates, else rounded up on 8 places (an action needs a decimal)."""
    return value if "/" not in to_plain(value) else round8(value, up=True)


def round8(value: Exact, up: bool = False) -> Exact:
    """``value`` on 8 decimals, rounded toward zero (or away from it)."""
    down = round_to(value, 8, Rounding.DOWN)
    if up and down != value:
        return down + (Exact(1, 10**8) if value > 0 else Exact(-1, 10**8))
    return down


def on_step(value: Exact, step: Exact, up: bool = False) -> Exact:
    """``value`` rounded down (or up) to a multiple of ``step``."""
    units = value / step
    whole = Exact(int(units))
    if up and whole != units:
        whole += 1
    return whole * step


def opposite(side: OrderSide) -> OrderSide:
    return SELL if side is BUY else BUY


# ------------------------------------------------------------------ reading the model


def account_figures(ctx: Context, account: str, prices: bool = False) -> AccountFigures:
    return figures(ctx.model.state, account, ctx.model.ruleset, prices)


def wallet_to(ctx: Context, account: str, amount: Exact) -> None:
    """Bring ``account``'s cross wallet to ``amount`` by a deposit, or by a withdrawal
    as far as ``maxWithdrawAmount`` allows (XFER-1)."""
    have = ctx.model.state.accounts[account].cross_wallet
    if have < amount:
        send(ctx, Deposit(account, decimal(amount - have)))
    elif have > amount:
        most = round8(min(have - amount, account_figures(ctx, account).max_withdraw))
        if most > 0:
            send(ctx, Withdraw(account, most))


def mark_of(ctx: Context, symbol: str) -> Exact:
    return ctx.model.state.mark_prices[symbol]


def opening(ctx: Context, account: str, side: OrderSide) -> PositionSide:
    """The position side an order of ``side`` opens on (BOTH in one-way mode): a boundary
    order sent on a closing hedge leg would meet -2022 (REF-3) before its filter."""
    if account in ctx.model.state.accounts and ctx.model.state.accounts[account].dual_side_position:
        return PositionSide.LONG if side is BUY else PositionSide.SHORT
    return PositionSide.BOTH


def side_for(ctx: Context, c: Chooser, account: str, side: OrderSide) -> PositionSide:
    if account in ctx.model.state.accounts and ctx.model.state.accounts[account].dual_side_position:
        opening = PositionSide.LONG if side is BUY else PositionSide.SHORT
        closing = PositionSide.SHORT if side is BUY else PositionSide.LONG
        return c.choice((opening, opening, closing))
    return PositionSide.BOTH


def aimed_quantity(
    ctx: Context,
    c: Chooser,
    account: str,
    market: Market,
    price: Exact,
    side: OrderSide | None = None,
) -> Exact:
    """A quantity aimed at a boundary: bracket floor, LEV-3 cap, available balance (±1 step).

    With the order's ``side``, the available balance is aimed at by the whole cost of
    the order (COST-1: initial margin plus the open loss of a price worse than the mark),
    so that an engine leaving the open loss out accepts what the exchange refuses."""
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
        amount = on_step(floor / mark_of(ctx, market.symbol), step, up=c.choice((False, True)))
        amount += step * c.choice((0, 1, -1))
        return amount if amount > 0 else step
    elif kind == "available" and account in ctx.model.state.accounts:
        available = account_figures(ctx, account).available_balance
        if side is not None and c.choice((True, False)):
            # COST-1: per unit, IM at the order price plus the open loss (COST-2)
            loss = max(Exact(0), side.direction * (price - mark_of(ctx, market.symbol)))
            amount = on_step(
                available / (price / leverage + loss), step, up=c.choice((False, True))
            )
            amount += step * c.choice((0, 1, -1))
            return amount if amount > 0 else step
        target = available * leverage
    elif kind == "cap":
        target = brackets.max_notional(table, leverage)
    else:
        return step * c.choice((1, 2, 3, 10))
    amount = on_step(target / price, step, up=c.choice((False, True)))
    amount += step * c.choice((0, 1, -1))
    return amount if amount > 0 else step


def on_min_notional(c: Chooser, market: Market) -> tuple[Exact, Exact]:
    """(price, quantity) whose notional is exactly the minimum (ACT-ORD-3, REF-7), then
    one tick below or above it: the filter's boundary from both sides. The quantity is a
    few steps, the price ``min / quantity`` on the tick grid (searched, not every
    quantity gives one)."""
    tick, step = market.tick_size, market.step_size
    exact: list[tuple[Exact, Exact]] = []
    for k in range(1, 2001):
        price = market.min_notional / (k * step)
        if (price / tick).denominator == 1:
            exact.append((price, k * step))
            if len(exact) == 3:
                break
    if not exact:  # no exact pair on this grid: the nearest price above, on one step
        exact.append((on_step(market.min_notional / step, tick, up=True), step))
    price, quantity = c.choice(exact)
    # On the boundary half the time: it is the side a ``<=`` for ``<`` mistake differs on.
    return price + tick * c.choice((0, -1, 0, 1)), quantity


def within_band(market: Market, mark: Exact, price: Exact, side: OrderSide) -> OrderSide:
    """The side PERCENT_PRICE (ACT-ORD-9) lets through at ``price``: a SELL below
    ``mark × multiplierDown`` becomes a BUY, a BUY above ``mark × multiplierUp`` a SELL, so
    that a boundary order far from the mark (the minimum notional of one step is far below
    it) reaches the filter it aims at instead of the band's -4024 or -4016."""
    if side is OrderSide.SELL and price < mark * market.multiplier_down:
        return OrderSide.BUY
    if side is OrderSide.BUY and price > mark * market.multiplier_up:
        return OrderSide.SELL
    return side


def aimed_price(ctx: Context, c: Chooser, market: Market) -> Exact:
    base = on_step(mark_of(ctx, market.symbol), market.tick_size)
    offset = c.choice((0, 1, -1, 10, -10, 1000, -1000))
    value = base + offset * market.tick_size
    return value if value > 0 else market.tick_size


def any_symbol(ctx: Context, c: Chooser) -> str:
    return c.choice(tuple(ctx.model.ruleset.markets))


def size_for(ctx: Context, c: Chooser, market: Market, notional: Exact) -> Exact:
    """The quantity whose notional at the mark is ``notional`` (at least one step)."""
    return max(on_step(notional / mark_of(ctx, market.symbol), market.step_size), market.step_size)


def open_positions(ctx: Context) -> list[tuple[str, str, PositionSide, Exact]]:
    found = []
    for name, acct in ctx.model.state.accounts.items():
        for (sym, side), pos in acct.positions.items():
            if pos.position_amt != 0:
                found.append((name, sym, side, pos.position_amt))
    return found


def holdings(ctx: Context) -> list[Focus]:
    """(account, symbol, side) of every open position and resting order: where bugs live."""
    found: dict[Focus, None] = {}
    for name, acct in ctx.model.state.accounts.items():
        if name == INSURANCE_FUND:
            continue
        for (sym, side), pos in acct.positions.items():
            if pos.position_amt != 0:
                found[(name, sym, side)] = None
        for order in acct.orders:
            found[(name, order.symbol, order.position_side)] = None
    return list(found)


PREFER_HELD: tuple[bool, ...] = (True, True, True, False)
MOSTLY: tuple[bool, ...] = (True, True, False)


def pick_focus(ctx: Context, c: Chooser) -> Focus:
    """Mostly a held (account, symbol, side); sometimes any."""
    held = holdings(ctx)
    if held:
        prefer: bool = c.choice(PREFER_HELD)
        if prefer:
            return c.choice(held)
    account = c.choice(ACCOUNTS)
    sym = any_symbol(ctx, c)
    return account, sym, c.choice(ctx.model.state.accounts[account].sides())


def flat(ctx: Context, account: str, sym: str) -> bool:
    """No order and no position (not even a closed one) of ``account`` on ``sym``."""
    acct = ctx.model.state.accounts[account]
    return not acct.has_orders(sym) and not any(k[0] == sym for k in acct.positions)


# ------------------------------------------------------------------ orders and trades


def limit_order(
    ctx: Context,
    c: Chooser,
    account: str,
    sym: str,
    side: OrderSide,
    limit: Exact,
    amount: Exact,
) -> PlaceOrder:
    """A LIMIT order on the position side the account's mode gives ``side`` (drawn in hedge mode)."""
    return PlaceOrder(
        account=account,
        symbol=sym,
        side=side,
        position_side=side_for(ctx, c, account, side),
        price=limit,
        quantity=amount,
    )


def pair(
    ctx: Context,
    c: Chooser,
    maker: str,
    sym: str,
    side: OrderSide,
    amount: Exact,
    limit: Exact | None = None,
    position_side: PositionSide | None = None,
    taker: str | None = None,
) -> bool:
    """``maker`` rests an order, another account takes it in full; True if it filled."""
    market = ctx.model.ruleset.markets[sym]
    limit = aimed_price(ctx, c, market) if limit is None else limit
    made_order = limit_order(ctx, c, maker, sym, side, limit, amount)
    if position_side is not None:
        made_order = attrs.evolve(made_order, position_side=position_side)
    made = send(ctx, made_order)
    if "orderId" not in made:
        return False
    if taker is None:
        taker = c.choice(tuple(a for a in ACCOUNTS if a != maker))
    taken = send(ctx, limit_order(ctx, c, taker, sym, opposite(side), limit, amount))
    if "orderId" not in taken:
        send(ctx, CancelOrder(maker, made["orderId"]))
        return False
    outcome = send(ctx, Fill(made["orderId"], taken["orderId"]))
    return outcome.get("status") == "accepted"


# ------------------------------------------------------------------ shrinking


#: How far from its boundary an aimed amount may sit (the moves aim on it, one unit of
#: the 8th decimal and one cent either side): :func:`aim_offset`.
AIM_OFFSETS = (Exact(0), Exact(1, 10**8), Exact(-1, 10**8), Exact(1, 100), Exact(-1, 100))


def boundary(model: Model, action: Mapping[str, Any]) -> Exact | None:
    """The amount a deposit or withdrawal is aimed at in the model's current state: the
    shortfall to maintenance (LIQ-1's edge) for a deposit, ``maxWithdrawAmount`` (XFER-1)
    for a withdrawal, as a decimal; None for another action, an unknown account, or no
    positive boundary."""
    name, account = action.get("action"), action.get("account")
    if account not in model.state.accounts or name not in ("deposit", "withdraw"):
        return None
    f = figures(model.state, str(account), model.ruleset)
    if name == "deposit":
        amount = decimal(
            f.cross_maint_margin - (f.total_cross_wallet_balance + f.total_cross_unrealized_pnl)
        )
    else:
        amount = round8(f.max_withdraw)
    return amount if amount > 0 else None


def aim_offset(model: Model, action: Mapping[str, Any]) -> Exact | None:
    """How far ``action``'s amount sits from its :func:`boundary` (one of
    :data:`AIM_OFFSETS`), or None if it is not aimed at one."""
    at = boundary(model, action)
    if at is None:
        return None
    try:
        offset = exact(action.get("amount", ""))
    except InputError:
        return None
    offset -= at
    return offset if offset in AIM_OFFSETS else None


def aimed_again(model: Model, action: dict[str, Any], offset: Exact) -> dict[str, Any] | None:
    """``action`` re-aimed at its :func:`boundary` in the model's current state, ``offset``
    from it. Shrinking (CONF-6) uses it: removing earlier actions moves the boundary, and
    an amount aimed at the old one no longer shows the failure. None where the action has
    no boundary now."""
    at = boundary(model, action)
    if at is None or at + offset <= 0:
        return None
    return {**action, "amount": to_plain(at + offset)}


# ------------------------------------------------------------------ accounts that fit


def can_be(
    ctx: Context, account: str, symbol: str, margin: MarginType, hedge: bool | None = None
) -> bool:
    """Whether ``account`` holds no position on ``symbol`` and is, or can be switched to,
    ``margin`` there and the position mode ``hedge`` (None: either), with no side effect
    (ACT-4 and ACT-5 switch only what holds nothing)."""
    acct = ctx.model.state.accounts[account]
    if acct.has_position(symbol):
        return False
    if hedge is not None and acct.dual_side_position != hedge:
        if acct.orders or acct.has_position() or not ctx.caps.supports("setPositionMode"):
            return False
        if hedge and not ctx.caps.hedge_mode:
            return False
    if acct.setting(symbol, ctx.model.ruleset).margin_type is not margin:
        if acct.has_orders(symbol) or any(k[0] == symbol for k in acct.positions):
            return False
        return ctx.caps.supports("setMarginType")
    return True


def ready(
    ctx: Context, account: str, symbol: str, margin: MarginType, hedge: bool | None = None
) -> None:
    """Switch ``account`` to what :func:`can_be` found it can be."""
    acct = ctx.model.state.accounts[account]
    if hedge is not None and acct.dual_side_position != hedge:
        send(ctx, SetPositionMode(account, hedge))
    if acct.setting(symbol, ctx.model.ruleset).margin_type is not margin:
        send(ctx, SetMarginType(account, symbol, margin))


def places(
    ctx: Context,
    c: Chooser,
    needs: tuple[tuple[MarginType, bool | None], ...],
    by_name: tuple[int, int] | None = None,
) -> tuple[str, tuple[str, ...]] | None:
    """A symbol and distinct accounts, one per need (margin type, mode), each of which
    :func:`can_be` be made so there; drawn among all that fit (a run's accounts soon hold
    something somewhere, so one fixed draw would mostly find nothing), then readied.
    ``by_name``: two positions in ``needs`` whose accounts must come in name order."""
    found = []
    for symbol in ctx.model.ruleset.markets:
        for names in itertools.permutations(ACCOUNTS, len(needs)):
            if by_name is not None and names[by_name[0]] > names[by_name[1]]:
                continue
            if all(can_be(ctx, n, symbol, *need) for n, need in zip(names, needs, strict=True)):
                found.append((symbol, names))
    if not found:
        return None
    symbol, names = c.choice(found)
    for name, need in zip(names, needs, strict=True):
        ready(ctx, name, symbol, *need)
    return symbol, names
