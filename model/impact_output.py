"""What ``impact`` writes: one row per account (JSON lines, CSV or Parquet), the summary
as JSON or tables, and the distributions as a plot (IMP-7, IMP-8).

Rows are written as they come into a temporary file beside the target, which replaces
it only when the whole book is done (:func:`marginspec.outputs.replacing`): a refused
row half-way leaves no half-written file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any

from marginspec.decimal_text import display_text
from marginspec.errors import InputError
from marginspec.impact import (
    COLUMNS,
    COUNT_COLUMNS,
    EXTRA_LABELS,
    FLAG_COLUMNS,
    MM_LABELS,
    Summary,
    row,
)
from marginspec.numbers import Exact
from marginspec.outputs import replacing
from marginspec.report import cell_text
from marginspec.ruleset import Options

#: The formats of ``--out``, by file name ending.
OUT_KINDS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def out_kind(path: Path) -> str:
    kind = OUT_KINDS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"--out {path}",
            f"unknown output format (the name ends with one of: {', '.join(OUT_KINDS)})",
        )
    return kind


def _schema() -> Any:
    import pyarrow as pa

    def kind(column: str) -> Any:
        if column in FLAG_COLUMNS:
            return pa.bool_()
        if column in COUNT_COLUMNS:
            return pa.int64()
        return pa.string()

    return pa.schema([(c, kind(c)) for c in COLUMNS])


class RowWriter:
    """Writes account rows (:data:`marginspec.impact.COLUMNS`) to ``path`` in its format,
    replacing the file only when closed without error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind = out_kind(path)
        self._stack = ExitStack()
        self._writer: Any = None
        self._text: Any = None

    def __enter__(self) -> RowWriter:
        temporary = self._stack.enter_context(replacing(self.path, "the account rows"))
        if self.kind == "jsonl":
            self._text = self._stack.enter_context(temporary.open("w", encoding="utf-8"))
        elif self.kind == "csv":
            import pyarrow.csv as pv

            self._writer = self._stack.enter_context(pv.CSVWriter(str(temporary), _schema()))
        else:
            import pyarrow.parquet as pq

            self._writer = self._stack.enter_context(pq.ParquetWriter(str(temporary), _schema()))
        return self

    def write(self, rows: list[list[Any]]) -> None:
        if not rows:
            return
        if self._text is not None:
            for values in rows:
                self._text.write(
                    json.dumps(dict(zip(COLUMNS, values, strict=True)), ensure_ascii=False)
                )
                self._text.write("\n")
            return
        import pyarrow as pa

        columns = list(zip(*rows, strict=True))
        self._writer.write_table(
            pa.Table.from_arrays([pa.array(c) for c in columns], schema=_schema())
        )

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stack.__exit__(kind, error, trace)


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The rows a :class:`RowWriter` wrote, as dictionaries (for tests and tools)."""
    kind = out_kind(path)
    if kind == "jsonl":
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)
        return
    if kind == "csv":
        import pyarrow.csv as pv

        table = pv.read_csv(
            str(path),
            convert_options=pv.ConvertOptions(column_types=_schema(), strings_can_be_null=True),
        )
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(str(path))
    yield from table.to_pylist()


# --- the summary ---------------------------------------------------------------------


def summary_json(summary: Summary, old: Options, new: Options) -> dict[str, Any]:
    """The summary as JSON: counts, sums as decimal text (DISP-1 of NEW), the buckets
    and the worst accounts' rows."""

    def num(value: Exact) -> str:
        return display_text(value, new.display_decimals, new.display_rounding)

    return {
        "accounts": summary.accounts,
        "positions": summary.positions,
        "liquidatable": {"old": summary.liquidatable[0], "new": summary.liquidatable[1]},
        "marginCalled": {"old": summary.margin_called[0], "new": summary.margin_called[1]},
        "maintMargin": {"old": num(summary.maint_margin[0]), "new": num(summary.maint_margin[1])},
        "extraMargin": {"old": num(summary.extra_margin[0]), "new": num(summary.extra_margin[1])},
        "becomeLiquidatable": {
            "accounts": summary.becomes_liquidatable,
            "extraMargin": num(summary.becomes_liquidatable_extra),
        },
        "becomeMarginCalled": {
            "accounts": summary.becomes_margin_called,
            "extraMargin": num(summary.becomes_margin_called_extra),
        },
        "lowerMaxLeverage": {
            "accounts": summary.lower_max_leverage,
            "extraMargin": num(summary.lower_max_leverage_extra),
        },
        "leverageCut": summary.leverage_cut,
        "maintMarginChange": dict(zip(MM_LABELS, summary.mm_buckets, strict=True)),
        "extraMarginIncrease": dict(zip(EXTRA_LABELS, summary.extra_buckets, strict=True)),
        "worst": [dict(zip(COLUMNS, row(i, old, new), strict=True)) for i in summary.worst],
    }


def print_summary(document: dict[str, Any], title: str, console: Any) -> None:
    """The summary for people: counts, the two distributions and the worst accounts."""
    from rich.table import Table

    head = Table(title=title, show_header=True)
    for label in ("", "accounts", "extra margin under NEW"):
        head.add_column(label, justify="right" if label else "left")
    head.add_row("accounts in the book", str(document["accounts"]), document["extraMargin"]["new"])
    head.add_row("positions", str(document["positions"]), "")
    for key, label in (
        ("becomeLiquidatable", "become liquidatable"),
        ("becomeMarginCalled", "become margin-called"),
        ("lowerMaxLeverage", "get a lower max leverage"),
    ):
        head.add_row(label, str(document[key]["accounts"]), document[key]["extraMargin"])
    head.add_row("leverage cut to NEW's maximum", str(document["leverageCut"]), "")
    for key, label in (("liquidatable", "liquidatable"), ("marginCalled", "margin-called")):
        head.add_row(f"{label} OLD → NEW", f"{document[key]['old']} → {document[key]['new']}", "")
    head.add_row(
        "maintenance margin OLD → NEW",
        "",
        f"{document['maintMargin']['old']} → {document['maintMargin']['new']}",
    )
    console.print(head)
    for key, label in (
        ("maintMarginChange", "maintenance margin change (accounts with MM under OLD)"),
        ("extraMarginIncrease", "extra margin increase"),
    ):
        table = Table(title=label)
        table.add_column("bucket")
        table.add_column("accounts", justify="right")
        for bucket, count in document[key].items():
            table.add_row(bucket, str(count))
        console.print(table)
    if document["worst"]:
        worst = Table(title=f"the {len(document['worst'])} worst accounts")
        for column, heading in _WORST_COLUMNS.items():
            worst.add_column(heading, justify="left" if column == "account" else "right")
        for item in document["worst"]:
            worst.add_row(*(cell_text(item[c]) for c in _WORST_COLUMNS))
        console.print(worst)


#: The worst accounts' columns and their short headings (the table fits 80 columns).
_WORST_COLUMNS = {
    "account": "account",
    "extraMarginIncrease": "extra margin +",
    "newExtraMargin": "extra (NEW)",
    "oldMaintMargin": "MM (OLD)",
    "newMaintMargin": "MM (NEW)",
    "newLiquidatable": "liq. (NEW)",
    "newMarginCalled": "called (NEW)",
}


def write_plot(path: Path, document: dict[str, Any], title: str) -> None:
    """The two distributions as bar charts in one PNG (needs matplotlib, the ``plot`` extra)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError("--plot", "needs matplotlib: pip install 'marginspec[plot]'") from None
    figure = Figure(figsize=(11, 4.5), layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title)
    for axes, key, label in zip(
        figure.subplots(1, 2),
        ("maintMarginChange", "extraMarginIncrease"),
        ("maintenance margin change", "extra margin increase (USDT)"),
        strict=True,
    ):
        buckets = document[key]
        axes.bar(range(len(buckets)), list(buckets.values()), color="#4c72b0")
        axes.set_xticks(range(len(buckets)), list(buckets), rotation=40, ha="right", fontsize=8)
        axes.set_title(label)
        axes.set_ylabel("accounts")
    with replacing(path, "the plot") as temporary:
        figure.savefig(str(temporary), format="png", dpi=110)


def plot_available() -> None:
    """Refuse ``--plot`` before any work when matplotlib is not installed."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise InputError("--plot", "needs matplotlib: pip install 'marginspec[plot]'")
