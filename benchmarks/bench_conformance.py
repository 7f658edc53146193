"""Conformance-kit speed (not a timed test): docs/performance.md, section "Conformance kit".

1. Steps per second through the Python interface: one step = ``apply`` + the snapshots
   of every compared account (A, B, C, insuranceFund), on the model engine.
2. The same through the JSON-lines protocol (``marginspec serve-protocol`` subprocess).
3. The whole kit loop (generation + model + engine + comparison), both ways.
4. Time for the quick (CI) profile to catch every deliberately wrong engine (tests/mutants).

Every figure is given as wall-clock time and as CPU time (this process, plus the
server's for the protocol figures, read from its rusage after it exits): on a shared
machine the CPU figure is the one that repeats.

    .venv/bin/python benchmarks/bench_conformance.py [--runs 60] [--skip-mutants | --only-mutants] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

from marginspec.conformance import driver, moves
from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.engine import Engine, ModelEngine, hello_json
from marginspec.conformance.subprocess_engine import SubprocessEngine
from marginspec.rulefile import load_bundled

REPO = Path(__file__).resolve().parents[1]
RULESET = load_bundled("aster-pro")
ACCOUNTS = [*moves.ACCOUNTS, "insuranceFund"]
SERVE = f'{sys.executable} -c "from marginspec.cli import main; main()" serve-protocol'


class _Recorder:
    def __init__(self, initial: dict[str, Any]) -> None:
        self.initial = initial
        self.engine = ModelEngine(RULESET)
        self.engine.reset(initial)
        assert self.engine.model is not None
        self.model = self.engine.model
        self.caps = Capabilities()
        self.actions: list[dict[str, Any]] = []

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        self.actions.append(action)
        return self.engine.apply(action)


def workload(runs: int, seed: int = 5) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Generated runs (initial state, actions), as the kit would generate them."""
    chooser = moves.RandomChooser(random.Random(seed))
    names = sorted(moves.usable_moves(Capabilities()))
    out = []
    for _ in range(runs):
        recorder = _Recorder(moves.initial(chooser, Capabilities(), RULESET))
        for _ in range(16):
            moves.MOVES[chooser.choice(names)][0](recorder, chooser)
        out.append((recorder.initial, recorder.actions))
    return out


def children_cpu() -> float:
    """CPU seconds of the finished (waited-for) child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def interface_rate(
    engine: Engine, work: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> tuple[int, float, float]:
    """(steps, wall seconds, CPU seconds of this process) for the workload."""
    engine.handshake(hello_json("aster-pro", RULESET))
    steps = 0
    started, cpu = time.perf_counter(), time.process_time()
    for initial, actions in work:
        engine.reset(initial)
        for action in actions:
            engine.apply(action)
            engine.snapshots(ACCOUNTS)
            steps += 1
    return steps, time.perf_counter() - started, time.process_time() - cpu


def rate(steps: int, seconds: float) -> str:
    return f"{steps / seconds:,.0f}" if seconds else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=60, help="generated runs for the interface figures"
    )
    parser.add_argument("--skip-mutants", action="store_true")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mutant runs")
    parser.add_argument("--only-mutants", action="store_true", help="skip the throughput figures")
    args = parser.parse_args()

    if not args.only_mutants:
        throughput(args.runs)
    if not args.skip_mutants:
        mutants(args.seed)


def throughput(runs: int) -> None:
    work = workload(runs)
    steps, wall, cpu = interface_rate(ModelEngine(RULESET), work)
    print(
        f"python interface:      {steps} steps in {wall:.2f} s wall = {rate(steps, wall)} steps/s; "
        f"{cpu:.2f} s CPU = {rate(steps, cpu)} steps/s"
    )
    child_before = children_cpu()
    sub = SubprocessEngine(SERVE, timeout=30)
    try:
        steps, wall, cpu = interface_rate(sub, work)
    finally:
        sub.close()
    server = children_cpu() - child_before
    print(
        f"subprocess protocol:   {steps} steps in {wall:.2f} s wall = {rate(steps, wall)} steps/s; "
        f"CPU {cpu:.2f} s kit + {server:.2f} s server (incl. its start-up) "
        f"= {rate(steps, cpu + server)} steps per CPU second"
    )

    for label, engine in (
        ("python", ModelEngine(RULESET)),
        ("subprocess", SubprocessEngine(SERVE, timeout=30)),
    ):
        child_before, cpu = children_cpu(), time.process_time()
        try:
            result = driver.run(engine, "aster-pro", RULESET, "quick", seed=0)
        finally:
            engine.close()
        cpu = time.process_time() - cpu
        server = children_cpu() - child_before
        assert result.report is None, result.report.text()
        print(
            f"kit loop ({label}, quick profile, model vs model): {result.steps} steps in "
            f"{result.seconds:.1f} s wall = {rate(result.steps, result.seconds)} steps/s; "
            f"CPU {cpu:.1f} s kit + {server:.1f} s server"
        )


def mutants(seed: int) -> None:
    sys.path.insert(0, str(REPO))
    from tests.mutants import MUTANTS

    total = total_cpu = 0.0
    caught = 0
    for mutant in MUTANTS:
        started, cpu = time.perf_counter(), time.process_time()
        result = driver.run(mutant(), "aster-pro", RULESET, "quick", seed=seed)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        total += elapsed
        total_cpu += cpu
        report = result.report
        caught += report is not None
        steps = len(report.steps) if report else "-"
        print(
            f"  {mutant.__name__:36s} {'caught' if report else 'MISSED'} in {elapsed:5.1f} s "
            f"({cpu:5.1f} s CPU), shrunk trace {steps} steps"
        )
    print(
        f"quick profile: {caught}/{len(MUTANTS)} mutants caught in {total:.1f} s wall, "
        f"{total_cpu:.1f} s CPU in total"
    )


if __name__ == "__main__":
    main()
