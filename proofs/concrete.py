"""Concrete theorems: per symbol of a rule set (THM-TAB-*).

The table's exact values are lifted to Z3 constants and the notional is the only
variable; the claims call the model's formula functions. A failure comes with a
witness notional and, where a position shows it, an ``evaluate`` snapshot that the
model itself confirms.
"""

from __future__ import annotations

import time
from typing import Any

import attrs
import z3

from marginspec import brackets, margin
from marginspec.account import parse_account
from marginspec.brackets import Boundary
from marginspec.evaluate import evaluate
from marginspec.numbers import INPUT_PLACES, Exact, is_finite_decimal, to_input, to_plain
from marginspec.proofs.tables import as_terms
from marginspec.proofs.theorem import Counterexample, Result, Status, Theorem, decide, exact_value
from marginspec.ruleset import Market, RuleSet

MARK = Exact(100)  # the mark of a witness position: any positive price shows the same notional


def _witness_snapshot(
    ruleset: RuleSet, market: Market, notional: Exact, text: bool = True
) -> dict[str, Any]:
    """An isolated long opened at the maximum leverage its notional allows, wallet = IM.

    ``text=False`` keeps exact values (a wallet like 400/3 has no decimal form) for the
    model's own confirmation; the printed snapshot writes decimals ``evaluate`` accepts,
    rounding a value without a finite decimal form (:func:`rounding_note` says which).
    """
    show: Any = to_input if text else (lambda v: v)
    boundary = ruleset.options.bracket_boundary
    leverage = int(brackets.max_leverage(market.brackets, notional, boundary))
    qty = notional / MARK
    return {
        "crossWalletBalance": show(Exact(0)),
        "positions": [
            {
                "symbol": market.symbol,
                "positionAmt": show(qty),
                "entryPrice": show(MARK),
                "markPrice": show(MARK),
                "marginType": "isolated",
                "leverage": leverage,
                "isolatedWallet": show(notional / leverage),
            }
        ],
    }


def rounding_note(exact_snapshot: dict[str, Any]) -> str:
    """Names the snapshot values that have no finite decimal form (so the printed
    ``evaluateInput`` rounds them to INPUT_PLACES places), or nothing."""
    rounded = [
        f"{key} = {to_plain(value)}"
        for position in exact_snapshot["positions"]
        for key, value in position.items()
        if not isinstance(value, str) and not is_finite_decimal(value)
    ]
    if not rounded:
        return ""
    return (
        f" ({', '.join(rounded)} has no finite decimal form: evaluateInput rounds it to "
        f"{INPUT_PLACES} places)"
    )


def _confirm(ruleset: RuleSet, snapshot: dict[str, Any], theorem_id: str) -> bool:
    """The model's own verdict on the witness: liquidatable at opening (THM-TAB-2, LIQ-1)
    or reported with a rate of at least 1 (THM-TAB-4)."""
    try:
        position = evaluate(parse_account(snapshot, ruleset), ruleset).positions[0]
    except Exception:  # an ill-formed table can make the witness unevaluable
        return False
    if theorem_id == "THM-TAB-4":
        return bool(position.maint_margin_ratio >= 1)
    return bool(position.liquidatable)


def _well_formed(ruleset: RuleSet, market: Market, timeout_ms: int) -> Result:
    start = time.perf_counter()
    failed = [r for r in brackets.well_formedness(market.brackets) if r.holds is not True]
    if not failed:
        return Result("THM-TAB-1", market.symbol, Status.PROVED, time.perf_counter() - start)
    first = failed[0]
    b = market.brackets[first.index]
    values = {"bracket": str(b.bracket), "violated": first.what}
    if first.index > 0:
        n = b.notional_floor
        below = brackets.maint_margin_in(market.brackets[first.index - 1], n)
        at = brackets.maint_margin_in(b, n)
        values |= {
            "notional": to_plain(n),
            "MM by bracket below": to_plain(below),
            "MM by this bracket": to_plain(at),
        }
    return Result(
        "THM-TAB-1",
        market.symbol,
        Status.FAILED,
        time.perf_counter() - start,
        f"bracket {b.bracket}: {first.what}",
        Counterexample(values, f"bracket {b.bracket} breaks '{first.what}' (BRK-5)"),
    )


def _notional_claim(theorem_id: str, claim_of: Any) -> Any:
    def check(ruleset: RuleSet, market: Market, timeout_ms: int) -> Result:
        start = time.perf_counter()
        # the witness is evaluated with exactly this market's table, even an ill-formed one
        ruleset = attrs.evolve(ruleset, markets={**ruleset.markets, market.symbol: market})
        table = as_terms(market.brackets)
        n = z3.Real("N")
        claim, assumptions = claim_of(table, n, ruleset.options.bracket_boundary)
        # a concrete table makes the claim linear: the incremental core is faster
        verdict = decide(claim, [n > 0, *assumptions], timeout_ms, incremental=True)
        example = None
        if verdict.model is not None:
            notional = exact_value(verdict.model, n)
            snapshot = _witness_snapshot(ruleset, market, notional)
            example = Counterexample(
                {"notional": to_plain(notional)},
                "an isolated long opened at the maximum leverage for this notional"
                + rounding_note(_witness_snapshot(ruleset, market, notional, text=False)),
                snapshot,
                _confirm(
                    ruleset, _witness_snapshot(ruleset, market, notional, text=False), theorem_id
                )
                if theorem_id in ("THM-TAB-2", "THM-TAB-4")
                else None,
            )
        return Result(
            theorem_id,
            market.symbol,
            verdict.status,
            time.perf_counter() - start,
            verdict.reason,
            example,
        )

    return check


def _im_covers_mm(table: Any, n: Any, boundary: Boundary) -> tuple[Any, list[Any]]:
    lev = brackets.max_leverage(table, n, boundary)
    return margin.initial_margin(n, lev) > brackets.maint_margin(table, n, boundary), []


def _monotone(table: Any, n: Any, boundary: Boundary) -> tuple[Any, list[Any]]:
    m = z3.Real("N2")
    claim = z3.And(
        brackets.max_leverage(table, m, boundary) <= brackets.max_leverage(table, n, boundary),
        brackets.maint_margin_ratio(table, m, boundary)
        >= brackets.maint_margin_ratio(table, n, boundary),
    )
    return claim, [m >= n]


def _rate_below_one(table: Any, n: Any, boundary: Boundary) -> tuple[Any, list[Any]]:
    return brackets.maint_margin_ratio(table, n, boundary) < 1, []


def _buffer(market: Market) -> Exact:
    """How much IM exceeds MM at the maximum leverage, as the smallest (IM − MM)/N over the
    table: (IM − MM)/N = 1/L − MMR + cum/N is smallest at each bracket's cap."""
    rows = market.brackets
    return min(
        1 / Exact(b.initial_leverage) - b.maint_margin_ratio + b.cum / Exact(b.notional_cap)
        for b in rows
    )


CONCRETE: tuple[Theorem, ...] = (
    Theorem("THM-TAB-1", ("BRK-2", "BRK-5"), "The bracket table is well-formed.", _well_formed),
    Theorem(
        "THM-TAB-2",
        ("IM-1", "MM-1", "LEV-2", "LIQ-1"),
        "A position opened at the maximum leverage its notional allows is not already below maintenance (IM > MM at every notional).",
        _notional_claim("THM-TAB-2", _im_covers_mm),
    ),
    Theorem(
        "THM-TAB-3",
        ("LEV-2", "BRK-3"),
        "Maximum leverage is non-increasing and the maintenance rate non-decreasing in notional.",
        _notional_claim("THM-TAB-3", _monotone),
    ),
    Theorem(
        "THM-TAB-4",
        ("MM-1", "BRK-5"),
        "The maintenance rate stays below 1 at every notional.",
        _notional_claim("THM-TAB-4", _rate_below_one),
    ),
)


def prove_market(ruleset: RuleSet, market: Market, timeout_ms: int = 10000) -> list[Result]:
    return [theorem.check(ruleset, market, timeout_ms) for theorem in CONCRETE]


def buffer_text(market: Market) -> str:
    return to_plain(_buffer(market)) if all(b.notional_cap > 0 for b in market.brackets) else "n/a"
