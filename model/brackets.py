"""Leverage brackets and tiered maintenance margin (rules BRK-*, MM-*, LEV-*).

Every function here is a formula over :data:`~marginspec.symbolic.Real`, so the same
code runs on exact numbers and on Z3 terms (see :mod:`marginspec.symbolic`).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

import attrs

from marginspec.symbolic import (
    Cond,
    Real,
    all_of,
    first,
    is_symbolic,
    maximum,
    minimum,
    select,
    total,
)


class Boundary(enum.Enum):
    """Which bracket owns a notional exactly on a boundary (BRK-3, option ``bracket_boundary``)."""

    CAP_INCLUSIVE = "cap-inclusive"  # floor < N <= cap: Binance's "0 < Position <= 50,000"
    FLOOR_INCLUSIVE = "floor-inclusive"  # floor <= N < cap: ccxt, freqtrade


# A module constant: reading an enum member off its class costs as much as the comparison
# it feeds, and below_cap/above_floor run several times per position.
_CAP_INCLUSIVE = Boundary.CAP_INCLUSIVE


@attrs.frozen(cache_hash=True)
class Bracket:
    """One row of ``GET /fapi/v1/leverageBracket`` (BRK-1)."""

    bracket: int
    notional_floor: Real
    notional_cap: Real
    initial_leverage: Real
    maint_margin_ratio: Real
    cum: Real


Table = Sequence[Bracket]


def below_cap(notional: Real, bracket: Bracket, boundary: Boundary) -> Cond:
    """The notional does not exceed this bracket's upper end (BRK-3)."""
    if boundary is _CAP_INCLUSIVE:
        return notional <= bracket.notional_cap
    return notional < bracket.notional_cap


def above_floor(notional: Real, bracket: Bracket, boundary: Boundary) -> Cond:
    """The notional lies above this bracket's lower end (BRK-3)."""
    if boundary is _CAP_INCLUSIVE:
        return notional > bracket.notional_floor
    return notional >= bracket.notional_floor


def in_bracket(notional: Real, table: Table, index: int, boundary: Boundary) -> Cond:
    """``notional`` belongs to ``table[index]`` (BRK-3, BRK-4).

    The first bracket also owns notional 0; the last one owns everything above its
    floor, because MM must stay defined past the last cap (BRK-4).
    """
    bracket = table[index]
    low: Cond = True if index == 0 else above_floor(notional, bracket, boundary)
    high: Cond = True if index == len(table) - 1 else below_cap(notional, bracket, boundary)
    return all_of([low, high])


def _merge_brackets(cond: Cond, then: Bracket, otherwise: Bracket) -> Bracket:
    return Bracket(
        *(select(cond, getattr(then, f.name), getattr(otherwise, f.name)) for f in _FIELDS)
    )


_FIELDS = attrs.fields(Bracket)


def owning_bracket(table: Table, notional: Real, boundary: Boundary) -> Bracket:
    """BRK-3, BRK-4: the bracket that owns ``notional``, the first whose cap it does not exceed.

    At run time this is one of the table's rows; on Z3 terms each field is an ``If`` chain.
    """
    if not is_symbolic(notional):
        # Run time: the same first match as below, without building the options.
        last = len(table) - 1
        for index in range(last):
            if below_cap(notional, table[index], boundary):
                return table[index]
        return table[last]
    return first(
        ((below_cap(notional, bracket, boundary), bracket) for bracket in table[:-1]),
        table[-1],
        _merge_brackets,
    )


def bracket_value(table: Table, notional: Real, field: str, boundary: Boundary) -> Real:
    """One field of :func:`owning_bracket`."""
    value: Real = getattr(owning_bracket(table, notional, boundary), field)
    return value


def maint_margin_ratio(table: Table, notional: Real, boundary: Boundary) -> Real:
    return bracket_value(table, notional, "maint_margin_ratio", boundary)


def maint_amount(table: Table, notional: Real, boundary: Boundary) -> Real:
    return bracket_value(table, notional, "cum", boundary)


def max_leverage(table: Table, notional: Real, boundary: Boundary) -> Real:
    """LEV-2: the highest leverage allowed for a position of this notional."""
    return bracket_value(table, notional, "initial_leverage", boundary)


def maint_margin_in(bracket: Bracket, notional: Real) -> Real:
    """The line of MM-1 within a known bracket: ``N × MMR − cum``."""
    return notional * bracket.maint_margin_ratio - bracket.cum


def maint_margin(table: Table, notional: Real, boundary: Boundary) -> Real:
    """MM-1: ``MM = N × MMR(bracket of N) − cum(bracket of N)``, N = |notional| at mark."""
    return maint_margin_in(owning_bracket(table, notional, boundary), notional)


def maint_margin_by_portions(table: Table, notional: Real) -> Real:
    """MM-2: the "tax bracket" form, each portion of N at its own bracket's rate.

    Equal to :func:`maint_margin` for every well-formed table (proof T-MM-1); it needs
    no boundary rule because MM is continuous at every boundary (MM-3).
    """
    portions: list[Real] = []
    for index, bracket in enumerate(table):
        above = maximum(notional - bracket.notional_floor, 0)
        portion = (
            above
            if index == len(table) - 1
            else minimum(above, bracket.notional_cap - bracket.notional_floor)
        )
        portions.append(portion * bracket.maint_margin_ratio)
    return total(portions)


def max_notional(table: Table, leverage: Real) -> Real:
    """LEV-3: the largest ``notionalCap`` among brackets whose ``initialLeverage >= L``.

    0 when the leverage exceeds every bracket's limit (no position may be held).
    """
    result: Real = 0
    for bracket in table:
        result = select(
            bracket.initial_leverage >= leverage, maximum(result, bracket.notional_cap), result
        )
    return result


def expected_cum(table: Table, index: int) -> Real:
    """BRK-2: ``cum[k] = floor[k]·(MMR[k] − MMR[k−1]) + cum[k−1]``, ``cum[1] = 0``."""
    if index == 0:
        return 0
    previous, current = table[index - 1], table[index]
    return (
        current.notional_floor * (current.maint_margin_ratio - previous.maint_margin_ratio)
        + previous.cum
    )


@attrs.frozen
class Requirement:
    """One well-formedness condition of a table (BRK-5), about ``table[index]``.

    ``what`` names the condition; ``message`` says how it failed, with one ``{}`` per
    value of ``values`` (the loader's error text, filled in with exact decimals).
    """

    index: int
    what: str
    holds: Cond
    message: str
    values: tuple[Real, ...] = ()


def well_formedness(table: Table) -> list[Requirement]:
    """BRK-5: the conditions of a well-formed table (BRK-2's ``cum`` among them): the loader refuses a table that breaks one
    (:func:`marginspec.ruleset.check_table`) and the proofs assume or check them symbolically.

    Integrality of the leverage is not among them (a Z3 real models it); the loader
    checks it on its own.
    """
    requirements = []
    for index, b in enumerate(table):
        floor, cap = b.notional_floor, b.notional_cap
        rate, leverage = b.maint_margin_ratio, b.initial_leverage
        requirements += [
            Requirement(
                index,
                "leverage >= 1",
                leverage >= 1,
                "initialLeverage must be a positive integer, got {}",
                (leverage,),
            ),
            Requirement(
                index,
                "rate in [0, 1)",
                all_of([rate >= 0, rate < 1]),
                "maintMarginRatio must be in [0, 1), got {}",
                (rate,),
            ),
            Requirement(
                index,
                "cap above floor",
                cap > floor,
                "notionalCap {} must exceed notionalFloor {}",
                (cap, floor),
            ),
        ]
        if index == 0:
            requirements.append(
                Requirement(
                    index,
                    "first floor is 0",
                    floor == 0,
                    "the first notionalFloor must be 0, got {}",
                    (floor,),
                )
            )
        else:
            previous = table[index - 1]
            requirements += [
                Requirement(
                    index,
                    "contiguous (no gap)",
                    floor <= previous.notional_cap,
                    "gap: notionalFloor {} above the previous cap {}",
                    (floor, previous.notional_cap),
                ),
                Requirement(
                    index,
                    "contiguous (no overlap)",
                    floor >= previous.notional_cap,
                    "overlap: notionalFloor {} below the previous cap {}",
                    (floor, previous.notional_cap),
                ),
                Requirement(
                    index,
                    "rate non-decreasing",
                    rate >= previous.maint_margin_ratio,
                    "maintMarginRatio decreases: {} after {}",
                    (rate, previous.maint_margin_ratio),
                ),
                Requirement(
                    index,
                    "leverage non-increasing",
                    leverage <= previous.initial_leverage,
                    "initialLeverage increases: {} after {}",
                    (leverage, previous.initial_leverage),
                ),
            ]
        expected = expected_cum(table, index)
        requirements.append(
            Requirement(
                index,
                "cum by the BRK-2 recurrence",
                b.cum == expected,
                "cum {} does not match the recurrence "
                "floor·(MMR − previous MMR) + previous cum = {}",
                (b.cum, expected),
            )
        )
    return requirements
