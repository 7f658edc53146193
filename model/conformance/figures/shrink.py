"""Shrinking a failing snapshot by its choice sequence (FIG-6).

The generator (:func:`~marginspec.conformance.figures.strategies.draw_snapshot`) reads
integer choices where 0 is always the simplest option; a failing snapshot is its recorded
choice sequence. Shrinking searches for a shortlex-smaller sequence (shorter, then
lexicographically smaller) whose snapshot still fails the same way, as Hypothesis does:
delete whole spans (a symbol, an order: the structure the generator records), delete runs
of choices, zero runs of choices, then lower each choice by binary search.
Every candidate is replayed on the tool and the model; ``budget`` bounds the replays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

R = TypeVar("R")

Span = tuple[int, int]
#: ``attempt(sequence)`` -> (the failure, or None if it no longer fails; the choices used;
#: the spans they formed)
Attempt = Callable[[Sequence[int]], tuple[R | None, list[int], list[Span]]]


def _key(sequence: Sequence[int]) -> tuple[int, Sequence[int]]:
    return len(sequence), sequence


class Shrinker(Generic[R]):
    def __init__(
        self, attempt: Attempt[R], sequence: list[int], spans: list[Span], failure: R, budget: int
    ) -> None:
        self.attempt = attempt
        self.best = sequence
        self.spans = spans
        self.failure = failure
        self.budget = budget
        self.calls = 0

    def consider(self, candidate: list[int]) -> bool:
        """Replay ``candidate``; keep it if it still fails and is smaller."""
        if self.calls >= self.budget or _key(candidate) >= _key(self.best):
            return False
        self.calls += 1
        failure, used, spans = self.attempt(candidate)
        if failure is None or _key(used) >= _key(self.best):
            return False
        self.best, self.spans, self.failure = used, spans, failure
        return True

    def _delete_spans(self) -> bool:
        improved = False
        index = len(self.spans) - 1
        while index >= 0:
            if index < len(self.spans):
                start, end = self.spans[index]
                if self.consider(self.best[:start] + self.best[end:]):
                    improved = True
                    index = len(self.spans)  # the spans moved: start again from the last
            index -= 1
        return improved

    def _runs(self, change: Callable[[list[int], int, int], list[int]]) -> bool:
        improved = False
        for size in (8, 4, 2, 1):
            i = len(self.best) - size
            while i >= 0:
                if not self.consider(change(self.best, i, size)):
                    i -= 1
                else:
                    improved = True
                    i = min(i, len(self.best) - size)
        return improved

    def _lower(self) -> bool:
        improved = False
        for i in range(len(self.best)):
            if i >= len(self.best) or self.best[i] == 0:
                continue
            low, high = 0, self.best[i]  # high fails; find the smallest that does
            while low < high and self.calls < self.budget:
                middle = (low + high) // 2
                candidate = [*self.best[:i], middle, *self.best[i + 1 :]]
                if self.consider(candidate):
                    improved = True
                    if i >= len(self.best):
                        break
                    high = self.best[i]
                else:
                    low = middle + 1
        return improved

    def run(self) -> tuple[list[int], R]:
        while self.calls < self.budget:
            spans = self._delete_spans()
            deleted = self._runs(lambda s, i, n: s[:i] + s[i + n :])
            zeroed = self._runs(lambda s, i, n: s[:i] + [0] * n + s[i + n :])
            lowered = self._lower()
            if not (spans or deleted or zeroed or lowered):
                break
        return self.best, self.failure


def shrink(
    attempt: Attempt[R],
    sequence: list[int],
    failure: R,
    budget: int = 2000,
    spans: list[Span] | None = None,
) -> tuple[list[int], R, int]:
    """The smallest failing sequence found, its failure, and the replays spent."""
    shrinker = Shrinker(attempt, sequence, spans or [], failure, budget)
    best, found = shrinker.run()
    return best, found, shrinker.calls
