"""Coverage targets of an open position's figures after a step: notional (NTL), initial
margin (IM), unrealised PnL (PNL-1), isolated margin balance (MB) and margin ratio (MR)."""

from __future__ import annotations

from marginspec.conformance.coverage.step import Step, any_position, isolated_position
from marginspec.conformance.coverage.target import ISOLATED, Area, Section
from marginspec.exchange import INSURANCE_FUND

POSITIONS = Area(Section.FIGURE)


POSITIONS.target("NTL-1", "a short position (negative notional)")(
    any_position(lambda _, p: p.notional < 0)
)


POSITIONS.target("IM-1", "a position whose mark differs from its entry (IM at mark)")(
    any_position(lambda _, p: p.position.mark_price != p.position.entry_price)
)


POSITIONS.target("PNL-1", "a non-zero unrealised PnL")(
    any_position(lambda _, p: p.unrealized_pnl != 0)
)


POSITIONS.target(
    "MB-1", "an isolated position with non-zero uPnL (isolatedMargin = wallet + uPnL)", ISOLATED
)(any_position(lambda n, p: isolated_position(n, p) and p.unrealized_pnl != 0))


@POSITIONS.target("MR-1", "a margin ratio undefined (margin balance not positive)", ("crash",))
def _margin_ratio_undefined(s: Step) -> bool:
    """MR-1 is null when the margin balance is not positive (cross totals or isolated)."""
    for name, acct in s.after.accounts.items():
        if name == INSURANCE_FUND or not acct.has_position():
            continue
        f = s.figures(name, prices=False)
        for p in f.positions:
            if p.position.position_amt == 0:
                continue
            if p.isolated_margin is not None and p.margin_ratio is None:
                return True
            if p.isolated_margin is None and f.margin_ratio is None:
                return True
    return False
