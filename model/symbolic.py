"""Branching that works on exact numbers and on Z3 terms alike.

Every formula in marginspec is written once, over values of type :data:`Real`, and
evaluated either on :class:`fractions.Fraction` (the model) or on ``z3.ArithRef``
(the proofs). A formula never uses a Python ``if`` on a value: it branches through
:func:`select` and the helpers below, which are the only place that looks at the
kind of value it was given.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import TypeAlias

import z3

#: A number: exact at run time, a Z3 real term in the proofs.
Real: TypeAlias = "Fraction | z3.ArithRef"
#: A truth value: ``bool`` at run time, a Z3 boolean term in the proofs.
Cond: TypeAlias = "bool | z3.BoolRef"


def is_symbolic(value: object) -> bool:
    """True for a Z3 expression, False for an exact number or a bool."""
    return isinstance(value, z3.ExprRef)


def select(cond: Cond, then: Real, otherwise: Real) -> Real:
    """``then`` where ``cond`` holds, else ``otherwise`` (Z3: ``If``)."""
    if is_symbolic(cond):
        return z3.If(cond, then, otherwise)
    return then if cond else otherwise


def select_cond(cond: Cond, then: Cond, otherwise: Cond) -> Cond:
    """:func:`select` for truth values."""
    if is_symbolic(cond) or is_symbolic(then) or is_symbolic(otherwise):
        return z3.If(cond, then, otherwise)
    return then if cond else otherwise


def div_or(numerator: Real, denominator: Real, default: Real) -> Real:
    """``numerator / denominator``, or ``default`` where the denominator is zero.

    Lazy on purpose: at run time the division is not attempted when it would fail.
    """
    if is_symbolic(numerator) or is_symbolic(denominator):
        return z3.If(denominator == 0, default, numerator / denominator)
    return default if denominator == 0 else numerator / denominator


def maximum(a: Real, b: Real) -> Real:
    return select(a >= b, a, b)


def minimum(a: Real, b: Real) -> Real:
    return select(a <= b, a, b)


def absolute(a: Real) -> Real:
    return select(a >= 0, a, -a)


def clamp(value: Real, low: Real, high: Real) -> Real:
    """``value`` bounded to ``[low, high]`` (``low <= high`` is the caller's duty)."""
    return minimum(maximum(value, low), high)


def all_of(conds: Iterable[Cond]) -> Cond:
    items = list(conds)
    if any(is_symbolic(c) for c in items):
        return z3.And(*items) if items else z3.BoolVal(True)
    return all(items)


def any_of(conds: Iterable[Cond]) -> Cond:
    items = list(conds)
    if any(is_symbolic(c) for c in items):
        return z3.Or(*items) if items else z3.BoolVal(False)
    return any(items)


def negate(cond: Cond) -> Cond:
    if is_symbolic(cond):
        return z3.Not(cond)
    return not cond


def total(values: Iterable[Real]) -> Real:
    """Sum that starts from an exact zero (``sum`` would start from the int 0, which
    is harmless, but this keeps an empty sum exact and typed)."""
    result: Real = Fraction(0)
    first = True
    for value in values:
        result = value if first else result + value
        first = False
    return result
