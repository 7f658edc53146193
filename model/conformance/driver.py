"""The Hypothesis driver (CONF-5): a ``RuleBasedStateMachine`` running the model and an
implementation side by side, comparing after every action (CONF-2), shrinking to the
smallest failing run (CONF-6).

Each rule is one move of :mod:`marginspec.conformance.moves`; moves aim at bracket
boundaries, liquidation prices and refusals by reading the model's state.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from marginspec.conformance import moves
from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.compare import Comparer
from marginspec.conformance.engine import Engine, EngineFailure, ModelEngine
from marginspec.conformance.folding import compensated, folded, prefix_folded, simpler
from marginspec.conformance.moves.aiming import aim_offset, aimed_again
from marginspec.conformance.moves.weights import weighted
from marginspec.conformance.report import CRASH, DIVERGENCE, TIMEOUT, FailureReport, Step
from marginspec.conformance.reproducible import seed_alone
from marginspec.conformance.runner import handshake
from marginspec.conformance.stats import Stats
from marginspec.exchange import INSURANCE_FUND, Model
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet


@attrs.frozen
class Profile:
    """How hard to look (CONF-7): generated runs and moves per run, by stage.

    Iterative deepening: short runs first (their failures are short to begin with),
    then long ones (failures that need a longer history).
    """

    name: str
    stages: tuple[tuple[int, int], ...]  # (examples, moves per run)

    @property
    def max_examples(self) -> int:
        return sum(examples for examples, _ in self.stages)

    def scaled(self, examples: int) -> tuple[tuple[int, int], ...]:
        """The stages with ``examples`` runs in all, split in the same proportions."""
        total = self.max_examples
        return tuple((max(1, e * examples // total), n) for e, n in self.stages)


PROFILES = {
    "quick": Profile("quick", stages=((80, 4), (220, 16))),
    "thorough": Profile("thorough", stages=((300, 4), (700, 12), (1000, 30))),
}


class ConformanceFailure(Exception):
    """Raised inside a generated run; Hypothesis shrinks it, the runner reports it."""

    def __init__(self, report: FailureReport) -> None:
        super().__init__(report.headline())
        self.report = report


class _Stop(Exception):
    """Ends a generated run at once after the first failure (see :func:`run`)."""


#: ``progress(phase, done, total)``: how far a campaign is (total 0 when unknown).
Progress = Callable[[str, int, int], None]
#: Generated runs at most when a failure is searched again with a fresh engine per run.
ISOLATED_RUNS = 100
#: A shrunk trace longer than this is searched on for a shorter one (CONF-6) ...
SHORT_TRACE = 6
#: ... among at most this many more failing runs, the shortest few of them shrunk.
WITNESS_RUNS = 20
WITNESS_SHRINKS = 3
#: Searching on starts from another seed (fixed by the first): other runs than the first
#: search's, not the same ones again up to its failure.
WITNESS_SEED = 7919


class Session:
    """One implementation under test, shared by every generated run.

    ``fresh`` makes a new engine that has seen nothing (a new process): failures are
    re-checked on one before they are reported (CONF-6), and with ``isolate`` every run
    gets its own.
    """

    def __init__(
        self,
        engine: Engine,
        ruleset_ref: str,
        ruleset: RuleSet,
        caps: Capabilities,
        fresh: Callable[[], Engine] | None = None,
        isolate: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.engine = engine
        self.original = engine
        self.fresh = fresh
        self.isolate = isolate
        self.progress = progress
        self.total = 0  # generated runs planned (for progress)
        self.generated = 0
        self.ruleset_ref = ruleset_ref
        self.ruleset = ruleset
        self.caps = caps
        self.comparer = Comparer(caps)
        self.stats = Stats()
        self.steps = 0
        self.runs = 0
        #: The first failure of a generated run, kept here rather than trusted to
        #: Hypothesis: an engine whose failure does not repeat (state kept across
        #: resets, a crash or hang that comes and goes) makes Hypothesis's final
        #: re-run raise a FlakyFailure, and the report must not depend on it.
        self.failure: FailureReport | None = None
        #: While searching on for a shorter run (:func:`_shorter_witness`): the failures
        #: of the runs, each ending its run (``dead``) instead of the search.
        self.witnesses: list[FailureReport] | None = None
        self.dead = False
        accounts = [*moves.ACCOUNTS]
        if caps.liquidation_sweep:
            accounts.append(INSURANCE_FUND)
        self.accounts = tuple(accounts)

    def renew(self) -> None:
        """Replace the engine by a fresh one, handshake included (its failure is the
        engine's, raised as :class:`EngineFailure`)."""
        assert self.fresh is not None
        self.release()
        self.engine = self.fresh()
        _, failed = handshake(self.engine, self.ruleset_ref, self.ruleset)
        if failed is not None:
            raise EngineFailure(failed.kind, failed.message, failed.stderr)

    def release(self) -> None:
        """Close the current engine if the session made it (the caller closes its own)."""
        if self.engine is not self.original:
            self.engine.close()
            self.engine = self.original

    def tick(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)


class RunContext:
    """A :class:`moves.Context` that steps the model and the implementation together."""

    def __init__(self, session: Session, initial: dict[str, Any], fresh: bool = False) -> None:
        self.session = session
        self.caps = session.caps
        self.initial = initial
        self.reference = ModelEngine(session.ruleset)
        self.reference.reset(initial)
        assert self.reference.model is not None
        self.model: Model = self.reference.model
        self.steps: list[Step] = []
        session.runs += 1
        if fresh or session.isolate:
            self._guard(session.renew)
        self._guard(lambda: session.engine.reset(initial))

    def _failure(
        self, kind: str, message: str, stderr: str = "", impl: Any = None
    ) -> ConformanceFailure:
        if impl is not None and self.steps:
            self.steps[-1] = attrs.evolve(self.steps[-1], impl=impl)
        s = self.session
        return ConformanceFailure(
            FailureReport(
                kind=kind,
                engine=s.caps.name,
                ruleset_ref=s.ruleset_ref,
                initial=self.initial,
                steps=tuple(self.steps),
                message=message,
                stderr=stderr,
            )
        )

    def _guard(self, call: Any) -> Any:
        try:
            return call()
        except EngineFailure as error:
            raise self._failure(error.kind, error.message, error.stderr) from None
        except ConformanceFailure:
            raise
        except Exception as error:  # a Python engine raising is a crash of the implementation
            last = traceback.format_exception_only(type(error), error)[-1].strip()
            raise self._failure(CRASH, f"the implementation raised {last}") from None

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        s = self.session
        expected = self.reference.apply(action)
        self.steps.append(Step(action, expected))
        s.stats.step(action, expected)
        got = self._guard(lambda: s.engine.apply(action))
        self.steps[-1] = Step(action, expected, got)
        s.steps += 1
        diff = s.comparer.outcome(expected, got)
        if diff is None:
            snaps = self._guard(lambda: s.engine.snapshots(s.accounts))
            if not isinstance(snaps, dict):
                raise self._failure(CRASH, f"snapshots() returned {type(snaps).__name__}")
            for name in s.accounts:
                diff = s.comparer.account(name, self.reference.snapshot(name), snaps.get(name))
                if diff is not None:
                    break
        if diff is not None:
            failure = self._failure(DIVERGENCE, diff.note)
            failure.report = attrs.evolve(failure.report, difference=diff)
            raise failure
        return expected


def machine_class(session: Session) -> type[RuleBasedStateMachine]:
    """A state machine class bound to one session: one rule that plays a move drawn by
    weight (:mod:`~marginspec.conformance.moves.weights`)."""
    table = weighted(session.caps)

    class ConformanceMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.ctx: RunContext | None = None

        @initialize(data=st.data())
        def start(self, data: st.DataObject) -> None:
            if session.witnesses is None and session.failure is not None:
                raise _Stop  # one failure is enough: Hypothesis's re-run of it ends here
            if session.witnesses is not None and len(session.witnesses) >= WITNESS_RUNS:
                raise _Stop  # enough failing runs to look for a shorter one among
            session.dead = False
            chooser = _DataChooser(data)
            self.rotation = data.draw(st.integers(0, 2**32 - 1))
            self.played = 0
            session.generated += 1
            session.tick(
                "generating" if not session.isolate else "searching again, a fresh engine per run",
                session.generated,
                session.total,
            )
            with _keep_first(session):
                self.ctx = RunContext(
                    session, moves.initial(chooser, session.caps, session.ruleset)
                )

    ConformanceMachine.play = _rule(table)
    return ConformanceMachine


#: Every ROTATION-th move of a run is taken from the run's rotation (CONF-5).
ROTATION = 4
#: Knuth's multiplicative hash: spreads the run's drawn rotation start over the moves.
_SPREAD = 2654435761


def _rule(table: tuple[tuple[str, moves.Move, int], ...]) -> Any:
    """The one rule: a move drawn by weight, played. Hypothesis's own choice among rules
    leans on the first (the simplest), which skewed the moves (docs/conformance).

    Every :data:`ROTATION`-th move of a run is instead the next of the run's rotation
    through every move, once each, from a start drawn with the run: a floor under each
    move's share. Hypothesis's draws are far from even over a campaign (an aimed move
    of weight 1 was drawn 0 to 7 times in a whole quick run, so the refusal it aims at
    went unreached on one seed or another); a start spread by a hash of a 32-bit draw
    reaches every move. The rotation depends on the run's own draws only: Hypothesis
    refuses generation that depends on anything else, and a seed still fixes the runs."""
    slots = [(name, move) for name, move, weight in table for _ in range(weight)]
    ordered = list(dict.fromkeys(name for name, _, _ in table))
    by_name = {name: move for name, move, _ in table}

    @rule(data=st.data())
    def play(self: Any, data: st.DataObject) -> None:
        if self.ctx is None or self.ctx.session.dead:
            return  # the run failed while searching on for a shorter one: it is over
        name, move = slots[data.draw(st.integers(0, len(slots) - 1))]
        self.played += 1
        if self.played % ROTATION == 0:
            turn = self.rotation * _SPREAD + self.played // ROTATION
            name = ordered[turn % len(ordered)]
            move = by_name[name]
        session = self.ctx.session
        session.stats.move(name)
        with _keep_first(session):
            move(self.ctx, _DataChooser(data))

    return play


@contextlib.contextmanager
def _keep_first(session: Session) -> Iterator[None]:
    try:
        yield
    except ConformanceFailure as failure:
        if session.witnesses is not None:
            session.witnesses.append(failure.report)
            session.dead = True
            return  # searching on (:func:`_shorter_witness`): the run ends, not the search
        if session.failure is None:
            session.failure = failure.report
        raise


class _DataChooser:
    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def choice(self, options: Any) -> Any:
        return self.data.draw(st.sampled_from(options))


def _settings(examples: int, steps: int) -> settings:
    return settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        database=None,
        derandomize=False,
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        # Hypothesis finds a failing run; shrink_trace() then minimises its actions
        # directly (much faster than re-deriving them from shrunk choices).
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        print_blob=False,
    )


@attrs.frozen
class RunResult:
    report: FailureReport | None
    runs: int
    steps: int
    seconds: float
    skipped: tuple[str, ...]
    capabilities: Capabilities
    #: fields that matched only within their declared tolerance (CONF-2)
    tolerated: tuple[str, ...] = ()
    stats: Stats | None = None


def run(
    engine: Engine,
    ruleset_ref: str,
    ruleset: RuleSet,
    profile: str | Profile = "quick",
    seed: int = 0,
    max_examples: int | None = None,
    capabilities: Capabilities | None = None,
    fresh: Callable[[], Engine] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Drive ``engine`` against the model; the shrunk first failure, or None (CONF-5, CONF-6).

    With ``fresh`` (a factory of engines that have seen nothing: a new process) the
    failure is re-checked on a fresh engine before it is reported, so that its trace
    fails when replayed on the same implementation; see :func:`settle`.
    """
    chosen = PROFILES[profile] if isinstance(profile, str) else profile
    started = time.perf_counter()
    if capabilities is not None:
        caps = capabilities
    else:
        caps, failed = handshake(engine, ruleset_ref, ruleset)
        if failed is not None:
            return RunResult(failed, 0, 0, time.perf_counter() - started, (), caps)
    session = Session(engine, ruleset_ref, ruleset, caps, fresh, progress=progress)
    stages = chosen.scaled(max_examples) if max_examples else chosen.stages
    sessions = [session]
    try:
        report = search(session, stages, seed)
        if report is not None:
            report, isolated = settle(session, report, stages, seed)
            sessions += isolated
            report = attrs.evolve(
                report,
                skipped=tuple(sorted(session.comparer.skipped)),
                seed=seed,
                tolerated=tuple(sorted(session.comparer.tolerated)),
            )
    finally:
        for each in sessions:
            each.release()
    return RunResult(
        report,
        sum(s.runs for s in sessions),
        sum(s.steps for s in sessions),
        time.perf_counter() - started,
        tuple(sorted(session.comparer.skipped)),
        caps,
        tuple(sorted(session.comparer.tolerated)),
        session.stats,
    )


def search(
    session: Session, stages: tuple[tuple[int, int], ...], seed: int
) -> FailureReport | None:
    """Generated runs, stage by stage, until the first failure (CONF-5)."""
    machine = hypothesis_seed(seed)(machine_class(session))
    session.total = sum(examples for examples, _ in stages)
    for examples, steps in stages:
        try:
            with seed_alone():
                run_state_machine_as_test(machine, settings=_settings(examples, steps))
        except Exception:
            if session.failure is None:
                raise  # not the implementation's failure: a bug of the kit
        if session.failure is not None:
            return session.failure
    return None


def settle(
    session: Session, first: FailureReport, stages: tuple[tuple[int, int], ...], seed: int
) -> tuple[FailureReport, list[Session]]:
    """CONF-6: the failure to report, shrunk and, given a factory of fresh engines,
    re-checked on a fresh one (``fresh=True`` in the report).

    An engine whose failure needs what it saw in earlier runs (state kept across
    ``reset``: "crashes on its third action since it started") fails no replay on a
    fresh engine: the search is then run again with a fresh engine per run, at most
    :data:`ISOLATED_RUNS` runs, where every failure is reproducible from its trace. If
    that finds nothing either, the first failure is reported as it happened, with
    ``fresh=False`` (it does not repeat: nondeterministic, or history beyond reach).
    Also returns the extra sessions used (for their counts; the caller releases them).
    """
    shrunk = _shorter_witness(session, shrink_trace(session, first), stages, seed)
    if session.fresh is None:
        return shrunk, []
    again = _recheck(session, shrunk, first)
    if again is not None:
        return again, []
    isolated = Session(
        session.original,
        session.ruleset_ref,
        session.ruleset,
        session.caps,
        session.fresh,
        isolate=True,
        progress=session.progress,
    )
    total = sum(examples for examples, _ in stages)
    found = search(isolated, Profile("isolated", stages).scaled(min(total, ISOLATED_RUNS)), seed)
    if found is not None:
        again = _recheck(isolated, shrink_trace(isolated, found), found)
        if again is not None:
            note = (
                "the first failure needed what the implementation saw in earlier runs "
                "(state kept across reset); this one was found with a fresh process per run"
            )
            return attrs.evolve(again, note=note), [isolated]
    return attrs.evolve(first, fresh=False), [isolated]


def _shorter_witness(
    session: Session, shrunk: FailureReport, stages: tuple[tuple[int, int], ...], seed: int
) -> FailureReport:
    """CONF-6: a shorter run failing the same way, where the shrunk one is longer than
    :data:`SHORT_TRACE` steps.

    Delta debugging removes actions but cannot re-derive what a removal moves: a
    position built by several trades, then an amount computed from it (a deposit of the
    exact shortfall). Another generated run often reaches the same failure by a shorter
    route (an aimed move). So the search goes on from another seed (derived from the
    first: the report stays reproducible), each failing run ending itself rather than
    the search, until :data:`WITNESS_RUNS` have failed. Of those failing the same way
    (kind, field, cause), :data:`WITNESS_SHRINKS` are shrunk, the shortest of each route
    first (a route: the kind of the failing action), and the shortest result wins.
    """
    if shrunk.kind != DIVERGENCE or len(shrunk.steps) <= SHORT_TRACE:
        return shrunk
    session.witnesses = []
    machine = hypothesis_seed(seed + WITNESS_SEED)(machine_class(session))
    session.total = sum(examples for examples, _ in stages)
    session.generated = 0
    try:
        for examples, steps in stages:
            # the stop after WITNESS_RUNS failures depends on what was found, which
            # Hypothesis may report as generation depending on outside state (Flaky)
            with contextlib.suppress(_Stop, Flaky), seed_alone():
                run_state_machine_as_test(machine, settings=_settings(examples, steps))
            if len(session.witnesses) >= WITNESS_RUNS:
                break
    finally:
        found, session.witnesses = session.witnesses, None
    best = shrunk
    alike = sorted((r for r in found if _same(r, shrunk)), key=lambda r: len(r.steps))
    # one per route first: runs failing on another kind of action than the shrunk one
    # took another route to the failure, and the same route shrinks to the same length
    last = {shrunk.steps[-1].action.get("action")}
    routes: list[FailureReport] = []
    for report in alike:
        kind = report.steps[-1].action.get("action")
        if kind not in last:
            last.add(kind)
            routes.append(report)
    routes += [r for r in alike if r not in routes]
    for report in routes[:WITNESS_SHRINKS]:
        candidate = shrink_trace(session, report)
        if _same(candidate, shrunk) and len(candidate.steps) < len(best.steps):
            best = candidate
        if len(best.steps) <= SHORT_TRACE:
            break
    return best


def _recheck(session: Session, shrunk: FailureReport, first: FailureReport) -> FailureReport | None:
    """The shrunk run, else the whole first run, failing the same way on a fresh engine."""
    for candidate in (shrunk, first) if shrunk is not first else (shrunk,):
        session.tick("re-checking on a fresh engine", 0, 0)
        found = _replay_steps(session, candidate.initial, list(candidate.steps), fresh=True)
        if found is not None and _same(found, candidate):
            return attrs.evolve(found, fresh=True)
    return None


def replay_actions(
    session: Session, initial: dict[str, Any], actions: list[dict[str, Any]]
) -> FailureReport | None:
    """Run ``actions`` on the model and the implementation; the failure, or None."""
    return _replay_steps(session, initial, [Step(a, {}) for a in actions])


_ID_FIELDS = {"fill": ("makerOrderId", "takerOrderId"), "cancelOrder": ("orderId",)}


def _replay_steps(
    session: Session,
    initial: dict[str, Any],
    steps: list[Step],
    fresh: bool = False,
    aims: Mapping[int, Exact] | None = None,
) -> FailureReport | None:
    """Replay recorded steps (on a fresh engine if ``fresh``), renumbering order ids: a
    removed ``placeOrder`` shifts the ids the exchange assigns, so later fills and
    cancels are rewritten to the new ids (an id whose order was removed points nowhere).
    ``aims``: the steps (by index) whose amount is aimed again at its boundary, at the
    same offset from it (``moves.aiming.aimed_again``)."""
    placed = {s.model["orderId"] for s in steps if "orderId" in s.model}
    ids: dict[int, int] = {}
    try:
        ctx = RunContext(session, initial, fresh)
        for index, step in enumerate(steps):
            action = step.action
            if aims and index in aims:
                action = aimed_again(ctx.model, action, aims[index]) or action
            fields = _ID_FIELDS.get(str(action.get("action")), ())
            if fields:
                action = dict(action)
                for key in fields:
                    old = action.get(key)
                    if isinstance(old, int) and old in placed:
                        action[key] = ids.get(old, 10**9 + old)
            outcome = ctx.step(action)
            if "orderId" in step.model and "orderId" in outcome:
                ids[step.model["orderId"]] = outcome["orderId"]
    except ConformanceFailure as failure:
        return failure.report
    return None


def _same(a: FailureReport, b: FailureReport) -> bool:
    """The same failure: same kind and, for a divergence, the same cause: the rules of
    the first differing figure (re-derived on every candidate, so shrinking cannot trade
    the broken rule for another that happens to differ in a shorter run)."""
    if a.kind != b.kind:
        return False
    if a.difference is None or b.difference is None:
        return a.difference is b.difference
    return a.difference.field == b.difference.field and _cause(a) == _cause(b)


def _cause(report: FailureReport) -> tuple[str, ...]:
    """The rules of a divergence, less the action's own ACT-n (any action may expose it)."""
    return tuple(r for r in report.rules if not r.startswith("ACT-"))


def shrink_trace(session: Session, report: FailureReport, budget: int = 400) -> FailureReport:
    """CONF-6: delta debugging on the failing run's actions (ddmin).

    Remove chunks of actions (halves, quarters, …, single actions) while the same
    failure (kind and field) still happens; every candidate is replayed from the
    initial state on both sides. Then the starting state is shrunk (set-up actions folded
    into it, its numbers made simpler: :func:`_shrink_initial`) and the actions again,
    until neither gets shorter. ``budget`` bounds the replays. Timeouts are not
    shrunk (each replay would cost a timeout). A crash or protocol failure is shrunk
    on a fresh engine per replay when the session can make one: the engine that
    failed may fail again only because of what it saw before (CONF-6).
    """
    if report.kind == TIMEOUT:
        return report
    fresh = report.kind != DIVERGENCE and session.fresh is not None
    if report.kind != DIVERGENCE:
        budget = min(budget, 60)  # a crashed process restarts on every replay: keep it short
    best = report
    steps = list(report.steps)
    aims = _aims(session, report.initial, steps)
    replays = 0
    chunk = max(1, len(steps) // 2)
    while chunk >= 1 and replays < budget:
        start = 0
        removed = False
        while start < len(steps) and replays < budget:
            candidate = steps[:start] + steps[start + chunk :]
            if not candidate:
                start += chunk
                continue
            replays += 1
            session.tick("shrinking", replays, budget)
            found = _replay_steps(session, report.initial, candidate, fresh)
            kept = {
                i - (chunk if i >= start else 0): offset
                for i, offset in aims.items()
                if not start <= i < start + chunk
            }
            if candidate[-1].action.get("action") in ("deposit", "withdraw"):
                kept.setdefault(len(candidate) - 1, Exact(0))  # the failing step: on its edge
            if kept and (found is None or not _same(found, report)) and replays < budget:
                # the boundaries moved with the removed actions: aim those amounts again
                replays += 1
                found = _replay_steps(session, report.initial, candidate, fresh, kept)
            if found is not None and _same(found, report):
                best = found
                steps = list(found.steps)  # drops what follows the failure
                aims = _aims(session, report.initial, steps)
                removed = True
            else:
                start += chunk
        if not removed:
            chunk //= 2
    if report.kind == DIVERGENCE and "IOC" in session.caps.time_in_force:
        shorter = _immediate_fills(session, best, max(0, budget - replays))
        if shorter is not best:
            return shrink_trace(session, shorter, max(0, budget - replays - 1))
    simpler, used = _shrink_initial(session, best, max(0, budget - replays), fresh)
    if simpler is not best:
        return shrink_trace(session, simpler, max(0, budget - replays - used))
    return best


def _aims(session: Session, initial: dict[str, Any], steps: list[Step]) -> dict[int, Exact]:
    """CONF-6: the deposits and withdrawals of ``steps`` (by index) whose amount sits on a
    boundary of the state they met (the shortfall to maintenance, ``maxWithdrawAmount``),
    or one of ``AIM_OFFSETS`` off it, with that offset: found on the model alone. Removing
    an earlier action moves the boundary; the shrinker aims them again (CONF-6)."""
    reference = ModelEngine(session.ruleset)
    reference.reset(initial)
    assert reference.model is not None
    out: dict[int, Exact] = {}
    for index, step in enumerate(steps):
        offset = aim_offset(reference.model, step.action)
        if offset is not None:
            out[index] = offset
        reference.apply(step.action)
    return out


def _shrink_initial(
    session: Session, report: FailureReport, budget: int, fresh: bool
) -> tuple[FailureReport, int]:
    """CONF-6: the starting state shrunk (``folding``): one set-up action folded into the
    initial state, else the initial state made simpler, kept only where the same failure
    remains. The first that holds is returned (the caller shrinks the actions again, since
    a simpler start may make more of them unnecessary), with the replays used."""
    used = 0
    candidates = _prefix_candidates(session, report)
    for index, step in enumerate(report.steps[:-1]):
        start = folded(report.initial, step.action, session.caps, session.ruleset)
        if start is not None:
            candidates.append((start, [*report.steps[:index], *report.steps[index + 1 :]]))
    candidates += _compensated_candidates(session, report)
    candidates += [(start, list(report.steps)) for start in simpler(report.initial)]
    for start, steps in candidates:
        if used >= budget:
            break
        used += 1
        session.tick("shrinking the starting state", used, budget)
        found = _replay_steps(session, start, steps, fresh)
        if found is not None and _same(found, report):
            return found, used
    return report, used


def _prefix_candidates(
    session: Session, report: FailureReport
) -> list[tuple[dict[str, Any], list[Step]]]:
    """CONF-6: (initial state, remaining steps) for each prefix of the run after which
    nobody holds a position or an order (``folding.prefix_folded``), the longest first:
    the state the prefix reached becomes the start, so a failure that needs a wallet an
    earlier liquidation left is told without the liquidation."""
    reference = ModelEngine(session.ruleset)
    reference.reset(report.initial)
    assert reference.model is not None
    out: list[tuple[dict[str, Any], list[Step]]] = []
    for index, step in enumerate(report.steps[:-1], start=1):
        reference.apply(step.action)
        start = prefix_folded(reference.model.state, session.ruleset)
        if start is not None:
            out.append((start, list(report.steps[index:])))
    return out[::-1]


def _compensated_candidates(
    session: Session, report: FailureReport
) -> list[tuple[dict[str, Any], list[Step]]]:
    """CONF-6: (initial state, remaining steps) for each action before the failing one
    that changed a wallet (a fill's fees, a funding payment), removed with its wallet
    changes kept in the initial state (``folding.compensated``): a failure at an exact
    boundary survives removing an unrelated trade whose fee the boundary counted."""
    reference = ModelEngine(session.ruleset)
    reference.reset(report.initial)
    assert reference.model is not None
    out: list[tuple[dict[str, Any], list[Step]]] = []
    for index, step in enumerate(report.steps[:-1]):
        before = reference.model.state
        reference.apply(step.action)
        start = compensated(report.initial, before, reference.model.state)
        if start is not None:
            out.append((start, [*report.steps[:index], *report.steps[index + 1 :]]))
    return out


def _immediate_fills(session: Session, report: FailureReport, budget: int) -> FailureReport:
    """CONF-6: a trade of three actions (a resting order, a counter-order, the fill of
    one by the other) made two: the counter-order sent IOC at the same price matches at
    once (ACT-ORD-8), the fill step dropped; kept only where the same failure remains."""
    best = report
    index = 1
    while index < len(best.steps) and budget > 0:
        steps = list(best.steps)
        fill, taker = steps[index].action, steps[index - 1]
        if (
            fill.get("action") == "fill"
            and "quantity" not in fill
            and taker.action.get("action") == "placeOrder"
            and taker.model.get("orderId") == fill.get("takerOrderId")
            and taker.action.get("type", "LIMIT") == "LIMIT"
            and taker.action.get("timeInForce", "GTC") == "GTC"
        ):
            budget -= 1
            immediate = Step({**taker.action, "timeInForce": "IOC"}, taker.model)
            candidate = [*steps[: index - 1], immediate, *steps[index + 1 :]]
            found = _replay_steps(session, report.initial, candidate)
            if found is not None and _same(found, report):
                best = found
                continue  # the same index now holds the next step
        index += 1
    return best
