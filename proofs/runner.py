"""Run the theorems of a rule set: concrete ones per symbol (both cores), generic ones per K."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
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


def prove_generic(
    max_size: int, timeout_ms: int, tick: Callable[[], Any] | None = None
) -> list[Result]:
    results = []
    for theorem in GENERIC:
        for size in range(1, max_size + 1):
            results.append(theorem.check(size, timeout_ms))
            if tick:
                tick()
    return results


THEOREMS = {t.id: t for t in (*GENERIC, *CONCRETE)}
