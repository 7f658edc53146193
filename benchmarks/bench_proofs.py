"""Proof speed: every concrete theorem for the 907 real tables, one diff, the generic theorems.

.venv/bin/python benchmarks/bench_proofs.py [--generic-size K] [--jobs N] [--skip-concrete]

The generic theorems are run as ``marginspec prove`` runs them: every (theorem, K) pair
for K = 1 … ``--generic-size`` (default 10, the goal of issue 4) shared among ``--jobs``
processes, 60 s per pair; the total wall-clock time is the figure to compare with 60 s.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import attrs

from marginspec.importers import load_brackets
from marginspec.proofs.diff import diff
from marginspec.proofs.runner import prove_concrete, prove_generic
from marginspec.rulefile import load_bundled

TIERS = Path(__file__).resolve().parents[2] / "shared" / "data" / "binance-usdm-leverage-tiers.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--generic-size", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-concrete", action="store_true")
    args = parser.parse_args()
    if not args.skip_concrete:
        concrete(args.jobs)
    generic(args.generic_size, args.jobs)


def concrete(jobs: int) -> None:
    base = load_bundled()
    real = load_brackets(TIERS, base=base)
    start = time.perf_counter()
    results = [r for batch in prove_concrete(real, 10000, jobs) for r in batch]
    seconds = time.perf_counter() - start
    proved = sum(r.ok for r in results)
    print(
        f"concrete: {len(real.markets)} symbols, {proved}/{len(results)} proved in {seconds:.1f} s wall ({jobs} processes)"
    )
    new = attrs.evolve(real, markets={"BTCUSDT": real.markets["BTCUSDT"]})
    old = attrs.evolve(base, markets={"BTCUSDT": base.markets["BTCUSDT"]})
    start = time.perf_counter()
    diff(old, new)
    print(f"diff: one symbol in {time.perf_counter() - start:.3f} s")


def _cpu() -> float:
    """CPU seconds of this process and its finished worker processes."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def generic(max_size: int, jobs: int) -> None:
    start, cpu = time.perf_counter(), _cpu()
    results = prove_generic(max_size, 60000, workers=jobs)
    wall = time.perf_counter() - start
    for size in range(1, max_size + 1):
        mine = [r for r in results if r.subject == f"K={size}"]
        late = [r.theorem for r in mine if r.status.value == "timeout"]
        print(
            f"generic K={size}: {sum(r.ok for r in mine)}/{len(mine)} proved, "
            f"{sum(r.seconds for r in mine):.1f} s summed over theorems, slowest "
            f"{max(r.seconds for r in mine):.1f} s"
            + (f", timeouts: {', '.join(late)}" if late else "")
        )
    print(
        f"generic K=1..{max_size}: {sum(r.ok for r in results)}/{len(results)} proved in "
        f"{wall:.1f} s wall ({jobs} processes, {_cpu() - cpu:.1f} s CPU)"
    )


if __name__ == "__main__":
    main()
