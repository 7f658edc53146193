"""The figures search (FIG-3, FIG-6): snapshots are drawn, the tool and the model answer,
every declared figure is compared, and a failure is shrunk to its smallest snapshot.

A search may collect several failures (``failures``): after one is shrunk, the next must
be a different figure, or lack some feature of every failure of that figure found so far
(:meth:`~marginspec.conformance.figures.explain.Explanation.covers`), so that one cause is
reported once, on its smallest snapshot, and other causes still surface.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from marginspec.conformance.engine import EngineFailure
from marginspec.conformance.figures.api_form import model_answer, reached
from marginspec.conformance.figures.check import FigureDifference, differences
from marginspec.conformance.figures.engine import FiguresCapabilities, FiguresEngine, hello_json
from marginspec.conformance.figures.explain import Explanation, explain
from marginspec.conformance.figures.report import FiguresFailure
from marginspec.conformance.figures.shrink import shrink
from marginspec.conformance.figures.strategies import RandomChooser, ReplayChooser, draw_snapshot
from marginspec.conformance.report import CRASH, DIVERGENCE, TIMEOUT
from marginspec.ruleset import RuleSet

#: A crash, a timeout or a protocol error is one failure, whatever the snapshot.
_NO_ANSWER = Explanation("(no answer)", frozenset(), ())


def _copy(value: Any) -> Any:
    """A fresh copy of a JSON document (the tool may change what it is given): what
    ``copy.deepcopy`` makes, at a third of its cost (no memo of shared parts: JSON has none)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value  # str, int, bool, None: immutable


@attrs.frozen
class SearchResult:
    failures: tuple[FiguresFailure, ...]
    snapshots: int
    seconds: float
    skipped: tuple[str, ...]
    capabilities: FiguresCapabilities
    #: The API-profile targets compared (FIG-8): rule ID -> snapshots that reached it.
    reached: Mapping[str, int] = attrs.field(factory=dict)


class _Search:
    def __init__(
        self,
        engine: FiguresEngine,
        ruleset_ref: str,
        ruleset: RuleSet,
        caps: FiguresCapabilities,
        seed: int,
    ) -> None:
        self.engine = engine
        self.ruleset_ref = ruleset_ref
        self.ruleset = ruleset
        self.caps = caps
        self.seed = seed
        self.found: list[FiguresFailure] = []
        self.skipped: set[str] = set()
        self.snapshots = 0
        self.reached: Counter[str] = Counter()

    @property
    def fields(self) -> set[str]:
        return {f.explanation.field for f in self.found if f.explanation is not None}

    def covered(self, explanation: Explanation) -> bool:
        return any(
            f.explanation is not None and f.explanation.covers(explanation) for f in self.found
        )

    def check(self, snapshot: dict[str, Any], target: str | None) -> FiguresFailure | None:
        """The snapshot's first new failure (of figure ``target``, when given), or None."""
        self.snapshots += 1
        figures, model = model_answer(snapshot, self.ruleset, self.caps)
        if self.caps.break_even or self.caps.api:
            self.reached.update(reached(model))
        try:
            answer = self.engine.figures(_copy(snapshot))
        except EngineFailure as error:
            return self._no_answer(snapshot, model, target, error.kind, error.message, error.stderr)
        except Exception as error:  # a Python tool raising: the tool crashed on this snapshot
            message = f"{type(error).__name__}: {error}"
            return self._no_answer(snapshot, model, target, CRASH, message, "")
        chosen: FiguresFailure | None = None
        for diff in differences(model, answer, self.caps, self.skipped):
            if target is not None and diff.field != target:
                continue
            explanation = explain(diff, figures, self.ruleset)
            if self.covered(explanation):
                continue
            failure = self.failure(DIVERGENCE, snapshot, model, answer, diff, explanation)
            if target is not None or diff.field not in self.fields:
                return failure  # a figure with no failure yet comes first
            chosen = chosen or failure
        return chosen

    def _no_answer(
        self,
        snapshot: dict[str, Any],
        model: dict[str, Any],
        target: str | None,
        kind: str,
        message: str,
        stderr: str,
    ) -> FiguresFailure | None:
        if self.covered(_NO_ANSWER) or target not in (None, _NO_ANSWER.field):
            return None
        return self.failure(
            kind, snapshot, model, None, None, _NO_ANSWER, message=message, stderr=stderr
        )

    def failure(
        self,
        kind: str,
        snapshot: dict[str, Any],
        model: dict[str, Any] | None,
        answer: Any,
        diff: FigureDifference | None,
        explanation: Explanation,
        message: str = "",
        stderr: str = "",
    ) -> FiguresFailure:
        return FiguresFailure(
            kind,
            self.caps.name,
            self.ruleset_ref,
            snapshot,
            model,
            answer,
            diff,
            explanation,
            message=message,
            stderr=stderr,
            skipped=tuple(sorted(self.skipped)),
            seed=self.seed,
        )


def handshake(
    engine: FiguresEngine, ruleset_ref: str, ruleset: RuleSet
) -> tuple[FiguresCapabilities, FiguresFailure | None]:
    """The hello; a tool that crashes, hangs or answers garbage here is a failure with no
    snapshot, never a traceback."""
    try:
        return engine.handshake(hello_json(ruleset_ref, ruleset)), None
    except EngineFailure as error:
        kind, message, stderr = error.kind, error.message, error.stderr
    except Exception as error:
        kind, message, stderr = CRASH, f"{type(error).__name__}: {error}", ""
    failed = FiguresFailure(kind, "implementation", ruleset_ref, {}, message=message, stderr=stderr)
    return FiguresCapabilities(), failed


def search(
    engine: FiguresEngine,
    ruleset_ref: str,
    ruleset: RuleSet,
    seed: int = 0,
    examples: int = 2000,
    failures: int = 1,
    capabilities: FiguresCapabilities | None = None,
    shrink_budget: int = 2000,
    until: Callable[[Sequence[FiguresFailure]], bool] | None = None,
) -> SearchResult:
    """Draw up to ``examples`` snapshots for ``engine``; the first ``failures`` distinct
    failures, each shrunk to its smallest snapshot (FIG-3, FIG-6). Shrinking replays are
    counted in ``SearchResult.snapshots`` but not against ``examples``. ``until``, given the
    failures so far, may end the search early (the benchmark stops once it has what it
    looks for)."""
    started = time.perf_counter()
    if capabilities is None:
        capabilities, failed = handshake(engine, ruleset_ref, ruleset)
        if failed is not None:
            return SearchResult((failed,), 0, time.perf_counter() - started, (), capabilities)
    started = time.perf_counter()  # times to find are counted from the handshake's end
    state = _Search(engine, ruleset_ref, ruleset, capabilities, seed)
    rng = random.Random(seed)
    drawn = 0
    while drawn < examples and len(state.found) < failures:
        drawn += 1
        chooser = RandomChooser(rng)
        first = state.check(draw_snapshot(chooser, ruleset, capabilities), None)
        if first is None:
            continue
        target = first.difference.field if first.difference else _NO_ANSWER.field

        def attempt(
            sequence: Sequence[int], target: str = target
        ) -> tuple[FiguresFailure | None, list[int], list[tuple[int, int]]]:
            replay = ReplayChooser(sequence)
            snapshot = draw_snapshot(replay, ruleset, capabilities)
            return state.check(snapshot, target), replay.record, replay.spans

        found = first
        if first.kind != TIMEOUT:  # every replay of a hang would cost a timeout
            _, found, _ = shrink(attempt, chooser.record, first, shrink_budget, chooser.spans)
        state.found.append(
            attrs.evolve(
                found,
                seconds=time.perf_counter() - started,
                snapshots=state.snapshots,
                skipped=tuple(sorted(state.skipped)),
            )
        )
        if found.kind == TIMEOUT or (until is not None and until(state.found)):
            break
    return SearchResult(
        tuple(state.found),
        state.snapshots,
        time.perf_counter() - started,
        tuple(sorted(state.skipped)),
        capabilities,
        dict(sorted(state.reached.items())),
    )
