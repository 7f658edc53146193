"""Conformance-kit speed (not a timed test): docs/performance.md, section "Conformance kit".

1. Steps per second through the Python interface: one step = ``apply`` + the snapshots
   of every compared account (A, B, C, insuranceFund), on the model engine.
2. The same through the JSON-lines protocol (``marginspec serve-protocol`` subprocess).
3. The whole kit loop (generation + model + engine + comparison), both ways.
4. Time for the quick (CI) profile to catch every deliberately wrong engine (tests/mutants).

    .venv/bin/python benchmarks/bench_conformance.py [--runs 60] [--skip-mutants | --only-mutants] [--seed S]
"""

from __future__ import annotations

import argparse
import random
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


def interface_rate(
    engine: Engine, work: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> tuple[int, float]:
    engine.handshake(hello_json("aster-pro", RULESET))
    steps = 0
    started = time.perf_counter()
    for initial, actions in work:
        engine.reset(initial)
        for action in actions:
            engine.apply(action)
            engine.snapshots(ACCOUNTS)
            steps += 1
    return steps, time.perf_counter() - started


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
    steps, seconds = interface_rate(ModelEngine(RULESET), work)
    print(
        f"python interface:      {steps} steps in {seconds:.2f} s = {steps / seconds:,.0f} steps/s"
    )
    sub = SubprocessEngine(SERVE, timeout=30)
    try:
        steps, seconds = interface_rate(sub, work)
    finally:
        sub.close()
    print(
        f"subprocess protocol:   {steps} steps in {seconds:.2f} s = {steps / seconds:,.0f} steps/s"
    )

    for label, engine in (
        ("python", ModelEngine(RULESET)),
        ("subprocess", SubprocessEngine(SERVE, timeout=30)),
    ):
        try:
            result = driver.run(engine, "aster-pro", RULESET, "quick", seed=0)
        finally:
            engine.close()
        assert result.report is None, result.report.text()
        print(
            f"kit loop ({label}, quick profile, model vs model): {result.steps} steps in "
            f"{result.seconds:.1f} s = {result.steps / result.seconds:,.0f} steps/s"
        )


def mutants(seed: int) -> None:
    sys.path.insert(0, str(REPO))
    from tests.mutants import MUTANTS

    total = 0.0
    caught = 0
    for mutant in MUTANTS:
        started = time.perf_counter()
        result = driver.run(mutant(), "aster-pro", RULESET, "quick", seed=seed)
        elapsed = time.perf_counter() - started
        total += elapsed
        report = result.report
        caught += report is not None
        steps = len(report.steps) if report else "-"
        print(
            f"  {mutant.__name__:36s} {'caught' if report else 'MISSED'} in {elapsed:5.1f} s, shrunk trace {steps} steps"
        )
    print(f"quick profile: {caught}/{len(MUTANTS)} mutants caught in {total:.1f} s in total")


if __name__ == "__main__":
    main()
