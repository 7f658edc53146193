"""What a snapshot puts in play for a differing figure: the rule IDs behind it (FIG-5).

A failure names its figure's rules (TRACE-6's table, :data:`~marginspec.exchange.trace.
FIELD_RULES`) narrowed to those the snapshot exercises, read from the model's own
figures: the maintenance amount of a bracket above the first (MM-1, BRK-2), the notional
at the entry price or the margin in another bracket than the notional (NTL-1, IM-1), a liquidation
price in another bracket than the mark's notional (LIQ-3), the other cross positions'
MM and uPnL (LIQ-2's TMM1 and UPNL1, longs and shorts told apart), a hedge pair (LIQ-4),
no liquidation price (LIQ-5), open orders (ORD-1, ORD-2), a mark near zero. These
*features* also tell failures apart: the search keeps a new failure of a figure only if
its minimal snapshot lacks some feature of every failure of that figure already found.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from marginspec import brackets
from marginspec.account import MarginType
from marginspec.conformance.figures.check import FigureDifference
from marginspec.evaluate import AccountFigures
from marginspec.exchange.trace import FIELD_RULES
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet

#: Each feature: what it means in a report, and the rules it brings in.
FEATURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "cross": ("cross margin", ()),
    "isolated": ("isolated margin: the position's own wallet (B-LIQ)", ()),
    "cum": (
        "the notional at the mark is above the first bracket: a maintenance amount (cum)",
        ("MM-1", "BRK-2"),
    ),
    "on-boundary": ("the notional at the mark is exactly a bracket boundary", ("BRK-3",)),
    "entry-bracket": (
        "the notional at the entry price lies in another bracket than at the mark",
        ("NTL-1", "BRK-3"),
    ),
    "margin-bracket": (
        "the margin (notional / leverage) lies in another bracket than the notional",
        ("IM-1", "BRK-3"),
    ),
    "lp-bracket": (
        "the notional at the liquidation price lies in another bracket than at the mark",
        ("LIQ-3",),
    ),
    "hedge": ("a hedge pair: both legs move with the price", ("LIQ-4",)),
    "no-lp": ("no liquidation price", ("LIQ-5",)),
    "others-long": ("another cross position is long (its MM and uPnL: TMM1, UPNL1)", ("LIQ-2",)),
    "others-short": (
        "another cross position is short (its MM and uPnL: TMM1, UPNL1)",
        ("LIQ-2", "PNL-1"),
    ),
    "others-cum": ("another cross position is above its first bracket", ("MM-1", "BRK-2")),
    "orders": ("open orders that need margin", ("ORD-1", "ORD-2")),
    "near-zero": ("a mark price near zero (exact arithmetic)", ("NUM-1",)),
}
_NEAR_ZERO = Exact(1, 100)
#: A liquidation price is the figure, not one of its inputs: name LIQ-2 rather than all four.
_PRICE_RULES = {"liquidationPrice": ("LIQ-2",), "bankruptcyPrice": ("BKR-1",)}
#: The API-profile figures (FIG-8): the break-even price, and the API form's every field.
_API_RULES = {"breakEvenPrice": ("FEE-2",)}
_API_PREFIX = "api."


@attrs.frozen
class Explanation:
    field: str
    features: frozenset[str]
    rules: tuple[str, ...]

    def covers(self, other: Explanation) -> bool:
        """``other`` may be this failure again: the same figure, with all of its features."""
        return self.field == other.field and self.features <= other.features

    def lines(self) -> list[str]:
        return [f"{FEATURES[f][0]}" for f in sorted(self.features)]


def _rules(field: str, features: Iterable[str]) -> tuple[str, ...]:
    found: list[str] = []
    if field.startswith(_API_PREFIX):
        field = field.removeprefix(_API_PREFIX)
        found.append("SNAP-4")  # the API form: its fields, rounding and padding
    found += _API_RULES.get(field, _PRICE_RULES.get(field, FIELD_RULES.get(field, ())))
    for feature in sorted(features):
        found += FEATURES[feature][1]
    return tuple(dict.fromkeys(found))


def explain(diff: FigureDifference, figures: AccountFigures, ruleset: RuleSet) -> Explanation:
    """The features and rules behind one differing figure of one snapshot (FIG-5)."""
    boundary = ruleset.options.bracket_boundary
    features: set[str] = set()
    if diff.position is None:
        for f in figures.positions:
            if f.bracket > 1:
                features.add("cum")
            features.add(f.position.margin_type.value)
        if figures.total_open_order_initial_margin:
            features.add("orders")
        return Explanation(diff.field, frozenset(features), _rules(diff.field, features))
    mine = figures.positions[diff.position]
    p = mine.position
    cross = p.margin_type is MarginType.CROSS
    features.add(p.margin_type.value)
    if mine.bracket > 1:
        features.add("cum")
    size = abs(mine.notional)
    table = ruleset.markets[p.symbol].brackets
    if size and any(b.notional_floor == size for b in table[1:]):
        features.add("on-boundary")
    if size:
        # Where a tool takes the bracket of the wrong quantity (BRK-3 takes the notional
        # at the mark, NTL-1).
        at_entry = brackets.owning_bracket(table, abs(p.position_amt) * p.entry_price, boundary)
        if at_entry.bracket != mine.bracket:
            features.add("entry-bracket")
        at_margin = brackets.owning_bracket(table, size / p.leverage, boundary)
        if at_margin.bracket != mine.bracket:
            features.add("margin-bracket")
    if p.mark_price < _NEAR_ZERO:
        features.add("near-zero")
    if mine.open_order_initial_margin:
        features.add("orders")
    for other in figures.positions:
        o = other.position
        if other is mine or o.position_amt == 0:
            continue
        if o.symbol == p.symbol:
            features.add("hedge")
        elif cross and o.margin_type is MarginType.CROSS:
            features.add("others-long" if o.position_amt > 0 else "others-short")
            if other.bracket > 1:
                features.add("others-cum")
    if diff.field in _PRICE_RULES:
        price = mine.liquidation_price
        if price is None:
            features.add("no-lp")
        else:
            at_price = brackets.owning_bracket(table, abs(p.position_amt) * price, boundary)
            if at_price.bracket != mine.bracket:
                features.add("lp-bracket")
    return Explanation(diff.field, frozenset(features), _rules(diff.field, features))
