"""The kit against every hand-written wrong engine (tests/mutants) on several seeds.

Issue 12's bar: quick catches every mutant on each of seeds 0-4, median time to catch at
most 5 s, shrunk traces of at most 6 steps; thorough catches every one. Prints one line
per (mutant, seed) and a summary per seed; the figures are in docs/performance.md.

    .venv/bin/python benchmarks/bench_mutants.py [--profile quick] [--seeds 0-4] [--jobs 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def seeds(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def one(job: tuple[str, int, str]) -> tuple[str, int, bool, float, int, str, float]:
    """(mutant, seed, caught, wall seconds, shrunk steps, rules named, CPU seconds)."""
    from marginspec.conformance import driver
    from marginspec.rulefile import load_bundled
    from tests import mutants

    name, seed, profile = job
    ruleset = load_bundled("aster-pro")
    started, cpu = time.perf_counter(), time.process_time()
    result = driver.run(getattr(mutants, name)(), "aster-pro", ruleset, profile, seed=seed)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    report = result.report
    if report is None:
        return name, seed, False, elapsed, 0, "", cpu
    return name, seed, True, elapsed, len(report.steps), ",".join(report.rules), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated mutant names")
    args = parser.parse_args()
    from tests.mutants import MUTANTS

    names = [m.__name__ for m in MUTANTS]
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    jobs = [(n, s, args.profile) for s in seeds(args.seeds) for n in names]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(one, jobs))
    for name, seed, caught, seconds, steps, rules, cpu in results:
        verdict = (
            f"caught {seconds:5.1f} s wall {cpu:5.1f} s CPU {steps} steps  {rules}"
            if caught
            else f"MISSED ({cpu:.1f} s CPU)"
        )
        print(f"seed {seed} {name:40s} {verdict}", flush=True)
    for seed in seeds(args.seeds):
        mine = [r for r in results if r[1] == seed]
        hit = [r for r in mine if r[2]]
        times = [r[3] for r in hit]
        cpus = [r[6] for r in hit]
        longest = max((r[4] for r in hit), default=0)
        median = statistics.median(times) if times else 0.0
        median_cpu = statistics.median(cpus) if cpus else 0.0
        print(
            f"{args.profile} seed {seed}: {len(hit)}/{len(mine)} caught, median "
            f"{median:.1f} s wall, {median_cpu:.1f} s CPU (slowest {max(cpus, default=0):.1f} s "
            f"CPU), longest shrunk trace {longest} steps; over 6 steps: "
            f"{', '.join(f'{r[0]} {r[4]}' for r in hit if r[4] > 6) or '-'}; missed: "
            f"{', '.join(r[0] for r in mine if not r[2]) or '-'}"
        )


if __name__ == "__main__":
    main()
