"""Run the theorems of a rule set: concrete ones per symbol (both cores), generic ones per K."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from marginspec.proofs.concrete import CONCRETE, prove_market
from marginspec.proofs.generic import GENERIC
from marginspec.proofs.theorem import Result
from marginspec.ruleset import RuleSet

_RULESET: RuleSet | None = None


def _init(ruleset: RuleSet) -> None:
    global _RULESET
    _RULESET = ruleset


def _prove_symbol(symbol: str, timeout_ms: int) -> list[Result]:
    assert _RULESET is not None
    return prove_market(_RULESET, _RULESET.markets[symbol], timeout_ms)


def prove_concrete(
    ruleset: RuleSet, timeout_ms: int = 10000, workers: int = 2
) -> Iterator[list[Result]]:
    """Results per symbol, in the rule set's order; in worker processes when there are many."""
    symbols = list(ruleset.markets)
    if workers <= 1 or len(symbols) < 8:
        for symbol in symbols:
            yield prove_market(ruleset, ruleset.markets[symbol], timeout_ms)
        return
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(ruleset,)) as pool:
        yield from pool.map(_prove_symbol, symbols, [timeout_ms] * len(symbols), chunksize=16)


def _prove_generic_one(theorem_id: str, size: int, timeout_ms: int) -> Result:
    # Z3 terms cannot be pickled: the worker builds the theorem's table itself.
    return THEOREMS[theorem_id].check(size, timeout_ms)


def prove_generic(
    max_size: int,
    timeout_ms: int,
    tick: Callable[[], Any] | None = None,
    workers: int = 1,
) -> list[Result]:
    """Every generic theorem for K = 1 … ``max_size``, in the order theorem, K; the
    (theorem, K) pairs are shared among ``workers`` processes when there are several."""
    pairs = [(theorem.id, size) for theorem in GENERIC for size in range(1, max_size + 1)]
    results: list[Result] = []
    if workers <= 1 or max_size < 4:  # small tables take a second in all: no pool
        for theorem_id, size in pairs:
            results.append(_prove_generic_one(theorem_id, size, timeout_ms))
            if tick:
                tick()
        return results
    # largest tables first, so that the slowest pairs do not start last
    order = sorted(range(len(pairs)), key=lambda i: -pairs[i][1])
    done: dict[int, Result] = {}
    with ProcessPoolExecutor(workers) as pool:
        futures = {pool.submit(_prove_generic_one, *pairs[i], timeout_ms): i for i in order}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            if tick:
                tick()
    return [done[i] for i in range(len(pairs))]


THEOREMS = {t.id: t for t in (*GENERIC, *CONCRETE)}
