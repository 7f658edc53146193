"""Coverage targets of the liquidation condition (LIQ-1), the liquidation price
(LIQ-2 … LIQ-6) and the bankruptcy price (BKR-1), on the state after a step."""

from __future__ import annotations

from marginspec import brackets
from marginspec.account import MarginType, PositionSide
from marginspec.conformance.coverage.step import (
    Predicate,
    Step,
    any_position,
    isolated_position,
)
from marginspec.conformance.coverage.target import ISOLATED, Area, Section
from marginspec.evaluate import PositionFigures
from marginspec.exchange import INSURANCE_FUND
from marginspec.numbers import Exact

LIQUIDATION_PRICE = Area(Section.FIGURE)


@LIQUIDATION_PRICE.target(
    "LIQ-1", "margin balance exactly equal to maintenance margin", ("mark_price",)
)
def _at_maintenance(s: Step) -> bool:
    """LIQ-1's edge: margin balance exactly equal to maintenance margin."""
    for name, acct in s.after.accounts.items():
        if name == INSURANCE_FUND or not acct.has_position():
            continue
        f = s.figures(name, prices=False)
        cross = [p for p in f.positions if p.isolated_margin is None and p.position.position_amt]
        if cross and f.total_cross_wallet_balance + f.total_cross_unrealized_pnl == (
            f.cross_maint_margin
        ):
            return True
        for p in f.positions:
            if p.position.position_amt and p.isolated_margin == p.maint_margin:
                return True
    return False


@LIQUIDATION_PRICE.target(
    "LIQ-2", "a cross liquidation price with positions in several symbols", ("trade",)
)
def _cross_lp_several_symbols(s: Step) -> bool:
    for name, p in s.open_after:
        if p.position.margin_type is MarginType.CROSS and p.liquidation_price is not None:
            symbols = {
                q.position.symbol
                for n, q in s.open_after
                if n == name and q.position.margin_type is MarginType.CROSS
            }
            if len(symbols) > 1:
                return True
    return False


def _legs(s: Step, name: str, symbol: str) -> list[PositionFigures]:
    return [p for n, p in s.open_after if n == name and p.position.symbol == symbol]


def _lp_bracket_differs(one_leg: bool) -> Predicate:
    """LIQ-3 / LIQ-6: the bracket owning the notional at the LP is not the mark's."""

    def check(s: Step) -> bool:
        boundary = s.ruleset.options.bracket_boundary
        for name, p in s.open_after:
            if p.liquidation_price is None:
                continue
            if one_leg and len(_legs(s, name, p.position.symbol)) != 1:
                continue
            size = abs(p.position.position_amt) * Exact(p.liquidation_price)
            owner = brackets.owning_bracket(s.table(p.position.symbol), size, boundary)
            if owner.bracket != p.bracket:
                return True
        return False

    return check


LIQUIDATION_PRICE.target("LIQ-3", "a liquidation price in another bracket than the mark notional")(
    _lp_bracket_differs(one_leg=False)
)


@LIQUIDATION_PRICE.target("LIQ-4", "a hedged pair sharing a liquidation price", ("hedge",))
def _hedged_pair_with_lp(s: Step) -> bool:
    for name, p in s.open_after:
        if p.position.position_side is PositionSide.LONG and p.liquidation_price is not None:
            legs = _legs(s, name, p.position.symbol)
            if len(legs) == 2 and p.position.margin_type is MarginType.CROSS:
                return True
    return False


LIQUIDATION_PRICE.target("LIQ-5", "a position without a liquidation price")(
    any_position(lambda _, p: p.liquidation_price is None)
)
LIQUIDATION_PRICE.target(
    "LIQ-6", "a one-leg liquidation price found in another bracket than the mark's (the walk moves)"
)(_lp_bracket_differs(one_leg=True))
LIQUIDATION_PRICE.target("BKR-1", "an isolated position with a bankruptcy price", ISOLATED)(
    any_position(lambda n, p: isolated_position(n, p) and p.bankruptcy_price is not None)
)


def _lp_beyond_last_cap(s: Step) -> bool:
    """An open position whose notional at its liquidation price is past the last cap."""
    for _, p in s.open_after:
        lp = p.liquidation_price
        cap = s.table(p.position.symbol)[-1].notional_cap
        if lp is not None and abs(p.position.position_amt) * lp > cap:
            return True
    return False


# Branch target (discriminating): an LP walk that stops at the last bracket's cap instead
# of solving in it (BRK-4) reports no liquidation price, or a wrong one.
LIQUIDATION_PRICE.target(
    "BRK-4:liquidation-price",
    "a liquidation price whose notional lies past the last bracket's cap",
    ("lp_beyond_cap",),
)(_lp_beyond_last_cap)
