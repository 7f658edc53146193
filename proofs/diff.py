"""Compare two rule sets before a change is released (THM-DIFF).

Maintenance margin and maximum leverage are piecewise linear / piecewise constant in
the notional, so their differences are computed exactly on the segments between the
union of both tables' boundaries; the two witnesses (a position healthy under OLD
and liquidatable under NEW, a position that could open under OLD and is refused under
NEW) are found by Z3 over the model's formula functions and confirmed by the model.
"""

from __future__ import annotations

import itertools
from typing import Any

import attrs
import z3

from marginspec import brackets
from marginspec.account import parse_account
from marginspec.brackets import Boundary, Table
from marginspec.evaluate import evaluate
from marginspec.numbers import Exact, to_input, to_plain
from marginspec.proofs.concrete import rounding_note
from marginspec.proofs.tables import as_terms
from marginspec.proofs.theorem import exact_value
from marginspec.ruleset import Market, RuleSet

MARK = Exact(100)


@attrs.frozen
class Range:
    low: Exact
    high: Exact | None  # None: unbounded

    def text(self) -> str:
        return f"({to_plain(self.low)}, {'∞' if self.high is None else to_plain(self.high)}]"


@attrs.frozen
class SymbolDiff:
    symbol: str
    status: str  # "added", "removed", "changed", "unchanged"
    changes: tuple[str, ...] = ()
    stricter: tuple[Range, ...] = ()  # notional ranges where NEW's MM is higher
    looser: tuple[Range, ...] = ()
    leverage_dropped: tuple[Range, ...] = ()
    liquidated_witness: dict[str, Any] | None = None
    refused_witness: dict[str, Any] | None = None


def _mm(table: Table, n: Exact, boundary: Boundary) -> Exact:
    return Exact(brackets.maint_margin(table, n, boundary))


def _points(old: Table, new: Table) -> list[Exact]:
    points = {Exact(0)}
    for b in (*old, *new):
        points |= {Exact(b.notional_floor), Exact(b.notional_cap)}
    return sorted(points)


def _merge(ranges: list[Range]) -> tuple[Range, ...]:
    out: list[Range] = []
    for r in ranges:
        if out and out[-1].high == r.low:
            out[-1] = Range(out[-1].low, r.high)
        else:
            out.append(r)
    return tuple(out)


def mm_ranges(
    old: Table, new: Table, boundary: Boundary
) -> tuple[tuple[Range, ...], tuple[Range, ...]]:
    """Notional ranges where NEW's MM is above (stricter) and below (looser) OLD's."""
    points = _points(old, new)
    stricter: list[Range] = []
    looser: list[Range] = []
    segments = [*itertools.pairwise(points), (points[-1], None)]
    for low, high in segments:
        top = high if high is not None else low + 1
        d_low = _mm(new, low, boundary) - _mm(old, low, boundary)
        d_top = _mm(new, top, boundary) - _mm(old, top, boundary)
        cut = None
        if d_low * d_top < 0:
            cut = low + (top - low) * d_low / (d_low - d_top)
        pieces = (
            [(low, cut, d_low), (cut, high, d_top)]
            if cut is not None
            else [(low, high, d_top if d_top != 0 else d_low)]
        )
        for a, b, sign in pieces:
            if sign > 0:
                stricter.append(Range(a, b))
            elif sign < 0:
                looser.append(Range(a, b))
    return _merge(stricter), _merge(looser)


def leverage_drops(old: Table, new: Table, boundary: Boundary) -> tuple[Range, ...]:
    points = _points(old, new)
    drops = []
    for low, high in [*itertools.pairwise(points), (points[-1], None)]:
        probe = (low + high) / 2 if high is not None else low + 1
        if brackets.max_leverage(new, Exact(probe), boundary) < brackets.max_leverage(
            old, Exact(probe), boundary
        ):
            drops.append(Range(low, high))
    return _merge(drops)


def _snapshot(
    symbol: str, notional: Exact, wallet: Exact, leverage: int, text: bool
) -> dict[str, Any]:
    show: Any = to_input if text else (lambda v: v)
    return {
        "crossWalletBalance": show(Exact(0)),
        "positions": [
            {
                "symbol": symbol,
                "positionAmt": show(notional / MARK),
                "entryPrice": show(MARK),
                "markPrice": show(MARK),
                "marginType": "isolated",
                "leverage": leverage,
                "isolatedWallet": show(wallet),
            }
        ],
    }


def _liquidated_witness(
    old: RuleSet, new: RuleSet, symbol: str, timeout_ms: int
) -> dict[str, Any] | None:
    """A position healthy under OLD and liquidatable under NEW at the same mark (LIQ-1)."""
    boundary_old, boundary_new = old.options.bracket_boundary, new.options.bracket_boundary
    t_old, t_new = as_terms(old.markets[symbol].brackets), as_terms(new.markets[symbol].brackets)
    n, w = z3.Reals("N wallet")
    s = z3.SolverFor("QF_NRA")
    s.set("timeout", timeout_ms)
    mm_old = brackets.maint_margin(t_old, n, boundary_old)
    mm_new = brackets.maint_margin(t_new, n, boundary_new)
    s.add(n > 0, w > 0, w >= mm_old, w < mm_new)
    if s.check() != z3.sat:
        return None
    notional, wallet = exact_value(s.model(), n), exact_value(s.model(), w)
    exact_doc = _snapshot(symbol, notional, wallet, 1, text=False)
    healthy_old = not evaluate(parse_account(exact_doc, old), old).positions[0].liquidatable
    liquidated_new = bool(evaluate(parse_account(exact_doc, new), new).positions[0].liquidatable)
    witness: dict[str, Any] = {
        "notional": to_plain(notional),
        "isolatedWallet": to_plain(wallet),
        "evaluateInput": _snapshot(symbol, notional, wallet, 1, text=True),
        "confirmedByModel": healthy_old and liquidated_new,
    }
    note = rounding_note(exact_doc)
    if note:
        witness["note"] = note.strip(" ()")
    return witness


def _refused_witness(
    old: RuleSet, new: RuleSet, symbol: str, timeout_ms: int
) -> dict[str, Any] | None:
    """A notional and leverage allowed under OLD and beyond NEW's cap (LEV-3, -2027)."""
    t_old, t_new = old.markets[symbol].brackets, new.markets[symbol].brackets
    lev = z3.Int("leverage")
    n = z3.Real("N")
    s = z3.SolverFor("QF_NIRA")
    s.set("timeout", timeout_ms)
    s.add(lev >= 1, n > 0)
    s.add(
        n <= brackets.max_notional(as_terms(t_old), lev),
        n > brackets.max_notional(as_terms(t_new), lev),
    )
    if s.check() != z3.sat:
        return None
    leverage = int(exact_value(s.model(), lev))
    notional = exact_value(s.model(), n)
    confirmed = Exact(notional) <= brackets.max_notional(t_old, Exact(leverage)) and Exact(
        notional
    ) > brackets.max_notional(t_new, Exact(leverage))
    return {
        "leverage": leverage,
        "notional": to_plain(notional),
        "confirmedByModel": bool(confirmed),
    }


def _changes(old: Market, new: Market) -> tuple[str, ...]:
    out = []
    for a, b in zip(old.brackets, new.brackets, strict=False):
        for f in (
            "notional_floor",
            "notional_cap",
            "initial_leverage",
            "maint_margin_ratio",
            "cum",
        ):
            if getattr(a, f) != getattr(b, f):
                out.append(
                    f"bracket {a.bracket} {f}: {to_plain(getattr(a, f))} → {to_plain(getattr(b, f))}"
                )
    if len(old.brackets) != len(new.brackets):
        out.append(f"brackets: {len(old.brackets)} → {len(new.brackets)}")
    return tuple(out)


def diff(old: RuleSet, new: RuleSet, timeout_ms: int = 10000) -> list[SymbolDiff]:
    out = []
    for symbol in sorted(set(old.markets) | set(new.markets)):
        if symbol not in new.markets:
            out.append(SymbolDiff(symbol, "removed"))
            continue
        if symbol not in old.markets:
            out.append(SymbolDiff(symbol, "added"))
            continue
        a, b = old.markets[symbol], new.markets[symbol]
        changes = _changes(a, b)
        if not changes:
            out.append(SymbolDiff(symbol, "unchanged"))
            continue
        stricter, looser = mm_ranges(a.brackets, b.brackets, new.options.bracket_boundary)
        out.append(
            SymbolDiff(
                symbol,
                "changed",
                changes,
                stricter,
                looser,
                leverage_drops(a.brackets, b.brackets, new.options.bracket_boundary),
                _liquidated_witness(old, new, symbol, timeout_ms) if stricter else None,
                _refused_witness(old, new, symbol, timeout_ms),
            )
        )
    return out
