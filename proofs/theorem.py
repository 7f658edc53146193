"""Theorems, their results, and the one way Z3 is asked (THM-*).

A theorem states one property in one sentence and cites the rules it is about. It is
proved by asserting the negation of its claim next to its assumptions: ``unsat`` means
proved, ``sat`` gives a counterexample, and ``unknown`` or a timeout is reported as
such, never as proved.
"""

from __future__ import annotations

import enum
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import z3

from marginspec.numbers import Exact, to_plain


class Status(enum.Enum):
    PROVED = "proved"
    FAILED = "failed"
    UNKNOWN = "unknown"
    TIMEOUT = "timeout"


@attrs.frozen
class Counterexample:
    """A concrete case that violates the claim, confirmed by the model where it can be."""

    values: dict[str, str]
    explanation: str = ""
    snapshot: dict[str, Any] | None = None
    confirmed: bool | None = None  # the model's own evaluation agrees (None: nothing to run)


@attrs.frozen
class Result:
    theorem: str
    subject: str  # "K=3" for a generic theorem, the symbol for a concrete one
    status: Status
    seconds: float
    detail: str = ""
    counterexample: Counterexample | None = None

    @property
    def ok(self) -> bool:
        return self.status is Status.PROVED


@attrs.frozen
class Theorem:
    """One property: an ID, the rules it cites, its statement, and how to check it."""

    id: str
    cites: tuple[str, ...]
    statement: str
    check: Callable[..., Result] = attrs.field(repr=False)


@attrs.frozen
class Verdict:
    status: Status
    model: z3.ModelRef | None
    seconds: float
    reason: str = ""


def decide(
    claim: z3.BoolRef | bool,
    assumptions: Sequence[z3.BoolRef | bool],
    timeout_ms: int,
    incremental: bool = False,
) -> Verdict:
    """Prove ``assumptions ⇒ claim`` by refuting its negation, within ``timeout_ms``.

    nlsat (the QF_NRA tactic) decides the products of symbolic rates and notionals that
    the generic theorems need. After a ``push`` Z3 leaves that tactic for its
    incremental core, which times out on them from K = 4 on but decides the linear
    claims of a concrete table about twice as fast: ``incremental`` asks for it.
    """
    s = z3.SolverFor("QF_NRA")
    s.set("timeout", timeout_ms)
    start = time.perf_counter()
    if incremental:
        s.push()
    s.add(*[a for a in assumptions if a is not True])
    s.add(z3.Not(claim) if not isinstance(claim, bool) else z3.BoolVal(not claim))
    answer = s.check()
    seconds = time.perf_counter() - start
    if answer == z3.unsat:
        return Verdict(Status.PROVED, None, seconds)
    if answer == z3.sat:
        return Verdict(Status.FAILED, s.model(), seconds)
    reason = s.reason_unknown()
    timed_out = "timeout" in reason or "canceled" in reason or seconds * 1000 >= timeout_ms
    return Verdict(Status.TIMEOUT if timed_out else Status.UNKNOWN, None, seconds, reason)


def _guard_chains(formula: z3.ExprRef) -> list[list[z3.BoolRef]]:
    """The guards of every maximal ``If`` chain in ``formula``, outermost first.

    :func:`marginspec.symbolic.first` over a table's brackets builds exactly such a
    chain: ``If(c1, v1, If(c2, v2, … default))``.
    """
    chains: dict[tuple[int, ...], list[z3.BoolRef]] = {}
    todo, seen = [formula], set()
    while todo:
        term = todo.pop()
        if term.get_id() in seen:
            continue
        seen.add(term.get_id())
        if z3.is_app_of(term, z3.Z3_OP_ITE):
            guards, link = [], term
            while z3.is_app_of(link, z3.Z3_OP_ITE):
                guards.append(link.arg(0))
                link = link.arg(2)
            chains.setdefault(tuple(g.get_id() for g in guards), guards)
        todo.extend(term.children())
    keys = list(chains)
    maximal = [k for k in keys if not any(o != k and o[len(o) - len(k) :] == k for o in keys)]
    return [chains[k] for k in maximal if len(k) > 1]


Case = tuple[
    list[tuple[z3.BoolRef, z3.BoolRef]], list[z3.BoolRef], list[z3.BoolRef], list[z3.BoolRef]
]


def _cases(chains: list[list[z3.BoolRef]]) -> Iterator[Case]:
    """Every combination of which guard of each chain is the first to hold (or none).

    Yields the substitution that evaluates each chain in that case, the one guard per
    chain that holds, the guard just before it (which fails) and all the guards before
    it (which fail). The cases cover every point and the substitution is an
    equivalence inside its case.
    """
    for choice in itertools.product(*(range(len(chain) + 1) for chain in chains)):
        substitution, holds, previous, fails = [], [], [], []
        for chain, chosen in zip(chains, choice, strict=True):
            for index, guard in enumerate(chain):
                if index < chosen:
                    substitution.append((guard, z3.BoolVal(False)))
                    fails.append(z3.Not(guard))
                elif index == chosen:
                    substitution.append((guard, z3.BoolVal(True)))
                    holds.append(guard)
            if chosen > 0:
                previous.append(z3.Not(chain[chosen - 1]))
        yield substitution, holds, previous, fails


def _check(parts: Sequence[z3.BoolRef], timeout_ms: int) -> tuple[z3.CheckSatResult, z3.Solver]:
    solver = z3.SolverFor("QF_NRA")
    solver.set("timeout", max(timeout_ms, 1))
    solver.add(*parts)
    return solver.check(), solver


def decide_by_cases(
    claim: z3.BoolRef | bool, assumptions: Sequence[z3.BoolRef | bool], timeout_ms: int
) -> Verdict:
    """:func:`decide`, one query per case of the bracket selections in the formula.

    Each ``If`` chain that :func:`marginspec.symbolic.first` built (which bracket owns
    a notional, which candidate is the liquidation price) is split into its cases: the
    guard that holds first is assumed true, the guards before it false, and the chain
    is evaluated by substituting those truth values. Nothing is restated: the cases
    only add assumptions about the formula's own conditions. The claim is proved when
    every case is refuted; a case that is satisfiable is a counterexample. Each case is
    tried first without the "earlier guards fail" assumptions (a weaker query, faster
    for nlsat); only when that one is not refuted is the full case asked.
    """
    start = time.perf_counter()
    negation = z3.Not(claim) if not isinstance(claim, bool) else z3.BoolVal(not claim)
    formula = z3.And(*[a for a in assumptions if a is not True], negation)
    deadline = start + timeout_ms / 1000
    for substitution, holds, previous, fails in _cases(_guard_chains(formula)):
        case = z3.substitute(formula, *substitution) if substitution else formula
        strong = [case, *holds, *fails]
        # Weaker queries first, each briefly: any of them refuted refutes the case.
        # The guard just before the one that holds bounds a bracket from below, which
        # is all a bracket selection needs; the full case comes last, with the time left.
        queries: list[tuple[list[z3.BoolRef], int | None]] = [(strong, None)]
        if len(previous) < len(fails):
            queries = [
                ([case, *holds, *previous], 1000),
                (strong, 500),
                ([case, *holds], 300),
                *queries,
            ]
        elif fails:
            queries = [(strong, 500), ([case, *holds], 300), *queries]
        for parts, slice_ms in queries:
            remaining = int((deadline - time.perf_counter()) * 1000)
            if remaining <= 0:
                return Verdict(Status.TIMEOUT, None, time.perf_counter() - start, "timeout")
            answer, solver = _check(
                parts, remaining if slice_ms is None else min(slice_ms, remaining)
            )
            if answer == z3.unsat:
                break
            if answer == z3.sat and parts is strong:
                break
        if answer != z3.unsat:
            seconds = time.perf_counter() - start
            if answer == z3.sat:
                return Verdict(Status.FAILED, solver.model(), seconds)
            reason = solver.reason_unknown()
            timed_out = "timeout" in reason or "canceled" in reason or seconds * 1000 >= timeout_ms
            return Verdict(Status.TIMEOUT if timed_out else Status.UNKNOWN, None, seconds, reason)
    return Verdict(Status.PROVED, None, time.perf_counter() - start)


def exact_value(model: z3.ModelRef, term: Any) -> Exact:
    """The exact rational a model gives a term (algebraic numbers are refused)."""
    value = model.eval(term, model_completion=True)
    if z3.is_rational_value(value):
        fraction = value.as_fraction()
        return Exact(int(fraction.numerator), int(fraction.denominator))
    if z3.is_int_value(value):
        return Exact(value.as_long())
    if z3.is_true(value) or z3.is_false(value):
        return Exact(int(z3.is_true(value)))
    raise ValueError(f"not a rational value: {value}")


def values_of(model: z3.ModelRef, terms: dict[str, Any]) -> dict[str, str]:
    """Readable exact values of named terms in a model."""
    out = {}
    for name, term in terms.items():
        try:
            out[name] = to_plain(exact_value(model, term))
        except ValueError:
            out[name] = str(model.eval(term, model_completion=True))
    return out
