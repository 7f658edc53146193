"""A book of accounts: the input of ``marginspec impact`` (IMP-1).

A book is JSON lines of account snapshots (the ``evaluate`` input, SNAP-1) or a CSV or
Parquet table with one row per position. It is read in chunks of whole accounts
(:class:`Chunk`), so that a book larger than memory is read in one pass and the chunks
can be parsed and evaluated anywhere (worker processes, a Dask cluster): the reader
only cuts the file at account boundaries; :func:`accounts` parses a chunk.

Every problem is one :class:`~marginspec.errors.InputError` naming the file, the line
(JSON lines) or row (tables, the first data row is row 1) and the field or column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from marginspec import inputs
from marginspec.account import Account, PositionSide, check_account, parse_account, parse_position
from marginspec.errors import InputError
from marginspec.numbers import exact
from marginspec.ruleset import RuleSet

#: The kinds of book, by file name ending.
KINDS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}

#: The columns of a table book (IMP-1): required, then optional.
REQUIRED_COLUMNS = (
    "account",
    "crossWalletBalance",
    "symbol",
    "positionAmt",
    "entryPrice",
    "markPrice",
    "leverage",
)
OPTIONAL_COLUMNS = ("marginType", "isolatedWallet", "positionSide")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
#: The columns that hold a position's fields (the rest name its account).
_POSITION_COLUMNS = tuple(c for c in COLUMNS if c not in ("account", "crossWalletBalance"))

#: Rows (or lines) read at a time: a chunk holds at least this many unless the book ends.
CHUNK_ROWS = 8192


class Chunk(NamedTuple):
    """Whole accounts of a book: ``lines`` of a JSON lines book (``None`` for a line
    longer than the stream bound), or a table ``batch`` (a ``pyarrow.RecordBatch``),
    whose first line or row is number ``first``."""

    name: str
    first: int
    lines: list[bytes | None] | None
    batch: Any
    positions: int


def kind_of(path: str | Path) -> str:
    """``jsonl``, ``csv`` or ``parquet``, from the file name."""
    kind = KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise InputError(
            str(path), f"unknown book format (the name ends with one of: {', '.join(KINDS)})"
        )
    return kind


def read_chunks(path: str | Path, rows: int = CHUNK_ROWS) -> Iterator[Chunk]:
    """The book at ``path`` in chunks of whole accounts, in order."""
    name = str(path)
    if not Path(path).is_file():
        raise InputError(name, "cannot read the book: no such file")
    kind = kind_of(path)
    if kind == "jsonl":
        yield from _line_chunks(name, rows)
    else:
        yield from _table_chunks(name, kind, rows)


def total_positions(path: str | Path) -> int | None:
    """How many positions (rows) a Parquet book holds, from its footer; None for others."""
    if kind_of(path) != "parquet":
        return None
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(str(path)).metadata.num_rows)
    except Exception as error:
        raise InputError(str(path), f"not a readable Parquet file ({error})") from None


def _line_chunks(name: str, rows: int) -> Iterator[Chunk]:
    from marginspec.stream import read_lines

    first = 1
    lines: list[bytes | None] = []
    try:
        handle = open(name, "rb")  # noqa: SIM115  (closed below; errors located first)
    except OSError as error:
        raise InputError(name, f"cannot read the book ({error.strerror or error})") from None
    with handle:
        for line in read_lines(handle):
            lines.append(line)
            if len(lines) >= rows:
                yield Chunk(name, first, lines, None, len(lines))
                first += len(lines)
                lines = []
    if lines:
        yield Chunk(name, first, lines, None, len(lines))


def _check_columns(name: str, present: list[str]) -> None:
    for column in present:
        if column not in COLUMNS:
            raise InputError(
                f"{name}: column {column}",
                f"unknown column (expected: {', '.join(COLUMNS)}; IMP-1)",
            )
    for column in REQUIRED_COLUMNS:
        if column not in present:
            raise InputError(f"{name}: column {column}", "missing required column (IMP-1)")


def _batches(name: str, kind: str, rows: int) -> Iterator[Any]:
    import pyarrow as pa

    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            handle = pq.ParquetFile(name)
            _check_columns(name, handle.schema_arrow.names)
            for field in handle.schema_arrow:
                if pa.types.is_floating(field.type):
                    raise InputError(
                        f"{name}: column {field.name}",
                        "binary floats refused: store exact numbers as text or decimals (NUM-1)",
                    )
            yield from handle.iter_batches(batch_size=rows)
        else:
            import pyarrow.csv as pv

            reader = pv.open_csv(
                name,
                read_options=pv.ReadOptions(block_size=max(1 << 16, rows * 128), use_threads=False),
                convert_options=pv.ConvertOptions(
                    column_types={c: pa.string() for c in COLUMNS}, strings_can_be_null=True
                ),
            )
            try:
                _check_columns(name, reader.schema.names)
                yield from reader
            finally:
                # stop its read-ahead thread now: left to the exit, it aborts the process
                reader.close()
    except InputError:
        raise
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, UnicodeDecodeError) as error:
        # a serial CSV reader names the line: "CSV parse error: Row #6: Expected 9 columns…"
        line = re.search(r"Row #(\d+): (.*)", str(error))
        if line:
            row = int(line.group(1)) - 1  # the header is line 1, data row 1 is line 2
            raise InputError(f"{name}: row {row}", line.group(2)) from None
        raise InputError(name, f"not a readable {kind} book ({_first_line(error)})") from None


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _table_chunks(name: str, kind: str, rows: int) -> Iterator[Chunk]:
    """Table batches cut at account boundaries: the last account of a batch waits for
    the next one, which may continue it; an account met again later is refused."""
    import pyarrow as pa

    seen: set[str] = set()
    pending: Any = None
    first = 1
    last = ""
    for batch in _batches(name, kind, rows):
        if batch.num_rows == 0:
            continue
        ids = batch.column("account").to_pylist()
        starts = []
        for index, value in enumerate(ids):
            if value is None:
                raise InputError(
                    f"{name}: row {first + _len(pending) + index}, column account",
                    "empty account id",
                )
            key = str(value)
            if key != last:
                if key in seen:
                    raise InputError(
                        f"{name}: row {first + _len(pending) + index}, column account",
                        f"account {key!r} appears again after other accounts: its rows must be consecutive (IMP-1)",
                    )
                seen.add(key)
                starts.append(index)
                last = key
        merged = (
            batch
            if pending is None
            else pa.concat_tables(
                [pa.Table.from_batches([pending]), pa.Table.from_batches([batch])]
            )
            .combine_chunks()
            .to_batches()[0]
        )
        offset = _len(pending)
        cut = offset + starts[-1] if starts else 0  # no new account: all still pending
        if cut > 0:
            yield Chunk(name, first, None, merged.slice(0, cut), cut)
            first += cut
        pending = merged.slice(cut)
        if pending.num_rows == 0:
            pending = None
    if pending is not None:
        yield Chunk(name, first, None, pending, pending.num_rows)


def _len(batch: Any) -> int:
    return 0 if batch is None else int(batch.num_rows)


def accounts(chunk: Chunk, old: RuleSet, new: RuleSet) -> Iterator[tuple[str, Account]]:
    """IMP-1: the accounts of a chunk, each with its id, valid under ``old`` (SNAP-1,
    SNAP-2) and with every symbol a market of ``new``."""
    if chunk.lines is not None:
        yield from _line_accounts(chunk, old, new)
    else:
        yield from _row_accounts(chunk, old, new)


def _in_new(account: Account, new: RuleSet, where: str, pointer: str) -> None:
    for index, position in enumerate(account.positions):
        if position.symbol not in new.markets:
            new.market(position.symbol, f"{where}{pointer.format(index)}")


def _line_accounts(chunk: Chunk, old: RuleSet, new: RuleSet) -> Iterator[tuple[str, Account]]:
    from marginspec.stream import MAX_LINE

    assert chunk.lines is not None
    for number, raw in enumerate(chunk.lines, chunk.first):
        where = f"{chunk.name}: line {number}"
        if raw is None:
            raise InputError(where, f"line longer than {MAX_LINE} bytes refused")
        text = inputs.decode(raw, where, "line")
        if not text.strip():
            raise InputError(where, "empty line: expected an account snapshot")
        document = inputs.parse_json(text, where)
        identity = str(number)
        if isinstance(document, dict) and "accountId" in document:
            document = dict(document)
            value = document.pop("accountId")
            if not isinstance(value, (str, int)) or isinstance(value, bool) or value == "":
                raise InputError(
                    f"{where}: /accountId", "expected a non-empty string or an integer"
                )
            identity = str(value)
        try:
            account = parse_account(document, old)
        except InputError as error:
            raise InputError(f"{where}: {error.where}", error.message) from None
        _in_new(account, new, f"{where}: ", "/positions/{}/symbol")
        yield identity, account


def _row_accounts(chunk: Chunk, old: RuleSet, new: RuleSet) -> Iterator[tuple[str, Account]]:
    batch = chunk.batch
    names = batch.schema.names
    columns = {c: batch.column(c).to_pylist() for c in names}
    ids = columns["account"]
    wallets = columns["crossWalletBalance"]
    fields = [c for c in _POSITION_COLUMNS if c in columns]
    values = [columns[c] for c in fields]
    start = 0
    count = len(ids)
    while start < count:
        identity = str(ids[start])
        end = start + 1
        while end < count and str(ids[end]) == identity:
            end += 1
        yield identity, _row_account(chunk, start, end, wallets, fields, values, old, new)
        start = end


def _row_account(
    chunk: Chunk,
    start: int,
    end: int,
    wallets: list[Any],
    fields: list[str],
    values: list[list[Any]],
    old: RuleSet,
    new: RuleSet,
) -> Account:
    def at(index: int, column: str = "") -> str:
        row = f"{chunk.name}: row {chunk.first + index}"
        return f"{row}, column {column}" if column else row

    wallet_text = wallets[start]
    if wallet_text is None:
        raise InputError(at(start, "crossWalletBalance"), "empty cell")
    wallet = exact(wallet_text, at(start, "crossWalletBalance"))
    positions = []
    hedge = False
    pairs = list(zip(fields, values, strict=True))
    for index in range(start, end):
        if (
            wallets[index] != wallet_text
            and exact(wallets[index], at(index, "crossWalletBalance")) != wallet
        ):
            raise InputError(
                at(index, "crossWalletBalance"),
                f"differs from the account's first row (row {chunk.first + start}): one wallet per account",
            )
        row = {f: v for f, column in pairs if (v := column[index]) is not None}  # empty: absent
        try:
            position = parse_position(row, "", old)
            if position.symbol not in new.markets:
                new.market(position.symbol, "/symbol")
        except InputError as error:
            column = error.where.lstrip("/")
            raise InputError(at(index, column), error.message) from None
        hedge = hedge or position.position_side is not PositionSide.BOTH
        positions.append(position)
    account = Account(wallet, tuple(positions), (), hedge)
    try:
        check_account(account)
    except InputError as error:
        # "/positions/3/markPrice" → row start + 3, column markPrice
        parts = error.where.split("/")
        index = start + int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else start
        raise InputError(at(index, parts[3] if len(parts) > 3 else ""), error.message) from None
    return account
