"""Liquidation and bankruptcy prices (rules LIQ-2 … LIQ-5, BKR-1).

The official formula (B-LIQ), for the position(s) of one symbol that share a price:

    LP = (WB − TMM1 + UPNL1 + Σ cum − Σ amt·EP) / (Σ |amt|·MMR − Σ amt)

``WB`` is the cross wallet (cross) or the isolated wallet (isolated, where TMM1 =
UPNL1 = 0); TMM1 and UPNL1 are the other cross positions' MM and uPnL held at their
own marks. MMR and cum belong to the bracket of the notional *at the liquidation
price* (LIQ-3): every combination of brackets is solved and the consistent one kept.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from marginspec.brackets import (
    Boundary,
    Bracket,
    Table,
    above_floor,
    below_cap,
    in_bracket,
    owning_bracket,
)
from marginspec.symbolic import (
    Cond,
    Real,
    absolute,
    all_of,
    any_of,
    concrete,
    div_or,
    first,
    select,
    select_cond,
    total,
)

# Leg and PriceResult are named tuples rather than attrs classes: evaluate builds about
# three of them per position and a tuple is the cheapest immutable record to build.


class Leg(NamedTuple):
    """One position that moves with the symbol's price: ``BOTH``, or ``LONG``/``SHORT``."""

    position_amt: Real
    entry_price: Real
    table: Table


class PriceResult(NamedTuple):
    """A price that may not exist: ``exists`` is False for "no liquidation price" (LIQ-5)."""

    exists: Cond
    price: Real


def _with_leg(numerator: Real, denominator: Real, size: Real, row: Bracket) -> tuple[Real, Real]:
    """One leg's bracket terms of B-LIQ, with the leg in bracket ``row``: ``cum`` joins the
    numerator and ``|amt| × MMR`` the denominator.

    The bracket-free parts, ``WB − TMM1 + UPNL1 − Σ amt·EP`` and ``−Σ amt``, are computed
    once by the caller (:func:`_exposure`) and are where the sums start.
    """
    return numerator + row.cum, denominator + size * row.maint_margin_ratio


def _solvable(denominator: Real, price: Real) -> tuple[Cond, Cond]:
    """A solvable equation and a positive price (LIQ-3, LIQ-5; BKR-1 likewise)."""
    return denominator != 0, price > 0


def _consistent(
    legs: Sequence[Leg],
    sizes: Sequence[Real],
    combination: Sequence[int],
    denominator: Real,
    price: Real,
    boundary: Boundary,
) -> Iterator[Cond]:
    """The conditions under which a candidate is the answer (lazily, for ``all_of``):
    a solvable equation, a positive price, every leg in the bracket it assumed (LIQ-3)."""
    yield from _solvable(denominator, price)
    for leg, size, k in zip(legs, sizes, combination, strict=True):
        yield in_bracket(size * price, leg.table, k, boundary)


def _candidate(
    legs: Sequence[Leg],
    sizes: Sequence[Real],
    combination: Sequence[int],
    numerator_base: Real,
    denominator_base: Real,
    boundary: Boundary,
) -> PriceResult:
    """One combination's price and whether it is the answer (LIQ-3)."""
    numerator, denominator = numerator_base, denominator_base
    for leg, size, k in zip(legs, sizes, combination, strict=True):
        numerator, denominator = _with_leg(numerator, denominator, size, leg.table[k])
    price = div_or(numerator, denominator, 0)  # B-LIQ solved; 0 without a solution
    return PriceResult(
        all_of(_consistent(legs, sizes, combination, denominator, price, boundary)), price
    )


@functools.cache
def _outward(count: int, near: int) -> tuple[int, ...]:
    """Bracket indexes ordered by distance from ``near`` (the lower one first on a tie)."""
    return tuple(sorted(range(count), key=lambda k: (abs(k - near), k)))


def _walk(
    leg: Leg,
    size: Real,
    start: int,
    numerator_base: Real,
    denominator_base: Real,
    boundary: Boundary,
) -> PriceResult:
    """LIQ-6: one leg at run time: the candidates in the order that reaches the answer soonest.

    MM is the maximum of its bracket lines (a well-formed table, BRK-2/BRK-5), so for
    one leg ``balance − MM`` is monotone in the price and each candidate bounds the
    answer from one side (LIQ-6): when the candidate of bracket k lies above k's cap,
    the answer lies above it too; below k's floor, the answer lies below. Below the first
    bracket's floor means no positive price: no liquidation price (LIQ-5). If the walk
    stops anywhere else without an answer, the untried brackets follow, nearest first.
    The order never changes the result (THM-LIQ-1: at most one consistent candidate).
    Each candidate is solved once and its bracket tested once; a candidate inside its
    bracket is then checked against the rest of LIQ-3 (:func:`_solvable`).
    """
    table = leg.table
    tried = 0  # bit k set: bracket k has been solved
    k = start
    last = len(table) - 1
    while 0 <= k <= last and not tried >> k & 1:
        tried |= 1 << k
        row = table[k]
        numerator, denominator = _with_leg(numerator_base, denominator_base, size, row)
        price = div_or(numerator, denominator, 0)  # B-LIQ solved; 0 without a solution
        notional = size * price
        if k < last and not below_cap(notional, row, boundary):
            k += 1
        elif not above_floor(notional, row, boundary):
            if k == 0:
                return _NONE
            k -= 1
        else:
            # In its bracket (the two tests above are LIQ-3's in_bracket): the rest of LIQ-3.
            solvable, positive = _solvable(denominator, price)
            if solvable and positive:
                return PriceResult(True, price)
            break
    legs, sizes = (leg,), (size,)
    for k in _outward(len(table), start):
        if not tried >> k & 1:
            result = _candidate(legs, sizes, (k,), numerator_base, denominator_base, boundary)
            if result.exists:
                return result
    return _NONE


_NONE = PriceResult(False, 0)


def _merge(cond: Cond, then: PriceResult, otherwise: PriceResult) -> PriceResult:
    return PriceResult(
        select_cond(cond, then.exists, otherwise.exists), select(cond, then.price, otherwise.price)
    )


def _as_option(result: PriceResult) -> tuple[Cond, PriceResult]:
    return result.exists, result


def _leg_exposure(leg: Leg) -> tuple[Real, Real]:
    """``(amt·EP, amt)`` of one leg."""
    return leg.position_amt * leg.entry_price, leg.position_amt


def _exposure(legs: Sequence[Leg]) -> tuple[Real, Real]:
    """``(Σ amt·EP, Σ amt)`` over the legs: the bracket-free part of LIQ-2 and BKR-1."""
    if len(legs) == 1:  # the common case: a sum of one term is that term
        return _leg_exposure(legs[0])
    terms = [_leg_exposure(leg) for leg in legs]
    return total([cost for cost, _ in terms]), total([amount for _, amount in terms])


def _sharing_a_price(legs: Sequence[Leg], sizes: Sequence[Real]) -> Iterator[tuple[int, ...]]:
    """The bracket combinations of several legs whose price ranges meet, in the order of
    ``itertools.product`` (run time only).

    Leg ``i`` is in bracket ``k`` only at prices from ``floor[k] / |amt_i|`` to
    ``cap[k] / |amt_i|`` (LIQ-3; the first bracket from 0, the last without end, BRK-4).
    A combination whose ranges do not meet has no price that puts every leg in its
    bracket, so its candidate is never consistent: leaving it out changes only the cost
    (a hedge pair over two ten-bracket tables: about 19 combinations of 100).
    """
    ranges = []
    for leg, size in zip(legs, sizes, strict=True):
        last = len(leg.table) - 1
        ranges.append(
            [
                (
                    row.notional_floor / size if k else 0,
                    row.notional_cap / size if k < last else None,
                )
                for k, row in enumerate(leg.table)
            ]
        )
    return _meeting(ranges, 0, None, ())


def _meeting(
    ranges: Sequence[Sequence[tuple[Real, Real | None]]],
    low: Real,
    high: Real | None,
    prefix: tuple[int, ...],
) -> Iterator[tuple[int, ...]]:
    """The index tuples, one per range list, whose ranges meet ``[low, high]`` and each
    other (``None``: no upper end); each list ascends, so a range past ``high`` ends it."""
    rest = ranges[1:]
    for k, (lo, hi) in enumerate(ranges[0]):
        if high is not None and lo > high:
            break
        if hi is not None and hi < low:
            continue
        here = (*prefix, k)
        if not rest:
            yield here
        else:
            top = hi if high is None else high if hi is None else min(hi, high)
            yield from _meeting(rest, max(lo, low), top, here)


def liquidation_price(
    legs: Sequence[Leg],
    wallet_balance: Real,
    other_maint_margin: Real,
    other_unrealized_pnl: Real,
    mark_price: Real,
    boundary: Boundary,
    start: Sequence[int] | None = None,
) -> PriceResult:
    """LIQ-2, LIQ-3, LIQ-4, LIQ-5: the price of this symbol at which margin balance = MM.

    Only the symbol's own price moves (LIQ-2). The bracket of each leg is the one of
    its notional at that price (LIQ-3). If more than one price is consistent, which
    can only happen for a hedged pair of unequal sides, the one nearest the mark is
    the liquidation price, the lower of two equally near (LIQ-4). No positive
    consistent price: none (LIQ-5).

    ``start`` optionally names, per leg, the bracket index to try first: with one leg
    the answer is unique, so the order of the search changes only its cost, never its
    result. By default (``None``) a concrete leg starts at the bracket of its notional at
    the mark (LIQ-6); ``()`` tries every bracket in order, which is also what Z3 terms get.
    """
    return _liquidation(
        legs,
        _exposure(legs),
        wallet_balance,
        other_maint_margin,
        other_unrealized_pnl,
        mark_price,
        boundary,
        start,
    )


def _liquidation(
    legs: Sequence[Leg],
    exposure: tuple[Real, Real],
    wallet_balance: Real,
    other_maint_margin: Real,
    other_unrealized_pnl: Real,
    mark_price: Real,
    boundary: Boundary,
    start: Sequence[int] | None,
) -> PriceResult:
    """:func:`liquidation_price` given the legs' :func:`_exposure`."""
    cost, amount = exposure
    numerator_base = wallet_balance - other_maint_margin + other_unrealized_pnl - cost
    denominator_base = -amount
    if len(legs) == 1:
        # One leg: at most one bracket is consistent (theorem THM-LIQ-1), so the
        # first consistent candidate is the answer and the rest need not be solved.
        leg = legs[0]
        size = absolute(leg.position_amt)
        if start is None and concrete(
            numerator_base, denominator_base, size, mark_price, leg.table
        ):
            start = (owning_bracket(leg.table, size * mark_price, boundary).bracket - 1,)
        if start:
            return _walk(leg, size, start[0], numerator_base, denominator_base, boundary)
        options = (
            _as_option(_candidate(legs, (size,), (k,), numerator_base, denominator_base, boundary))
            for k in range(len(leg.table))
        )
        return first(options, _NONE, _merge)
    sizes = [absolute(leg.position_amt) for leg in legs]
    combinations: Iterable[Sequence[int]]
    if concrete(sizes, *(leg.table for leg in legs)) and all(sizes):
        combinations = _sharing_a_price(legs, sizes)
    else:
        combinations = itertools.product(*(range(len(leg.table)) for leg in legs))
    best = _NONE
    for combination in combinations:
        candidate = _candidate(legs, sizes, combination, numerator_base, denominator_base, boundary)
        distance = absolute(candidate.price - mark_price)
        best_distance = absolute(best.price - mark_price)
        # LIQ-4: equally near, the lower price (two consistent prices need a net long
        # pair: below, its loss; above, the MM of both legs)
        lower = candidate.price < best.price
        closer = any_of([distance < best_distance, all_of([distance == best_distance, lower])])
        take = all_of([candidate.exists, select_cond(best.exists, closer, True)])
        best = PriceResult(
            select_cond(take, True, best.exists), select(take, candidate.price, best.price)
        )
    return best


def bankruptcy_price(
    legs: Sequence[Leg],
    wallet_balance: Real,
    other_unrealized_pnl: Real,
) -> PriceResult:
    """BKR-1: the price at which margin balance = 0 (A-ADL, B-ADL), LIQ-2 with MMR = cum = 0.

    Other positions enter with their uPnL only; a fully hedged pair (Σ amt = 0) or a
    non-positive price has none.
    """
    return _bankruptcy(_exposure(legs), wallet_balance, other_unrealized_pnl)


def _bankruptcy(
    exposure: tuple[Real, Real], wallet_balance: Real, other_unrealized_pnl: Real
) -> PriceResult:
    """:func:`bankruptcy_price` given the legs' :func:`_exposure`."""
    cost, amount = exposure
    numerator = wallet_balance + other_unrealized_pnl - cost
    denominator = -amount
    price = div_or(numerator, denominator, 0)  # LIQ-2 with MMR = cum = 0
    return PriceResult(all_of(_solvable(denominator, price)), price)


def prices(
    legs: Sequence[Leg],
    wallet_balance: Real,
    other_maint_margin: Real,
    other_unrealized_pnl: Real,
    mark_price: Real,
    boundary: Boundary,
    start: Sequence[int] | None = None,
) -> tuple[PriceResult, PriceResult]:
    """:func:`liquidation_price` and :func:`bankruptcy_price` of the same legs, their
    shared sums computed once (what ``evaluate`` reports for each position)."""
    exposure = _exposure(legs)
    return (
        _liquidation(
            legs,
            exposure,
            wallet_balance,
            other_maint_margin,
            other_unrealized_pnl,
            mark_price,
            boundary,
            start,
        ),
        _bankruptcy(exposure, wallet_balance, other_unrealized_pnl),
    )
