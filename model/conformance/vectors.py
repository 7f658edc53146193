"""Static test vectors (CONF-9): a deterministic corpus of traces covering every target.

The targets are the table of :mod:`marginspec.conformance.coverage`: every executable
rule ID of ``spec/rules.md`` and ``spec/account-model.md`` (actions, refusals, fills,
funding, liquidation, insurance fund, ADL, and the formula rules BRK, MM, LEV, LIQ,
XFER, …) with a predicate over one step, plus every event type. ``generate`` plays runs
of moves (:mod:`marginspec.conformance.moves`) drawn from ``random.Random(seed)``; each
run is steered at one target still short of vectors (half of its moves are the moves that
target names, the rest random), and a run is kept only if it covers a target that has
fewer than :data:`SHAPES` vectors, in a shape (the kinds of its actions up to the
covering step) none of them has (truncated after the last step that added one); a
run with everything (not the simplest start) is kept only if it reaches the target it
was steered at. It
stops when every target has its vectors of different shapes, and fails naming the
uncovered targets when ``budget`` runs are spent. Same
rule set, seed and kit version: byte-identical files.

``index.json`` lists each file, its steps, the targets it added and every target it
exercises; per target, the files that exercise it; and the excluded rule IDs with
their reasons. ``check`` runs every vector on an implementation (vectors that use an
action it does not support are skipped and listed).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from marginspec import __version__
from marginspec.conformance import coverage, moves
from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.compare import Comparer
from marginspec.conformance.engine import Engine, ModelEngine
from marginspec.conformance.report import CRASH, TIMEOUT, FailureReport
from marginspec.conformance.runner import check_trace, handshake
from marginspec.errors import MarginspecError
from marginspec.exchange import parse_action
from marginspec.exchange.trace import record
from marginspec.outputs import make_folder, write_atomic
from marginspec.rulefile import dump_ruleset
from marginspec.ruleset import RuleSet

INDEX = "index.json"
FORMAT = "marginspec-vectors/2"
#: Runs the default corpus may use (it needs far fewer: docs/performance.md).
BUDGET = 3000
MOVES_PER_RUN = 8


class CoverageError(MarginspecError):
    """The budget ran out before every target was covered."""


def refusal_rules() -> tuple[str, ...]:
    """Every REF-n the model can answer."""
    return coverage.refusal_rules()


def targets(ruleset: RuleSet | None = None) -> tuple[str, ...]:
    """The IDs of every target, in table order (the bundled rule set by default)."""
    if ruleset is None:
        from marginspec.rulefile import load_bundled

        ruleset = load_bundled("aster-pro")
    return tuple(t.rule for t in coverage.targets(ruleset))


class _Recorder:
    """A :class:`moves.Context` on the model alone, judging each step against targets."""

    def __init__(
        self,
        ruleset: RuleSet,
        initial: dict[str, Any],
        caps: Capabilities,
        wanted: tuple[coverage.Target, ...],
    ) -> None:
        self.engine = ModelEngine(ruleset)
        self.engine.reset(initial)
        assert self.engine.model is not None
        self.model = self.engine.model
        self.caps = caps
        self.initial = initial
        self.wanted = wanted
        self.actions: list[dict[str, Any]] = []
        self.covers: list[list[str]] = []

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        before = self.model.state
        outcome = self.engine.apply(action)
        step = coverage.Step(
            self.model.ruleset, self.initial, before, action, outcome, self.model.state
        )
        self.actions.append(action)
        self.covers.append(coverage.covered(step, self.wanted))
        return outcome


@attrs.frozen
class Corpus:
    vectors: tuple[dict[str, Any], ...]  # trace documents
    index: dict[str, Any]


_COIN: tuple[bool, ...] = (True, False)

_MOVES: dict[str, moves.Move] = {
    **{name: move for name, (move, _) in moves.MOVES.items()},
    **{name: move for name, (move, _) in moves.AIMED.items()},
}


def _run(
    ruleset: RuleSet,
    chooser: moves.RandomChooser,
    caps: Capabilities,
    focus: coverage.Target,
    wanted: tuple[coverage.Target, ...],
    moves_per_run: int,
) -> _Recorder:
    initial = moves.initial(chooser, caps, ruleset)
    if not caps.liquidation_sweep:
        initial["insuranceFund"] = "0"  # its snapshot is not compared without sweeps
    if any(name in moves.EMPTY_FUND for name in focus.aims):
        initial["insuranceFund"] = "0"  # the fund cannot take over: ADL (ADL-1)
    recorder = _Recorder(ruleset, initial, caps, wanted)
    names = sorted(moves.usable_moves(caps))
    aims = tuple(a for a in focus.aims if _usable(a, caps))
    for _ in range(moves_per_run):
        aimed = bool(aims) and chooser.choice(_COIN)
        _MOVES[chooser.choice(aims) if aimed else chooser.choice(names)](recorder, chooser)
    if caps.liquidation_sweep:
        # A closing sweep: whatever the run left underwater is liquidated (LIQP, IF, ADL).
        moves.sweep(recorder, chooser)
    return recorder


def _usable(name: str, caps: Capabilities) -> bool:
    _, actions = {**moves.MOVES, **moves.AIMED}[name]
    if "setPositionMode" in actions and not caps.hedge_mode:
        return False
    return all(caps.supports(a) for a in actions)


#: The simplest start (CONF-9): no hedge mode, no funding, no sweeps. A target is first
#: sought from it, so a subset engine runs most of the corpus; only a target it does not
#: reach in SIMPLE_TRIES runs is sought with everything.
SIMPLE = Capabilities(hedge_mode=False, funding=False, liquidation_sweep=False)
SIMPLE_TRIES = 15
#: Vectors of different shape sought per target (CONF-9): an engine whose bug shows only
#: in one way of reaching a rule still fails a vector, and one fragile vector is not the
#: target's only test.
SHAPES = 2


def _shape(actions: list[dict[str, Any]]) -> tuple[str, ...]:
    """A vector's shape up to a step: the kinds of its actions in order (two vectors of
    one shape differ only in their numbers)."""
    return tuple(str(a.get("action")) for a in actions)


def generate(
    ruleset_ref: str,
    ruleset: RuleSet,
    seed: int = 0,
    budget: int = BUDGET,
    moves_per_run: int = MOVES_PER_RUN,
    complete: bool = True,
) -> Corpus:
    """The deterministic corpus (CONF-9); :class:`CoverageError` if ``complete`` and the
    budget runs out first."""
    rng = random.Random(seed)
    chooser = moves.RandomChooser(rng)
    caps = Capabilities()
    table = coverage.targets(ruleset)
    order = {t.rule: i for i, t in enumerate(table)}
    #: per target, the shapes of the kept vectors that cover it (at most SHAPES)
    shapes: dict[str, list[tuple[str, ...]]] = {t.rule: [] for t in table}
    kept: list[tuple[dict[str, Any], list[dict[str, Any]], list[str]]] = []
    runs = 0
    tries: dict[tuple[str, int], int] = {}  # per target and shapes found: runs steered at it
    while runs < budget and any(len(v) < SHAPES for v in shapes.values()):
        runs += 1
        wanted = tuple(t for t in table if len(shapes[t.rule]) < SHAPES)
        focus = chooser.choice(wanted)
        key = (focus.rule, len(shapes[focus.rule]))
        tries[key] = tries.get(key, 0) + 1
        simple = tries[key] <= SIMPLE_TRIES  # each shape is sought from the simplest start first
        recorder = _run(ruleset, chooser, SIMPLE if simple else caps, focus, wanted, moves_per_run)
        new: dict[str, tuple[str, ...]] = {}
        last = -1
        for i, ids in enumerate(recorder.covers):
            shape = _shape(recorder.actions[: i + 1])
            for rule in ids:
                if rule not in new and shape not in shapes[rule]:
                    new[rule] = shape
                    last = i
        if last < 0 or (not simple and focus.rule not in new):
            # a run with everything (hedge mode, funding, sweeps) is kept only for the
            # target that needed it: the others are sought from the simplest start
            continue
        for rule, shape in new.items():
            shapes[rule].append(shape)
        added = sorted(new, key=order.__getitem__)
        kept.append((recorder.initial, recorder.actions[: last + 1], added))
    uncovered = [t.rule for t in table if not shapes[t.rule]]
    if uncovered and complete:
        raise CoverageError(
            f"vectors: {runs} runs (the budget) did not cover {', '.join(uncovered)} "
            f"(rule set {ruleset_ref}, seed {seed}); raise --budget or try another seed"
        )
    return _corpus(ruleset_ref, ruleset, seed, runs, table, kept, uncovered)


def exercises(
    ruleset: RuleSet,
    initial: dict[str, Any],
    actions: list[dict[str, Any]],
    table: tuple[coverage.Target, ...] | None = None,
) -> list[str]:
    """Every target the run of ``actions`` from ``initial`` exercises, in table order."""
    table = coverage.targets(ruleset) if table is None else table
    replay = _Recorder(ruleset, initial, Capabilities(), table)
    for action in actions:
        replay.step(action)
    found = {r for ids in replay.covers for r in ids}
    return [t.rule for t in table if t.rule in found]


def _corpus(
    ruleset_ref: str,
    ruleset: RuleSet,
    seed: int,
    runs: int,
    table: tuple[coverage.Target, ...],
    kept: list[tuple[dict[str, Any], list[dict[str, Any]], list[str]]],
    uncovered: list[str],
) -> Corpus:
    """Record the kept runs and index everything each one exercises."""
    vectors: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    exercised: dict[str, list[str]] = {t.rule: [] for t in table}
    for number, (initial, actions, new) in enumerate(kept, start=1):
        name = f"{number:04d}-{new[0].replace(':', '-').lower()}.json"
        everything = exercises(ruleset, initial, actions, table)
        for rule in everything:
            exercised[rule].append(name)
        document = record(
            ruleset_ref, initial, [parse_action(a) for a in actions], ruleset, check=False
        )
        document["description"] = "covers " + ", ".join(new)
        vectors.append(document)
        entries.append(
            {"file": name, "steps": len(actions), "covers": new, "exercises": everything}
        )
    index = {
        "format": FORMAT,
        "ruleset": ruleset_ref,
        "seed": seed,
        "generator": f"marginspec {__version__}",
        "runs": runs,
        "vectors": entries,
        "coverage": {rule: files for rule, files in exercised.items() if files},
        "uncovered": uncovered,
        "excluded": dict(sorted(coverage.excluded(ruleset).items()))
        | {f"{f}-*": why for f, why in coverage.EXCLUDED_FAMILIES.items()},
    }
    return Corpus(tuple(vectors), index)


def write(corpus: Corpus, out: Path, ruleset: RuleSet | None = None) -> None:
    """Write the corpus; a rule set given by path is copied in as ``ruleset.toml``."""
    make_folder(out, "the vectors")
    if ruleset is not None:
        write_atomic(out / "ruleset.toml", dump_ruleset(ruleset))
    for entry, document in zip(corpus.index["vectors"], corpus.vectors, strict=True):
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        write_atomic(out / entry["file"], text)
    # the index last: a folder with an index holds every vector it names, whole
    write_atomic(out / INDEX, json.dumps(corpus.index, indent=2) + "\n")


@attrs.frozen
class CheckResult:
    passed: tuple[str, ...]
    failed: tuple[tuple[str, FailureReport], ...]
    skipped: tuple[str, ...]  # vectors using an action the implementation does not support
    not_compared: tuple[str, ...]
    #: fields that matched only within their declared tolerance (CONF-2)
    tolerated: tuple[str, ...] = ()
    #: Vectors not run because the implementation hung on an earlier one (each would
    #: only wait out the timeout again) or crashed on CRASHES_IN_A_ROW fresh processes.
    not_run: tuple[str, ...] = ()


#: Crashes on a fresh process, vector after vector, that end a check (CONF-9): an
#: engine that crashes on everything would otherwise be started and re-checked for each.
CRASHES_IN_A_ROW = 3


def check(
    directory: Path, engine: Engine, fresh: Callable[[], Engine] | None = None
) -> CheckResult:
    """Run every vector of ``directory`` on ``engine`` (CONF-9).

    With ``fresh`` (a factory of engines that have seen nothing), a vector that fails on
    an engine that ran others before is re-checked on a fresh engine, so the report says
    whether it fails on its own or only after the vectors before it (state kept across
    resets). A timeout ends the check, and so do :data:`CRASHES_IN_A_ROW` crashes in a
    row each on a fresh process: the rest is listed as not run."""
    from marginspec.conformance.runner import read_trace, trace_ruleset
    from marginspec.errors import InputError
    from marginspec.inputs import read_json

    index = read_json(directory / INDEX, "the vector index")
    entries = index.get("vectors") if isinstance(index, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{directory / INDEX}: /vectors", "expected a non-empty list")
    for number, entry in enumerate(entries):
        name = entry.get("file") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name or Path(name).is_absolute() or ".." in name:
            raise InputError(
                f"{directory / INDEX}: /vectors/{number}/file",
                "expected the name of a file in the vector folder",
            )
    first = read_trace(directory / entries[0]["file"])
    ref, ruleset = trace_ruleset(first, directory)
    caps, failed_hello = handshake(engine, ref, ruleset)
    if failed_hello is not None:
        return CheckResult((), (("(handshake)", failed_hello),), (), ())
    comparer = Comparer(caps)
    passed: list[str] = []
    failed: list[tuple[str, FailureReport]] = []
    skipped: list[str] = []
    not_run: list[str] = []
    crashes = 0  # vectors in a row that crashed a fresh process
    for number, entry in enumerate(entries):
        document = read_trace(directory / entry["file"])
        used: list[dict[str, Any]] = []
        for index, step in enumerate(document["steps"]):
            action = step.get("action") if isinstance(step, dict) else None
            if not isinstance(action, dict) or not isinstance(action.get("action"), str):
                raise InputError(
                    f"{directory / entry['file']}: /steps/{index}/action", "expected an action"
                )
            used.append(action)
        initial = document.get("initial")
        accounts = initial.get("accounts") if isinstance(initial, dict) else None
        dual = isinstance(accounts, dict) and any(
            isinstance(a, dict) and a.get("dualSidePosition") for a in accounts.values()
        )
        if not all(caps.supports_action(a) for a in used) or (dual and not caps.hedge_mode):
            skipped.append(entry["file"])
            continue
        report = check_trace(document, engine, caps, comparer, entry["file"])
        if report is None:
            passed.append(entry["file"])
            crashes = 0
            continue
        if engine.pristine:  # it failed on a process that had seen nothing else
            report = attrs.evolve(report, fresh=True)
        elif fresh is not None:
            report = _recheck(document, report, fresh, ref, ruleset, caps)
        failed.append((entry["file"], report))
        crashes = crashes + 1 if report.kind == CRASH and report.fresh is True else 0
        if report.kind == TIMEOUT or crashes >= CRASHES_IN_A_ROW:
            not_run = [e["file"] for e in entries[number + 1 :]]
            break
    return CheckResult(
        tuple(passed),
        tuple(failed),
        tuple(skipped),
        tuple(sorted(comparer.skipped)),
        tuple(sorted(comparer.tolerated)),
        tuple(not_run),
    )


def _recheck(
    document: dict[str, Any],
    report: FailureReport,
    fresh: Callable[[], Engine],
    ref: str,
    ruleset: RuleSet,
    caps: Capabilities,
) -> FailureReport:
    """The vector on an engine that has seen nothing: ``fresh=True`` if it fails the same
    way there (what ``marginspec replay`` of the file will show), else ``fresh=False``."""
    engine = fresh()
    try:
        _, failed_hello = handshake(engine, ref, ruleset)
        again = failed_hello or check_trace(document, engine, caps)
    finally:
        engine.close()
    same = again is not None and again.kind == report.kind
    return attrs.evolve(again if same and again is not None else report, fresh=same)
