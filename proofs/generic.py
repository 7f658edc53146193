"""Generic theorems: for every well-formed table of K brackets (THM-MM-*, THM-LIQ-*).

Every field of the table is a Z3 variable constrained only by BRK-2 and BRK-5
(:func:`marginspec.proofs.tables.well_formed`); the claims are built by calling the
model's own formula functions on those variables.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import z3

from marginspec import brackets, liquidation, margin
from marginspec.brackets import Boundary, Table
from marginspec.proofs.tables import symbolic_table, well_formed
from marginspec.proofs.theorem import (
    Counterexample,
    Result,
    Theorem,
    decide_by_cases,
    exact_value,
    values_of,
)
from marginspec.symbolic import Cond, Real, all_of, any_of, negate

CAP, FLOOR = Boundary.CAP_INCLUSIVE, Boundary.FLOOR_INCLUSIVE

Goal = tuple[Cond, list[Cond], dict[str, Real]]
#: A theorem's variables by name: Z3 reals to prove it, a counterexample's exact values
#: to confirm one on the model.
Var = Callable[[str], Real]


def _implies(a: Cond, b: Cond) -> Cond:
    return any_of([negate(a), b])


def _mm(table: Table, n: Real, boundary: Boundary = CAP) -> Real:
    return brackets.maint_margin(table, n, boundary)


def _mm_forms(t: Table, var: Var) -> Goal:
    n = var("N")
    return _mm(t, n) == brackets.maint_margin_by_portions(t, n), [n >= 0], {"N": n}


def _mm_boundaries(t: Table, var: Var) -> Goal:
    n = var("N")
    return _mm(t, n, CAP) == _mm(t, n, FLOOR), [n >= 0], {"N": n}


def _mm_monotone(t: Table, var: Var) -> Goal:
    a, b = var("N1"), var("N2")
    return _mm(t, a) <= _mm(t, b), [a >= 0, a <= b], {"N1": a, "N2": b}


def _mm_convex(t: Table, var: Var) -> Goal:
    a, b = var("N1"), var("N2")
    middle = (a + b) / 2
    return 2 * _mm(t, middle) <= _mm(t, a) + _mm(t, b), [a >= 0, b >= 0], {"N1": a, "N2": b}


def _effective_rate(t: Table, var: Var) -> Goal:
    n = var("N")
    rate = brackets.maint_margin_ratio(t, n, CAP)
    return _mm(t, n) <= n * rate, [n >= 0], {"N": n}


def _position(var: Var) -> tuple[Real, Real, Real]:
    return var("qty"), var("entry"), var("wallet")


def _gap(t: Table, qty: Real, entry: Real, wallet: Real, price: Real, side: int) -> Real:
    """Margin balance minus MM of an isolated position at ``price`` (MB-1, MM-1)."""
    amt = side * qty
    balance = margin.margin_balance(wallet, margin.unrealized_pnl(amt, entry, price))
    return balance - _mm(t, qty * price)


def _lp(t: Table, qty: Real, entry: Real, wallet: Real, side: int) -> liquidation.PriceResult:
    leg = liquidation.Leg(side * qty, entry, t)
    return liquidation.liquidation_price([leg], wallet, 0, 0, entry, CAP)


def _lp_unique(side: int) -> Callable[[Table, Var], Goal]:
    def goal(t: Table, var: Var) -> Goal:
        qty, entry, wallet = _position(var)
        p1, p2 = var("P1"), var("P2")
        claim = _implies(
            all_of(
                [
                    _gap(t, qty, entry, wallet, p1, side) == 0,
                    _gap(t, qty, entry, wallet, p2, side) == 0,
                ]
            ),
            p1 == p2,
        )
        return (
            claim,
            [qty > 0, entry > 0, p1 > 0, p2 > 0],
            {"qty": qty, "entry": entry, "wallet": wallet, "P1": p1, "P2": p2},
        )

    return goal


def _lp_consistent(side: int) -> Callable[[Table, Var], Goal]:
    def goal(t: Table, var: Var) -> Goal:
        qty, entry, wallet = _position(var)
        lp = _lp(t, qty, entry, wallet, side)
        claim = _implies(lp.exists, _gap(t, qty, entry, wallet, lp.price, side) == 0)
        return claim, [qty > 0, entry > 0], {"qty": qty, "entry": entry, "wallet": wallet}

    return goal


def _lp_between(side: int) -> Callable[[Table, Var], Goal]:
    def goal(t: Table, var: Var) -> Goal:
        qty, entry, wallet = _position(var)
        lp = _lp(t, qty, entry, wallet, side)
        bp = liquidation.bankruptcy_price([liquidation.Leg(side * qty, entry, t)], wallet, 0)
        healthy = _gap(t, qty, entry, wallet, entry, side) > 0
        if side == 1:
            claim = all_of(
                [
                    _implies(lp.exists, lp.price < entry),
                    _implies(bp.exists, all_of([lp.exists, bp.price <= lp.price])),
                ]
            )
        else:
            claim = all_of([lp.exists, bp.exists, entry < lp.price, lp.price <= bp.price])
        return (
            claim,
            [qty > 0, entry > 0, wallet > 0, healthy],
            {"qty": qty, "entry": entry, "wallet": wallet},
        )

    return goal


def _further(side: int, what: str) -> Callable[[Table, Var], Goal]:
    """A change that should move the liquidation price away from (or toward) the mark."""

    def goal(t: Table, var: Var) -> Goal:
        qty, entry, w1 = _position(var)
        w2 = var("wallet2")
        names: dict[str, Real] = {"qty": qty, "entry": entry, "wallet": w1, "wallet2": w2}
        assumptions = [qty > 0, entry > 0, w1 > 0, w2 > w1]
        if what == "leverage":
            l1, l2 = var("leverage1"), var("leverage2")
            assumptions = [qty > 0, entry > 0, l1 >= 1, l2 > l1]
            w1 = margin.initial_margin(qty * entry, l1)  # the wallet an isolated open allocates
            w2 = margin.initial_margin(qty * entry, l2)
            names = {"qty": qty, "entry": entry, "leverage1": l1, "leverage2": l2}
            more, less = _lp(t, qty, entry, w1, side), _lp(t, qty, entry, w2, side)
        else:
            more, less = _lp(t, qty, entry, w2, side), _lp(t, qty, entry, w1, side)
        # `more` has more margin behind it than `less`: its price is further from the mark.
        if side == 1:
            claim = _implies(more.exists, all_of([less.exists, more.price < less.price]))
        else:
            claim = _implies(all_of([more.exists, less.exists]), more.price > less.price)
        return claim, assumptions, names

    return goal


def _cross_loss(t: Table, var: Var) -> Goal:
    """Cross, one-way long: a lower uPnL of another position moves the LP up (closer)."""
    qty, entry, wallet = _position(var)
    other_mm, upnl1, upnl2 = var("TMM1"), var("UPNL1"), var("UPNL1_after_loss")
    leg = liquidation.Leg(qty, entry, t)
    before = liquidation.liquidation_price([leg], wallet, other_mm, upnl1, entry, CAP)
    after = liquidation.liquidation_price([leg], wallet, other_mm, upnl2, entry, CAP)
    claim = _implies(before.exists, all_of([after.exists, after.price > before.price]))
    return (
        claim,
        [qty > 0, entry > 0, other_mm >= 0, upnl2 < upnl1],
        {
            "qty": qty,
            "entry": entry,
            "wallet": wallet,
            "TMM1": other_mm,
            "UPNL1": upnl1,
            "UPNL1_after_loss": upnl2,
        },
    )


def _confirm(build: Callable[[Table, Var], Goal], table: Table, model: z3.ModelRef) -> bool | None:
    """Whether the counterexample holds on the model's own formulas with exact numbers:
    the table's and the variables' values from Z3's model, the claim false and every
    assumption (the table's well-formedness included) true. ``None`` when a value is not
    rational (nlsat may answer with an algebraic number), which exact arithmetic cannot
    take."""
    try:
        concrete = tuple(
            brackets.Bracket(
                b.bracket,
                exact_value(model, b.notional_floor),
                exact_value(model, b.notional_cap),
                exact_value(model, b.initial_leverage),
                exact_value(model, b.maint_margin_ratio),
                exact_value(model, b.cum),
            )
            for b in table
        )
        claim, assumptions, _ = build(concrete, lambda name: exact_value(model, z3.Real(name)))
    except ValueError:
        return None
    well = all(r.holds for r in brackets.well_formedness(concrete))
    return bool(well and all(assumptions) and not claim)


def _checker(
    build: Callable[[Table, Var], Goal],
    theorem_id: str,
    reorder: bool,
    swap: tuple[str, str] | None = None,
) -> Callable[[int, int], Result]:
    def check(size: int, timeout_ms: int = 30000) -> Result:
        start = time.perf_counter()
        table = symbolic_table(size)
        claim, assumptions, names = build(table, z3.Real)
        pair = (z3.Real(swap[0]), z3.Real(swap[1])) if swap else None
        verdict = decide_by_cases(
            claim, [well_formed(table), *assumptions], timeout_ms, reorder=reorder, swap=pair
        )
        example = None
        if verdict.model is not None:
            shown = dict(names)
            for b in table:
                shown[f"floor{b.bracket}"] = b.notional_floor
                shown[f"mmr{b.bracket}"] = b.maint_margin_ratio
                shown[f"cum{b.bracket}"] = b.cum
            confirmed = _confirm(build, table, verdict.model)
            note = {
                True: "confirmed by the exact model",
                False: "NOT confirmed by the exact model",
                None: "not checked on the exact model: a value is irrational",
            }[confirmed]
            example = Counterexample(
                values_of(verdict.model, shown),
                f"a well-formed table violating the claim ({note})",
                confirmed=confirmed,
            )
        return Result(
            theorem_id,
            f"K={size}",
            verdict.status,
            time.perf_counter() - start,
            verdict.reason,
            example,
        )

    return check


def _theorem(
    theorem_id: str,
    cites: tuple[str, ...],
    statement: str,
    build: Callable[[Table, Var], Goal],
    reorder: bool = True,
    swap: tuple[str, str] | None = None,
) -> Theorem:
    """``reorder``: nlsat's variable reordering. Off, the MM theorems' cases (notionals
    against caps) take ~60% of the time; the liquidation theorems' cases (a price times a
    rate) need it (THM-LIQ-1 at K = 10: 1.2 s with, 20 s without). ``swap``: two variables
    the claim is symmetric in, so that half of its cases are mirror images of the other
    half (checked, not trusted: see :func:`marginspec.proofs.theorem.decide_by_cases`)."""
    return Theorem(theorem_id, cites, statement, _checker(build, theorem_id, reorder, swap))


GENERIC: tuple[Theorem, ...] = (
    _theorem(
        "THM-MM-1",
        ("MM-1", "MM-2", "BRK-2"),
        "The cum form of maintenance margin equals the portion-by-portion form at every notional.",
        _mm_forms,
        reorder=False,
    ),
    _theorem(
        "THM-MM-2",
        ("MM-3", "BRK-3"),
        "Maintenance margin is continuous at every boundary: both boundary rules give the same value everywhere.",
        _mm_boundaries,
        reorder=False,
    ),
    _theorem(
        "THM-MM-3",
        ("MM-3",),
        "Maintenance margin is non-decreasing in notional.",
        _mm_monotone,
        reorder=False,
    ),
    _theorem(
        "THM-MM-4",
        ("MM-3",),
        "Maintenance margin is convex in notional (midpoint convexity).",
        _mm_convex,
        reorder=False,
        swap=("N1", "N2"),
    ),
    _theorem(
        "THM-MM-5",
        ("MM-3", "BRK-3"),
        "The effective rate MM/N never exceeds the rate of the bracket that owns N.",
        _effective_rate,
        reorder=False,
    ),
    _theorem(
        "THM-LIQ-1",
        ("LIQ-2", "LIQ-4"),
        "An isolated long has at most one price at which margin balance equals maintenance margin.",
        _lp_unique(1),
        swap=("P1", "P2"),
    ),
    _theorem(
        "THM-LIQ-2",
        ("LIQ-2", "LIQ-4"),
        "An isolated short has at most one price at which margin balance equals maintenance margin.",
        _lp_unique(-1),
        swap=("P1", "P2"),
    ),
    _theorem(
        "THM-LIQ-3",
        ("LIQ-2", "LIQ-3"),
        "At the computed liquidation price of an isolated long, margin balance equals the MM of the bracket that owns the notional there.",
        _lp_consistent(1),
    ),
    _theorem(
        "THM-LIQ-4",
        ("LIQ-2", "LIQ-3"),
        "At the computed liquidation price of an isolated short, margin balance equals the MM of the bracket that owns the notional there.",
        _lp_consistent(-1),
    ),
    _theorem(
        "THM-LIQ-5",
        ("LIQ-2", "BKR-1"),
        "An isolated long with a positive wallet, healthy at entry, liquidates below its entry and not below its bankruptcy price.",
        _lp_between(1),
    ),
    _theorem(
        "THM-LIQ-6",
        ("LIQ-2", "BKR-1"),
        "An isolated short with a positive wallet, healthy at entry, liquidates above its entry and not above its bankruptcy price.",
        _lp_between(-1),
    ),
    _theorem(
        "THM-LIQ-7",
        ("LIQ-2", "XFER-2"),
        "Adding isolated margin moves a long's liquidation price down, away from the mark.",
        _further(1, "wallet"),
    ),
    _theorem(
        "THM-LIQ-8",
        ("LIQ-2", "XFER-2"),
        "Adding isolated margin moves a short's liquidation price up, away from the mark.",
        _further(-1, "wallet"),
    ),
    _theorem(
        "THM-LIQ-9",
        ("LIQ-2", "IM-1"),
        "Opening a long at a higher leverage (isolated wallet = IM) puts its liquidation price closer to the entry.",
        _further(1, "leverage"),
    ),
    _theorem(
        "THM-LIQ-10",
        ("LIQ-2", "IM-1"),
        "Opening a short at a higher leverage (isolated wallet = IM) puts its liquidation price closer to the entry.",
        _further(-1, "leverage"),
    ),
    _theorem(
        "THM-LIQ-11",
        ("LIQ-2",),
        "In cross mode, a loss on another position moves a long's liquidation price up, closer.",
        _cross_loss,
    ),
)


def prove_generic(max_size: int, timeout_ms: int = 30000) -> list[Result]:
    """Every generic theorem for every table size 1 … ``max_size``."""
    return [
        theorem.check(size, timeout_ms) for theorem in GENERIC for size in range(1, max_size + 1)
    ]
