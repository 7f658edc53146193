"""Coverage targets of fills: partial fills, adds, closes and flips (FILL-*), the
realised PnL of a flip (PNL-3) and the fee (FEE-1)."""

from __future__ import annotations

from marginspec.account import PositionSide
from marginspec.conformance.coverage.step import Step
from marginspec.conformance.coverage.target import ISOLATED, Area, Section
from marginspec.numbers import Exact, Rounding, exact, round_to

FILLS = Area(Section.EFFECT)


def _dec8(value: Exact) -> bool:
    """``value`` needs more than 8 decimals."""
    return bool(round_to(value, 8, Rounding.DOWN) != value)


@FILLS.target("FILL-1", "a partial fill (an order keeps resting)", ("trade",))
def _partial_fill(s: Step) -> bool:
    if s.name != "fill" or not s.accepted:
        return False
    ids = {s.action.get("makerOrderId"), s.action.get("takerOrderId")}
    return any(
        o.order_id in ids and o.executed_qty > 0
        for acct in s.after.accounts.values()
        for o in acct.orders
    )


@FILLS.target("FILL-2", "a fill adding to a position (weighted entry)", ("trade_twice",))
def _adds(s: Step) -> bool:
    return any(b != 0 and b * a > 0 and abs(a) > abs(b) for _, b, a in s.trades())


@FILLS.target("FILL-3", "a one-way fill that closes and flips a position", ("flip",))
def _flip(s: Step) -> bool:
    return any(b * a < 0 for _, b, a in s.trades())


FILLS.target("PNL-3", "a flip: the remainder enters at the trade price", ("flip",))(_flip)


@FILLS.target("FILL-4", "a partial close realising non-zero PnL", ("trade_twice",))
def _close_with_pnl(s: Step) -> bool:
    return any(
        b != 0 and b * a >= 0 and abs(a) < abs(b) and exact(e["realizedPnl"]) != 0
        for e, b, a in s.trades()
    )


@FILLS.target("FILL-5", "a fill refused because a reducing order would open", ("reducing_fill",))
def _fill_would_open(s: Step) -> bool:
    return s.name == "fill" and s.refused("REF-3")


@FILLS.target("FILL-6", "a fill closing (part of) an isolated position", ISOLATED)
def _isolated_close(s: Step) -> bool:
    return any(
        b != 0 and (b * a < 0 or abs(a) < abs(b)) and s.isolated(e["account"], e["symbol"])
        for e, b, a in s.trades()
    )


@FILLS.target("FILL-7", "a fill opening an isolated position", ISOLATED)
def _isolated_open(s: Step) -> bool:
    return any(
        (b * a < 0 or (b * a >= 0 and abs(a) > abs(b))) and s.isolated(e["account"], e["symbol"])
        for e, b, a in s.trades()
    )


@FILLS.target("FILL-8", "a fill refused for a negative cross wallet", ("full_isolated_fill",))
def _fill_negative_wallet(s: Step) -> bool:
    return s.name == "fill" and s.refused("REF-1")


@FILLS.target(
    "FILL-9",
    "a fill leaving an entry price with more than 8 decimals (exact ledger)",
    ("trade_twice",),
)
def _inexact_entry(s: Step) -> bool:
    for e, _, _ in s.trades():
        pos = s.after.accounts[e["account"]].position(e["symbol"], PositionSide(e["positionSide"]))
        if pos.position_amt != 0 and _dec8(pos.entry_price):
            return True
    return False


@FILLS.target("FEE-1", "a fill charging a non-zero fee", ("trade",))
def _fee_charged(s: Step) -> bool:
    return any(exact(e["commission"]) != 0 for e in s.events("TRADE"))
