"""Import of the 907 real Binance tables (goal: under 1 s), every table checked (BRK-2, BRK-5),
and ``marginspec evaluate --brackets FILE`` of one account from a cold start (goal: < 0.3 s).

.venv/bin/python benchmarks/bench_import.py [PATH] [--starts K]   # default ../shared/data/...

The cold starts are new processes, as a user runs them, each timed by its CPU time
(``RUSAGE_CHILDREN``): the first with an empty bracket-file cache (it parses the file
and writes the entry), then K with the entry written (``marginspec.bracket_cache``), and
K with the cache off (``MARGINSPEC_NO_CACHE=1``), interleaved.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from marginspec.importers import load_brackets
from marginspec.rulefile import load_bundled

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "data" / "binance-usdm-leverage-tiers.json"
SAMPLE = REPO / "model" / "examples" / "sample-account.json"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _start(path: Path, env: dict[str, str]) -> float:
    before = _children_cpu()
    subprocess.run(
        [sys.executable, "-m", "marginspec", "evaluate", "--brackets", str(path), str(SAMPLE)],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    return _children_cpu() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--starts", type=int, default=7)
    args = parser.parse_args()
    path = Path(args.path)
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

    with tempfile.TemporaryDirectory() as folder:
        cached = {**os.environ, "MARGINSPEC_CACHE_DIR": folder}
        cached.pop("MARGINSPEC_NO_CACHE", None)
        off = {**os.environ, "MARGINSPEC_NO_CACHE": "1"}
        first = _start(path, cached)
        warm, cold = [], []
        for _ in range(args.starts):
            warm.append(_start(path, cached))
            cold.append(_start(path, off))
    print(f"evaluate --brackets, cold start, CPU time: first (empty cache) {first:.3f} s")
    for name, times in (("cache entry written", warm), ("cache off", cold)):
        print(
            f"  {name}: median {statistics.median(times):.3f} s, "
            f"range {min(times):.3f}-{max(times):.3f} s ({args.starts} starts)"
        )


if __name__ == "__main__":
    main()
