"""The static vector corpus per seed: its size, the CPU time to generate it, and the share a
subset engine (no hedge mode, no funding, no sweeps) runs (issue 12: at least 70%).

    .venv/bin/python benchmarks/bench_vectors.py [--seeds 0-4]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from marginspec.conformance import vectors
from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.engine import ModelEngine
from marginspec.rulefile import load_bundled


class Subset(ModelEngine):
    """The model declaring no hedge mode, no funding and no liquidation sweeps."""

    def handshake(self, hello: dict[str, Any]) -> Capabilities:
        return Capabilities(hedge_mode=False, funding=False, liquidation_sweep=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="0-4")
    args = parser.parse_args()
    low, _, high = args.seeds.partition("-")
    ruleset = load_bundled("aster-pro")
    for seed in range(int(low), int(high or low) + 1):
        started = time.process_time()
        corpus = vectors.generate("aster-pro", ruleset, seed)
        cpu = time.process_time() - started
        with tempfile.TemporaryDirectory() as folder:
            vectors.write(corpus, Path(folder))
            result = vectors.check(Path(folder), Subset(ruleset))
        ran = len(result.passed) + len(result.failed)
        total = ran + len(result.skipped)
        steps = sum(e["steps"] for e in corpus.index["vectors"])
        print(
            f"seed {seed}: {len(corpus.vectors)} vectors of {steps} steps from "
            f"{corpus.index['runs']} runs, {cpu:.1f} s CPU; the subset engine runs "
            f"{ran}/{total} ({100 * ran / total:.0f}%), {len(result.failed)} failed",
            flush=True,
        )


if __name__ == "__main__":
    main()
