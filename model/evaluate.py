"""Every derived figure of an account snapshot (what ``marginspec evaluate`` prints).

This module only composes the formulas of :mod:`marginspec.brackets`,
:mod:`marginspec.margin`, :mod:`marginspec.liquidation` and
:mod:`marginspec.transfers` on exact numbers; it defines no formula of its own.
"""

from __future__ import annotations

from collections import defaultdict

import attrs
from marginspec import brackets, liquidation, margin, transfers
from marginspec.account import Account, MarginType, OpenOrder, OrderSide, Position, PositionSide
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet, Trigger


@attrs.frozen
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


@attrs.frozen
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


def _order_values(orders: list[OpenOrder]) -> tuple[Exact, Exact]:
    """ORD-1 inputs: (bid value, ask value) of the orders that need margin (ORD-3)."""
    bids = sum(
        (o.quantity * o.price for o in orders if o.needs_margin and o.side is OrderSide.BUY),
        Exact(0),
    )
    asks = sum(
        (o.quantity * o.price for o in orders if o.needs_margin and o.side is OrderSide.SELL),
        Exact(0),
    )
    return bids, asks


def evaluate(account: Account, ruleset: RuleSet) -> AccountFigures:
    boundary = ruleset.options.bracket_boundary
    strict = ruleset.options.liquidation_trigger is Trigger.LT
    orders: dict[tuple[str, PositionSide], list[OpenOrder]] = defaultdict(list)
    for order in account.open_orders:
        orders[(order.symbol, order.position_side)].append(order)

    positions = list(account.positions)
    # An order on a hedge side without a position entry margins against a zero position
    # with the symbol's settings (ORD-1 per side).
    present = {(p.symbol, p.position_side) for p in positions}
    for symbol, side in orders:
        if (symbol, side) not in present:
            template = next(p for p in positions if p.symbol == symbol)
            positions.append(
                attrs.evolve(
                    template,
                    position_side=side,
                    position_amt=Exact(0),
                    entry_price=Exact(0),
                    isolated_wallet=Exact(0),
                )
            )

    base: dict[int, dict[str, Exact]] = {}
    for index, p in enumerate(positions):
        table = ruleset.market(p.symbol).brackets
        signed = margin.notional(p.position_amt, p.mark_price)
        size = abs(signed)
        bids, asks = _order_values(orders.get((p.symbol, p.position_side), []))
        base[index] = {
            "notional": signed,
            "abs": size,
            "im": margin.initial_margin(size, Exact(p.leverage)),
            "ooim": margin.open_order_initial_margin(signed, bids, asks, Exact(p.leverage)),
            "mm": brackets.maint_margin(table, size, boundary),
            "mmr": brackets.maint_margin_ratio(table, size, boundary),
            "cum": brackets.maint_amount(table, size, boundary),
            "upnl": margin.unrealized_pnl(p.position_amt, p.entry_price, p.mark_price),
        }

    cross = [i for i, p in enumerate(positions) if p.margin_type is MarginType.CROSS]
    isolated = [i for i, p in enumerate(positions) if p.margin_type is MarginType.ISOLATED]
    cross_wb = account.cross_wallet_balance
    cross_upnl = sum((base[i]["upnl"] for i in cross), Exact(0))
    cross_mm = sum((base[i]["mm"] for i in cross), Exact(0))
    cross_im = sum((base[i]["im"] + base[i]["ooim"] for i in cross), Exact(0))
    iso_ooim = sum((base[i]["ooim"] for i in isolated), Exact(0))
    available = transfers.available_balance(cross_wb, cross_upnl, cross_im, iso_ooim)
    withdraw = transfers.max_withdraw(cross_wb, cross_mm, iso_ooim, available)
    cross_balance = margin.margin_balance(cross_wb, cross_upnl)
    has_cross = any(positions[i].position_amt != 0 for i in cross)

    figures = []
    for index, p in enumerate(positions):
        b = base[index]
        table = ruleset.market(p.symbol).brackets
        if p.margin_type is MarginType.ISOLATED:
            legs = [liquidation.Leg(p.position_amt, p.entry_price, table)]
            wallet, other_mm, other_upnl = p.isolated_wallet, Exact(0), Exact(0)
        else:
            same = [
                i
                for i in cross
                if positions[i].symbol == p.symbol and positions[i].position_amt != 0
            ]
            legs = [
                liquidation.Leg(
                    positions[i].position_amt,
                    positions[i].entry_price,
                    ruleset.market(positions[i].symbol).brackets,
                )
                for i in same
            ]
            others = [i for i in cross if positions[i].symbol != p.symbol]
            wallet = cross_wb
            other_mm = sum((base[i]["mm"] for i in others), Exact(0))
            other_upnl = sum((base[i]["upnl"] for i in others), Exact(0))
        lp: Exact | None = None
        bp: Exact | None = None
        if p.position_amt != 0:
            liq = liquidation.liquidation_price(
                legs, wallet, other_mm, other_upnl, p.mark_price, boundary
            )
            lp = liq.price if liq.exists else None
            bkr = liquidation.bankruptcy_price(legs, wallet, other_upnl)
            bp = bkr.price if bkr.exists else None
        iso_margin = ratio = add = remove = None
        liquidatable: bool | None = None
        if p.margin_type is MarginType.ISOLATED:
            iso_margin = margin.margin_balance(p.isolated_wallet, b["upnl"])
            ratio = b["mm"] / iso_margin if iso_margin > 0 else None
            add = withdraw
            remove = transfers.max_isolated_removal(
                p.isolated_wallet, b["mm"], b["upnl"], b["abs"], Exact(p.leverage)
            )
            liquidatable = p.position_amt != 0 and bool(
                margin.below_maintenance(iso_margin, b["mm"], strict)
            )
        figures.append(
            PositionFigures(
                position=p,
                notional=b["notional"],
                initial_margin=b["im"],
                open_order_initial_margin=b["ooim"],
                maint_margin=b["mm"],
                maint_margin_ratio=b["mmr"],
                maint_amount=b["cum"],
                bracket=_bracket_number(table, b["abs"], boundary),
                unrealized_pnl=b["upnl"],
                isolated_margin=iso_margin,
                margin_ratio=ratio,
                liquidation_price=lp,
                bankruptcy_price=bp,
                max_notional=Exact(brackets.max_notional(table, Exact(p.leverage))),
                max_add_margin=add,
                max_remove_margin=remove,
                liquidatable=liquidatable,
            )
        )

    total_iso_wallet = sum((positions[i].isolated_wallet for i in isolated), Exact(0))
    total_upnl = sum((b["upnl"] for b in base.values()), Exact(0))
    position_im = sum((b["im"] for b in base.values()), Exact(0))
    order_im = sum((b["ooim"] for b in base.values()), Exact(0))
    return AccountFigures(
        positions=tuple(figures),
        total_wallet_balance=cross_wb + total_iso_wallet,
        total_cross_wallet_balance=cross_wb,
        total_unrealized_pnl=total_upnl,
        total_cross_unrealized_pnl=cross_upnl,
        total_margin_balance=cross_wb + total_iso_wallet + total_upnl,
        total_position_initial_margin=position_im,
        total_open_order_initial_margin=order_im,
        total_initial_margin=position_im + order_im,
        total_maint_margin=sum((b["mm"] for b in base.values()), Exact(0)),
        cross_maint_margin=cross_mm,
        margin_ratio=(cross_mm / cross_balance if cross_balance > 0 else None),
        available_balance=Exact(available),
        max_withdraw=Exact(withdraw),
        liquidatable=has_cross and bool(margin.below_maintenance(cross_balance, cross_mm, strict)),
    )


def _bracket_number(table: brackets.Table, notional: Exact, boundary: brackets.Boundary) -> int:
    """The number of the bracket that owns ``notional`` (BRK-3)."""
    return next(
        b.bracket for k, b in enumerate(table) if brackets.in_bracket(notional, table, k, boundary)
    )
