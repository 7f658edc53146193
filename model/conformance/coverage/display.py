"""Coverage targets of the reported figures' rounding (DISP-*)."""

from __future__ import annotations

from marginspec.conformance.coverage.step import Predicate, Step
from marginspec.conformance.coverage.target import Area, Section
from marginspec.numbers import Exact, Rounding, round_to

DISPLAY = Area(Section.FIGURE)


def _display_rounds(half: bool) -> Predicate:
    """DISP-1 / DISP-2: a reported figure needs rounding (and DOWN differs from HALF_UP);
    echoed figures are not rounded (DISP-4)."""
    decimals = 8

    def check(s: Step) -> bool:
        for _, p in s.open_after:
            values = (p.unrealized_pnl, p.maint_margin, p.initial_margin)
            extra = tuple(v for v in (p.liquidation_price, p.margin_ratio) if v is not None)
            for value in values + extra:
                down = round_to(Exact(value), decimals, Rounding.DOWN)
                if down != value and (
                    not half or down != round_to(Exact(value), decimals, Rounding.HALF_UP)
                ):
                    return True
        return False

    return check


DISPLAY.target("DISP-1", "a reported figure rounded to 8 decimals")(_display_rounds(half=False))
DISPLAY.target("DISP-2", "a reported figure where rounding down differs from half-up")(
    _display_rounds(half=True)
)


@DISPLAY.target(
    "DISP-4", "an echoed entry price with more than 8 decimals, written exactly", ("exact_entry",)
)
def _echo_exact(s: Step) -> bool:
    for _, p in s.open_after:
        entry = Exact(p.position.entry_price)
        if (
            round_to(entry, 8, Rounding.DOWN) != entry
            and round_to(entry, 30, Rounding.DOWN) == entry
        ):
            return True
    return False


@DISPLAY.target(
    "DISP-3",
    "a positive liquidation price below 10^-8, written to eight significant digits",
    ("tiny_liquidation_price",),
)
def _tiny_price(s: Step) -> bool:
    return any(
        p.liquidation_price is not None
        and p.liquidation_price > 0
        and round_to(Exact(p.liquidation_price), 8, Rounding.DOWN) == 0
        for _, p in s.open_after
    )
