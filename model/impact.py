"""The impact of a rule change on an account and on a book (rules IMP-2 … IMP-8).

Each account is evaluated under OLD and NEW (``evaluate`` without prices, the costly
part); the liquidation price of an account with one open position, the figure risk
teams read first, comes from the exact batch path (:mod:`marginspec.batch`), which
``tests/test_impact.py`` holds equal to ``evaluate``'s. A :class:`Summary` of a part of
the book merges with the summary of another part into the summary of both, so that
processes and a Dask cluster give the table one process gives.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from marginspec import batch
from marginspec.account import Account, MarginType
from marginspec.decimal_text import display_text
from marginspec.evaluate import AccountFigures, evaluate
from marginspec.numbers import Exact
from marginspec.report import display_price
from marginspec.ruleset import Options, RuleSet

_ZERO = Exact(0)
_CROSS = MarginType.CROSS


def leverage_under(account: Account, new: RuleSet) -> tuple[Account, bool]:
    """IMP-2: ``account`` with each leverage above its market's highest under ``new``
    (LEV-1) set to that highest, and whether one was."""
    markets = new.markets
    if all(p.leverage <= markets[p.symbol].brackets[0].initial_leverage for p in account.positions):
        return account, False
    cut = False
    positions = []
    for p in account.positions:
        highest = markets[p.symbol].max_leverage
        if p.leverage > highest:
            p = attrs.evolve(p, leverage=highest)
            cut = True
        positions.append(p)
    return (attrs.evolve(account, positions=tuple(positions)) if cut else account), cut


def shortfalls(figures: AccountFigures) -> tuple[Exact, Exact]:
    """IMP-3: the margin the account lacks against liquidation (LIQ-1, MB-1): its cross
    shortfall and the sum of its isolated positions' shortfalls."""
    isolated = cross = _ZERO
    has_cross = False
    for p in figures.positions:
        if p.isolated_margin is None:
            has_cross = has_cross or p.position.position_amt != 0
        elif p.position.position_amt != 0 and p.maint_margin > p.isolated_margin:
            isolated += p.maint_margin - p.isolated_margin
    if has_cross:
        cross_balance = figures.total_cross_wallet_balance + figures.total_cross_unrealized_pnl
        cross = max(_ZERO, figures.cross_maint_margin - cross_balance)
    return cross, isolated


def available_before_floor(figures: AccountFigures) -> Exact:
    """IMP-4: the available balance of AVB-1 before its floor at zero; negative: margin-called."""
    held = _ZERO
    for p in figures.positions:
        held += p.open_order_initial_margin
        if p.isolated_margin is None:
            held += p.initial_margin
    return figures.total_cross_wallet_balance + figures.total_cross_unrealized_pnl - held


def extra_margin(figures: AccountFigures, available: Exact) -> Exact:
    """IMP-5: the least deposit after which the account is neither liquidatable (IMP-3)
    nor margin-called (IMP-4): ``max(cross shortfall, deficit) + Σ isolated shortfalls``."""
    cross, isolated = shortfalls(figures)
    return max(cross, -available, _ZERO) + isolated


def max_leverages(figures: AccountFigures, ruleset: RuleSet) -> tuple[int, ...]:
    """LEV-2 of each open position of the account, in the order of its positions."""
    out = []
    for p in figures.positions:
        if p.position.position_amt != 0:
            table = ruleset.markets[p.position.symbol].brackets
            out.append(int(table[p.bracket - 1].initial_leverage))
    return tuple(out)


def lower_max_leverage(old: Sequence[int], new: Sequence[int]) -> bool:
    """IMP-6: some open position's LEV-2 maximum is lower under NEW than under OLD (the
    account's maximum leverage is the lowest of them)."""
    return any(n < o for o, n in zip(old, new, strict=True))


@attrs.frozen
class Standing:
    """An account's figures under one rule set."""

    maint_margin: Exact
    initial_margin: Exact
    margin_balance: Exact
    margin_ratio: Exact | None
    available: Exact  # before AVB-1's floor (IMP-4)
    liquidatable: bool
    margin_called: bool
    max_leverage: int | None  # IMP-6
    liquidation_price: Exact | None  # of the account's only open position
    extra_margin: Exact  # IMP-5


def _only_position_price(account: Account, book: batch.Book) -> Exact | None:
    """LIQ-2 of the account's only open position (None if it has none, several, or no
    price, LIQ-5): one leg, whose wallet is the isolated wallet or, the cross position
    being the only one, the cross wallet (TMM1 = UPNL1 = 0)."""
    only = None
    for p in account.positions:
        if p.position_amt != 0:
            if only is not None:
                return None
            only = p
    if only is None:
        return None
    wallet = account.cross_wallet_balance if only.margin_type is _CROSS else only.isolated_wallet
    return book.liquidation_price(
        batch.IsolatedPosition(
            only.symbol, only.position_amt, only.entry_price, only.mark_price, wallet
        )
    )


def standing(account: Account, book: batch.Book) -> tuple[Standing, tuple[int, ...]]:
    """The account's figures under the book's rule set, and the LEV-2 maximum of each
    open position."""
    ruleset = book.ruleset
    figures = evaluate(account, ruleset, prices=False)
    available = available_before_floor(figures)
    leverages = max_leverages(figures, ruleset)
    liquidatable = figures.liquidatable or any(p.liquidatable for p in figures.positions)
    return (
        Standing(
            figures.total_maint_margin,
            figures.total_initial_margin,
            figures.total_margin_balance,
            figures.margin_ratio,
            available,
            liquidatable,
            available < 0,
            min(leverages) if leverages else None,
            _only_position_price(account, book),
            extra_margin(figures, available),
        ),
        leverages,
    )


@attrs.frozen
class AccountImpact:
    account: str
    positions: int
    old: Standing
    new: Standing
    leverage_cut: bool  # IMP-2
    lower_max_leverage: bool  # IMP-6

    @property
    def becomes_liquidatable(self) -> bool:
        return self.new.liquidatable and not self.old.liquidatable

    @property
    def becomes_margin_called(self) -> bool:
        return self.new.margin_called and not self.old.margin_called

    @property
    def extra_increase(self) -> Exact:
        return self.new.extra_margin - self.old.extra_margin

    @property
    def maint_increase(self) -> Exact:
        return self.new.maint_margin - self.old.maint_margin


#: What :func:`standing` computes: an account's figures under a rule set and the LEV-2
#: maximum of each open position (the fast path, ``impact_fast.fast_standing``, too).
Measure = Callable[[Account, batch.Book], tuple["Standing", tuple[int, ...]]]


def impact_of(
    identity: str,
    account: Account,
    old: batch.Book,
    new: batch.Book,
    measure: Measure | None = None,
) -> AccountImpact:
    """IMP-7: the account under OLD and under NEW (its leverage as IMP-2 sets it), each
    by ``measure`` (default :func:`standing`, the plain model)."""
    measure = measure or standing
    before, old_leverages = measure(account, old)
    moved, cut = leverage_under(account, new.ruleset)
    after, new_leverages = measure(moved, new)
    return AccountImpact(
        identity,
        len(account.positions),
        before,
        after,
        cut,
        lower_max_leverage(old_leverages, new_leverages),
    )


# --- distributions (IMP-8) -----------------------------------------------------------

MM_EDGES = tuple(Exact(n, d) for n, d in ((-1, 2), (-1, 10), (-1, 100), (0, 1), (1, 100), (1, 10)))
MM_EDGES += (Exact(1, 2), Exact(1))
MM_LABELS = (
    "≤ −50 %",
    "−50 … −10 %",
    "−10 … −1 %",
    "−1 … 0 %",
    "0 % (unchanged)",
    "0 … 1 %",
    "1 … 10 %",
    "10 … 50 %",
    "50 … 100 %",
    "> 100 %",
)
EXTRA_EDGES = tuple(Exact(e) for e in (0, 10, 100, 1_000, 10_000, 100_000))
EXTRA_LABELS = ("≤ 0", "0 … 10", "10 … 100", "100 … 1k", "1k … 10k", "10k … 100k", "> 100k")


def buckets(impact: AccountImpact) -> tuple[int | None, int]:
    """IMP-8: the account's bucket of maintenance-margin change (None when it had no MM
    under OLD) and of extra-margin increase; a bucket ``a … b`` holds ``a < x ≤ b``."""
    mm: int | None = None
    if impact.old.maint_margin > 0:
        change = impact.new.maint_margin / impact.old.maint_margin - 1
        if change == 0:
            mm = 4
        else:
            mm = bisect_left(MM_EDGES, change)
            mm = mm if mm < 4 else mm + 1  # past the unchanged bucket
    return mm, bisect_left(EXTRA_EDGES, impact.extra_increase)


def _rank(impact: AccountImpact) -> tuple[Exact, Exact, str]:
    """IMP-7's order of the worst accounts (smallest first)."""
    return (-impact.extra_increase, -impact.maint_increase, impact.account)


@attrs.frozen
class Summary:
    """What ``impact`` reports about a part of a book (IMP-7, IMP-8); :meth:`merge`
    adds the summaries of two parts."""

    accounts: int = 0
    positions: int = 0
    liquidatable: tuple[int, int] = (0, 0)  # OLD, NEW
    margin_called: tuple[int, int] = (0, 0)
    maint_margin: tuple[Exact, Exact] = (_ZERO, _ZERO)
    extra_margin: tuple[Exact, Exact] = (_ZERO, _ZERO)
    becomes_liquidatable: int = 0
    becomes_liquidatable_extra: Exact = _ZERO
    becomes_margin_called: int = 0
    becomes_margin_called_extra: Exact = _ZERO
    lower_max_leverage: int = 0
    lower_max_leverage_extra: Exact = _ZERO
    leverage_cut: int = 0
    mm_buckets: tuple[int, ...] = (0,) * len(MM_LABELS)
    extra_buckets: tuple[int, ...] = (0,) * len(EXTRA_LABELS)
    worst: tuple[AccountImpact, ...] = ()

    @classmethod
    def of(cls, impacts: Iterable[AccountImpact], top: int) -> Summary:
        """The summary of these accounts, keeping the ``top`` worst (IMP-7)."""
        counts = [0] * 10
        sums = [_ZERO] * 7
        mm_buckets = [0] * len(MM_LABELS)
        extra_buckets = [0] * len(EXTRA_LABELS)
        kept: list[AccountImpact] = []
        for i in impacts:
            old, new = i.old, i.new
            counts[0] += 1
            counts[1] += i.positions
            counts[2] += old.liquidatable
            counts[3] += new.liquidatable
            counts[4] += old.margin_called
            counts[5] += new.margin_called
            sums[0] += old.maint_margin
            sums[1] += new.maint_margin
            sums[2] += old.extra_margin
            sums[3] += new.extra_margin
            if i.becomes_liquidatable:
                counts[6] += 1
                sums[4] += new.extra_margin
            if i.becomes_margin_called:
                counts[7] += 1
                sums[5] += new.extra_margin
            if i.lower_max_leverage:
                counts[8] += 1
                sums[6] += new.extra_margin
            counts[9] += i.leverage_cut
            mm, extra = buckets(i)
            if mm is not None:
                mm_buckets[mm] += 1
            extra_buckets[extra] += 1
            kept.append(i)
            if len(kept) > 4 * top + 64:
                kept = heapq.nsmallest(top, kept, key=_rank)
        return cls(
            counts[0],
            counts[1],
            (counts[2], counts[3]),
            (counts[4], counts[5]),
            (sums[0], sums[1]),
            (sums[2], sums[3]),
            counts[6],
            sums[4],
            counts[7],
            sums[5],
            counts[8],
            sums[6],
            counts[9],
            tuple(mm_buckets),
            tuple(extra_buckets),
            tuple(heapq.nsmallest(top, kept, key=_rank)),
        )

    def merge(self, other: Summary, top: int) -> Summary:
        """The summary of both parts."""

        def add(a: Any, b: Any) -> Any:
            return tuple(x + y for x, y in zip(a, b, strict=True))

        return Summary(
            self.accounts + other.accounts,
            self.positions + other.positions,
            add(self.liquidatable, other.liquidatable),
            add(self.margin_called, other.margin_called),
            add(self.maint_margin, other.maint_margin),
            add(self.extra_margin, other.extra_margin),
            self.becomes_liquidatable + other.becomes_liquidatable,
            self.becomes_liquidatable_extra + other.becomes_liquidatable_extra,
            self.becomes_margin_called + other.becomes_margin_called,
            self.becomes_margin_called_extra + other.becomes_margin_called_extra,
            self.lower_max_leverage + other.lower_max_leverage,
            self.lower_max_leverage_extra + other.lower_max_leverage_extra,
            self.leverage_cut + other.leverage_cut,
            add(self.mm_buckets, other.mm_buckets),
            add(self.extra_buckets, other.extra_buckets),
            tuple(heapq.nsmallest(top, self.worst + other.worst, key=_rank)),
        )


# --- one row per account -------------------------------------------------------------

#: The figures of a :class:`Standing`, as output columns after ``old``/``new``.
STANDING_COLUMNS = (
    "MaintMargin",
    "InitialMargin",
    "MarginBalance",
    "MarginRatio",
    "AvailableBeforeFloor",
    "Liquidatable",
    "MarginCalled",
    "MaxLeverage",
    "LiquidationPrice",
    "ExtraMargin",
)
#: Every output column, in order.
COLUMNS = (
    "account",
    "positions",
    "leverageCut",
    "lowerMaxLeverage",
    "becomesLiquidatable",
    "becomesMarginCalled",
    "extraMarginIncrease",
    *(f"old{c}" for c in STANDING_COLUMNS),
    *(f"new{c}" for c in STANDING_COLUMNS),
)
#: The columns that hold a true/false flag, and those that hold a whole number.
FLAG_COLUMNS = frozenset(c for c in COLUMNS if c.endswith(("Liquidatable", "Called", "Cut")))
FLAG_COLUMNS |= {"lowerMaxLeverage"}
COUNT_COLUMNS = frozenset({"positions", "oldMaxLeverage", "newMaxLeverage"})


def _standing_row(s: Standing, options: Options) -> list[Any]:
    decimals, rounding = options.display_decimals, options.display_rounding

    def num(value: Exact) -> str:
        return display_text(value, decimals, rounding)

    return [
        num(s.maint_margin),
        num(s.initial_margin),
        num(s.margin_balance),
        None if s.margin_ratio is None else num(s.margin_ratio),
        num(s.available),
        s.liquidatable,
        s.margin_called,
        s.max_leverage,
        None if s.liquidation_price is None else display_price(s.liquidation_price, options),
        num(s.extra_margin),
    ]


def row(impact: AccountImpact, old: Options, new: Options) -> list[Any]:
    """The account's output row (:data:`COLUMNS`): numbers as decimal text rounded as
    each rule set displays (DISP-1, DISP-2), flags and counts as they are."""
    return [
        impact.account,
        impact.positions,
        impact.leverage_cut,
        impact.lower_max_leverage,
        impact.becomes_liquidatable,
        impact.becomes_margin_called,
        display_text(impact.extra_increase, new.display_decimals, new.display_rounding),
        *_standing_row(impact.old, old),
        *_standing_row(impact.new, new),
    ]
