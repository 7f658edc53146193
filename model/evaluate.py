"""Every derived figure of an account snapshot (what ``marginspec evaluate`` prints).

This module only composes the formulas of :mod:`marginspec.brackets`,
:mod:`marginspec.margin`, :mod:`marginspec.liquidation` and
:mod:`marginspec.transfers` on exact numbers; it defines no formula of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import attrs

from marginspec import brackets, liquidation, margin, transfers
from marginspec.account import Account, MarginType, OpenOrder, OrderSide, Position, PositionSide
from marginspec.memo import Memo
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet, Trigger

# The two result records keep an instance dict (slots=False): attrs then fills a frozen
# record through the dict, ~45% faster to build than through slots, and evaluate builds
# one PositionFigures per position and one AccountFigures per account.


@attrs.frozen(slots=False)
class PositionFigures:
    position: Position
    notional: Exact
    initial_margin: Exact
    open_order_initial_margin: Exact
    maint_margin: Exact
    maint_margin_ratio: Exact
    maint_amount: Exact
    bracket: int
    unrealized_pnl: Exact
    isolated_margin: Exact | None
    margin_ratio: Exact | None
    liquidation_price: Exact | None
    bankruptcy_price: Exact | None
    max_notional: Exact
    max_add_margin: Exact | None
    max_remove_margin: Exact | None
    liquidatable: bool | None


@attrs.frozen(slots=False)
class AccountFigures:
    positions: tuple[PositionFigures, ...]
    total_wallet_balance: Exact
    total_cross_wallet_balance: Exact
    total_unrealized_pnl: Exact
    total_cross_unrealized_pnl: Exact
    total_margin_balance: Exact
    total_position_initial_margin: Exact
    total_open_order_initial_margin: Exact
    total_initial_margin: Exact
    total_maint_margin: Exact
    cross_maint_margin: Exact
    margin_ratio: Exact | None
    available_balance: Exact
    max_withdraw: Exact
    liquidatable: bool


_ZERO = Exact(0)
# Enum members as module constants: reading one off its class costs ~0.1 µs.
_CROSS = MarginType.CROSS
_LT = Trigger.LT
_BUY = OrderSide.BUY

# LEV-3 depends only on the table and the leverage, which few accounts vary (why: docs/performance.md).
_LEV3: Memo[Exact] = Memo(4096)


def _max_notional(table: brackets.Table, leverage: int) -> Exact:
    key = (id(table), leverage)
    hit = _LEV3.get(key)
    if hit is not None:
        return hit
    value: Exact = brackets.max_notional(table, Exact(leverage))
    return _LEV3.put(key, value, table)


def order_values(orders: Iterable[OpenOrder]) -> tuple[Exact, Exact]:
    """The ORD-1 inputs of one position side: (bid value, ask value), each order's value
    ``qty × limit price``, of the orders that need margin (ORD-3). The account model
    sums its books with this too (``exchange.view``)."""
    bids = asks = _ZERO
    for o in orders:
        if o.needs_margin:
            if o.side is _BUY:
                bids += o.quantity * o.price
            else:
                asks += o.quantity * o.price
    return bids, asks


class _Base(NamedTuple):
    """The figures of one position that need no other position (a named tuple: one is
    built per position and thrown away, and a tuple is the cheapest record to build)."""

    position: Position
    table: brackets.Table
    notional: Exact
    size: Exact
    leverage: Exact
    im: Exact
    ooim: Exact
    bracket: brackets.Bracket
    mm: Exact
    upnl: Exact
    cross: bool


def _with_order_sides(
    account: Account, orders: dict[tuple[str, PositionSide], list[OpenOrder]]
) -> list[Position]:
    """The positions, plus a zero position for every hedge side that has only orders.

    Such orders margin against an empty position with the symbol's settings (ORD-1 per side).
    """
    positions = list(account.positions)
    present = {(p.symbol, p.position_side) for p in positions}
    for symbol, side in orders:
        if (symbol, side) not in present:
            template = next(p for p in positions if p.symbol == symbol)
            positions.append(
                attrs.evolve(
                    template,
                    position_side=side,
                    position_amt=_ZERO,
                    entry_price=_ZERO,
                    isolated_wallet=_ZERO,
                )
            )
    return positions


def evaluate(account: Account, ruleset: RuleSet, prices: bool = True) -> AccountFigures:
    """Every figure of ``account`` under ``ruleset`` (the rules are cited where each is computed).

    ``prices=False`` skips the liquidation and bankruptcy prices (reported as None), the
    costly part, for callers that need only margins and balances (the account model's
    checks); every other figure is the same.
    """
    boundary = ruleset.options.bracket_boundary
    strict = ruleset.options.liquidation_trigger is _LT
    markets = ruleset.markets
    if account.open_orders:
        orders: dict[tuple[str, PositionSide], list[OpenOrder]] = defaultdict(list)
        for order in account.open_orders:
            orders[(order.symbol, order.position_side)].append(order)
        positions: Sequence[Position] = _with_order_sides(account, orders)
    else:
        orders = {}
        positions = account.positions

    cross_wb = account.cross_wallet_balance
    cross_upnl = cross_mm = cross_im = iso_ooim = iso_wallet = _ZERO
    total_upnl = position_im = order_im = total_mm = _ZERO
    has_cross = False
    bases = []
    for p in positions:
        table: brackets.Table = markets[p.symbol].brackets
        amt = p.position_amt
        signed = margin.notional(amt, p.mark_price)
        size = abs(signed)
        leverage = Exact(p.leverage)
        owner = brackets.owning_bracket(table, size, boundary)
        im = margin.initial_margin(size, leverage)
        side_orders = orders.get((p.symbol, p.position_side)) if orders else None
        # ORD-2 is 0 for a side without orders (max(|N|, |N|)/L − |N|/L): skip the sum.
        ooim = (
            margin.open_order_initial_margin(signed, *order_values(side_orders), leverage)
            if side_orders
            else _ZERO
        )
        mm = brackets.maint_margin_in(owner, size)
        upnl = margin.unrealized_pnl(amt, p.entry_price, p.mark_price)
        cross = p.margin_type is _CROSS
        bases.append(_Base(p, table, signed, size, leverage, im, ooim, owner, mm, upnl, cross))
        total_upnl += upnl
        position_im += im
        order_im += ooim
        total_mm += mm
        if cross:
            cross_upnl += upnl
            cross_mm += mm
            cross_im += im + ooim
            has_cross = has_cross or amt != 0
        else:
            iso_ooim += ooim
            iso_wallet += p.isolated_wallet
    available = transfers.available_balance(cross_wb, cross_upnl, cross_im, iso_ooim)
    withdraw = transfers.max_withdraw(cross_wb, cross_mm, iso_ooim, available)
    cross_balance = margin.margin_balance(cross_wb, cross_upnl)

    figures = []
    shared: dict[str, tuple[liquidation.PriceResult, liquidation.PriceResult]] = {}
    for p, table, signed, size, leverage, im, ooim, owner, mm, upnl, cross in bases:
        amt = p.position_amt
        lp: Exact | None = None
        bp: Exact | None = None
        if prices and amt != 0:
            if cross:
                # LIQ-2: the symbol's cross positions move together; every other cross
                # position enters with its MM (TMM1) and uPnL (UPNL1) at its own mark.
                wallet, other_mm, other_upnl = cross_wb, cross_mm, cross_upnl
                legs = []
                for o in bases:
                    if o.cross and o.position.symbol == p.symbol:
                        other_mm -= o.mm
                        other_upnl -= o.upnl
                        if o.position.position_amt != 0:
                            legs.append(
                                liquidation.Leg(
                                    o.position.position_amt, o.position.entry_price, o.table
                                )
                            )
            else:
                # Isolated: the position's own wallet, no other position (B-LIQ).
                legs = [liquidation.Leg(amt, p.entry_price, table)]
                wallet, other_mm, other_upnl = p.isolated_wallet, _ZERO, _ZERO
            # LIQ-2: a hedge pair's other cross leg has the same legs, wallet and other
            # positions, so the same prices: solved once per symbol.
            known = shared.get(p.symbol) if cross else None
            liq, bkr = known or liquidation.prices(
                legs,
                wallet,
                other_mm,
                other_upnl,
                p.mark_price,
                boundary,
                (owner.bracket - 1,) if len(legs) == 1 else (),  # start at the mark's bracket
            )
            if cross:
                shared[p.symbol] = (liq, bkr)
            if liq.exists:
                lp = liq.price
            if bkr.exists:
                bp = bkr.price
        iso_margin = ratio = add = remove = None
        liquidatable: bool | None = None
        if not cross:
            iso_margin = margin.margin_balance(p.isolated_wallet, upnl)
            ratio = mm / iso_margin if iso_margin > 0 else None
            add = withdraw  # XFER-2: the same two caps as a withdrawal
            remove = transfers.max_isolated_removal(p.isolated_wallet, mm, upnl, size, leverage)
            liquidatable = amt != 0 and bool(margin.below_maintenance(iso_margin, mm, strict))
        # Positional arguments, in the order of the fields (keywords cost ~40% more).
        figures.append(
            PositionFigures(
                p,
                signed,
                im,
                ooim,
                mm,
                owner.maint_margin_ratio,
                owner.cum,
                owner.bracket,
                upnl,
                iso_margin,
                ratio,
                lp,
                bp,
                _max_notional(table, p.leverage),
                add,
                remove,
                liquidatable,
            )
        )
    # Positional arguments, in the order of the fields (keywords cost ~40% more per record).
    return AccountFigures(
        tuple(figures),
        cross_wb + iso_wallet,  # total_wallet_balance
        cross_wb,
        total_upnl,
        cross_upnl,
        cross_wb + iso_wallet + total_upnl,  # total_margin_balance
        position_im,
        order_im,
        position_im + order_im,  # total_initial_margin
        total_mm,
        cross_mm,
        (cross_mm / cross_balance if cross_balance > 0 else None),  # MR-1
        available,
        withdraw,
        has_cross and bool(margin.below_maintenance(cross_balance, cross_mm, strict)),
    )
