"""The fast decimal text equals the plain rules (DISP-1, DISP-2, NUM-2; docs/performance.md).

``marginspec.decimal_text`` renders by one integer division; ``marginspec.numbers``'s
``display`` and ``to_plain`` are the plain model. They must give the same text for every
value, number of places and rounding mode, ties and boundaries included. Reading goes the
other way: ``numbers.exact`` reads a short plain decimal directly, and must give the value
or the refusal that ``bounded_decimal`` gives.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from gmpy2 import mpq
from hypothesis import example, given
from hypothesis import strategies as st

from marginspec import inputs
from marginspec.decimal_text import display_text, plain_text
from marginspec.errors import InputError
from marginspec.numbers import Exact, Rounding, bounded_decimal, display, exact, to_plain

# Values that stress the rounding: exact ties at every place, tiny and huge magnitudes,
# denominators with and without factors other than 2 and 5.
_fractions = st.fractions(max_denominator=10**30).map(mpq)
_decimals = st.builds(
    lambda digits, places: mpq(digits, 10**places),
    st.integers(-(10**40), 10**40),
    st.integers(0, 45),
)
_ties = st.builds(
    lambda whole, places: mpq(2 * whole + 1, 2 * 10**places),
    st.integers(-(10**12), 10**12),
    st.integers(0, 20),
)
VALUES = st.one_of(_fractions, _decimals, _ties)


@given(VALUES, st.integers(0, 45), st.sampled_from(list(Rounding)))
@example(mpq(-1, 2), 0, Rounding.HALF_EVEN)
@example(mpq(-5, 1000), 2, Rounding.HALF_UP)
@example(mpq(-1, 3), 8, Rounding.DOWN)
@example(mpq(1, 10**9), 8, Rounding.HALF_UP)
def test_display_text_equals_display(value: Exact, places: int, rounding: Rounding) -> None:
    """DISP-1, DISP-2: the fast text is the plain rule's text."""
    assert display_text(value, places, rounding) == display(value, places, rounding)


@given(VALUES)
@example(mpq(0))
@example(mpq(-7, 8))
@example(mpq(1, 3))
def test_plain_text_equals_to_plain(value: Exact) -> None:
    """Exact decimal text (or p/q) is the same by either path."""
    assert plain_text(value) == to_plain(value)


def test_known_texts() -> None:
    """DISP-2 on hand-checked values: down truncates toward zero, half-even ties to even."""
    assert display_text(mpq(Fraction("462.665")), 2, Rounding.DOWN) == "462.66"
    assert display_text(mpq(Fraction("-462.665")), 2, Rounding.DOWN) == "-462.66"
    assert display_text(mpq(Fraction("2.5")), 0, Rounding.HALF_EVEN) == "2"
    assert display_text(mpq(Fraction("3.5")), 0, Rounding.HALF_EVEN) == "4"
    assert display_text(mpq(Fraction("2.5")), 0, Rounding.HALF_UP) == "3"
    assert display_text(mpq(Fraction("0.000000004")), 8, Rounding.DOWN) == "0"
    assert display_text(mpq(Fraction("1.10")), 8, Rounding.DOWN) == "1.1"


def _plain_exact(text: str) -> Exact:
    """NUM-1, NUM-2 through the plain checks only (what ``exact`` did before its fast path)."""
    return mpq(bounded_decimal(text, "/x"))


_digits = st.text(alphabet="0123456789", min_size=0, max_size=110)
NUMBER_TEXTS = st.one_of(
    st.builds(
        lambda sign, whole, dot, fraction: sign + whole + dot + fraction,
        st.sampled_from(["", "-", "+", " ", "--"]),
        _digits,
        st.sampled_from(["", ".", ".."]),
        _digits,
    ),
    st.text(alphabet="0123456789.-+eE _١", max_size=30),
)


@given(NUMBER_TEXTS)
@example("0")
@example("-0.0")
@example("1" * 40 + "." + "1" * 40)
@example("1" * 41 + "." + "1")
@example("0." + "0" * 99 + "1")
@example("1" * 101)
def test_exact_fast_path_equals_plain(text: str) -> None:
    """NUM-1, NUM-2: a short plain decimal read directly is the plain parse's value, and
    every other text meets the same refusal."""
    try:
        expected: Exact | str = _plain_exact(text)
    except InputError as error:
        expected = str(error)
    try:
        got: Exact | str = exact(text, "/x")
    except InputError as error:
        got = str(error)
    assert got == expected


@given(NUMBER_TEXTS)
@example("5000.0")
@example("1" * 41 + ".5")
def test_exchange_number_fast_path_equals_plain(text: str) -> None:
    """NUM-2 for an exchange's JSON numbers (bracket files): a short plain decimal becomes the
    same Decimal the plain checks give, and any other text meets the same refusal."""
    try:
        expected: object = bounded_decimal(text, "", exponent=True)
    except InputError as error:
        expected = error.message
    got = inputs._exchange_fraction(text)
    if isinstance(got, Decimal):
        assert isinstance(expected, Decimal)
        assert got == expected and got.as_tuple() == expected.as_tuple()
    else:
        assert got.message == expected
