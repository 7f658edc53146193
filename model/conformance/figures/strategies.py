"""Hypothesis strategies over account snapshots, aimed where calculators go wrong (FIG-3).

One :func:`snapshots` strategy draws a whole ``evaluate`` input: one to three symbols
(each cross or isolated, one-way or a hedge pair), positions whose notional at the mark
lies on, or one step either side of, a bracket floor (BRK-3), wallets solved so that a
chosen position's liquidation price puts its notional on or next to a bracket floor
(LIQ-3), cross accounts mixing longs and shorts over several symbols (LIQ-2's TMM1 and
UPNL1), open orders (ORD-1, ORD-2), 1x longs that have no liquidation price (LIQ-5), and
marks near zero. Every number is an exact decimal. For a tool that declares the API-profile
figures (FIG-8), positions also carry a drawn break-even fee rate (FEE-2; none: twice the
rule set's nonzero taker fee, so the break-even price is never the entry) and an ADL
quantile (SNAP-4); the 8-decimal mark and entry grid times a quantity step makes the uPnL
and margins longer than the API's 8 places, so its rounding shows.

The snapshot is drawn through a :class:`Chooser`, one integer choice at a time, where
choice 0 is always the simplest option (one symbol, one position, the first price, no
orders): :func:`snapshots` is the Hypothesis strategy (choices drawn by Hypothesis, for
property tests of your own), and the kit's search draws the same choices from a seeded
``random.Random`` and shrinks the recorded choice sequence itself
(:mod:`marginspec.conformance.figures.shrink`): Hypothesis's per-example overhead, about
0.9 ms, would otherwise bound the kit to about a thousand snapshots a second.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st

from marginspec import brackets
from marginspec.conformance.figures.engine import FiguresCapabilities
from marginspec.decimal_text import plain_text
from marginspec.numbers import Exact
from marginspec.ruleset import Market, RuleSet

#: Mark prices: a liquid market's, mid-cap, one unit, and near zero (float cancellation).
PRICES = tuple(Exact(Decimal(p)) for p in ("80000", "3000", "25", "1", "0.0012345", "0.00000456"))
#: Price grid of the drawn marks and entries (a tick every tool can print).
_TICK = Exact(1, 10**8)

T = TypeVar("T")


class Chooser(Protocol):
    """A source of choices: ``choice(n)`` is an integer in ``[0, n)``, 0 the simplest."""

    def choice(self, n: int) -> int: ...


class RandomChooser:
    """Choices from a seeded generator, recorded for shrinking."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.record: list[int] = []
        self.spans: list[tuple[int, int]] = []

    def choice(self, n: int) -> int:
        value = self.rng.randrange(n) if n > 1 else 0
        self.record.append(value)
        return value


class ReplayChooser:
    """Choices replayed from a sequence (clamped to each range; past its end, 0)."""

    def __init__(self, sequence: Sequence[int]) -> None:
        self.sequence = sequence
        self.record: list[int] = []
        self.spans: list[tuple[int, int]] = []

    def choice(self, n: int) -> int:
        i = len(self.record)
        value = min(self.sequence[i], n - 1) if i < len(self.sequence) else 0
        self.record.append(value)
        return value


class _HypothesisChooser:
    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def choice(self, n: int) -> int:
        return self.draw(st.integers(0, n - 1)) if n > 1 else 0


def _pick(ch: Chooser, options: Sequence[T]) -> T:
    return options[ch.choice(len(options))]


def _offset(ch: Chooser, bound: int) -> int:
    """An integer in ``[-bound, bound]``: 0, 1, -1, 2, -2, … (smaller first)."""
    c = ch.choice(2 * bound + 1)
    half = (c + 1) // 2
    return half if c % 2 else -half


def _grid(value: Exact, unit: Exact) -> Exact:
    """``value`` rounded down to a multiple of ``unit`` (never below one unit)."""
    steps = max(1, (value / unit).numerator // (value / unit).denominator)
    return Exact(steps) * unit


def _text(value: Exact) -> str:
    return plain_text(value)  # to_plain's fast path


def _mark(ch: Chooser) -> Exact:
    base = _pick(ch, PRICES)
    permille = _offset(ch, 300)
    return _grid(base * (1 + Exact(permille, 1000)), _TICK)


def _quantity(ch: Chooser, market: Market, mark: Exact) -> Exact:
    """A size whose notional at the mark lies in a drawn bracket, or on one of its floors
    (± one step); never below the market's minimum notional (such a position cannot be
    opened)."""
    step = market.step_size
    table = market.brackets
    least = market.min_notional / (mark * step)
    smallest = Exact(max(1, -(-least.numerator // least.denominator))) * step
    if ch.choice(2) == 0:
        # Anywhere in a bracket: its floor plus a drawn share of its width.
        row = table[ch.choice(len(table))]
        share = Exact(ch.choice(1000), 1000)
        notional = row.notional_floor + (row.notional_cap - row.notional_floor) * share
        return max(smallest, _grid(notional / mark, step))
    k = 1 + ch.choice(len(table) - 1)
    size = table[k].notional_floor / mark
    on_grid = _grid(size, step)
    if on_grid == size:
        # The notional is exactly the floor: on it, one step below, one step above.
        return max(smallest, on_grid + _pick(ch, (0, -1, 1)) * step)
    # Off the step grid: the sizes just below and just above the floor.
    return max(smallest, on_grid + _pick(ch, (0, 1)) * step)


def _leverage(ch: Chooser, market: Market, notional: Exact, boundary: brackets.Boundary) -> int:
    """An allowed leverage for the notional (LEV-2): 1x, the maximum, half of it, or 10x."""
    top = int(brackets.max_leverage(market.brackets, notional, boundary))
    return _pick(ch, sorted({1, top, max(1, top // 2), min(top, 10)}))


def draw_snapshot(ch: Chooser, ruleset: RuleSet, caps: FiguresCapabilities) -> dict[str, Any]:
    """One ``evaluate`` input snapshot (FIG-3).

    Each further symbol and each open order is one *span* of choices, its "one more?"
    flag included, so that the shrinker can delete it whole (:func:`_span`).
    """
    boundary = ruleset.options.bracket_boundary
    names = sorted(ruleset.markets)
    most = min(3, len(names)) if caps.multi_symbol else 1
    hedge = caps.base.hedge_mode and ch.choice(2) == 1
    types = sorted(caps.margin_types)
    positions: list[dict[str, Any]] = []
    cross_im = Exact(0)
    symbols: list[str] = []
    while len(symbols) < most:
        start = _span_start(ch)
        if symbols and not ch.choice(2):  # one more symbol?
            break
        symbol = _pick(ch, [n for n in names if n not in symbols])
        symbols.append(symbol)
        market = ruleset.markets[symbol]
        mark = _mark(ch)
        margin_type = _pick(ch, types)
        sides = [("BOTH", _pick(ch, (1, -1)))]
        if hedge:
            pick = _pick(ch, ("LONG", "SHORT", "pair"))
            sides = [(s, d) for s, d in (("LONG", 1), ("SHORT", -1)) if pick in (s, "pair")]
        rows = []
        for side, direction in sides:
            amount = direction * _quantity(ch, market, mark)
            entry = _grid(mark * (1 + Exact(_offset(ch, 200), 1000)), _TICK)
            rows.append((side, amount, entry))
        exposure = max(abs(a) * max(mark, e) for _, a, e in rows)
        leverage = _leverage(ch, market, exposure, boundary)
        for side, amount, entry in rows:
            position: dict[str, Any] = {
                "symbol": symbol,
                "positionSide": side,
                "positionAmt": _text(amount),
                "entryPrice": _text(entry),
                "markPrice": _text(mark),
                "marginType": margin_type,
                "leverage": leverage,
            }
            if caps.break_even or caps.api:
                _api_echoes(ch, position)
            initial = abs(amount) * entry / leverage
            if margin_type == "isolated":
                # The margin put up on entry (IM-1) and some extra (an addition, XFER-2).
                extra = Exact(ch.choice(101), 100)
                position["isolatedWallet"] = _text(_grid(initial * (1 + extra), _TICK))
            else:
                cross_im += initial
            positions.append(position)
        _span_end(ch, start)
    wallet = _grid(cross_im * (1 + Exact(ch.choice(301), 100)), _TICK) if cross_im else Exact(0)
    snapshot: dict[str, Any] = {
        "crossWalletBalance": _text(wallet),
        "dualSidePosition": hedge,
        "positions": positions,
    }
    if caps.open_orders:
        orders = _orders(ch, positions, ruleset)
        if orders:
            snapshot["openOrders"] = orders
    if ch.choice(2):
        _aim_liquidation(ch, snapshot, ruleset)
    return snapshot


#: Break-even fee rates (opening plus closing, FEE-2): none (the rule set's taker fee
#: twice), maker plus taker, taker twice at a higher tier, a discounted pair.
FEE_RATES = (None, "0.0006", "0.001", "0.00035")


def _api_echoes(ch: Chooser, position: dict[str, Any]) -> None:
    """The snapshot fields only the API profile reads (SNAP-4): a fee rate, an ADL quantile."""
    rate = _pick(ch, FEE_RATES)
    if rate is not None:
        position["breakEvenFeeRate"] = rate
    adl = ch.choice(5)
    if adl:
        position["adl"] = adl


def _span_start(ch: Chooser) -> int:
    """Where a span of choices starts (choosers that record spans, for the shrinker)."""
    record = getattr(ch, "record", None)
    return len(record) if record is not None else 0


def _span_end(ch: Chooser, start: int) -> None:
    spans = getattr(ch, "spans", None)
    record = getattr(ch, "record", None)
    if spans is not None and record is not None and len(record) > start:
        spans.append((start, len(record)))


@st.composite
def snapshots(draw: st.DrawFn, ruleset: RuleSet, caps: FiguresCapabilities) -> dict[str, Any]:
    """The Hypothesis strategy of :func:`draw_snapshot` (FIG-3), for property tests."""
    return draw_snapshot(_HypothesisChooser(draw), ruleset, caps)


def _orders(ch: Chooser, positions: list[dict[str, Any]], ruleset: RuleSet) -> list[Any]:
    """Up to two open orders, each a span: LIMIT orders need margin (ORD-1), stop orders
    none until triggered (ORD-3)."""
    orders: list[dict[str, Any]] = []
    while len(orders) < 2:
        start = _span_start(ch)
        if ch.choice(4 if not orders else 2) != 1:  # an order? (one snapshot in four)
            break
        p = _pick(ch, positions)
        market = ruleset.markets[p["symbol"]]
        side = _pick(ch, ("BUY", "SELL"))
        if p["positionSide"] != "BOTH":
            side = "BUY" if p["positionSide"] == "LONG" else "SELL"
        mark = Exact(Decimal(p["markPrice"]))
        price = _grid(mark * (1 + Exact(_offset(ch, 100), 1000)), _TICK)
        orders.append(
            {
                "symbol": p["symbol"],
                "side": side,
                "positionSide": p["positionSide"],
                "type": _pick(ch, ("LIMIT", "LIMIT", "STOP_MARKET")),
                "price": _text(price),
                "origQty": _text(Exact(1 + ch.choice(10**5)) * market.step_size),
            }
        )
        _span_end(ch, start)
    return orders


def _aim_liquidation(ch: Chooser, snapshot: dict[str, Any], ruleset: RuleSet) -> None:
    """Solve the wallet so that one position's liquidation price puts its notional on a
    bracket floor, or one price tick either side (LIQ-2 solved for WB; LIQ-3).

    Only a position alone on its symbol is aimed at (a hedge pair's legs move together);
    a wallet the equation makes negative leaves the snapshot as drawn.
    """
    from marginspec.account import parse_account
    from marginspec.evaluate import evaluate

    positions = snapshot["positions"]
    alone = [
        i
        for i, p in enumerate(positions)
        if sum(q["symbol"] == p["symbol"] for q in positions) == 1
        and Decimal(p["positionAmt"]) != 0
    ]
    if not alone:
        return
    index = _pick(ch, alone)
    target = positions[index]
    market = ruleset.markets[target["symbol"]]
    table = market.brackets
    amount = Exact(Decimal(target["positionAmt"]))
    entry = Exact(Decimal(target["entryPrice"]))
    size = abs(amount)
    k = ch.choice(len(table))
    floor = table[k].notional_floor
    price = (floor if k else table[0].notional_cap / 2) / size
    price = _grid(price, _TICK) + _pick(ch, (0, -1, 1)) * _TICK
    if price <= 0:
        return
    row = brackets.owning_bracket(table, size * price, ruleset.options.bracket_boundary)
    # LIQ-2: WB − TMM1 + UPNL1 + cum − amt·EP = price · (|amt|·MMR − amt)
    needed = price * (size * row.maint_margin_ratio - amount) - row.cum + amount * entry
    # Wallets are shown to 8 places (DISP-1): keep them there, the price moves by less
    # than a tick of the notional.
    needed = Exact((needed / _TICK).numerator // (needed / _TICK).denominator) * _TICK
    if target["marginType"] == "isolated":
        if needed < 0:
            return
        target["isolatedWallet"] = _text(needed)
        return
    figures = evaluate(parse_account(snapshot, ruleset), ruleset, prices=False)
    other_mm = other_upnl = Exact(0)
    for f in figures.positions:
        p = f.position
        if p.margin_type.value == "cross" and p.symbol != target["symbol"]:
            other_mm += f.maint_margin
            other_upnl += f.unrealized_pnl
    wallet = needed + other_mm - other_upnl
    wallet = Exact((wallet / _TICK).numerator // (wallet / _TICK).denominator) * _TICK
    if wallet >= 0:
        snapshot["crossWalletBalance"] = _text(wallet)
