"""Evaluate at service speed: cold start, ``evaluate --jsonl`` end to end, figure sets with
their JSON line in process (issue 16).

    .venv/bin/python benchmarks/bench_stream.py [--accounts N] [--processes P] [--starts K]

- cold start: ``marginspec evaluate`` of the sample account, run K times as a user runs it
  (a new process each time); the median wall clock and the child's CPU time;
- ``evaluate --jsonl``: N one-position accounts (random, seed 3: isolated and cross, long
  and short, notionals log-uniform from 100 to 20 M on the bundled markets) as JSON lines
  through a new ``marginspec`` process (parse, evaluate, write), with P processes; accounts
  per second of wall clock and of the CPU time of the command and its workers;
- in process: ``batch.json_lines`` over the same accounts already parsed (every figure
  and its JSON line), accounts per second of CPU time.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from marginspec import batch
from marginspec.account import parse_account
from marginspec.rulefile import load_bundled

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "model" / "examples" / "sample-account.json"
sys.path.insert(0, str(Path(__file__).parent))
from bench_evaluate import random_account  # noqa: E402  (the same random accounts)


def one_position_accounts(count: int, seed: int = 3) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        account = random_account(rng)
        positions = account["positions"]
        assert isinstance(positions, list)
        out.append({**account, "positions": positions[:1]})
    return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cold_start(starts: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(starts):
        before, start = _children_cpu(), time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "marginspec", "evaluate", str(SAMPLE)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - before)
    return statistics.median(walls), statistics.median(cpus)


def stream(path: Path, processes: int) -> tuple[float, float, int]:
    before, start = _children_cpu(), time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "marginspec",
            "evaluate",
            "--jsonl",
            "--processes",
            str(processes),
            str(path),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start, _children_cpu() - before, result.stdout.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--starts", type=int, default=7)
    args = parser.parse_args()

    wall, cpu = cold_start(args.starts)
    print(
        f"cold start, evaluate of one account: median {wall:.3f} s wall, {cpu:.3f} s CPU ({args.starts} runs)"
    )

    documents = one_position_accounts(args.accounts)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "accounts.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in documents))
        wall, cpu, lines = stream(path, args.processes)
    assert lines == args.accounts
    print(
        f"evaluate --jsonl --processes {args.processes}: {args.accounts} one-position accounts, "
        f"{args.accounts / wall:,.0f}/s wall clock ({wall:.2f} s, start-up included), "
        f"{args.accounts / cpu:,.0f}/s of CPU time ({cpu:.2f} s)"
    )

    ruleset = load_bundled()
    accounts = [parse_account(d, ruleset) for d in documents]
    start = time.process_time()
    for _ in batch.json_lines(ruleset, accounts):
        pass
    cpu = time.process_time() - start
    print(
        f"in process, batch.json_lines (every figure + its JSON line): {len(accounts) / cpu:,.0f}/s CPU time"
    )


if __name__ == "__main__":
    main()
