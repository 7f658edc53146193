"""``marginspec impact``: a hand-checked book, the three book formats, bad input, the
batch liquidation price against ``evaluate``'s, and Dask against one process (IMP-1 … IMP-8)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from marginspec import book as books
from marginspec.account import Account, MarginType, Position, PositionSide
from marginspec.batch import Book
from marginspec.brackets import Boundary
from marginspec.cli import main
from marginspec.errors import InputError
from marginspec.evaluate import evaluate
from marginspec.impact import Summary, _only_position_price, impact_of, standing
from marginspec.impact_fast import fast_standing
from marginspec.impact_output import read_rows, summary_json
from marginspec.impact_run import run, run_dask
from marginspec.numbers import Exact
from marginspec.rulefile import load_bundled
from tests.cli_helpers import assert_one_line_error, run_cli

#: binance-usdm → aster-pro on BTCUSDT. At notional 200,000 Binance's bracket 1 (cap
#: 300,000: MMR 0.4 %, cum 0, 150x) becomes Aster's bracket 2 (50,000 … 250,000: MMR
#: 0.5 %, cum 50, 100x): MM 800 → 950. At 60,000: 240 → 250. At 10,000: 40 → 40.
BOOK_CSV = """\
account,crossWalletBalance,symbol,positionAmt,entryPrice,markPrice,leverage,marginType,isolatedWallet
alice,900,BTCUSDT,2,100000,100000,100,,
bob,1000,BTCUSDT,-1,60000,60000,20,isolated,3000
carol,5000,BTCUSDT,0.1,100000,100000,10,cross,
dave,1700,BTCUSDT,2,100000,100000,125,,
"""


def _jsonl(csv_text: str) -> str:
    """The same book as JSON lines of snapshots with their accountId."""
    lines = []
    header, *rows = csv_text.strip().splitlines()
    names = header.split(",")
    for line in rows:
        cells = dict(zip(names, line.split(","), strict=True))
        position = {
            k: cells[k]
            for k in ("symbol", "positionAmt", "entryPrice", "markPrice", "marginType")
            if cells.get(k)
        }
        position["leverage"] = int(cells["leverage"])
        if cells.get("isolatedWallet"):
            position["isolatedWallet"] = cells["isolatedWallet"]
        snapshot = {
            "accountId": cells["account"],
            "crossWalletBalance": cells["crossWalletBalance"],
            "positions": [position],
        }
        lines.append(json.dumps(snapshot))
    return "\n".join(lines) + "\n"


def _parquet(csv_text: str, path: Path) -> None:
    import pyarrow.csv as pv

    table = pv.read_csv(
        pa.py_buffer(csv_text.encode()),
        convert_options=pv.ConvertOptions(
            column_types={c: pa.string() for c in books.COLUMNS}, strings_can_be_null=True
        ),
    )
    pq.write_table(table, path)


def _impact(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["impact", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_hand_checked_book(tmp_path: Path) -> None:
    """alice (cross, 2 BTC at 100,000, 100x, wallet 900): MB 900 ≥ MM 800 under OLD,
    < 950 under NEW: becomes liquidatable, shortfall 950 − 900 = 50 (IMP-3); IM 2,000
    leaves available⁰ 900 − 2,000 = −1,100 under both (IMP-4), so her extra margin is
    max(50, 1,100) = 1,100 (IMP-5), unchanged. dave (wallet 1,700, 125x): IM 1,600 under
    OLD (available⁰ 100); NEW's BTCUSDT allows 100x at most, so 2,000 (IMP-2) and
    available⁰ −300: becomes margin-called, extra margin 300. Every BTC position's LEV-2
    maximum drops from 150 to 100 (IMP-6)."""
    (tmp_path / "book.csv").write_text(BOOK_CSV)
    out = tmp_path / "rows.jsonl"
    code, stdout, _ = _impact(
        tmp_path,
        "binance-usdm",
        "aster-pro",
        "--book",
        str(tmp_path / "book.csv"),
        "--out",
        str(out),
        "--format",
        "json",
    )
    assert code == 0
    rows = {r["account"]: r for r in read_rows(out)}
    alice, bob, carol, dave = rows["alice"], rows["bob"], rows["carol"], rows["dave"]
    assert (alice["oldMaintMargin"], alice["newMaintMargin"]) == ("800", "950")
    assert (alice["oldLiquidatable"], alice["newLiquidatable"]) == (False, True)
    assert alice["becomesLiquidatable"] and not alice["becomesMarginCalled"]
    assert alice["newAvailableBeforeFloor"] == "-1100"
    assert (alice["oldExtraMargin"], alice["newExtraMargin"]) == ("1100", "1100")
    # LIQ-2 of one cross leg, by hand: (900 + 50 − 200,000) / (2 × 0.005 − 2)
    assert Exact(alice["newLiquidationPrice"]) == int(
        Exact(900 + 50 - 200_000) / (Exact(2 * 5, 1000) - 2) * 10**8
    ) / Exact(10**8)
    assert (dave["oldInitialMargin"], dave["newInitialMargin"]) == ("1600", "2000")
    assert (dave["oldAvailableBeforeFloor"], dave["newAvailableBeforeFloor"]) == ("100", "-300")
    assert dave["leverageCut"] and dave["becomesMarginCalled"] and not dave["newLiquidatable"]
    assert (dave["newExtraMargin"], dave["extraMarginIncrease"]) == ("300", "300")
    assert (bob["oldMaintMargin"], bob["newMaintMargin"], bob["newExtraMargin"]) == (
        "240",
        "250",
        "0",
    )
    assert (carol["oldMaintMargin"], carol["newMaintMargin"]) == ("40", "40")
    assert all(r["lowerMaxLeverage"] and r["newMaxLeverage"] == 100 for r in rows.values())
    summary = json.loads(stdout)
    assert summary["becomeLiquidatable"] == {"accounts": 1, "extraMargin": "1100"}
    assert summary["becomeMarginCalled"] == {"accounts": 1, "extraMargin": "300"}
    assert summary["lowerMaxLeverage"] == {"accounts": 4, "extraMargin": "1400"}
    assert summary["leverageCut"] == 1
    assert summary["maintMargin"] == {"old": "1880", "new": "2190"}
    # IMP-8: +18.75 % twice, +4.17 % once, unchanged once; one account needs 300 more
    assert summary["maintMarginChange"]["10 … 50 %"] == 2
    assert summary["maintMarginChange"]["1 … 10 %"] == 1
    assert summary["maintMarginChange"]["0 % (unchanged)"] == 1
    assert summary["extraMarginIncrease"]["100 … 1k"] == 1
    assert summary["extraMarginIncrease"]["≤ 0"] == 3
    # IMP-7: dave needs 300 more; then by MM increase 150 (alice), 10 (bob), 0 (carol)
    assert [w["account"] for w in summary["worst"]] == ["dave", "alice", "bob", "carol"]


def test_book_formats_and_output_formats_agree(tmp_path: Path) -> None:
    """The book as CSV, Parquet and JSON lines gives the same rows (IMP-1), and the rows
    written as JSON lines, CSV and Parquet read back the same."""
    (tmp_path / "book.csv").write_text(BOOK_CSV)
    (tmp_path / "book.jsonl").write_text(_jsonl(BOOK_CSV))
    _parquet(BOOK_CSV, tmp_path / "book.parquet")
    results = []
    for source, target in (("csv", "jsonl"), ("jsonl", "csv"), ("parquet", "parquet")):
        out = tmp_path / f"rows-from-{source}.{target}"
        code, stdout, _ = _impact(
            tmp_path,
            "binance-usdm",
            "aster-pro",
            "--book",
            str(tmp_path / f"book.{source}"),
            "--out",
            str(out),
        )
        assert code == 0
        assert "become liquidatable" in stdout
        results.append(list(read_rows(out)))
    assert results[0] == results[1] == results[2]
    assert len(results[0]) == 4


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        (
            "b.jsonl",
            '{"crossWalletBalance": "1", "positions": []}\n{"cross',
            ("line 2", "malformed JSON"),
        ),
        (
            "b.jsonl",
            '{"crossWalletBalance": "1", "positions": [{"symbol": "NOPE", "positionAmt": "1", '
            '"entryPrice": "1", "markPrice": "1", "leverage": 1}]}\n',
            ("line 1: /positions/0/symbol", "unknown symbol 'NOPE'"),
        ),
        (
            "b.csv",
            BOOK_CSV.replace("account,", "acount,"),
            ("column acount", "unknown column"),
        ),
        (
            "b.csv",
            BOOK_CSV.replace(",marginType,isolatedWallet", ",marginType,isolatedWalet"),
            ("column isolatedWalet",),
        ),
        (
            "b.csv",
            BOOK_CSV.replace("carol,5000,BTCUSDT", "carol,5000,BTCUSD"),
            ("row 3, column symbol", "unknown symbol"),
        ),
        ("b.csv", BOOK_CSV.replace("-1,60000", "-1,6e4"), ("row 2, column entryPrice",)),
        (
            "b.csv",
            BOOK_CSV + "alice,900,ETHUSDT,1,2000,2000,10,,\n",
            ("row 5, column account", "consecutive"),
        ),
        (
            "b.csv",
            BOOK_CSV + "erin,900,ETHUSDT,1,2000,2000,10,,\nerin,901,BTCUSDT,1,2000,2000,10,,\n",
            ("row 6, column crossWalletBalance", "one wallet per account"),
        ),
        ("b.csv", BOOK_CSV + "erin,1,BTCUSDT,1,2\n", ("row 5", "Expected 9 columns, got 5")),
        ("b.txt", BOOK_CSV, ("unknown book format",)),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path, name: str, text: str, fragments: tuple[str, ...]
) -> None:
    book = _write(tmp_path, name, text)
    out = tmp_path / "rows.parquet"
    result = run_cli("impact", "binance-usdm", "aster-pro", "--book", book, "--out", out)
    assert_one_line_error(result, str(book), *fragments)
    assert list(tmp_path.iterdir()) == [book]  # no output, no temporary file left


def test_a_symbol_missing_from_new_and_a_float_column_are_refused(tmp_path: Path) -> None:
    book = _write(tmp_path, "b.csv", BOOK_CSV.replace("carol,5000,BTCUSDT", "carol,5000,0GUSDT"))
    result = run_cli("impact", "binance-usdm", "aster-pro", "--book", book)
    assert_one_line_error(result, "row 3, column symbol", "'0GUSDT' in rule set 'aster-pro'")
    table = pa.table({c: ["1"] for c in books.REQUIRED_COLUMNS} | {"markPrice": [1.5]})
    pq.write_table(table, tmp_path / "f.parquet")
    result = run_cli("impact", "aster-pro", "aster-pro", "--book", tmp_path / "f.parquet")
    assert_one_line_error(result, "column markPrice", "binary floats refused")


def test_plot_is_a_png(tmp_path: Path) -> None:
    (tmp_path / "book.csv").write_text(BOOK_CSV)
    plot = tmp_path / "impact.png"
    args = ("binance-usdm", "aster-pro", "--book", str(tmp_path / "book.csv"), "--plot", str(plot))
    code, stdout, _ = _impact(tmp_path, *args, "--top", "2")
    assert code == 0 and "the 2 worst accounts" in stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- the fast liquidation price, the summary's parts, Dask -----------------------------

_ASTER = load_bundled()
_BOOK = Book(_ASTER)
_amounts = st.decimals("-40", "40", places=3).filter(lambda d: d != 0)
_prices = st.decimals("1000", "200000", places=1)


@settings(max_examples=150, deadline=None)
@given(
    amount=_amounts,
    entry=_prices,
    mark=_prices,
    wallet=st.decimals("0", "2000000", places=2),
    isolated=st.booleans(),
    symbol=st.sampled_from(sorted(_ASTER.markets)),
    leverage=st.integers(1, 20),
)
def test_the_only_positions_price_is_evaluates(
    amount: Any, entry: Any, mark: Any, wallet: Any, isolated: bool, symbol: str, leverage: int
) -> None:
    """The batch path's liquidation price of an account's only position (one leg, the
    isolated or the cross wallet, LIQ-2) is the price ``evaluate`` gives it."""
    margin = MarginType.ISOLATED if isolated else MarginType.CROSS
    position = Position(
        symbol,
        PositionSide.BOTH,
        Exact(amount),
        Exact(entry),
        Exact(mark),
        margin,
        leverage,
        Exact(wallet) if isolated else Exact(0),
    )
    account = Account(Exact(0) if isolated else Exact(wallet), (position,))
    expected = evaluate(account, _ASTER).positions[0].liquidation_price
    assert _only_position_price(account, _BOOK) == expected


def _book_rows(count: int) -> str:
    lines = [BOOK_CSV.splitlines()[0]]
    for k in range(count):
        wallet = 500 + 97 * k
        amount = f"{(k % 7 - 3) or 1}.{k % 10}"
        lines.append(f"a{k},{wallet},BTCUSDT,{amount},100000,{99000 + 300 * k},{5 + k % 20},,")
        if k % 3 == 0:
            lines.append(
                f"a{k},{wallet},ETHUSDT,-{k % 5 + 1},2000,{1900 + k},10,isolated,{150 + k}"
            )
    return "\n".join(lines) + "\n"


def test_the_summary_of_parts_is_the_summary_of_the_whole(tmp_path: Path) -> None:
    """IMP-8: counts over chunks add up to the counts of the book (any chunking)."""
    path = _write(tmp_path, "b.csv", _book_rows(40))
    old, new = Book(_ASTER), Book(load_bundled("binance-usdm"))
    impacts = [
        impact_of(i, a, old, new)
        for chunk in books.read_chunks(path)
        for i, a in books.accounts(chunk, old.ruleset, new.ruleset)
    ]
    whole = Summary.of(impacts, 5)
    merged = Summary()
    for part in run(books.read_chunks(path, rows=7), old.ruleset, new.ruleset, 5):
        merged = merged.merge(part.summary, 5)
    assert merged == whole
    assert whole.accounts == 40 and whole.positions == 54


def test_dask_gives_what_one_process_gives(tmp_path: Path) -> None:
    """The same rows and summary from a local Dask cluster as from one process."""
    distributed = pytest.importorskip("distributed")
    path = _write(tmp_path, "b.csv", _book_rows(30))
    old, new = _ASTER, load_bundled("binance-usdm")
    here = list(run(books.read_chunks(path, rows=8), old, new, 5))
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        there = list(run_dask(books.read_chunks(path, rows=8), old, new, 5, client))
    assert [p.rows for p in there] == [p.rows for p in here]
    total_here, total_there = Summary(), Summary()
    for a, b in zip(here, there, strict=True):
        total_here, total_there = total_here.merge(a.summary, 5), total_there.merge(b.summary, 5)
    assert summary_json(total_there, old.options, new.options) == summary_json(
        total_here, old.options, new.options
    )
    assert total_here.accounts == 30


_BINANCE = load_bundled("binance-usdm")
_SYMBOLS = ("BTCUSDT", "ETHUSDT")  # in both bundled rule sets


@st.composite
def _accounts(draw: st.DrawFn) -> Account:
    """Accounts of up to two symbols, cross and isolated, at notionals across brackets
    and exactly on bracket caps (BRK-3's boundary), wallets from empty to large."""
    positions = []
    for symbol in draw(st.lists(st.sampled_from(_SYMBOLS), min_size=1, max_size=2, unique=True)):
        mark = Exact(draw(st.sampled_from(["1000", "2000", "50000", "100000", "0.5"])))
        caps = [b.notional_cap for b in _ASTER.markets[symbol].brackets]
        caps += [b.notional_cap for b in _BINANCE.markets[symbol].brackets]
        notional = draw(
            st.one_of(
                st.sampled_from(caps),
                st.decimals("0", "50000000", places=2).map(Exact),
            )
        )
        amount = notional / mark * draw(st.sampled_from([1, -1]))
        entry = mark * Exact(draw(st.integers(90, 110)), 100)
        isolated = draw(st.booleans())
        wallet = Exact(draw(st.integers(0, 10**7)), 100)
        positions.append(
            Position(
                symbol,
                PositionSide.BOTH,
                amount,
                entry if amount != 0 else Exact(0),
                mark,
                MarginType.ISOLATED if isolated else MarginType.CROSS,
                draw(st.integers(1, 100)),
                wallet if isolated else Exact(0),
            )
        )
    return Account(Exact(draw(st.integers(-(10**6), 10**8)), 100), tuple(positions))


_BOOKS = (Book(_ASTER), Book(_BINANCE))
_FLOOR = Book(
    attrs.evolve(
        _ASTER, options=attrs.evolve(_ASTER.options, bracket_boundary=Boundary.FLOOR_INCLUSIVE)
    )
)


@settings(max_examples=300, deadline=None)
@given(account=_accounts(), which=st.integers(0, 2))
def test_the_fast_standing_is_the_plain_one(account: Account, which: int) -> None:
    """``impact_fast.fast_standing`` gives :func:`impact.standing`'s figures (evaluate's),
    under both bundled rule sets and the floor-inclusive boundary (BRK-3)."""
    book = (*_BOOKS, _FLOOR)[which]
    assert fast_standing(account, book) == standing(account, book)


def test_processes_give_what_one_process_gives(tmp_path: Path) -> None:
    """``--processes 2``: the same rows in the book's order, and a refused row still
    names its row from a worker (InputError crosses the process boundary whole)."""
    path = _write(tmp_path, "b.csv", _book_rows(25))
    old, new = _ASTER, _BINANCE
    here = [r for p in run(books.read_chunks(path, rows=6), old, new, 3) for r in p.rows]
    there = [r for p in run(books.read_chunks(path, rows=6), old, new, 3, 2) for r in p.rows]
    assert there == here and len(here) == 25
    bad = _write(tmp_path, "bad.csv", _book_rows(25).replace("a20,", "a20,x", 1))
    with pytest.raises(InputError) as refused:
        list(run(books.read_chunks(bad, rows=6), old, new, 3, 2))
    assert refused.value.where.endswith("bad.csv: row 28, column crossWalletBalance")
