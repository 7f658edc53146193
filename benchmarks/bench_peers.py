"""Isolated liquidation prices beside freqtrade's, in one process, on the same inputs.

freqtrade is not a marginspec dependency: it lives in an environment of its own, whose
site-packages folder ``--site`` appends to the import path of this project's Python (both
Python 3.11), so that both run in one process and marginspec's own dependencies come first.

    .venv/bin/python benchmarks/bench_peers.py --site PEERS/lib/python3.11/site-packages

The positions are random but reproducible (seed 11): a symbol of the 907 real Binance
tables, entry = mark, notional log-uniform from 100 to 10 M, long or short, leverage
1-20, the isolated wallet = notional / leverage. freqtrade gets the same decimal texts as
floats. Rounds are interleaved and timed by CPU time; the best round of each is printed.
freqtrade picks the bracket at the entry notional, marginspec at the liquidation price
(LIQ-3), so the prices agree only where the two brackets coincide: the script counts them.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TIERS = REPO.parent / "shared" / "data" / "binance-usdm-leverage-tiers.json"


def _freqtrade(tiers: dict[str, Any]) -> Any:
    """A freqtrade Binance exchange object in backtesting mode with the given tiers, no network."""
    from freqtrade.enums import MarginMode, RunMode, TradingMode
    from freqtrade.exchange.binance import Binance

    exchange = Binance.__new__(Binance)
    exchange._config = {"dry_run": True, "runmode": RunMode.BACKTEST}
    exchange.trading_mode = TradingMode.FUTURES
    exchange.margin_mode = MarginMode.ISOLATED
    exchange.liquidation_buffer = 0.0
    exchange._exchange_ws = None  # what close() looks for when the object is collected
    exchange._leverage_tiers = {
        pair: [exchange.parse_leverage_tier(t) for t in rows] for pair, rows in tiers.items()
    }
    return exchange


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tiers", nargs="?", default=str(DEFAULT_TIERS))
    parser.add_argument("--positions", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--site", help="site-packages of the environment that has freqtrade")
    args = parser.parse_args()
    if args.site:
        sys.path.append(args.site)
    import json

    from gmpy2 import mpq

    from marginspec import batch, liquidation
    from marginspec.importers import load_brackets
    from marginspec.rulefile import load_bundled

    tiers = json.loads(Path(args.tiers).read_text())
    ruleset = load_brackets(args.tiers, base=load_bundled())
    exchange = _freqtrade(tiers)
    # ccxt's "BTC/USDT:USDT" is BTCUSDT; dated contracts ("…:USDT-260925") are left out.
    pairs = {pair.split(":")[0].replace("/", ""): pair for pair in tiers if "-" not in pair}
    rng = random.Random(11)
    symbols = sorted(s for s in ruleset.markets if s in pairs)
    texts = []
    for _ in range(args.positions):
        symbol = rng.choice(symbols)
        mark = Decimal(rng.randint(100, 10**7)) / 100
        notional = Decimal(str(round(math.exp(rng.uniform(math.log(100), math.log(1e7))), 2)))
        amount = max((notional / mark).quantize(Decimal("0.001")), Decimal("0.001"))
        leverage = rng.randint(1, 20)
        wallet = (amount * mark / leverage).quantize(Decimal("0.01"))
        texts.append((symbol, str(amount), str(mark), leverage, str(wallet), rng.random() < 0.5))
    floats = [
        (pairs[s], float(m), short, float(a), float(w), float(lev), float(w))
        for s, a, m, lev, w, short in texts
    ]
    positions = [
        batch.IsolatedPosition(s, mpq(a) * (-1 if short else 1), mpq(m), mpq(m), mpq(w))
        for s, a, m, _, w, short in texts
    ]
    book = batch.Book(ruleset)
    boundary = ruleset.options.bracket_boundary
    markets = ruleset.markets

    def run_freqtrade() -> list[float | None]:
        price = exchange.get_liquidation_price
        return [
            price(pair, rate, short, amount, stake, leverage, wallet)
            for pair, rate, short, amount, stake, leverage, wallet in floats
        ]

    def run_batch() -> list[Any]:
        return batch.liquidation_prices(book, positions)

    rows = [batch.scaled(p) for p in positions]

    def run_scaled() -> list[Any]:
        return batch.scaled_liquidation_prices(book, rows)

    cols = batch.columns(positions)

    def run_columns() -> list[Any]:
        return batch.column_liquidation_prices(book, cols)

    def run_columns_built() -> list[Any]:
        return batch.column_liquidation_prices(book, batch.columns(positions))

    def run_scalar() -> list[Any]:
        out = []
        for p in positions:
            leg = liquidation.Leg(p.position_amt, p.entry_price, markets[p.symbol].brackets)
            result = liquidation.liquidation_price(
                [leg], p.isolated_wallet, 0, 0, p.mark_price, boundary
            )
            out.append(result.price if result.exists else None)
        return out

    runs = {"freqtrade get_liquidation_price (float)": run_freqtrade}
    runs["marginspec batch.liquidation_prices (exact)"] = run_batch
    runs["marginspec batch.scaled_liquidation_prices (exact)"] = run_scaled
    runs["marginspec batch.column_liquidation_prices (exact)"] = run_columns
    runs["  the same, columns built from the mpq inputs"] = run_columns_built
    runs["marginspec liquidation_price, default path (exact)"] = run_scalar
    best = dict.fromkeys(runs, math.inf)
    for _ in range(args.rounds):
        for name, run in runs.items():
            start = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - start)
    ours, theirs = run_batch(), run_freqtrade()
    assert ours == run_scaled() == run_columns() == run_scalar(), (
        "the batch paths differ from the scalar one"
    )
    close = sum(
        1
        for a, b in zip(ours, theirs, strict=True)
        if (a is None and not b) or (a is not None and b and abs(float(a) - b) <= 1e-6 * b)
    )
    print(
        f"{args.positions} isolated positions, best of {args.rounds} interleaved rounds (CPU time)"
    )
    base = args.positions / best["freqtrade get_liquidation_price (float)"]
    for name, seconds in best.items():
        rate = args.positions / seconds
        print(f"{name:52s} {rate:>12,.0f}/s  ratio {rate / base:.2f}")
    print(f"prices within 1e-6 of freqtrade's: {close} of {args.positions}")


if __name__ == "__main__":
    main()
