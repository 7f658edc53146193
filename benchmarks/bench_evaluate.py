"""Evaluate throughput in-process (issue: foundation; goal >= 50,000 position figure sets/s).

A "position figure set" is everything ``marginspec evaluate`` reports for one position:
notional, IM, open-order IM, bracket, MM, uPnL, liquidation and bankruptcy prices,
max notional, and for isolated positions the transfer limits; the account totals are
computed too. Accounts are random but reproducible (seed 7): 1-3 positions on the
default rule set's markets, cross and isolated, long and short, notionals
log-uniform from 100 to 20,000,000 USDT, so every bracket is visited.

    .venv/bin/python benchmarks/bench_evaluate.py [--accounts N] [--processes P]
"""

from __future__ import annotations

import argparse
import math
import random
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

from marginspec.account import Account, parse_account
from marginspec.evaluate import evaluate
from marginspec.rulefile import load_bundled

MARKS = {"BTCUSDT": Decimal("43210.5"), "ETHUSDT": Decimal("2345.67")}


def random_account(rng: random.Random) -> dict[str, object]:
    positions = []
    for symbol in rng.sample(sorted(MARKS), rng.randint(1, 2)):
        mark = MARKS[symbol]
        notional = Decimal(str(round(math.exp(rng.uniform(math.log(100), math.log(2e7))), 2)))
        qty = (notional / mark).quantize(Decimal("0.001")) or Decimal("0.001")
        side = rng.choice([1, -1])
        entry = (mark * Decimal(str(round(rng.uniform(0.9, 1.1), 4)))).quantize(Decimal("0.01"))
        leverage = rng.choice([1, 2, 3, 5])
        isolated = rng.random() < 0.4
        position = {
            "symbol": symbol,
            "positionAmt": str(side * qty),
            "entryPrice": str(entry),
            "markPrice": str(mark),
            "marginType": "isolated" if isolated else "cross",
            "leverage": leverage,
        }
        if isolated:
            position["isolatedWallet"] = str((qty * entry / leverage).quantize(Decimal("0.01")))
        positions.append(position)
    wallet = (
        sum(
            (
                Decimal(p["positionAmt"]).copy_abs() * mark
                for p, mark in ((p, MARKS[str(p["symbol"])]) for p in positions)
            ),
            Decimal(0),
        )
        / 3
    )
    return {"crossWalletBalance": str(wallet.quantize(Decimal("0.01"))), "positions": positions}


def run(count: int, seed: int) -> tuple[int, float, float]:
    """Evaluate ``count`` accounts; return (positions evaluated, wall-clock and CPU
    seconds spent evaluating)."""
    ruleset = load_bundled()
    rng = random.Random(seed)
    accounts: list[Account] = [parse_account(random_account(rng), ruleset) for _ in range(count)]
    positions = sum(len(a.positions) for a in accounts)
    start, cpu = time.perf_counter(), time.process_time()
    for account in accounts:
        evaluate(account, ruleset)
    return positions, time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20000)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    run(200, 1)  # warm up
    if args.processes == 1:
        positions, wall, cpu = run(args.accounts, 7)
    else:
        share = args.accounts // args.processes
        with ProcessPoolExecutor(args.processes) as pool:
            results = list(pool.map(run, [share] * args.processes, range(7, 7 + args.processes)))
        wall = max(w for _, w, _ in results)
        cpu = max(c for _, _, c in results)
        positions = sum(p for p, _, _ in results)
    print(f"accounts: {args.accounts}  positions: {positions}  processes: {args.processes}")
    print(f"evaluate: {positions / wall:,.0f} position figure sets/s  ({wall:.2f} s wall clock)")
    # On a shared machine the wall clock includes time spent waiting for a core; the
    # CPU time of the evaluating process (the slowest one) is the steadier figure.
    print(f"cpu:      {positions / cpu:,.0f} position figure sets/s  ({cpu:.2f} s CPU time)")


if __name__ == "__main__":
    main()
