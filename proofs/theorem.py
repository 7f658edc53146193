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


def _subterms(term: z3.ExprRef) -> Iterator[z3.ExprRef]:
    """Every distinct subterm of ``term`` (itself included), each once, depth first."""
    todo, seen = [term], set()
    while todo:
        t = todo.pop()
        if t.get_id() not in seen:
            seen.add(t.get_id())
            yield t
            todo.extend(t.children())


def _guard_chains(formula: z3.ExprRef) -> list[list[z3.BoolRef]]:
    """The guards of every maximal ``If`` chain in ``formula``, outermost first.

    :func:`marginspec.symbolic.first` over a table's brackets builds exactly such a
    chain: ``If(c1, v1, If(c2, v2, … default))``.
    """
    chains: dict[tuple[int, ...], list[z3.BoolRef]] = {}
    for term in _subterms(formula):
        if z3.is_app_of(term, z3.Z3_OP_ITE):
            guards, link = [], term
            while z3.is_app_of(link, z3.Z3_OP_ITE):
                guards.append(link.arg(0))
                link = link.arg(2)
            chains.setdefault(tuple(g.get_id() for g in guards), guards)
    keys = list(chains)
    maximal = [k for k in keys if not any(o != k and o[len(o) - len(k) :] == k for o in keys)]
    return [chains[k] for k in maximal if len(k) > 1]


Case = tuple[
    list[tuple[z3.BoolRef, z3.BoolRef]], list[z3.BoolRef], list[z3.BoolRef], list[z3.BoolRef]
]


Pick = tuple[list[z3.BoolRef], int]  # a chain and the index of its first guard that holds


def _cases(chains: list[list[z3.BoolRef]]) -> Iterator[tuple[Case, list[Pick]]]:
    """Every combination of which guard of each chain is the first to hold (or none:
    index ``len(chain)``).

    Yields the substitution that evaluates each chain in that case, the one guard per
    chain that holds, the guard just before it (which fails) and all the guards before
    it (which fail), and each chain with its pick. The cases cover every point and the
    substitution is an equivalence inside its case.
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
        yield (substitution, holds, previous, fails), list(zip(chains, choice, strict=True))


def _conjuncts(term: z3.BoolRef) -> list[z3.BoolRef]:
    if z3.is_and(term):
        return [c for child in term.children() for c in _conjuncts(child)]
    return [term]


Split = tuple[list[z3.BoolRef], list[z3.BoolRef]]  # (the sub-case, the few facts it hinges on)


def _none_split(chain: list[z3.BoolRef]) -> list[Split]:
    """Sub-cases of "no guard of ``chain`` holds", by the last guard whose *lower part*
    (every conjunct but its last) holds.

    Any conditions split a case this way (the sub-cases cover it whatever they are);
    these are chosen because a liquidation-price candidate's guard is "solvable,
    positive, above its bracket's floor, not above its cap": the candidate above its
    floor but not in its bracket lies above its cap, which puts the next candidate above
    the next floor. Each sub-case is refuted by two neighbouring brackets (the facts it
    hinges on, tried first) instead of an argument across all of them.
    """
    parts = [_conjuncts(guard) for guard in chain[:-1]]
    if any(len(p) < 2 for p in parts):
        return [([], [])]
    lower = [z3.And(*p[:-1]) for p in parts]
    last = z3.Not(chain[-1])
    splits: list[Split] = []
    for k in range(len(lower)):
        later = [z3.Not(a) for a in lower[k + 1 :]]
        after = later[0] if later else last
        splits.append(([lower[k], *later], [lower[k], z3.Not(chain[k]), after]))
    nothing = [z3.Not(a) for a in lower]
    splits.append((nothing, nothing[:1]))
    return splits


def _fails_split(chain: list[z3.BoolRef], chosen: int) -> list[Split]:
    """Sub-cases of "guard ``chosen`` of ``chain`` is the first to hold", by the last
    earlier guard whose *upper part* (its last conjunct) holds.

    The mirror of :func:`_none_split`: a candidate above its bracket's floor puts the
    candidate of the bracket below above that bracket's cap, so "candidate k not above
    its cap, candidate k + 1 above its own" is refuted by brackets k and k + 1 alone, and
    what remains is the sub-case in which every earlier candidate lies above its cap.
    """
    parts = [_conjuncts(guard) for guard in chain[: chosen + 1]]
    if chosen == 0 or any(len(p) < 2 for p in parts):
        return [([], [])]
    upper = [p[-1] for p in parts[:chosen]]
    splits: list[Split] = []
    for k in range(chosen):
        later = [z3.Not(a) for a in upper[k + 1 :]]
        after = later[0] if later else chain[chosen]
        splits.append(([upper[k], *later], [upper[k], after]))
    above = [z3.Not(a) for a in upper]
    splits.append((above, above))
    return splits


def _check(
    parts: Sequence[z3.BoolRef], timeout_ms: int, reorder: bool = True
) -> tuple[z3.CheckSatResult, z3.Solver]:
    # nlsat with its own preprocessing, not QF_NRA's portfolio of tactics: on the case
    # queries it decides the same ones about 30% sooner (K = 9, every generic theorem).
    # Without its variable reordering nlsat decides the MM theorems' cases in 60% of the
    # time and the liquidation theorems' hardly at all: the theorem says (``reorder``).
    tactic = z3.Tactic("qfnra-nlsat")
    solver = (tactic if reorder else z3.With(tactic, reorder=False)).solver()
    solver.set("timeout", max(timeout_ms, 1))
    solver.add(*parts)
    return solver.check(), solver


def decide_by_cases(
    claim: z3.BoolRef | bool,
    assumptions: Sequence[z3.BoolRef | bool],
    timeout_ms: int,
    reorder: bool = True,
    swap: tuple[z3.ExprRef, z3.ExprRef] | None = None,
) -> Verdict:
    """:func:`decide`, one query per case of the bracket selections in the formula.

    Each ``If`` chain that :func:`marginspec.symbolic.first` built (which bracket owns
    a notional, which candidate is the liquidation price) is split into its cases: the
    guard that holds first is assumed true, the guards before it false, and the chain
    is evaluated by substituting those truth values. Nothing is restated: the cases
    only add assumptions about the formula's own conditions. The claim is proved when
    every case is refuted; a case that is satisfiable is a counterexample.
    :func:`_refute` says how each case is asked; ``reorder`` is nlsat's variable
    reordering (off is faster for the MM theorems, far slower for the liquidation ones).

    ``swap`` names two variables the formula is symmetric in (THM-MM-4's two notionals):
    when swapping them gives the same formula (:func:`_mirror` checks it), a case whose
    mirror image was refuted earlier is refuted too, by renaming, and is not asked.
    """
    start = time.perf_counter()
    negation = z3.Not(claim) if not isinstance(claim, bool) else z3.BoolVal(not claim)
    kept = [a for a in assumptions if a is not True]
    formula = z3.And(*kept, negation)
    deadline = start + timeout_ms / 1000
    facts = _Facts([z3.BoolVal(a) if a is False else a for a in kept])
    chains = _guard_chains(formula)
    mirror = _mirror(formula, chains, swap) if swap is not None else None
    for (substitution, holds, previous, fails), picks in _cases(chains):
        if mirror is not None:
            choice = [chosen for _, chosen in picks]
            image = [0] * len(choice)
            for i, chosen in enumerate(choice):
                image[mirror[i]] = chosen
            if image < choice:
                continue  # its mirror image came first (cases go in lexicographic order)
        case = z3.substitute(formula, *substitution) if substitution else formula
        answer, solver = _refute(case, holds, previous, fails, picks, facts, deadline, reorder)
        if answer != z3.unsat:
            seconds = time.perf_counter() - start
            if answer == z3.sat:
                assert solver is not None
                return Verdict(Status.FAILED, solver.model(), seconds)
            reason = solver.reason_unknown() if solver is not None else "timeout"
            timed_out = "timeout" in reason or "canceled" in reason or seconds * 1000 >= timeout_ms
            return Verdict(Status.TIMEOUT if timed_out else Status.UNKNOWN, None, seconds, reason)
    return Verdict(Status.PROVED, None, time.perf_counter() - start)


_COMMUTATIVE = frozenset({z3.Z3_OP_ADD, z3.Z3_OP_MUL, z3.Z3_OP_AND, z3.Z3_OP_OR, z3.Z3_OP_EQ})


def _canonical(term: z3.ExprRef, memo: dict[int, tuple[z3.ExprRef, z3.ExprRef]]) -> z3.ExprRef:
    """``term`` with the arguments of every commutative operation in one order (by the
    identity of the canonical argument: Z3 shares equal terms), so that two terms equal
    up to that order become the same term. ``memo`` keeps each term it has seen alive,
    so that no identity in it is reused."""
    key = term.get_id()
    if key not in memo:
        result = term
        if z3.is_app(term) and term.num_args() > 0:
            args = [_canonical(a, memo) for a in term.children()]
            if term.decl().kind() in _COMMUTATIVE:
                args.sort(key=lambda a: a.get_id())
            array = (z3.Ast * len(args))(*(a.as_ast() for a in args))
            ctx = term.ctx
            made = z3.Z3_mk_app(ctx.ref(), term.decl().ast, len(args), array)
            result = z3.z3._to_expr_ref(made, ctx)
        memo[key] = (term, result)
    return memo[key][1]


def _mirror(
    formula: z3.BoolRef, chains: list[list[z3.BoolRef]], swap: tuple[z3.ExprRef, z3.ExprRef]
) -> list[int] | None:
    """Which chain each chain becomes when the two variables of ``swap`` trade places,
    guard for guard, if the whole formula stays the same; otherwise None."""
    x, y = swap
    memo: dict[int, tuple[z3.ExprRef, z3.ExprRef]] = {}

    def same(a: z3.ExprRef) -> z3.ExprRef:
        return _canonical(z3.simplify(a), memo)

    def swapped(a: z3.ExprRef) -> z3.ExprRef:
        return same(z3.substitute(a, (x, y), (y, x)))

    if not same(formula).eq(swapped(formula)):
        return None
    keys = [tuple(same(g).get_id() for g in chain) for chain in chains]
    images = [tuple(swapped(g).get_id() for g in chain) for chain in chains]
    mapping = [keys.index(image) if image in keys else -1 for image in images]
    if -1 in mapping or sorted(mapping) != list(range(len(chains))):
        return None
    return mapping


def _refute(
    case: z3.BoolRef,
    holds: list[z3.BoolRef],
    previous: list[z3.BoolRef],
    fails: list[z3.BoolRef],
    picks: list[Pick],
    facts: _Facts,
    deadline: float,
    reorder: bool,
) -> tuple[z3.CheckSatResult, z3.Solver | None]:
    """``unsat`` if one case is refuted, ``sat`` (with its solver) for a counterexample.

    The full case is the formula, the guard that holds and every earlier guard failing
    (``strong``). Weaker queries (subsets of it) come first, each briefly, because one
    of them refuted refutes the case and nlsat often decides a smaller query far
    faster: without the earlier guards but the one just before (which bounds a bracket
    from below, all a bracket selection needs), or with the guard that holds alone.
    Which one falls first is hard to tell in advance, so each gets 0.1 s, then 1 s.

    Between the two rounds, a case whose candidates carry their own conditions is
    split further (:func:`_none_split`, :func:`_fails_split`): each sub-case is asked
    first with only its hinge facts and the assumptions about their variables (two
    neighbouring brackets, not the whole table). The sub-cases that survive are asked
    in full at the end, with the time left; a ``sat`` counts only for a full query.
    """
    strong = [case, *holds, *fails]
    weak = [case, *holds, *previous]
    distinct = [weak, strong, [case, *holds]] if len(previous) < len(fails) else [strong]
    if fails and len(distinct) == 1:
        distinct.append([case, *holds])
    none = [chain for chain, chosen in picks if chosen == len(chain)]
    if none:
        # No candidate holds: weaker queries are satisfiable; the split is what refutes.
        splits = [_none_split(chain) for chain in none]
        first: list[tuple[list[z3.BoolRef], int | None]] = [(weak, 300)]
    else:
        splits = [_fails_split(chain, chosen) for chain, chosen in picks]
        first = [(q, 100) for q in distinct]
    selections = all(len(_conjuncts(guard)) == 1 for chain, _ in picks for guard in chain)
    if selections:
        # Bracket selections alone (which bracket owns each notional): most combinations
        # cannot happen at all (a notional below one cap and above a higher one), and
        # the guards with the boundaries' order say so in ~2 ms instead of ~10 ms.
        guards = [*holds, *fails]
        first.insert(0, ([*facts.ordering(guards), *guards], 100))
    answer, solver = _ask(first, strong, deadline, reorder)
    if answer == z3.unsat:
        return answer, solver
    survivors: list[list[z3.BoolRef]] = []  # the sub-cases not refuted, in full
    splittable = [k for k, s in enumerate(splits) if len(s) > 1]
    # One chain's split at a time first (one chain is often all the argument needs, and
    # it has far fewer sub-cases than all chains' together), then all chains' together.
    plans = [[k] for k in splittable] + ([splittable] if len(splittable) > 1 else [])
    for plan in plans:
        survivors = []
        for split in itertools.product(*(splits[k] for k in plan)):
            extra = [f for sub, _ in split for f in sub]
            local = [f for _, hinge in split for f in hinge]
            answer, solver = _ask(
                [([*facts.bearing(local), *local], 300), ([*weak, *local], 300)],
                [],
                deadline,
                reorder,
            )
            if answer != z3.unsat:
                survivors.append([*strong, *extra])
                if plan is not plans[-1]:
                    break  # this plan does not refute the case; try the next
        if not survivors:
            return z3.unsat, solver
    answer, solver = _ask([(q, 1000) for q in distinct], strong, deadline, reorder)
    if answer == z3.unsat or answer == z3.sat:
        return answer, solver
    if not survivors:
        return _ask([(strong, None)], strong, deadline, reorder)
    for full in survivors:
        answer, solver = _ask([(full, None)], full, deadline, reorder)
        if answer != z3.unsat:
            break
    return answer, solver


def _symbols(term: z3.ExprRef) -> frozenset[str]:
    """The names of the uninterpreted constants (the variables) in ``term``."""
    return frozenset(
        t.decl().name()
        for t in _subterms(term)
        if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED
    )


class _Facts:
    """A claim's assumptions, one conjunct each with its variables, and the subsets of
    them that a small query needs.

    Any subset of the assumptions may join a query: a refutation with fewer facts is a
    refutation, so the choice below costs speed at worst, never soundness.
    """

    def __init__(self, assumptions: Sequence[z3.BoolRef]) -> None:
        # Keyed by Z3's term identity, so each entry keeps its term alive: a freed term's
        # identity can be given to a new one, which would then get the old variables.
        self._seen: dict[int, tuple[z3.ExprRef, frozenset[str]]] = {}
        self.facts = [(f, self.symbols(f)) for a in assumptions for f in _conjuncts(a)]
        self._pairs = [used for _, used in self.facts if len(used) == 2]

    def symbols(self, term: z3.ExprRef) -> frozenset[str]:
        key = term.get_id()
        if key not in self._seen:
            self._seen[key] = (term, _symbols(term))
        return self._seen[key][1]

    def _of(self, local: Sequence[z3.BoolRef]) -> frozenset[str]:
        return frozenset().union(*(self.symbols(f) for f in local))

    def bearing(self, local: Sequence[z3.BoolRef]) -> list[z3.BoolRef]:
        """The assumptions about the variables of ``local`` and those one assumption ties
        to them (the floor between two caps, say): with them a two-bracket sub-case is a
        query about two brackets, not the whole table."""
        names = self._of(local)
        near = names.union(
            *(used for _, used in self.facts if used & names and len(used - names) <= 1)
        )
        return [fact for fact, used in self.facts if used <= near]

    def ordering(self, local: Sequence[z3.BoolRef]) -> list[z3.BoolRef]:
        """The assumptions that relate two variables (a cap above its floor, the next
        floor at this cap) reachable from those of ``local`` through such relations, and
        the assumptions about those variables alone: what orders the boundaries."""
        names = set(self._of(local))
        grown = True
        while grown:
            grown = False
            for used in self._pairs:
                if used & names and not used <= names:
                    names |= used
                    grown = True
        return [fact for fact, used in self.facts if used <= names]


def _ask(
    queries: list[tuple[list[z3.BoolRef], int | None]],
    strong: list[z3.BoolRef],
    deadline: float,
    reorder: bool = True,
) -> tuple[z3.CheckSatResult, z3.Solver | None]:
    """The first refutation among ``queries`` (each with its time slice, ``None``: the
    time left), or the last answer; a ``sat`` counts only for the full case ``strong``."""
    answer, solver = z3.unknown, None
    for parts, slice_ms in queries:
        remaining = int((deadline - time.perf_counter()) * 1000)
        if remaining <= 0:
            return z3.unknown, None
        answer, solver = _check(
            parts, remaining if slice_ms is None else min(slice_ms, remaining), reorder
        )
        if answer == z3.unsat:
            break
        if answer == z3.sat and parts is strong:
            break
    return answer, solver


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
