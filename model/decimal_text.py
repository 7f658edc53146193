"""Decimal text of exact numbers by integer arithmetic: the fast path of
:func:`marginspec.numbers.display` and :func:`marginspec.numbers.to_plain`.

The plain functions round a rational (:func:`~marginspec.numbers.round_to`) and then
find its places by multiplying by ten until the denominator is 1, which builds a
rational per step. Here the value is scaled once by ``10^decimals`` and divided with
remainder: the rounding is decided on the remainder (DISP-2's three modes) and the text
cut from the integer. Same result, held equal by ``tests/test_fast_rendering.py``
(why it exists: docs/performance.md, "Service speed").
"""

from __future__ import annotations

from marginspec.numbers import Exact, Rounding, to_plain

_POWERS = tuple(10**k for k in range(41))
_DOWN = Rounding.DOWN
_HALF_UP = Rounding.HALF_UP


def display_text(value: Exact, decimals: int, rounding: Rounding) -> str:
    """What :func:`~marginspec.numbers.display` returns, by one integer division."""
    denominator = value.denominator
    if denominator == 1:  # an integer (zero, a leverage, a bracket's cum) is its text
        return str(value.numerator)
    # Python ints: each gmpy2 mpz operation allocates an object, ~a third slower overall
    numerator = int(value.numerator)
    denominator = int(denominator)
    negative = numerator < 0
    if negative:
        numerator = -numerator
    whole, rest = divmod(
        numerator * (_POWERS[decimals] if decimals < 41 else 10**decimals), denominator
    )
    if rest and rounding is not _DOWN:
        twice = rest + rest
        if twice > denominator or (
            twice == denominator and (rounding is _HALF_UP or whole & 1 == 1)
        ):
            whole += 1
    if not whole:
        return "0"
    text = str(whole)
    if decimals:
        if len(text) <= decimals:
            text = "0" * (decimals + 1 - len(text)) + text
        fraction = text[-decimals:].rstrip("0")
        text = f"{text[:-decimals]}.{fraction}" if fraction else text[:-decimals]
    return "-" + text if negative else text


def plain_text(value: Exact) -> str:
    """What :func:`~marginspec.numbers.to_plain` returns: exact decimal text, else ``p/q``.

    A denominator ``2^a·5^b`` has ``max(a, b)`` places; the common cases (an integer, a
    denominator that is a power of ten) are read off without factoring.
    """
    denominator = value.denominator
    if denominator == 1:
        return str(value.numerator)
    places = len(str(denominator)) - 1
    if _POWERS[places] == denominator if places < 41 else 10**places == denominator:
        return display_text(value, places, _DOWN)
    return to_plain(value)
