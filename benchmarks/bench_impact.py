"""``marginspec impact`` of a large book under two real rule sets (issue 16, part 4).

    .venv/bin/python benchmarks/bench_impact.py [--positions N] [--processes P] [--dask]

Writes a synthetic book of N positions (default 1,000,000) as Parquet in a temporary
folder: accounts of 1 to 4 positions (seed 7) on distinct real binance-usdm symbols,
symbols drawn with Zipf weights 1/k (a real book is
concentrated on a few markets), leverages from 1, 2, 3, 5, 10, 20, 25, 50, 75, 100, 125,
cross and isolated, long and short, notionals log-uniform from 100 to 5 M USDT at each
symbol's leverage, marks within ±3 % of entry. NEW is binance-usdm with every bracket
cap and floor halved (cum recomputed by BRK-2, a tightening that moves positions into
higher brackets). Then runs, as a user does, ``marginspec impact <OLD> <NEW> --book
book.parquet --out rows.parquet --format json`` with P processes (or ``--dask local``)
and prints the wall clock, the CPU time of the command and its workers, and positions
per second of each.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import attrs
import pyarrow as pa
import pyarrow.parquet as pq

from marginspec import brackets
from marginspec.book import REQUIRED_COLUMNS
from marginspec.rulefile import dump_ruleset, load_bundled
from marginspec.ruleset import RuleSet


def tighter(ruleset: RuleSet) -> RuleSet:
    """Every bracket's floor and cap halved, cum recomputed (BRK-2)."""
    markets = {}
    for symbol, market in ruleset.markets.items():
        table = [
            attrs.evolve(b, notional_floor=b.notional_floor / 2, notional_cap=b.notional_cap / 2)
            for b in market.brackets
        ]
        for k in range(len(table)):
            table[k] = attrs.evolve(table[k], cum=brackets.expected_cum(table, k))
        markets[symbol] = attrs.evolve(market, brackets=tuple(table))
    return attrs.evolve(ruleset, name="binance-usdm-halved", markets=markets)


#: The leverages a synthetic position uses (capped at its market's LEV-1 maximum).
LEVERAGES = (1, 2, 3, 5, 10, 20, 25, 50, 75, 100, 125)


def _decimal(value: float, places: int) -> str:
    return str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places)))


def book(count: int, ruleset: RuleSet, seed: int = 7) -> pa.Table:
    rng = random.Random(seed)
    symbols = sorted(ruleset.markets)
    rng.shuffle(symbols)
    # a real book is concentrated: symbol k of the shuffled list has weight 1 / k (Zipf)
    weights = [1 / k for k in range(1, len(symbols) + 1)]
    columns: dict[str, list[object]] = {
        k: [] for k in (*REQUIRED_COLUMNS, "marginType", "isolatedWallet")
    }
    account = 0
    while len(columns["account"]) < count:
        account += 1
        size = min(rng.randint(1, 4), count - len(columns["account"]))
        wallet = _decimal(10 ** rng.uniform(2, 6), 2)
        held: set[str] = set()
        while len(held) < size:
            held.add(rng.choices(symbols, weights)[0])
        for symbol in sorted(held):
            market = ruleset.markets[symbol]
            notional = 10 ** rng.uniform(2, math.log10(5e6))
            entry = 10 ** rng.uniform(-2, 4)
            mark = entry * rng.uniform(0.97, 1.03)
            amount = notional / mark * rng.choice((1, -1))
            leverage = min(rng.choice(LEVERAGES), market.max_leverage)
            isolated = rng.random() < 0.3
            columns["account"].append(f"a{account}")
            columns["crossWalletBalance"].append(wallet)
            columns["symbol"].append(symbol)
            columns["positionAmt"].append(_decimal(amount, 3))
            columns["entryPrice"].append(_decimal(entry, 6))
            columns["markPrice"].append(_decimal(mark, 6))
            columns["leverage"].append(leverage)
            columns["marginType"].append("isolated" if isolated else "cross")
            columns["isolatedWallet"].append(
                _decimal(notional / leverage * rng.uniform(0.5, 1.5), 2) if isolated else None
            )
    return pa.table(columns)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--positions", type=int, default=1_000_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--dask", action="store_true", help="run on a local Dask cluster")
    args = parser.parse_args()
    old = load_bundled("binance-usdm")
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        (here / "new.toml").write_text(dump_ruleset(tighter(old)), encoding="utf-8")
        start = time.perf_counter()
        pq.write_table(book(args.positions, old), here / "book.parquet", row_group_size=65536)
        print(
            f"book of {args.positions:,} positions written in {time.perf_counter() - start:.0f} s"
        )
        command = [
            sys.executable,
            "-m",
            "marginspec",
            "impact",
            "binance-usdm",
            str(here / "new.toml"),
            "--book",
            str(here / "book.parquet"),
            "--out",
            str(here / "rows.parquet"),
            "--format",
            "json",
            "--processes",
            str(args.processes),
            *(["--dask", "local"] if args.dask else []),
        ]
        before, start = _children_cpu(), time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall, cpu = time.perf_counter() - start, _children_cpu() - before
        if done.returncode:
            sys.exit(done.stderr)
        summary = json.loads(done.stdout)
        assert summary["positions"] == args.positions, summary["positions"]
        print(
            f"impact of {args.positions:,} positions ({summary['accounts']:,} accounts), "
            f"{args.processes} processes{' on Dask' if args.dask else ''}: "
            f"wall {wall:.1f} s ({args.positions / wall:,.0f} positions/s), "
            f"CPU {cpu:.1f} s ({args.positions / cpu:,.0f} positions/s per core)"
        )
        print(
            f"become liquidatable {summary['becomeLiquidatable']['accounts']:,}, "
            f"margin-called {summary['becomeMarginCalled']['accounts']:,}, "
            f"lower max leverage {summary['lowerMaxLeverage']['accounts']:,}; "
            f"MM {summary['maintMargin']['old']} → {summary['maintMargin']['new']}"
        )


if __name__ == "__main__":
    main()
