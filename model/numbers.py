"""Exact numbers at the boundary (NUM-1): parsing (floats refused) and display rounding.

The model computes with exact rationals (:data:`Exact`); values arrive as decimal
strings, ints, :class:`decimal.Decimal` or :class:`fractions.Fraction` and leave as
decimal strings rounded by the display rule (DISP-1, DISP-2).
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

from gmpy2 import mpq

from marginspec.errors import InputError

#: The model's exact number: GMP rationals (gmpy2). Same semantics as
#: :class:`fractions.Fraction` (and interoperable with it), about ten times faster,
#: which the evaluate throughput goal needs (docs/dependencies.md).
Exact: TypeAlias = mpq

_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def exact(value: object, where: str = "") -> Exact:
    """NUM-1: parse an exact number; a binary float is refused (it is never exact)."""
    if isinstance(value, bool):
        raise InputError(where, f"expected a number, got the boolean {value!r}")
    if isinstance(value, float):
        raise InputError(
            where,
            f"binary float {value!r} refused: give exact numbers as decimal strings "
            f'(for example "{value!r}")',
        )
    if isinstance(value, mpq):
        return value
    if isinstance(value, (Fraction, int)):
        return mpq(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InputError(where, f"{value} is not a finite number")
        return mpq(value)
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_TEXT.match(text):
            raise InputError(where, f"{value!r} is not a decimal number")
        return mpq(Decimal(text))
    raise InputError(where, f"expected a decimal string or integer, got {type(value).__name__}")


def exact_nonnegative(value: object, where: str = "") -> Exact:
    number = exact(value, where)
    if number < 0:
        raise InputError(where, f"must not be negative, got {to_plain(number)}")
    return number


def exact_positive(value: object, where: str = "") -> Exact:
    number = exact(value, where)
    if number <= 0:
        raise InputError(where, f"must be positive, got {to_plain(number)}")
    return number


_HALF = mpq(1, 2)


class Rounding(enum.Enum):
    """How displayed values are rounded (DISP-2)."""

    DOWN = "down"  # toward zero: Binance shows 462.665 as 462.66 (B-COST, C-1)
    HALF_EVEN = "half-even"
    HALF_UP = "half-up"  # away from zero on a tie, as ccxt rounds prices


def round_to(value: Exact | Fraction, decimals: int, rounding: Rounding) -> Exact:
    """DISP-2: ``value`` rounded to ``decimals`` places by ``rounding`` (exact)."""
    scale = 10**decimals
    scaled = mpq(value) * scale
    sign = -1 if scaled < 0 else 1
    magnitude = abs(scaled)
    whole = magnitude.numerator // magnitude.denominator
    rest = magnitude - whole
    if rounding is Rounding.HALF_UP:
        whole += 1 if rest >= _HALF else 0
    elif rounding is Rounding.HALF_EVEN and (rest > _HALF or (rest == _HALF and whole % 2 == 1)):
        whole += 1
    return mpq(sign * whole, scale)


def to_plain(value: Exact | Fraction) -> str:
    """Exact decimal text of a value with a finite expansion, else ``p/q``."""
    value = mpq(value)
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    digits = str(abs(value.numerator * 10**places // value.denominator)).rjust(places + 1, "0")
    text = (
        digits if places == 0 else f"{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")
    )
    return f"-{text}" if value < 0 else text


def display(value: Exact | Fraction, decimals: int, rounding: Rounding) -> str:
    """DISP-1: a decimal string with at most ``decimals`` places, trailing zeros dropped."""
    return to_plain(round_to(value, decimals, rounding))
