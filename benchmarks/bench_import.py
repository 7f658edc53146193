"""Import of the 907 real Binance tables (goal: under 1 s), every table checked (BRK-2, BRK-5).

.venv/bin/python benchmarks/bench_import.py [PATH]   # default ../shared/data/...
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from marginspec.importers import load_brackets
from marginspec.rulefile import load_bundled

DEFAULT = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "binance-usdm-leverage-tiers.json"
)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.is_file():
        sys.exit(f"{path} not found: give the ccxt leverage-tiers file as the argument")
    base = load_bundled()
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        ruleset = load_brackets(path, base=base)
        runs.append(time.perf_counter() - start)
    brackets = sum(len(m.brackets) for m in ruleset.markets.values())
    print(f"{len(ruleset.markets)} symbols, {brackets} brackets, all checked")
    print(f"import: best {min(runs):.3f} s, median {sorted(runs)[2]:.3f} s over 5 runs")


if __name__ == "__main__":
    main()
