"""Coverage targets of the API output profile (SNAP-4) and the figures only it carries:
the break-even price (FEE-2) and the ADL quantile (ADL-4).

The action kit's vectors reach FEE-2 and SNAP-4, but compare engines on SNAP-3 snapshots,
which carry neither; the figures kit compares them, for a tool that declares them, and
counts the snapshots that reach the same two cases
(:func:`marginspec.conformance.figures.api_form.reached`, FIG-8).
"""

from __future__ import annotations

from marginspec.conformance.coverage.step import Step
from marginspec.conformance.coverage.target import Area, Section
from marginspec.exchange.adl_quantile import quantiles
from marginspec.margin import break_even_price
from marginspec.numbers import Exact, Rounding, round_to

API_PROFILE = Area(Section.FIGURE)


@API_PROFILE.target(
    "FEE-2", "an open position whose break-even price is not its entry price", ("trade",)
)
def _break_even(s: Step) -> bool:
    for _, p in s.open_after:
        rate = 2 * s.ruleset.markets[p.position.symbol].taker_fee
        amt, entry = p.position.position_amt, p.position.entry_price
        if break_even_price(amt, entry, rate) != entry:
            return True
    return False


@API_PROFILE.target(
    "SNAP-4",
    "an open position whose uPnL the API form pads with zeros to 8 places",
    ("trade",),
)
def _api_form(s: Step) -> bool:
    """A computed figure with fewer than 8 places, which the venues write padded
    ("12.50000000") where the SNAP-3 output writes "12.5" (SNAP-4)."""
    for _, p in s.open_after:
        upnl = Exact(p.unrealized_pnl)
        if upnl != 0 and round_to(upnl, 7, Rounding.DOWN) == upnl:
            return True
    return False


@API_PROFILE.target(
    "ADL-4",
    "two positions on one symbol and side with different positive ADL quantiles",
    ("trade_twice",),
    section=Section.RANKING,
)
def _adl_quantiles(s: Step) -> bool:
    """The API form's ``adl`` tells two positions of one queue apart (ADL-4)."""
    sides = [(p.position.symbol, p.position.position_amt > 0) for _, p in s.open_after]
    if len(sides) == len(set(sides)):
        return False  # no symbol and side with two positions: nothing to rank
    found: dict[tuple[str, bool], set[int]] = {}
    for (name, symbol, side), q in quantiles(s.after, s.ruleset).items():
        if q > 0:
            long = s.after.accounts[name].positions[(symbol, side)].position_amt > 0
            found.setdefault((symbol, long), set()).add(q)
    return any(len(values) > 1 for values in found.values())
