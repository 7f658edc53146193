"""Coverage targets of margin transfers: the available balance (AVB-1), withdrawals at
``maxWithdrawAmount`` (XFER-1) and isolated margin moves at their caps (XFER-2, XFER-3)."""

from __future__ import annotations

from marginspec.account import PositionSide
from marginspec.conformance.coverage.step import Step
from marginspec.conformance.coverage.target import ISOLATED, Area, Section
from marginspec.evaluate import PositionFigures
from marginspec.exchange import INSURANCE_FUND
from marginspec.numbers import Rounding, exact, round_to

TRANSFERS = Area(Section.FIGURE)


@TRANSFERS.target(
    "AVB-1", "an available balance clamped at zero with a positive wallet", ("crash",)
)
def _available_clamped(s: Step) -> bool:
    for name, acct in s.after.accounts.items():
        if name != INSURANCE_FUND and acct.has_position():
            f = s.figures(name, prices=False)
            if f.available_balance == 0 and f.total_cross_wallet_balance > 0:
                return True
    return False


@TRANSFERS.target(
    "XFER-1", "a withdrawal of exactly maxWithdrawAmount while positions hold margin", ("withdraw",)
)
def _withdraw_at_cap(s: Step) -> bool:
    a = s.action
    if s.name != "withdraw" or not s.accepted:
        return False
    acct = s.before.accounts[a["account"]]
    if not (acct.has_position() or acct.orders):
        return False
    most = s.figures(a["account"], after=False, prices=False).max_withdraw
    return bool(exact(a["amount"]) == round_to(most, 8, Rounding.DOWN) and most < acct.cross_wallet)


def _before_position(s: Step) -> PositionFigures | None:
    a = s.action
    try:
        return s.position(a["account"], a["symbol"], PositionSide(a["positionSide"]), after=False)
    except (KeyError, ValueError):
        return None


@TRANSFERS.target("XFER-2", "an isolated margin addition of exactly maxAddableMargin", ISOLATED)
def _add_at_cap(s: Step) -> bool:
    p = _before_position(s) if s.name == "positionMargin" else None
    if p is None or p.max_add_margin is None or s.action.get("type") != 1 or not s.accepted:
        return False
    cap = round_to(p.max_add_margin, 8, Rounding.DOWN)
    return bool(cap > 0 and exact(s.action["amount"]) == cap)


@TRANSFERS.target(
    "XFER-3",
    "an isolated removal of exactly maxRemovableMargin (8 places) where the IM term binds",
    (*ISOLATED, "remove_at_cap"),
)
def _remove_capped_by_im(s: Step) -> bool:
    """XFER-3: a removal of exactly the cap, accepted, where the initial-margin term binds
    (below the MM-based cap). Only where the cap is a decimal of 8 places can an engine
    comparing with ``>=`` (or capping by MM) answer otherwise; ``remove_at_cap`` sends
    10^-8 more first, which an engine capping by MM accepts."""
    p = _before_position(s) if s.name == "positionMargin" else None
    if p is None or p.max_remove_margin is None or s.action.get("type") != 2:
        return False
    if not p.max_remove_margin < p.position.isolated_wallet - p.maint_margin:
        return False
    return s.accepted and exact(s.action["amount"]) == p.max_remove_margin
