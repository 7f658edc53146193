"""Proof speed: every concrete theorem for the 907 real tables, one diff, the generic theorems.

.venv/bin/python benchmarks/bench_proofs.py [--generic-size K]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import attrs

from marginspec.importers import load_brackets
from marginspec.proofs.diff import diff
from marginspec.proofs.generic import GENERIC
from marginspec.proofs.runner import prove_concrete
from marginspec.rulefile import load_bundled

TIERS = Path(__file__).resolve().parents[2] / "shared" / "data" / "binance-usdm-leverage-tiers.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--generic-size", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    base = load_bundled()
    real = load_brackets(TIERS, base=base)
    start = time.perf_counter()
    results = [r for batch in prove_concrete(real, 10000, args.jobs) for r in batch]
    seconds = time.perf_counter() - start
    proved = sum(r.ok for r in results)
    print(
        f"concrete: {len(real.markets)} symbols, {proved}/{len(results)} proved in {seconds:.1f} s wall ({args.jobs} processes)"
    )
    new = attrs.evolve(real, markets={"BTCUSDT": real.markets["BTCUSDT"]})
    old = attrs.evolve(base, markets={"BTCUSDT": base.markets["BTCUSDT"]})
    start = time.perf_counter()
    diff(old, new)
    print(f"diff: one symbol in {time.perf_counter() - start:.3f} s")
    for size in range(1, args.generic_size + 1):
        start = time.perf_counter()
        outcome = [t.check(size, 60000) for t in GENERIC]
        print(
            f"generic K={size}: {sum(r.ok for r in outcome)}/{len(outcome)} proved, "
            f"{sum(r.status.value == 'timeout' for r in outcome)} timeouts, {time.perf_counter() - start:.1f} s"
        )


if __name__ == "__main__":
    main()
