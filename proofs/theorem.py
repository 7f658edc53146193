"""Theorems, their results, and the one way Z3 is asked (THM-*).

A theorem states one property in one sentence and cites the rules it is about. It is
proved by asserting the negation of its claim next to its assumptions: ``unsat`` means
proved, ``sat`` gives a counterexample, and ``unknown`` or a timeout is reported as
such, never as proved.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
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
    solver: z3.Solver | None = None,
) -> Verdict:
    """Prove ``assumptions ⇒ claim`` by refuting its negation, within ``timeout_ms``."""
    # nlsat (QF_NRA) decides the products of symbolic rates and notionals that the
    # generic theorems need; the default strategy times out on them from K = 7 on.
    # A fresh solver is never pushed: after a push Z3 leaves the QF_NRA tactic for
    # its incremental core, which times out on the generic theorems from K = 4 on.
    fresh = solver is None
    s = z3.SolverFor("QF_NRA") if solver is None else solver
    s.set("timeout", timeout_ms)
    start = time.perf_counter()
    if not fresh:
        s.push()
    try:
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
    finally:
        if not fresh:
            s.pop()


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
