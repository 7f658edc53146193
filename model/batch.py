"""Many positions under one rule set: exact liquidation prices and figure sets in bulk.

The fast path of :func:`marginspec.liquidation.liquidation_price` for isolated positions
(one leg, its own wallet, LIQ-2) and of ``evaluate`` plus its JSON for many one-line
accounts. Each rule set's tables are unpacked once into tuples of exact numbers
(:class:`Book`), and the LIQ-6 walk runs inline from the bracket at the mark; every
answer stays an exact rational. The scalar functions are the reference:
``tests/test_batch.py`` holds this module equal to them on random and boundary inputs
(why it exists: docs/performance.md, "Batch").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from marginspec.account import Account
from marginspec.brackets import Boundary
from marginspec.evaluate import AccountFigures, evaluate
from marginspec.numbers import Exact
from marginspec.report import account_json
from marginspec.ruleset import RuleSet


class IsolatedPosition(NamedTuple):
    """What an isolated position's liquidation price depends on (LIQ-2 with TMM1 = UPNL1 = 0)."""

    symbol: str
    position_amt: Exact
    entry_price: Exact
    mark_price: Exact
    isolated_wallet: Exact


_Row = tuple[Exact, Exact, Exact, Exact]  # floor, cap, maintenance margin rate, cum


class Book:
    """A rule set's bracket tables unpacked for the batch functions (built once per rule set)."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.cap_inclusive = ruleset.options.bracket_boundary is Boundary.CAP_INCLUSIVE
        self.rows: dict[str, tuple[_Row, ...]] = {
            symbol: tuple(
                (b.notional_floor, b.notional_cap, b.maint_margin_ratio, b.cum)
                for b in market.brackets
            )
            for symbol, market in ruleset.markets.items()
        }

    def liquidation_price(self, p: IsolatedPosition) -> Exact | None:
        """LIQ-2…LIQ-6 of one isolated position: the price, or None where there is none (LIQ-5).

        The same walk as ``liquidation._walk`` with its helpers written inline: start at
        the bracket of the notional at the mark; a candidate above its bracket's cap
        moves up, below its floor moves down (LIQ-6's monotony); below the first floor
        there is none. A walk that cannot decide falls back to the scalar function.
        """
        amt = p.position_amt
        if not amt:
            return None
        rows = self.rows[p.symbol]
        inclusive = self.cap_inclusive
        size = amt if amt > 0 else -amt
        numerator_base = p.isolated_wallet - amt * p.entry_price
        denominator_base = -amt
        last = len(rows) - 1
        mark_notional = size * p.mark_price
        k = 0
        while k < last and not (
            mark_notional <= rows[k][1] if inclusive else mark_notional < rows[k][1]
        ):
            k += 1
        tried = 0
        while not tried >> k & 1:
            tried |= 1 << k
            floor, cap, rate, cum = rows[k]
            denominator = denominator_base + size * rate
            price = (numerator_base + cum) / denominator if denominator else _ZERO
            notional = size * price
            if k < last and not (notional <= cap if inclusive else notional < cap):
                k += 1
            elif k and not (notional > floor if inclusive else notional >= floor):
                k -= 1
            elif not k and not (notional > floor if inclusive else notional >= floor):
                return None  # below the first bracket's floor: no positive price (LIQ-5)
            elif denominator and price > 0:
                return price
            else:
                break
        return self._scalar(p)

    def _scalar(self, p: IsolatedPosition) -> Exact | None:
        """The reference, for the rare walk that does not decide (never seen on a
        well-formed table; kept so that the answer is the scalar one whatever happens)."""
        from marginspec import liquidation

        table = self.ruleset.markets[p.symbol].brackets
        leg = liquidation.Leg(p.position_amt, p.entry_price, table)
        result = liquidation.liquidation_price(
            [leg],
            p.isolated_wallet,
            _ZERO,
            _ZERO,
            p.mark_price,
            self.ruleset.options.bracket_boundary,
            (),
        )
        return result.price if result.exists else None  # type: ignore[return-value]


_ZERO = Exact(0)


def liquidation_prices(
    ruleset: RuleSet | Book, positions: Iterable[IsolatedPosition]
) -> list[Exact | None]:
    """LIQ-2…LIQ-6 of many isolated positions of one rule set, each exact (None: LIQ-5)."""
    book = ruleset if isinstance(ruleset, Book) else Book(ruleset)
    price = book.liquidation_price
    return [price(p) for p in positions]


def figure_sets(ruleset: RuleSet, accounts: Iterable[Account]) -> Iterator[AccountFigures]:
    """``evaluate`` of many accounts of one rule set (every figure, exact)."""
    for account in accounts:
        yield evaluate(account, ruleset)


def json_lines(ruleset: RuleSet, accounts: Sequence[Account]) -> Iterator[str]:
    """Every figure of each account as its ``evaluate`` document on one JSON line."""
    options = ruleset.options
    for figures in figure_sets(ruleset, accounts):
        yield json.dumps(account_json(figures, options), separators=(",", ":"))
