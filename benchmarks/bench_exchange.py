"""Account-model throughput with every invariant checked (goal >= 20,000 actions/s).

Random but reproducible traces (by default 50 traces of 1,000 actions, seeds 11 … 60,
each from a fresh exchange) on 3 accounts x 3 symbols (the rule set
``benchmarks/three-markets.toml``: aster-pro's BTCUSDT and ETHUSDT plus SOLUSDT):
orders near the mark and their fills (partial too), MARKET, IOC, FOK and post-only (GTX)
orders that take the book at once (meeting self-trade prevention on the account's own
orders, STP-1), conditional orders (STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET,
TRAILING_STOP_MARKET on the mark or the last price, fired by mark and last-price moves),
cancels, amendments (ACT-15), mark and last-price moves, funding,
isolated margin transfers, leverage and mode changes, deposits, withdrawals and
liquidation sweeps. ``Model(check=True)`` runs INV-1 ... INV-8 after every action.
The figure counts only the time spent inside ``Model.apply`` (action generation
excluded); the wall-clock rate of the whole loop is printed too.

One long trace (``--traces 1 --actions 50000``) measures something else as well: exact
entry prices and realised PnL grow longer trade after trade (FILL-9), so arithmetic
slows as a single trace gets longer (docs/performance.md reports both).

    .venv/bin/python benchmarks/bench_exchange.py [--traces T] [--actions N] [--seed S] [--no-check]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import attrs

from marginspec.account import MarginType, OrderSide, PositionSide
from marginspec.exchange import Model
from marginspec.exchange.actions import (
    Action,
    CancelOrder,
    Deposit,
    Fill,
    Funding,
    LastPrice,
    LiquidationSweep,
    MarkPrice,
    ModifyOrder,
    PlaceOrder,
    PositionMargin,
    SetLeverage,
    SetMarginType,
    SetPositionMode,
    Withdraw,
)
from marginspec.numbers import Exact
from marginspec.rulefile import load_ruleset

RULESET = load_ruleset(Path(__file__).with_name("three-markets.toml"))
ACCOUNTS = ("A", "B", "C")
MAX_OPEN_ORDERS = 6
MARKS = {"BTCUSDT": "80000", "ETHUSDT": "3000", "SOLUSDT": "150"}


def _tick(value: Exact, step: Exact) -> Exact:
    return max(step, Exact((value // step) * step))


class Traffic:
    def __init__(self, model: Model, rng: random.Random, cross_rate: float = 1.0) -> None:
        self.model = model
        self.rng = rng
        self.cross_rate = cross_rate

    def side(self, account: str, opening_long: bool) -> PositionSide:
        if self.model.state.accounts[account].dual_side_position:
            return PositionSide.LONG if opening_long else PositionSide.SHORT
        return PositionSide.BOTH

    def order(self, account: str, symbol: str, buy: bool, opens: bool) -> PlaceOrder:
        market = RULESET.markets[symbol]
        mark = self.model.state.mark_prices[symbol]
        price = _tick(mark * (1 + Exact(self.rng.randint(-3, 3), 1000)), market.tick_size)
        notional = Exact(self.rng.choice([100, 1000, 5000, 20000, 100000]))
        quantity = _tick(notional / price, market.step_size)
        side = self.side(account, buy == opens)
        return PlaceOrder(
            account, symbol, OrderSide.BUY if buy else OrderSide.SELL, side, price, quantity
        )

    def conditional(self, order: PlaceOrder) -> PlaceOrder:
        """ACT-COND-1: ``order`` as a conditional order of a random type, its trigger 1 %
        from the working price on either side (some would trigger at once: -2021)."""
        r = self.rng
        kind = r.choice(
            ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET")
        )
        market = RULESET.markets[order.symbol]
        stop = _tick(order.price * (1 + Exact(r.choice((-10, 10)), 1000)), market.tick_size)
        trailing = kind == "TRAILING_STOP_MARKET"
        close = kind in ("STOP_MARKET", "TAKE_PROFIT_MARKET") and r.random() < 0.3
        return attrs.evolve(
            order,
            order_type=kind,
            price=order.price if kind in ("STOP", "TAKE_PROFIT") else Exact(0),
            quantity=Exact(0) if close else order.quantity,
            stop_price=None if trailing else stop,
            working_type=r.choice(("CONTRACT_PRICE", "MARK_PRICE")),
            close_position=close,
            callback_rate=Exact(r.choice((1, 2))) if trailing else None,
        )

    def next(self) -> list[Action]:
        r = self.rng
        kind = r.random()
        account = r.choice(ACCOUNTS)
        symbol = r.choice(tuple(RULESET.markets))
        state = self.model.state
        orders = state.accounts[account].orders
        if len(orders) > MAX_OPEN_ORDERS:  # traders tidy up: cancel the oldest
            return [CancelOrder(account, orders[0].order_id)]
        if kind < 0.40:  # a trade: a resting SELL taken by a BUY of another account
            buyer, seller = r.sample(ACCOUNTS, 2)
            ask = self.order(seller, symbol, False, r.random() < 0.5)
            bid = self.order(buyer, symbol, True, r.random() < 0.5)
            if r.random() < self.cross_rate:
                # the buyer takes the ask: same price, same quantity
                bid = PlaceOrder(
                    bid.account, symbol, bid.side, bid.position_side, ask.price, ask.quantity
                )
            return [ask, bid]
        if kind < 0.50:
            order = self.order(account, symbol, r.random() < 0.5, r.random() < 0.7)
            how = r.random()  # ACT-ORD-6/7: half of these take the book or are post-only
            if how < 0.2:
                order = attrs.evolve(order, order_type="MARKET", price=Exact(0))
            elif how < 0.5:
                order = attrs.evolve(order, time_in_force=r.choice(("IOC", "FOK", "GTX")))
            elif how < 0.8:
                order = self.conditional(order)
            return [order]
        if kind < 0.55:
            orders = [(n, o) for n, a in state.accounts.items() for o in a.orders]
            if not orders:
                return []
            name, found = r.choice(orders)
            if kind < 0.53:
                return [CancelOrder(name, found.order_id)]
            # ACT-15: a new price a few ticks away, the quantity halved or doubled
            market = RULESET.markets[found.symbol]
            price = _tick(found.price + market.tick_size * r.randint(-3, 3), market.tick_size)
            quantity = _tick(found.orig_qty * Exact(r.choice([1, 2, 4]), 2), market.step_size)
            return [ModifyOrder(name, found.symbol, found.order_id, price, quantity)]
        if kind < 0.72:
            move = Exact(r.choice([-50, -10, -3, 3, 10, 50]), 1000)
            mark = state.mark_prices[symbol]
            if r.random() < 0.3:  # ACT-16: the last price, which CONTRACT_PRICE orders watch
                return [LastPrice(symbol, _tick(mark * (1 + move), Exact(1, 100)))]
            return [MarkPrice(symbol, _tick(mark * (1 + move), Exact(1, 100)))]
        if kind < 0.76:
            return [Funding(symbol, Exact(r.choice([-30, -1, 1, 30]), 10000))]
        if kind < 0.80:
            side = self.side(account, r.random() < 0.5)
            return [
                PositionMargin(account, symbol, side, Exact(r.choice([10, 100])), r.choice([1, 2]))
            ]
        if kind < 0.84:
            return [SetLeverage(account, symbol, r.choice([2, 5, 10, 20, 50, 75]))]
        if kind < 0.86:
            kind_ = r.choice([MarginType.CROSS, MarginType.ISOLATED])
            return [SetMarginType(account, symbol, kind_)]
        if kind < 0.87:
            return [SetPositionMode(account, r.random() < 0.5)]
        if kind < 0.90:
            return [Deposit(account, Exact(r.choice([100, 1000, 10000])))]
        if kind < 0.92:
            return [Withdraw(account, Exact(r.choice([10, 100, 1000])))]
        return [LiquidationSweep()]


def run(
    count: int,
    seed: int,
    check: bool,
    clock: Callable[[], float] = time.perf_counter,
    cross_rate: float = 1.0,
) -> tuple[int, float, float, Counter[str]]:
    initial = {
        "markPrices": MARKS,
        "insuranceFund": "100000",
        "accounts": {name: {"crossWalletBalance": "50000"} for name in ACCOUNTS},
    }
    model = Model.from_json(initial, RULESET, check=check)
    traffic = Traffic(model, random.Random(seed), cross_rate)
    spent = 0.0
    done = 0
    outcomes: Counter[str] = Counter()
    start = time.perf_counter()
    while done < count:
        batch = traffic.next()
        ids = []
        for action in batch:
            t0 = clock()
            outcome = model.apply(action)
            spent += clock() - t0
            done += 1
            outcomes[type(action).__name__ + ("" if outcome.accepted else " refused")] += 1
            ids.append(outcome.order_id)
        if (
            len(batch) == 2
            and ids[0] is not None
            and ids[1] is not None
            and isinstance(batch[0], PlaceOrder)
            and isinstance(batch[1], PlaceOrder)
            and batch[1].price >= batch[0].price  # the bid reaches the ask: they trade
        ):
            t0 = clock()
            outcome = model.apply(Fill(ids[0], ids[1]))
            spent += clock() - t0
            done += 1
            outcomes["Fill" + ("" if outcome.accepted else " refused")] += 1
    return done, spent, time.perf_counter() - start, outcomes


def _traces(
    traces: int,
    actions: int,
    seed: int,
    check: bool,
    clock: Callable[[], float],
    cross_rate: float,
) -> tuple[int, float, float, Counter[str]]:
    """:func:`run` for ``traces`` consecutive seeds; the totals."""
    done, spent, wall, outcomes = 0, 0.0, 0.0, Counter[str]()
    for i in range(traces):
        d, s, w, o = run(actions, seed + i, check, clock, cross_rate)
        done, spent, wall = done + d, spent + s, wall + w
        outcomes.update(o)
    return done, spent, wall, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=int, default=50, help="independent traces (default 50)")
    parser.add_argument("--actions", type=int, default=1_000, help="actions per trace")
    parser.add_argument("--seed", type=int, default=11, help="seed of the first trace")
    parser.add_argument("--no-check", action="store_true", help="skip the invariants")
    parser.add_argument("--mix", action="store_true", help="print the action mix")
    parser.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="cpu",
        help="time Model.apply by process CPU time (default: steady on a shared machine) "
        "or by wall clock",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    parser.add_argument(
        "--cross-rate",
        type=float,
        default=1.0,
        help="share of trade attempts where the buyer takes the ask at its price (default 1: "
        "every pair trades); otherwise the bid is drawn on its own, rests, and fills only "
        "if it reaches the ask",
    )
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    runs = [
        _traces(args.traces, args.actions, args.seed, not args.no_check, clock, args.cross_rate)
        for _ in range(args.repeat)
    ]
    done, spent, wall, outcomes = min(runs, key=lambda r: r[1])
    checks = "off" if args.no_check else "on"
    rates = ", ".join(f"{r[0] / r[1]:,.0f}" for r in runs)
    print(
        f"actions: {done:,} in {args.traces} traces (seeds {args.seed} … "
        f"{args.seed + args.traces - 1})  accounts: 3  symbols: 3  invariants: {checks}  "
        f"cross rate: {args.cross_rate}"
    )
    print(
        f"model: {done / spent:,.0f} actions/s  (best of {args.repeat}: {rates}; "
        f"{spent:.2f} s {args.clock} time inside Model.apply)"
    )
    print(f"loop:  {done / wall:,.0f} actions/s  ({wall:.2f} s wall clock, generation included)")
    if args.mix:
        for name, n in outcomes.most_common():
            print(f"  {n:7,}  {name}")


if __name__ == "__main__":
    main()
