"""Exact numbers at the boundary (NUM-1, NUM-2): parsing (floats refused, bounds
enforced) and display rounding.

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

# ASCII digits only: Python's \d also matches "١٢٣", which no JSON Schema pattern admits.
_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)

#: NUM-2: an exact number entering the model is ``±c × 10^e`` with at most MAX_DIGITS
#: digits in ``c`` and ``|e| ≤ MAX_EXPONENT``, written in at most MAX_TEXT characters.
MAX_DIGITS = 100
MAX_EXPONENT = 100
MAX_TEXT = 256
_INTEGER_BOUND = 10**MAX_DIGITS
#: The common input, a plain decimal of at most 40 + 40 digits, is within NUM-2 by its shape
#: (fewer than MAX_DIGITS digits, exponent above -MAX_EXPONENT, shorter than MAX_TEXT):
#: gmpy2 reads it exactly, ~6x faster than through Decimal. Any other text takes
#: bounded_decimal's checks. Held equal by tests/test_fast_rendering.py.
SHORT_DECIMAL = re.compile(r"-?[0-9]{1,40}(?:\.[0-9]{1,40})?", re.ASCII)


def quote(value: object, width: int = 40) -> str:
    """``repr(value)`` cut to ``width`` characters, for error messages about hostile input."""
    text = repr(value)
    return text if len(text) <= width else f"{text[: width - 12]}… ({len(text)} chars)"


def _check_decimal(number: Decimal, text: str, where: str) -> Decimal:
    if not number.is_finite():
        raise InputError(where, f"{quote(text)} is not a finite number (NUM-1)")
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) > MAX_DIGITS:
        raise InputError(
            where, f"{quote(text)} has {len(digits)} digits: at most {MAX_DIGITS} (NUM-2)"
        )
    if not -MAX_EXPONENT <= exponent <= MAX_EXPONENT:
        raise InputError(
            where,
            f"{quote(text)} is out of range: at most {MAX_DIGITS} digits times 10^±{MAX_EXPONENT} (NUM-2)",
        )
    return number


def bounded_decimal(text: str, where: str = "", exponent: bool = False) -> Decimal:
    """NUM-2: a decimal text within the bounds, as an exact :class:`~decimal.Decimal`.

    ``exponent=False`` (our own formats, whose schemas forbid it) refuses an exponent
    form such as ``1e-7``; ``exponent=True`` (an engine's answers, an exchange's JSON,
    TOML floats) accepts it within the bounds.
    """
    if len(text) > MAX_TEXT:
        raise InputError(
            where, f"a number of {len(text)} characters refused (at most {MAX_TEXT}, NUM-2)"
        )
    stripped = text.strip()
    match = _DECIMAL_TEXT.match(stripped)
    if not match:
        raise InputError(where, f"{quote(text)} is not a decimal number")
    if match.group(3) and not exponent:
        raise InputError(
            where,
            f"{quote(text)}: exponent form refused, write the number out in plain decimals (NUM-2)",
        )
    return _check_decimal(Decimal(stripped), text, where)


def exact(value: object, where: str = "", exponent: bool = False) -> Exact:
    """NUM-1: parse an exact number within NUM-2; a binary float is refused (it is never exact).

    ``exponent``: accept decimal text in exponent form (see :func:`bounded_decimal`).
    """
    if type(value) is str and SHORT_DECIMAL.fullmatch(value):
        return mpq(value)
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
    if isinstance(value, int):
        if not -_INTEGER_BOUND < value < _INTEGER_BOUND:
            raise InputError(where, f"an integer of more than {MAX_DIGITS} digits (NUM-2)")
        return mpq(value)
    if isinstance(value, Fraction):
        return mpq(value)
    if isinstance(value, Decimal):
        return mpq(_check_decimal(value, str(value), where))
    if isinstance(value, str):
        return mpq(bounded_decimal(value, where, exponent))
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


#: Places of a value written for ``evaluate`` when it has no finite decimal form.
INPUT_PLACES = 18


def is_finite_decimal(value: Exact | Fraction) -> bool:
    """Whether ``value`` has a finite decimal expansion (its denominator is 2^a·5^b)."""
    denominator = mpq(value).denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return bool(denominator == 1)


def to_input(value: Exact | Fraction) -> str:
    """A decimal string ``evaluate`` accepts (NUM-2): exact when the value has a finite
    decimal form, else rounded half-even to :data:`INPUT_PLACES` places (a caller that
    writes one says so: :func:`is_finite_decimal`)."""
    if is_finite_decimal(value):
        return to_plain(value)
    return to_plain(round_to(value, INPUT_PLACES, Rounding.HALF_EVEN))
