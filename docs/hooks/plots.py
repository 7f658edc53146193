"""The documentation's figures, drawn at build time from the bundled rule set (mkdocs hook).

Every plotted number comes from the model's own formula functions (``marginspec``): MM-1
for the maintenance margin, LIQ-2/LIQ-3 for the liquidation price, THM-DIFF for the
rule-change review. The exact results are turned into floats only to be drawn. The SVGs
are not committed: :func:`on_files` adds them to the site as generated files (``img/``),
so they always show the rule set the code ships. ``generate(folder)`` writes the same
files to a folder (tests/whole_repo/test_docs_figures.py calls it).

Deterministic output: a fixed ``svg.hashsalt``, no date in the metadata, text kept as
text (``svg.fonttype = none``), so the same rules give the same bytes.
"""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from marginspec import brackets
from marginspec.brackets import Boundary, Bracket, expected_cum
from marginspec.liquidation import Leg, liquidation_price
from marginspec.numbers import Exact, exact, to_plain
from marginspec.proofs.diff import SymbolDiff, diff
from marginspec.rulefile import load_bundled
from marginspec.ruleset import RuleSet

SYMBOL = "BTCUSDT"
ENTRY = Exact(80000)  # the entry (and mark) price of the liquidation figures, USDT
FOLDER = "img"  # where the figures land in the site, next to the pages
STYLE: Any = {  # matplotlib's rc parameters (typed there as a Literal-keyed dict)
    "svg.hashsalt": "marginspec",
    "svg.fonttype": "none",
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
OLD_COLOUR, NEW_COLOUR = "#0072b2", "#d55e00"  # colour-blind-safe pair (Okabe-Ito)
LONG_COLOUR, SHORT_COLOUR = "#009e73", "#cc79a7"


def _f(value: object) -> float:
    """Display only: an exact model value as a float for drawing."""
    return float(Exact(value))


def _usdt(value: object) -> str:
    number = Exact(value)
    if number >= 1_000_000:
        return f"{_f(number) / 1_000_000:g}M"
    if number >= 1000:
        return f"{_f(number) / 1000:g}k"
    return to_plain(number)


def _mark_brackets(axes: Any, table: Sequence[Bracket], scale: int | Exact = 1) -> None:
    """Dotted lines at the bracket boundaries (BRK-3), ``scale`` converting notional to x."""
    for row in table[1:]:
        axes.axvline(
            _f(Exact(row.notional_floor) / scale), color="0.55", linestyle=":", linewidth=0.9
        )


def _label_brackets(axes: Any, table: Sequence[Bracket], right: float) -> None:
    """Each bracket's number at the top of ``axes``, in the middle of its span (log x)."""
    left, _ = axes.get_xlim()
    for row in table:
        low = max(_f(row.notional_floor), left)
        high = min(_f(row.notional_cap), right)
        if high <= low:
            continue
        axes.annotate(
            str(row.bracket),
            xy=((low * high) ** 0.5, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            color="0.35",
        )


def _notionals(table: Sequence[Bracket], low: Exact, high: Exact, per_decade: int) -> list[Exact]:
    """A log-spaced grid from ``low`` to ``high`` plus every boundary inside (exact values)."""
    points = {low, high}
    value, ratio = low, 10 ** (1 / per_decade)
    while value < high:
        points.add(value)
        value = exact(
            f"{_f(value) * ratio:.6g}", exponent=True
        )  # sample points only: rounded decimals
    for row in table:
        for edge in (row.notional_floor, row.notional_cap):
            if low < edge < high:
                points.add(Exact(edge))
    return sorted(points)


def _edges(rows: Sequence[Bracket], low: Exact, high: Exact) -> list[Exact]:
    """``low``, ``high`` and every bracket boundary between them, in order."""
    inside = {Exact(e) for row in rows for e in (row.notional_floor, row.notional_cap)}
    return sorted({low, high} | {e for e in inside if low < e < high})


def _segments(
    edges: Sequence[Exact], value: Callable[[Exact], object]
) -> list[tuple[Exact, Exact]]:
    """A step function drawn flat between the edges, each step's value taken by the formula
    at the segment's middle (so the picture never depends on which side owns a boundary)."""
    points = []
    for low, high in itertools.pairwise(edges):
        level = Exact(value((low + high) / 2))
        points += [(low, level), (high, level)]
    return points


def mm_figure(ruleset: RuleSet) -> Figure:
    """(a) MM-1 and the maintenance rate against notional, brackets marked."""
    market = ruleset.market(SYMBOL)
    table, boundary = market.brackets, ruleset.options.bracket_boundary
    low, high = Exact(1000), Exact(table[-1].notional_cap)
    grid = _notionals(table, low, high, 24)
    mm = [brackets.maint_margin(table, n, boundary) for n in grid]
    rate = [brackets.maint_margin_ratio(table, n, boundary) for n in grid]  # BRK-3
    figure = Figure(figsize=(8, 6.4), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    top.loglog([_f(n) for n in grid], [_f(m) for m in mm], color=OLD_COLOUR, label="MM (MM-1)")
    top.loglog(
        [_f(n) for n in grid],
        [_f(n * r) for n, r in zip(grid, rate, strict=True)],
        color="0.5",
        linestyle="--",
        linewidth=1,
        label="N × MMR without the cum offset (jumps at each boundary)",
    )
    top.set_ylabel("maintenance margin (USDT)")
    top.set_title(
        f"{SYMBOL} maintenance margin against notional ({ruleset.name}, brackets numbered on top)",
        pad=16,
    )
    steps = _segments(
        _edges(table, low, high), lambda n: brackets.maint_margin_ratio(table, n, boundary)
    )
    bottom.loglog(
        [_f(n) for n, _ in steps],
        [_f(r * 100) for _, r in steps],
        color=NEW_COLOUR,
        label="the bracket's maintenance margin rate MMR",
    )
    bottom.loglog(
        [_f(n) for n in grid],
        [_f(m / n * 100) for m, n in zip(mm, grid, strict=True)],
        color=OLD_COLOUR,
        label="MM ÷ notional (the rate actually paid)",
    )
    ticks: list[float] = []
    for row in table:  # the brackets' own rates as ticks, thinned where they would crowd
        percent = _f(row.maint_margin_ratio * 100)
        if not ticks or percent >= ticks[-1] * 1.6:
            ticks.append(percent)
    bottom.set_yticks(ticks, [f"{t:g}" for t in ticks])
    bottom.minorticks_off()
    bottom.set_ylabel("rate (% of notional, log scale)")
    bottom.set_xlabel("position notional at mark |N| (USDT, log scale)")
    for axes in (top, bottom):
        _mark_brackets(axes, table)
        axes.set_xlim(_f(low), _f(high))
        axes.legend(loc="upper left")
    _label_brackets(top, table, _f(high))
    return figure


def _isolated_lp(
    amount: Exact, leverage: Exact, table: Sequence[Bracket], boundary: Boundary
) -> Exact | None:
    """LIQ-2/LIQ-3 of one isolated position opened at ENTRY with wallet = initial margin."""
    wallet = abs(amount) * ENTRY / leverage  # IM-1: |N| / leverage at the entry
    result = liquidation_price([Leg(amount, ENTRY, table)], wallet, 0, 0, ENTRY, boundary)
    return Exact(result.price) if result.exists else None


def liquidation_figure(ruleset: RuleSet) -> Figure:
    """(b) LIQ-2/LIQ-3: liquidation price against leverage and against position size."""
    market = ruleset.market(SYMBOL)
    table, boundary = market.brackets, ruleset.options.bracket_boundary
    figure = Figure(figsize=(8, 7.2), layout="constrained")
    left, right = figure.subplots(2, 1)
    one = Exact(1)
    cap = int(brackets.max_leverage(table, one * ENTRY, boundary))  # LEV-2 at 1 BTC
    leverages = [Exact(lev) for lev in range(1, cap + 1)]
    for sign, name, colour in ((1, "long", LONG_COLOUR), (-1, "short", SHORT_COLOUR)):
        shown = [
            (_f(lev), _f(p))
            for lev in leverages
            if (p := _isolated_lp(sign * one, lev, table, boundary)) is not None
        ]
        left.plot(
            [x for x, _ in shown],
            [p for _, p in shown],
            color=colour,
            label=f"{name} 1 BTC" + (" (none at 1x: LIQ-5)" if sign > 0 else ""),
        )
    left.axhline(_f(ENTRY), color="0.3", linewidth=0.9, linestyle="--", label="entry = mark")
    left.set_xlabel(f"leverage (1x to {cap}x, the most LEV-2 allows for 1 BTC)")
    left.set_ylabel("liquidation price (USDT)")
    left.set_title(
        f"{SYMBOL} liquidation price against leverage: 1 BTC at {_usdt(ENTRY)} USDT\n"
        "isolated, wallet = initial margin (notional ÷ leverage)"
    )
    left.legend()

    leverage = Exact(20)
    most = brackets.max_notional(table, leverage) / ENTRY  # LEV-3: the largest size at 20x
    sizes = [n / ENTRY for n in _notionals(table, Exact(800), most * ENTRY, 24)]
    for sign, name, colour in ((1, "long", LONG_COLOUR), (-1, "short", SHORT_COLOUR)):
        shown = [
            (_f(size), _f(p))
            for size in sizes
            if (p := _isolated_lp(sign * size, leverage, table, boundary)) is not None
        ]
        right.semilogx([x for x, _ in shown], [p for _, p in shown], color=colour, label=name)
    right.axhline(_f(ENTRY), color="0.3", linewidth=0.9, linestyle="--", label="entry = mark")
    _mark_brackets(right, [row for row in table if row.notional_floor < most * ENTRY], ENTRY)
    right.set_xlim(_f(sizes[0]), _f(sizes[-1]))
    right.set_xlabel(
        "position size (BTC, log scale; dotted: bracket boundaries at the entry price)"
    )
    right.set_ylabel("liquidation price (USDT)")
    right.set_title(
        f"against position size at {_usdt(leverage)}x, up to {to_plain(most)} BTC (LEV-3),"
        " same wallet rule"
    )
    right.legend()
    return figure


def _max_leverage(table: Sequence[Bracket], boundary: Boundary, notional: Exact) -> object:
    return brackets.max_leverage(table, notional, boundary)  # LEV-2


def proposed_change(ruleset: RuleSet) -> RuleSet:
    """The guide's change: BTCUSDT bracket 2 at 0.6 % and 75x, every cum recomputed (BRK-2)."""
    market = ruleset.market(SYMBOL)
    rows = list(market.brackets)
    rows[1] = attrs.evolve(rows[1], maint_margin_ratio=exact("0.006"), initial_leverage=Exact(75))
    for index in range(1, len(rows)):
        rows[index] = attrs.evolve(rows[index], cum=Exact(expected_cum(rows, index)))
    markets = {**ruleset.markets, SYMBOL: attrs.evolve(market, brackets=tuple(rows))}
    return attrs.evolve(ruleset, name=f"{ruleset.name} (proposed)", markets=markets)


def _changed(old: RuleSet, new: RuleSet) -> SymbolDiff:
    return next(d for d in diff(old, new) if d.symbol == SYMBOL)


def diff_figure(old: RuleSet) -> Figure:
    """(c) THM-DIFF: two tables' MM curves and maximum leverage, the witnesses marked."""
    new = proposed_change(old)
    found = _changed(old, new)
    boundary = new.options.bracket_boundary
    t_old, t_new = old.market(SYMBOL).brackets, new.market(SYMBOL).brackets
    high = Exact(400_000)
    grid = sorted({Exact(n) for n in range(0, 400_001, 2_000)} | {Exact(50_000), Exact(250_000)})
    xs = [_f(n) for n in grid]
    mm_old = [_f(brackets.maint_margin(t_old, n, boundary)) for n in grid]
    mm_new = [_f(brackets.maint_margin(t_new, n, boundary)) for n in grid]
    figure = Figure(figsize=(8, 7.6), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    top.plot(xs, mm_old, color=OLD_COLOUR, label=f"old: {old.name}")
    top.plot(xs, mm_new, color=NEW_COLOUR, label="new: bracket 2 at 0.6 %, 75x")
    top.fill_between(
        xs,
        mm_old,
        mm_new,
        where=[b > a for a, b in zip(mm_old, mm_new, strict=True)],
        color=NEW_COLOUR,
        alpha=0.2,
        label="isolated wallets healthy under old, liquidatable under new",
    )
    for stricter in found.stricter:
        end = _f(high if stricter.high is None else min(stricter.high, high))
        top.axvspan(
            _f(stricter.low),
            end,
            color=NEW_COLOUR,
            alpha=0.06,
            label=f"MM stricter on {stricter.text()}",
        )
    witness = found.liquidated_witness
    if witness is not None:
        n, w = _f(exact(witness["notional"])), _f(exact(witness["isolatedWallet"]))
        label = (
            f"witness: notional {witness['notional']}, isolated wallet {witness['isolatedWallet']}"
        )
        top.plot([n], [w], marker="o", color="black", linestyle="none", label=label)
        zoom = top.inset_axes((0.64, 0.05, 0.34, 0.3))
        span = Exact(2)
        near = [exact(witness["notional"]) + span * Exact(k - 20, 20) for k in range(41)]
        zoom.plot(
            [_f(v) for v in near],
            [_f(brackets.maint_margin(t_old, v, boundary)) for v in near],
            color=OLD_COLOUR,
        )
        zoom.plot(
            [_f(v) for v in near],
            [_f(brackets.maint_margin(t_new, v, boundary)) for v in near],
            color=NEW_COLOUR,
        )
        zoom.plot([n], [w], marker="o", color="black")
        zoom.set_title("zoom on the witness", fontsize=8)
        zoom.tick_params(labelsize=7)
        zoom.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        zoom.ticklabel_format(useOffset=False, style="plain")
        top.indicate_inset_zoom(zoom, edgecolor="0.4")
    top.set_ylabel("maintenance margin (USDT)")
    top.set_title(f"{SYMBOL}: the rule change `marginspec diff` reviews, its witnesses marked")
    top.legend(loc="upper left", fontsize=8)

    edges = _edges([*t_old, *t_new], Exact(0), high)
    for table, colour, name in ((t_old, OLD_COLOUR, "old"), (t_new, NEW_COLOUR, "new")):
        steps = _segments(edges, functools.partial(_max_leverage, table, boundary))
        bottom.plot([_f(n) for n, _ in steps], [_f(v) for _, v in steps], color=colour, label=name)
    for dropped in found.leverage_dropped:
        end = _f(high if dropped.high is None else dropped.high)
        bottom.axvspan(
            _f(dropped.low),
            end,
            color=NEW_COLOUR,
            alpha=0.08,
            label=f"maximum leverage dropped on {dropped.text()}",
        )
    refused = found.refused_witness
    if refused is not None:
        bottom.plot(
            [_f(exact(refused["notional"]))],
            [refused["leverage"]],
            marker="s",
            color="black",
            linestyle="none",
            label=f"witness: {refused['notional']} USDT at {refused['leverage']}x, refused under new (-2027)",
        )
    bottom.set_ylabel("maximum leverage (LEV-2)")
    bottom.set_xlabel("position notional at mark (USDT)")
    bottom.set_xlim(0, _f(high))
    bottom.legend(loc="upper right", fontsize=8)
    for axes in (top, bottom):
        _mark_brackets(axes, [row for row in t_old if row.notional_floor < high])
    return figure


#: File name in the site -> the function drawing it from the bundled rule set.
FIGURES: dict[str, Callable[[RuleSet], Figure]] = {
    "mm-btcusdt.svg": mm_figure,
    "liquidation-btcusdt.svg": liquidation_figure,
    "diff-btcusdt.svg": diff_figure,
}


def draw(name: str, ruleset: RuleSet, fmt: str = "svg") -> bytes:
    """One figure of :data:`FIGURES` as bytes, drawn and saved in the house style; the same
    rules give the same bytes (no date, a fixed hash salt)."""
    out = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure = FIGURES[name](ruleset)
        figure.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return out.getvalue()


def figures(fmt: str = "svg") -> Iterator[tuple[str, bytes]]:
    """Every figure as ``(file name, bytes)``, drawn from the bundled rule set."""
    ruleset = load_bundled()
    for name in FIGURES:
        yield name.replace(".svg", f".{fmt}"), draw(name, ruleset, fmt)


def generate(folder: Path, fmt: str = "svg") -> list[Path]:
    """Write every figure into ``folder`` (tests, and PNG copies to look at)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in figures(fmt):
        path = folder / name
        path.write_bytes(content)
        written.append(path)
    return written


def on_files(files: Any, config: Any) -> Any:
    """mkdocs hook: add the figures to the site as generated files under ``img/``."""
    from mkdocs.structure.files import File

    for name, content in figures():
        files.append(File.generated(config, f"{FOLDER}/{name}", content=content))
    return files
