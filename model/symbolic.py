"""Branching that works on exact numbers and on Z3 terms alike.

Every formula in marginspec is written once, over values of type :data:`Real`, and
evaluated either on :class:`fractions.Fraction` (the model) or on ``z3.ArithRef``
(the proofs). A formula never uses a Python ``if`` on a value: it branches through
:func:`select` and the helpers below, which are the only place that looks at the
kind of value it was given.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from gmpy2 import mpq

if TYPE_CHECKING:
    import z3

#: A number: exact at run time (``gmpy2.mpq``, see marginspec.numbers), a Z3 real
#: term in the proofs.
Real: TypeAlias = "mpq | z3.ArithRef"
#: A truth value: ``bool`` at run time, a Z3 boolean term in the proofs.
Cond: TypeAlias = "bool | z3.BoolRef"


_ZERO = mpq(0)
T = TypeVar("T")

# z3 is imported only by what builds terms (the proofs): a Z3 term cannot exist before
# z3 is imported, so until then every value is concrete, and ``evaluate`` starts without
# paying for z3's import (cold start, docs/performance.md).


def _z3() -> Any:
    import z3

    return z3


def is_symbolic(value: object) -> bool:
    """True for a Z3 expression, False for an exact number or a bool."""
    z3 = sys.modules.get("z3")
    return z3 is not None and isinstance(value, z3.ExprRef)


def concrete(*values: object) -> bool:
    """No Z3 term among ``values`` (tuples, such as bracket tables, are looked into).

    Before z3 is imported nothing can be a term, so the run-time answer costs one lookup.
    """
    z3 = sys.modules.get("z3")
    if z3 is None:
        return True
    pending = list(values)
    while pending:
        value = pending.pop()
        if isinstance(value, z3.ExprRef):
            return False
        if isinstance(value, (tuple, list)):
            pending.extend(value)
        elif hasattr(value, "__attrs_attrs__"):
            pending.extend(getattr(value, a.name) for a in value.__attrs_attrs__)
    return True


def lift(value: object) -> z3.ExprRef:
    """A Z3 term for a value: exact rationals become ``RealVal`` (Z3 cannot coerce them
    when no other operand is a term)."""
    if is_symbolic(value):
        return value
    z3 = _z3()
    if isinstance(value, bool):
        return z3.BoolVal(value)
    if isinstance(value, int):
        return z3.IntVal(value)
    return z3.RealVal(str(value))  # mpq and Fraction print as "p/q", which Z3 parses exactly


def select(cond: Cond, then: Real, otherwise: Real) -> Real:
    """``then`` where ``cond`` holds, else ``otherwise`` (Z3: ``If``)."""
    if cond.__class__ is bool:  # the common, concrete case first: this is the hot path
        return then if cond else otherwise
    return _z3().If(cond, lift(then), lift(otherwise))


def first(
    options: Iterable[tuple[Cond, T]],
    default: T,
    merge: Callable[[Cond, T, T], T],
) -> T:
    """The value of the first option whose condition holds, else ``default``.

    ``options`` yields ``(condition, value)`` pairs; pass a generator so that each
    option is computed only when asked for. At run time the search stops at the first
    true condition, so later options cost nothing; on Z3 terms every option is built
    and folded with ``merge`` (an ``If``) from the last to the first, which means the
    same thing.
    """
    pending: list[tuple[Cond, T]] = []
    result = default
    for cond, value in options:
        if cond is True:
            result = value
            break
        if cond is not False:
            pending.append((cond, value))
    for cond, value in reversed(pending):
        result = merge(cond, value, result)
    return result


def select_cond(cond: Cond, then: Cond, otherwise: Cond) -> Cond:
    """:func:`select` for truth values."""
    if cond.__class__ is bool and then.__class__ is bool and otherwise.__class__ is bool:
        return then if cond else otherwise
    return _z3().If(cond, lift(then), lift(otherwise))


def div_or(numerator: Real, denominator: Real, default: Real) -> Real:
    """``numerator / denominator``, or ``default`` where the denominator is zero.

    Lazy on purpose: at run time the division is not attempted when it would fail.
    """
    if numerator.__class__ is mpq is denominator.__class__:  # the hot path: two exact numbers
        return default if denominator == 0 else numerator / denominator
    if is_symbolic(numerator) or is_symbolic(denominator):
        return _z3().If(denominator == 0, lift(default), lift(numerator) / denominator)
    return default if denominator == 0 else numerator / denominator


# maximum, minimum and absolute are select() with its concrete case written out: they
# run several times per position, and the extra call was a tenth of their cost.


def maximum(a: Real, b: Real) -> Real:
    cond = a >= b
    if cond.__class__ is bool:
        return a if cond else b
    return select(cond, a, b)


def minimum(a: Real, b: Real) -> Real:
    cond = a <= b
    if cond.__class__ is bool:
        return a if cond else b
    return select(cond, a, b)


def absolute(a: Real) -> Real:
    cond = a >= 0
    if cond.__class__ is bool:
        return a if cond else -a
    return select(cond, a, -a)


def clamp(value: Real, low: Real, high: Real) -> Real:
    """``value`` bounded to ``[low, high]`` (``low <= high`` is the caller's duty)."""
    return minimum(maximum(value, low), high)


def all_of(conds: Iterable[Cond]) -> Cond:
    """Conjunction; at run time it stops at the first false condition."""
    symbolic: list[Cond] = []
    for cond in conds:
        if cond is False:
            return False
        if cond is not True:
            symbolic.append(cond)
    return _z3().And(*symbolic) if symbolic else True


def any_of(conds: Iterable[Cond]) -> Cond:
    """Disjunction; at run time it stops at the first true condition."""
    symbolic: list[Cond] = []
    for cond in conds:
        if cond is True:
            return True
        if cond is not False:
            symbolic.append(cond)
    return _z3().Or(*symbolic) if symbolic else False


def negate(cond: Cond) -> Cond:
    if is_symbolic(cond):
        return _z3().Not(cond)
    return not cond


def total(values: Iterable[Real]) -> Real:
    """Sum that starts from an exact zero (``sum`` would start from the int 0, which
    is harmless, but this keeps an empty sum exact and typed)."""
    result: Real = _ZERO
    first = True
    for value in values:
        result = value if first else result + value
        first = False
    return result
