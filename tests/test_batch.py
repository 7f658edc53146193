"""The batch path equals the scalar model (docs/performance.md, "Service speed").

``marginspec.batch`` computes many isolated liquidation prices with the LIQ-6 walk written
inline over unpacked tables; ``marginspec.liquidation.liquidation_price`` trying every
bracket (``start=()``) is the reference. Random positions over generated tables, and
positions built so that the liquidation price lands exactly on a bracket's floor or cap
(the boundary of BRK-3 under either boundary option), must give the same exact answer.
The batch figure sets and JSON lines are ``evaluate``'s and its document's.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from marginspec import batch, liquidation
from marginspec.account import parse_account
from marginspec.brackets import Boundary, Bracket
from marginspec.cli.evaluate import evaluate_document
from marginspec.importers import load_brackets
from marginspec.numbers import Exact
from marginspec.rulefile import load_bundled
from marginspec.ruleset import Market, Options, RuleSet
from tests.test_cli_evaluate import L1, L2, SAMPLE
from tests.test_properties import CAP, FLOOR, tables


def _ruleset(table: tuple[Bracket, ...], boundary: Boundary) -> RuleSet:
    return RuleSet("test", {"X": Market("X", table)}, Options(bracket_boundary=boundary))


def _scalar(ruleset: RuleSet, p: batch.IsolatedPosition) -> Exact | None:
    """The reference: LIQ-2 … LIQ-5 trying every bracket in order."""
    leg = liquidation.Leg(p.position_amt, p.entry_price, ruleset.markets[p.symbol].brackets)
    boundary = ruleset.options.bracket_boundary
    result = liquidation.liquidation_price(
        [leg], p.isolated_wallet, Exact(0), Exact(0), p.mark_price, boundary, ()
    )
    return result.price if result.exists else None  # type: ignore[return-value]


_qty = st.integers(1, 10**6).map(lambda n: Exact(n, 1000))
_price = st.integers(1, 10**7).map(lambda n: Exact(n, 100))


@given(
    tables(),
    st.sampled_from([CAP, FLOOR]),
    st.lists(
        st.tuples(
            _qty,
            st.sampled_from([1, -1]),
            _price,
            _price,
            st.fractions(-(10**8), 10**9, max_denominator=100).map(Exact),
        ),
        min_size=1,
        max_size=20,
    ),
)
def test_batch_liquidation_prices_equal_scalar(
    table: tuple[Bracket, ...],
    boundary: Boundary,
    rows: list[tuple[Exact, int, Exact, Exact, Exact]],
) -> None:
    """LIQ-2 … LIQ-6: random isolated positions, the same price or the same "none"."""
    ruleset = _ruleset(table, boundary)
    positions = [
        batch.IsolatedPosition("X", side * qty, entry, mark, max(wallet, Exact(0)))
        for qty, side, entry, mark, wallet in rows
    ]
    expected = [_scalar(ruleset, p) for p in positions]
    assert batch.liquidation_prices(ruleset, positions) == expected
    rows = [batch.scaled(p) for p in positions]
    book = batch.Book(ruleset)
    assert batch.scaled_liquidation_prices(book, rows) == expected
    assert batch.column_liquidation_prices(book, batch.columns(positions)) == expected
    # again from the book's remembered tables, and each position alone (other units)
    assert batch.column_liquidation_prices(book, batch.columns(positions)) == expected
    assert [batch.column_liquidation_prices(book, batch.columns([p]))[0] for p in positions] == (
        expected
    )


@given(
    tables(),
    st.sampled_from([CAP, FLOOR]),
    _qty,
    st.sampled_from([1, -1]),
    _price,
    st.data(),
)
def test_batch_at_bracket_boundaries(
    table: tuple[Bracket, ...],
    boundary: Boundary,
    qty: Exact,
    side: int,
    entry: Exact,
    data: st.DataObject,
) -> None:
    """BRK-3 boundaries: the wallet is chosen so that bracket k's candidate price puts the
    notional exactly on k's floor or cap (and the mark anywhere), where a walk that tested
    the boundary the wrong way would answer a neighbour's price."""
    k = data.draw(st.integers(0, len(table) - 1))
    row = table[k]
    edge = data.draw(st.sampled_from([row.notional_floor, row.notional_cap]))
    price = Exact(edge) / qty
    amt = side * qty
    # B-LIQ solved for the wallet: price × (|amt|·MMR − amt) = W − amt·EP + cum
    wallet = price * (qty * row.maint_margin_ratio - amt) + amt * entry - row.cum
    mark = data.draw(_price)
    ruleset = _ruleset(table, boundary)
    p = batch.IsolatedPosition("X", amt, entry, mark, wallet)
    assert batch.liquidation_prices(ruleset, [p]) == [_scalar(ruleset, p)]
    assert batch.scaled_liquidation_prices(batch.Book(ruleset), [batch.scaled(p)]) == [
        _scalar(ruleset, p)
    ]
    assert batch.column_liquidation_prices(batch.Book(ruleset), batch.columns([p])) == [
        _scalar(ruleset, p)
    ]


def test_batch_on_real_tables(tiers_file: Path) -> None:
    """LIQ-2 … LIQ-6 over the 907 real Binance tables: every symbol, both sides, notionals
    from 10 to 50 M, leverage 1 to 20."""
    ruleset = load_brackets(tiers_file, base=load_bundled())
    positions = []
    for i, symbol in enumerate(sorted(ruleset.markets)):
        mark = Exact(1000 + 37 * i, 100)
        for notional in (10, 5_000, 260_000, 3_000_000, 50_000_000):
            amt = Exact(notional) / mark * (1 if i % 2 else -1)
            leverage = 1 + (i + notional) % 20
            positions.append(
                batch.IsolatedPosition(symbol, amt, mark, mark, abs(amt) * mark / leverage)
            )
    book = batch.Book(ruleset)
    expected = [_scalar(ruleset, p) for p in positions]
    assert batch.liquidation_prices(book, positions) == expected
    assert batch.scaled_liquidation_prices(book, [batch.scaled(p) for p in positions]) == expected
    assert batch.column_liquidation_prices(book, batch.columns(positions)) == expected
    # decimal inputs (the columns' units are powers of ten), as a service holds them
    decimals = [
        p._replace(
            position_amt=Exact(round(p.position_amt * 1000), 1000),
            isolated_wallet=Exact(round(p.isolated_wallet * 100), 100),
        )
        for p in positions
    ]
    assert batch.column_liquidation_prices(book, batch.columns(decimals)) == [
        _scalar(ruleset, p) for p in decimals
    ]


def test_json_lines_are_evaluate_documents() -> None:
    """SNAP-3: a batch JSON line is the evaluate document of its account."""
    ruleset = load_bundled()
    documents = [json.loads(SAMPLE.read_text()), L1, L2]
    accounts = [parse_account(d, ruleset) for d in documents]
    assert [json.loads(line) for line in batch.json_lines(ruleset, accounts)] == [
        evaluate_document(d, ruleset) for d in documents
    ]
