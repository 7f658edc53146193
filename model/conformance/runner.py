"""Running the kit: open an engine, check a trace against it (CONF-6, CONF-8).

:func:`check_trace` runs a saved trace's actions on an implementation and compares
each answer with the outcome and snapshots the trace RECORDED (from the model), by
the implementation's comparison policy. Failure reports and the static vectors are
such traces, so neither needs the model at check time.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.compare import Comparer, Difference
from marginspec.conformance.engine import Engine, EngineFailure, hello_json
from marginspec.conformance.engine import engine_factory as factory_of
from marginspec.conformance.report import CRASH, DIVERGENCE, FailureReport, Step
from marginspec.errors import InputError
from marginspec.exchange.trace import FORMAT, resolve_ruleset
from marginspec.inputs import read_json
from marginspec.ruleset import RuleSet


def engine_factory(
    impl: str | None, cmd: str | None, timeout: float = 10.0
) -> Callable[[], Engine]:
    """``--impl module:factory`` or ``--cmd "command"`` (exactly one), as a function making
    engines that have seen nothing (a new process each for ``--cmd``). Bad options are
    found here, before anything starts (exit 2 at the CLI)."""
    if (impl is None) == (cmd is None):
        raise InputError(
            "--impl/--cmd", "give exactly one of --impl module:factory or --cmd COMMAND"
        )
    if impl is not None:
        return factory_of(impl)
    from marginspec.conformance.subprocess_engine import SubprocessEngine, split_command

    assert cmd is not None
    split_command(cmd)
    return lambda: SubprocessEngine(cmd, timeout)


def open_engine(impl: str | None, cmd: str | None, timeout: float = 10.0) -> Engine:
    """One engine from ``--impl`` or ``--cmd`` (see :func:`engine_factory`)."""
    return engine_factory(impl, cmd, timeout)()


@contextlib.contextmanager
def running(factory: Callable[[], Engine]) -> Iterator[Engine]:
    """A command's engine, closed (for ``--cmd``, its whole process group ended) however
    the command ends: normally, on an error of the kit, or on Ctrl-C. Engines run in
    sessions of their own, so a signal to the kit's group does not reach them: on
    SIGTERM the kit ends every engine group it started, then terminates as SIGTERM
    would (or calls the handler that was there before)."""
    engine = factory()
    previous: Any = None
    installed = False
    if threading.current_thread() is threading.main_thread():
        # None: a handler not set from Python, restored as the default.
        previous = signal.getsignal(signal.SIGTERM) or signal.SIG_DFL
        if previous is not signal.SIG_IGN:
            signal.signal(signal.SIGTERM, functools.partial(_terminated, previous))
            installed = True
    try:
        yield engine
    finally:
        try:
            engine.close()
        finally:
            if installed:
                signal.signal(signal.SIGTERM, previous)


def _terminated(previous: Any, signum: int, frame: Any) -> None:
    """SIGTERM: no exception (Hypothesis would take it for a failing run), but the
    engines' groups ended at once, then the default action."""
    from marginspec.conformance.process import end_groups

    end_groups()
    if callable(previous):
        previous(signum, frame)
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def read_trace(path: Path) -> dict[str, Any]:
    document = read_json(path, "trace")  # NUM-2, SNAP-1: the one bounded reader
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(f"{path}: /format", f"expected {FORMAT!r}")
    if not isinstance(document.get("steps"), list):
        raise InputError(f"{path}: /steps", "expected a JSON array")
    return document


def trace_ruleset(document: dict[str, Any], base: Path | None) -> tuple[str, RuleSet]:
    ref = document.get("ruleset")
    return str(ref), resolve_ruleset(ref, base)


def check_trace(
    document: dict[str, Any],
    engine: Engine,
    caps: Capabilities,
    comparer: Comparer | None = None,
    name: str = "",
) -> FailureReport | None:
    """Run a trace's actions on ``engine``; the first disagreement with the recorded answers."""
    comparer = comparer or Comparer(caps)
    initial = document.get("initial")
    if not isinstance(initial, dict):
        raise InputError("/initial", "expected a JSON object")
    steps: list[Step] = []

    def failure(
        kind: str, message: str, stderr: str = "", diff: Difference | None = None
    ) -> FailureReport:
        return FailureReport(
            kind=kind,
            engine=caps.name,
            ruleset_ref=str(document.get("ruleset")),
            initial=initial,
            steps=tuple(steps),
            difference=diff,
            message=message,
            stderr=stderr,
            skipped=tuple(sorted(comparer.skipped)),
            tolerated=tuple(sorted(comparer.tolerated)),
        )

    for index, step in enumerate(document["steps"]):
        if not isinstance(step, dict) or not isinstance(step.get("action"), dict):
            raise InputError(f"/steps/{index}", "a step needs an 'action' object")
    try:
        _call(engine.reset, initial)
        for step in document["steps"]:
            expected = step.get("outcome", {})
            steps.append(Step(step["action"], expected))
            got = _call(engine.apply, step["action"])
            steps[-1] = Step(step["action"], expected, got)
            diff = comparer.outcome(expected, got) if expected else None
            snapshot = step.get("snapshot", {})
            accounts = snapshot.get("accounts", {}) if isinstance(snapshot, dict) else {}
            if diff is None and accounts:
                if not caps.liquidation_sweep:
                    accounts = {k: v for k, v in accounts.items() if k != "insuranceFund"}
                snaps = _call(engine.snapshots, list(accounts))
                if not isinstance(snaps, dict):
                    raise EngineFailure(CRASH, f"snapshots() returned {type(snaps).__name__}")
                for account, want in accounts.items():
                    diff = comparer.account(account, want, snaps.get(account))
                    if diff is not None:
                        break
            if diff is not None:
                return failure(DIVERGENCE, diff.note, diff=diff)
    except EngineFailure as error:
        return failure(error.kind, error.message, error.stderr)
    return None


def _call(method: Any, *args: Any) -> Any:
    """One call into the engine: a Python engine raising anything (even marginspec's own
    InputError, say for a rule set it does not know) is the implementation crashing."""
    try:
        return method(*args)
    except EngineFailure:
        raise
    except Exception as error:
        raise EngineFailure(
            CRASH, f"the implementation raised {type(error).__name__}: {error}"
        ) from None


def handshake(
    engine: Engine, ruleset_ref: str, ruleset: RuleSet
) -> tuple[Capabilities, FailureReport | None]:
    """The hello; an implementation that crashes, hangs or answers garbage here is a
    failure report with no steps (CONF-4), never a traceback."""
    try:
        return engine.handshake(hello_json(ruleset_ref, ruleset)), None
    except EngineFailure as error:
        failed = FailureReport(
            error.kind,
            "implementation",
            ruleset_ref,
            {},
            (),
            message=error.message,
            stderr=error.stderr,
        )
    except Exception as error:  # a Python engine raising in its handshake
        failed = FailureReport(
            CRASH,
            "implementation",
            ruleset_ref,
            {},
            (),
            message=f"the implementation raised {type(error).__name__}: {error}",
        )
    return Capabilities(), failed


def replay_against(path: Path, engine: Engine) -> tuple[FailureReport | None, Capabilities]:
    """``marginspec conform --replay TRACE``: handshake, then :func:`check_trace`."""
    document = read_trace(path)
    ref, ruleset = trace_ruleset(document, path.parent)
    caps, failed = handshake(engine, ref, ruleset)
    if failed is not None:
        return failed, caps
    return check_trace(document, engine, caps), caps
