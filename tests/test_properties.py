"""Properties of the formulas over generated well-formed tables (Hypothesis).

Tables are built exactly (rationals, never floats): contiguous brackets, rates
non-decreasing in [0, 1), leverage non-increasing, cum by the BRK-2 recurrence.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from marginspec import brackets, liquidation, margin, transfers
from marginspec.brackets import Boundary, Bracket
from marginspec.errors import InputError
from marginspec.numbers import Exact, exact
from marginspec.ruleset import check_table

CAP, FLOOR = Boundary.CAP_INCLUSIVE, Boundary.FLOOR_INCLUSIVE
money = st.fractions(min_value=0, max_value=10**9, max_denominator=100).map(exact)


@st.composite
def tables(draw: st.DrawFn, max_brackets: int = 6) -> tuple[Bracket, ...]:
    count = draw(st.integers(1, max_brackets))
    widths = draw(st.lists(st.integers(1, 10**7), min_size=count, max_size=count))
    rates = sorted(draw(st.lists(st.integers(0, 4999), min_size=count, max_size=count)))
    leverages = sorted(
        draw(st.lists(st.integers(1, 125), min_size=count, max_size=count)), reverse=True
    )
    rows: list[Bracket] = []
    floor = Exact(0)
    for index in range(count):
        cap = floor + widths[index]
        row = Bracket(
            index + 1, floor, cap, Exact(leverages[index]), Exact(rates[index], 10000), Exact(0)
        )
        cum = brackets.expected_cum([*rows, row], index)
        rows.append(
            Bracket(index + 1, floor, cap, row.initial_leverage, row.maint_margin_ratio, Exact(cum))
        )
        floor = cap
    table = tuple(rows)
    check_table("TEST", table, "<generated>")
    return table


@given(tables(), money)
def test_mm_forms_agree(table: tuple[Bracket, ...], notional: Exact) -> None:
    """MM-3: N × MMR − cum equals the portion-by-portion sum (MM-1 = MM-2)."""
    assert brackets.maint_margin(table, notional, CAP) == brackets.maint_margin_by_portions(
        table, notional
    )


@given(tables())
def test_mm_continuous_at_every_boundary(table: tuple[Bracket, ...]) -> None:
    """MM-3: both boundary options give the same MM on every boundary (BRK-3 only moves the label)."""
    for row in table:
        for n in (row.notional_floor, row.notional_cap):
            assert brackets.maint_margin(table, n, CAP) == brackets.maint_margin(table, n, FLOOR)


@given(tables(), money, money)
def test_mm_non_decreasing_and_effective_rate(
    table: tuple[Bracket, ...], a: Exact, b: Exact
) -> None:
    """MM-3: MM is non-decreasing; MM / N never exceeds the owning bracket's rate."""
    low, high = min(a, b), max(a, b)
    assert brackets.maint_margin(table, low, CAP) <= brackets.maint_margin(table, high, CAP)
    if high > 0:
        rate = brackets.maint_margin_ratio(table, high, CAP)
        assert brackets.maint_margin(table, high, CAP) <= high * rate


@given(tables(), st.integers(1, 200), st.integers(1, 200))
def test_max_notional_non_increasing_in_leverage(
    table: tuple[Bracket, ...], a: int, b: int
) -> None:
    """LEV-3: a higher leverage never allows a larger notional."""
    low, high = min(a, b), max(a, b)
    assert brackets.max_notional(table, Exact(high)) <= brackets.max_notional(table, Exact(low))


@given(
    tables(),
    st.integers(1, 10**6).map(lambda n: Exact(n, 1000)),
    st.integers(1, 10**6).map(lambda n: Exact(n, 10)),
    st.integers(1, 100),
    st.sampled_from([1, -1]),
)
def test_isolated_liquidation_price(
    table: tuple[Bracket, ...], qty: Exact, entry: Exact, leverage: int, side: int
) -> None:
    """LIQ-2/LIQ-3/BKR-1: with the wallet at IM and the position healthy at entry, a long
    liquidates below entry and above bankruptcy (short mirrored), and at the LP the margin
    balance equals MM exactly."""
    amt = side * qty
    wallet = margin.initial_margin(qty * entry, Exact(leverage))
    mm_at_entry = brackets.maint_margin(table, qty * entry, CAP)
    assume(wallet > mm_at_entry)
    leg = liquidation.Leg(amt, entry, table)
    lp = liquidation.liquidation_price([leg], wallet, 0, 0, entry, CAP)
    bp = liquidation.bankruptcy_price([leg], wallet, 0)
    if side == 1:
        # A long whose bankruptcy price is positive liquidates before it, below entry;
        # with no positive bankruptcy price (1x, rate 0) it may have no LP at all.
        if bp.exists:
            assert lp.exists and bp.price <= lp.price  # equal only where MM is 0 (rate 0)
        if lp.exists:
            assert lp.price < entry
    else:
        assert bp.exists and lp.exists and entry < lp.price <= bp.price
    if lp.exists:
        balance = margin.margin_balance(wallet, margin.unrealized_pnl(amt, entry, lp.price))
        assert balance == brackets.maint_margin(table, qty * lp.price, CAP)


@given(
    tables(),
    st.integers(1, 10**6).map(lambda n: Exact(n, 100)),
    st.integers(1, 10**6).map(lambda n: Exact(n, 10)),
    st.fractions(-(10**9), 10**9, max_denominator=100).map(exact),
    st.sampled_from([1, -1]),
    st.sampled_from([CAP, FLOOR]),
    st.data(),
)
def test_liquidation_walk_agrees_with_exhaustive_search(
    table: tuple[Bracket, ...],
    qty: Exact,
    entry: Exact,
    wallet: Exact,
    side: int,
    boundary: Boundary,
    data: st.DataObject,
) -> None:
    """LIQ-6: the directed search from any start bracket (what ``evaluate`` does from the
    mark's bracket, and ``liquidation_price`` by default) finds exactly what trying every
    bracket finds, including "none"."""
    leg = liquidation.Leg(side * qty, entry, table)
    start = data.draw(st.integers(0, len(table) - 1))
    walked = liquidation.liquidation_price([leg], wallet, 0, 0, entry, boundary, (start,))
    everywhere = liquidation.liquidation_price([leg], wallet, 0, 0, entry, boundary, ())
    by_default = liquidation.liquidation_price([leg], wallet, 0, 0, entry, boundary)
    assert walked.exists == everywhere.exists == by_default.exists
    if everywhere.exists:
        assert walked.price == everywhere.price == by_default.price


@given(
    tables(),
    st.one_of(st.none(), tables()),
    st.integers(1, 10**6).map(lambda n: Exact(n, 100)),
    st.integers(1, 10**6).map(lambda n: Exact(n, 100)),
    st.integers(1, 10**6).map(lambda n: Exact(n, 10)),
    st.integers(1, 10**6).map(lambda n: Exact(n, 10)),
    st.fractions(-(10**9), 10**9, max_denominator=100).map(exact),
    st.integers(1, 10**6).map(lambda n: Exact(n, 10)),
    st.sampled_from([CAP, FLOOR]),
)
def test_hedge_pair_price_is_the_nearest_consistent_candidate(
    long_table: tuple[Bracket, ...],
    short_table: tuple[Bracket, ...] | None,
    long_qty: Exact,
    short_qty: Exact,
    long_entry: Exact,
    short_entry: Exact,
    wallet: Exact,
    mark: Exact,
    boundary: Boundary,
) -> None:
    """LIQ-3, LIQ-4: a hedge pair's liquidation price (the model solves only the bracket
    combinations whose price ranges meet) is what solving every combination by LIQ-2 finds:
    the consistent candidate nearest the mark, the lower of two equally near, or none."""
    short_table = short_table or long_table  # a pair of one symbol shares its table
    legs = [
        liquidation.Leg(long_qty, long_entry, long_table),
        liquidation.Leg(-short_qty, short_entry, short_table),
    ]
    found = liquidation.liquidation_price(legs, wallet, 0, 0, mark, boundary)
    consistent = []
    for long_row in range(len(long_table)):
        for short_row in range(len(short_table)):
            a, b = long_table[long_row], short_table[short_row]
            numerator = wallet + a.cum + b.cum - long_qty * long_entry + short_qty * short_entry
            denominator = long_qty * a.maint_margin_ratio + short_qty * b.maint_margin_ratio
            denominator -= long_qty - short_qty
            if denominator == 0:
                continue
            price = numerator / denominator
            if (
                price > 0
                and brackets.in_bracket(long_qty * price, long_table, long_row, boundary)
                and brackets.in_bracket(short_qty * price, short_table, short_row, boundary)
            ):
                consistent.append(price)
    if not consistent:
        assert not found.exists
    else:
        assert found.exists
        assert found.price == min(consistent, key=lambda price: (abs(price - mark), price))


@given(
    tables(),
    st.integers(1, 10**6).map(lambda n: Exact(n, 100)),
    st.integers(1, 10**6).map(lambda n: Exact(n, 100)),
    st.integers(1, 10**6).map(lambda n: Exact(n, 10)),
    st.integers(1, 10**6).map(lambda n: Exact(n, 10)),
    st.sampled_from([CAP, FLOOR]),
    st.data(),
)
def test_hedge_pair_price_on_a_bracket_floor(
    table: tuple[Bracket, ...],
    long_qty: Exact,
    short_qty: Exact,
    long_entry: Exact,
    short_entry: Exact,
    boundary: Boundary,
    data: st.DataObject,
) -> None:
    """LIQ-2, LIQ-3: a hedge pair whose wallet puts the margin balance at MM exactly where
    one leg's notional is a bracket's cap, the next one's floor (where the price ranges of
    two brackets touch), has that price under either boundary option (MM-3: MM is
    continuous there)."""
    k = data.draw(st.integers(0, len(table) - 1))
    leg = long_qty if data.draw(st.booleans()) else short_qty
    price = table[k].notional_cap / leg  # the next bracket's floor
    rates = [brackets.maint_margin_ratio(table, q * price, boundary) for q in (long_qty, short_qty)]
    # LIQ-5: where the margin balance minus MM does not move with the price, no price is one
    assume(long_qty * rates[0] + short_qty * rates[1] != long_qty - short_qty)
    upnl = long_qty * (price - long_entry) - short_qty * (price - short_entry)
    mm = brackets.maint_margin(table, long_qty * price, boundary)
    mm += brackets.maint_margin(table, short_qty * price, boundary)
    legs = [
        liquidation.Leg(long_qty, long_entry, table),
        liquidation.Leg(-short_qty, short_entry, table),
    ]
    found = liquidation.liquidation_price(legs, mm - upnl, 0, 0, price, boundary)
    assert found.exists and found.price == price


@given(
    st.fractions(-(10**6), 10**6, max_denominator=100).map(exact),
    money,
    money,
    st.integers(1, 125),
)
def test_open_order_margin_non_negative(
    position: Exact, bids: Exact, asks: Exact, leverage: int
) -> None:
    """ORD-2: open orders never lower the margin a position side needs."""
    assert margin.open_order_initial_margin(position, bids, asks, Exact(leverage)) >= 0


@given(
    st.fractions(-(10**6), 10**6).map(exact), st.fractions(-(10**6), 10**6).map(exact), money, money
)
def test_available_balance_non_negative(
    wallet: Exact, upnl: Exact, cross_im: Exact, iso: Exact
) -> None:
    """AVB-1 and XFER-1 are never negative, and a withdrawal never exceeds the available balance."""
    available = transfers.available_balance(wallet, upnl, cross_im, iso)
    assert available >= 0
    assert 0 <= transfers.max_withdraw(wallet, cross_im, iso, available) <= available


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_are_refused(value: float) -> None:
    """NUM-1: a binary float never enters the model."""
    with pytest.raises(InputError, match="binary float"):
        exact(value, "/x")


def test_exact_accepts_exact_inputs() -> None:
    assert exact("0.1") + exact("0.2") == exact("0.3")
    assert exact(Fraction(1, 3)) * 3 == 1
