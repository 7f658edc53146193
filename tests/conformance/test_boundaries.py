"""The boundary moves (issue 12, sixth round) send their action ON the rule's edge and
10^-8 beside it: checked on the model, with seeded choices."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal
from typing import Any

from marginspec import brackets
from marginspec.conformance import moves
from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.engine import ModelEngine
from marginspec.conformance.moves.boundaries import exact_bids
from marginspec.exchange.view import figures
from marginspec.numbers import Exact, to_plain
from tests.conformance.helpers import RULESET


class _Recorder:
    """A :class:`moves.Context` over the model alone, keeping every (action, outcome)."""

    def __init__(self, initial: dict[str, Any]) -> None:
        self.engine = ModelEngine(RULESET)
        self.engine.reset(initial)
        assert self.engine.model is not None
        self.model = self.engine.model
        self.caps = Capabilities()
        self.log: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        # the acting account's available balance (AVB-1) before the step
        name = action.get("account")
        before = None
        if name in self.model.state.accounts:
            before = figures(self.model.state, name, RULESET).available_balance
        outcome = self.engine.apply(action)
        # the accounts' cross wallets after the step ride along in the outcome copy
        wallets = {n: a.cross_wallet for n, a in self.model.state.accounts.items()}
        self.log.append((action, {**outcome, "_wallets": wallets, "_available": before}))
        return outcome


def _played(
    name: str, seeds: int = 12, calls: int = 3
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    log = []
    for seed in range(seeds):
        chooser = moves.RandomChooser(random.Random(seed))
        ctx = _Recorder(moves.initial(chooser, Capabilities(), RULESET))
        for _ in range(calls):
            moves.AIMED[name][0](ctx, chooser)
        log += ctx.log
    return log


def _edges(log: list[tuple[dict[str, Any], dict[str, Any]]], kind: str) -> list[Decimal]:
    """For each ``kind`` action refused for margin then accepted unchanged after a top-up,
    the top-up (the distance from the edge the refused one was sent at)."""
    found = []
    for i in range(len(log) - 2):
        (first, said), (middle, _), (second, then) = log[i], log[i + 1], log[i + 2]
        if first.get("action") != kind or first != second:
            continue
        if said.get("status") == "refused" and then.get("status") == "accepted":
            assert middle["action"] == "deposit"
            found.append(Decimal(middle["amount"]))
    return found


def test_cost_at_available_is_refused_1e_8_short_and_accepted_on_the_edge() -> None:
    log = _played("cost_at_available")
    ups = _edges(log, "placeOrder")
    assert len(ups) >= 5
    assert all(0 < up <= Decimal("2e-8") for up in ups)
    markets = [a for a, _ in log if a.get("type") == "MARKET"]
    assert markets, "COST-3's market orders are aimed at too"


def test_leverage_rise_at_available_is_refused_1e_8_short_and_accepted_on_the_edge() -> None:
    ups = _edges(_played("leverage_rise_at_available"), "setLeverage")
    assert len(ups) >= 3
    assert all(0 < up <= Decimal("2e-8") for up in ups)


def test_small_leverage_rise_meets_a_rise_under_1_after_leverage_1() -> None:
    log = _played("small_leverage_rise")
    ups = _edges(log, "setLeverage")
    assert len(ups) >= 3
    assert all(0 < up <= Decimal("2e-8") for up in ups)
    # refused (-2028) with an available balance in (0, 1): the rise is in (0, 1]
    short = [
        o["_available"] for a, o in log if a["action"] == "setLeverage" and o.get("code") == -2028
    ]
    assert len(short) >= 3
    assert all(0 < have < 1 for have in short)
    ones = [o for a, o in log if a["action"] == "setLeverage" and a["leverage"] == 1]
    assert ones and all(o["status"] == "accepted" for o in ones)


def test_exact_bids_add_up_to_the_total_on_tick_and_step() -> None:
    market = RULESET.markets["ETHUSDT"]
    for mark in ("3000", "2450.33", "77.7", "4100.99"):
        bids = exact_bids(Exact(10000), Exact(mark), market)
        assert bids, mark
        assert sum((p * q for p, q in bids), Exact(0)) == 10000
        for price, quantity in bids:
            assert Exact(mark) * Exact(99, 100) < price <= Exact(mark)
            assert (price / market.tick_size).denominator == 1
            assert (quantity / market.step_size).denominator == 1
            assert price * quantity >= market.min_notional
    assert exact_bids(Exact(10000), Exact("123456.78"), market) == ()  # 2000 ticks: none


def test_exposure_at_cap_raises_the_leverage_with_the_exposure_on_the_cap() -> None:
    log = _played("exposure_at_cap")
    raised = 0
    for i, (action, outcome) in enumerate(log):
        if action["action"] != "setLeverage" or outcome["status"] != "accepted":
            continue
        market = RULESET.markets[action["symbol"]]
        if action["leverage"] != market.max_leverage:
            continue
        bids = []
        for earlier, said in reversed(log[:i]):
            if earlier["action"] != "placeOrder" or "orderId" not in said:
                break
            bids.append(Decimal(earlier["price"]) * Decimal(earlier["quantity"]))
        cap = Exact(brackets.max_notional(market.brackets, Exact(market.max_leverage)))
        assert sum(bids) == Decimal(to_plain(cap))
        raised += 1
    assert raised >= 3


def test_self_trade_fill_names_two_crossing_orders_of_one_account() -> None:
    log = _played("self_trade_fill")
    fills = [(a, o) for a, o in log if a["action"] == "fill"]
    assert all(o["status"] == "refused" for _, o in fills)
    assert len(fills) >= 10
    assert all(o["rule"] == "REF-13" for _, o in fills)


def test_price_floor_takes_a_mark_and_a_last_price_of_at_most_1() -> None:
    log = _played("price_floor", seeds=3, calls=1)
    low = [(a, o) for a, o in log if Decimal(a.get("markPrice", a.get("lastPrice", "2"))) <= 1]
    assert {a["action"] for a, _ in low} == {"markPrice", "lastPrice"}
    assert all(o["status"] == "accepted" for _, o in low)


def test_isolated_open_drains_cross_leaves_the_cross_wallet_at_0() -> None:
    left = []
    for action, outcome in _played("isolated_open_drains_cross"):
        if action["action"] == "fill" and outcome["status"] == "accepted":
            maker = outcome["events"][0]["account"]
            left.append(outcome["_wallets"][maker])
    assert Exact(0) in left
    assert set(left) <= {Exact(0), Exact(1, 2)}


def _sweeps_after_seeding_the_fund(
    log: list[tuple[dict[str, Any], dict[str, Any]]],
) -> list[dict[str, Any]]:
    """The outcomes of the sweeps sent right after a deposit into the insurance fund."""
    return [
        log[i + 1][1]
        for i in range(len(log) - 1)
        if log[i][0].get("action") == "deposit"
        and log[i][0].get("account") == "insuranceFund"
        and log[i + 1][0]["action"] == "liquidationSweep"
    ]


def test_fund_at_limit_seeds_the_fund_then_it_takes_the_position_over() -> None:
    log = _played("fund_at_limit", seeds=10)
    sweeps = _sweeps_after_seeding_the_fund(log)
    assert sweeps
    assert all(any(e["type"] == "TAKEOVER" for e in s["events"]) for s in sweeps)


def test_fund_emptied_takes_over_at_a_fund_balance_of_exactly_0() -> None:
    log = _played("fund_emptied", seeds=6, calls=2)
    sweeps = _sweeps_after_seeding_the_fund(log)
    assert sweeps
    for s in sweeps:
        # both takeovers on one symbol (an older position elsewhere may be swept too)
        symbol = next(e["symbol"] for e in s["events"] if e["type"] == "TAKEOVER")
        on = [e for e in s["events"] if e.get("symbol") == symbol]
        assert [e["side"] for e in on if e["type"] == "TAKEOVER"] == ["SELL", "BUY"]
        assert not any(e["type"] == "ADL" for e in on)
        assert s["_wallets"]["insuranceFund"] == 0


def test_one_unit_liquidates_a_cross_unit_long_and_an_isolated_one() -> None:
    kinds = set()
    for seed in range(8):
        chooser = moves.RandomChooser(random.Random(seed))
        ctx = _Recorder(moves.initial(chooser, Capabilities(), RULESET))
        for _ in range(3):
            moves.AIMED["one_unit"][0](ctx, chooser)
            action, outcome = ctx.log[-1]
            if action["action"] != "liquidationSweep":
                continue
            for e in outcome["events"]:
                if e["type"] == "LIQUIDATION" and Decimal(e["quantity"]) == 1:
                    acct = ctx.model.state.accounts[e["account"]]
                    kinds.add(acct.setting(e["symbol"], RULESET).margin_type.value)
    assert kinds == {"cross", "isolated"}


def test_negative_rest_has_the_fund_cover_a_wallet_after_a_close_and_after_a_liquidation() -> None:
    covered = {"after a close": 0, "after a liquidation": 0}
    for action, outcome in _played("negative_rest", seeds=8, calls=2):
        if action["action"] != "liquidationSweep":
            continue
        events = outcome["events"]
        cover = [e for e in events if e["type"] == "INSURANCE_COVER"]
        assert len(cover) == 1 and Decimal(cover[0]["amount"]) > 0
        liquidated = any(e["type"] == "LIQUIDATION" for e in events)
        covered["after a liquidation" if liquidated else "after a close"] += 1
        assert outcome["_wallets"][cover[0]["account"]] == 0
    assert all(covered.values())


def test_unit_then_profit_weights_the_entry_and_meets_max_withdraw_from_both_sides() -> None:
    """PNL-3 on a position of exactly one unit; XFER-1 bound by the cross MM: 1e-8 past
    ``maxWithdrawAmount`` refused (REF-36), exactly it accepted."""
    log = _played("unit_then_profit", seeds=8, calls=2)
    withdrawals = [(a, o) for a, o in log if a["action"] == "withdraw"]
    pairs = [
        (first, second)
        for first, second in itertools.pairwise(withdrawals)
        if Decimal(first[0]["amount"]) - Decimal(second[0]["amount"]) == Decimal("1e-8")
    ]
    assert pairs
    for (_, said), (_, then) in pairs:
        assert said["status"] == "refused" and said["rule"] == "REF-36"
        assert then["status"] == "accepted"
    fills = [o for a, o in log if a["action"] == "fill" and o["status"] == "accepted"]
    assert any(
        e["type"] == "TRADE" and Decimal(e["quantity"]) == 1 for o in fills for e in o["events"]
    )


def test_hedge_past_liquidation_moves_the_mark_past_a_hedged_pair_unswept() -> None:
    """LIQ-3/LIQ-4 with BRK-3's floors: a hedged pair's mark goes past its liquidation
    price with no sweep, then back."""
    engine_log = _played("hedge_past_liquidation", seeds=8, calls=2)
    actions = [a["action"] for a, _ in engine_log]
    assert "liquidationSweep" not in actions
    marks = [a for a in actions if a == "markPrice"]
    assert len(marks) >= 4 and len(marks) % 2 == 0  # each past is followed by its return


def test_remove_at_cap_is_refused_1e_8_above_the_cap_and_accepted_on_it() -> None:
    log = _played("remove_at_cap")
    pairs = 0
    for (first, said), (second, then) in itertools.pairwise(log):
        if first["action"] != "positionMargin" or second["action"] != "positionMargin":
            continue
        if first.get("type") != 2 or second.get("type") != 2:
            continue
        assert said.get("code") == -4051  # REF-32: above maxRemovableMargin
        assert then["status"] == "accepted"
        assert Decimal(first["amount"]) - Decimal(second["amount"]) == Decimal("1e-8")
        pairs += 1
    assert pairs >= 3


def test_same_leverage_over_cap_asks_again_with_the_exposure_above_the_cap() -> None:
    log = _played("same_leverage_over_cap")
    asked = 0
    for i, (action, outcome) in enumerate(log):
        if action["action"] != "setLeverage" or log[i - 1][0]["action"] != "markPrice":
            continue
        market = RULESET.markets[action["symbol"]]
        assert action["leverage"] == market.max_leverage
        assert outcome["status"] == "accepted"  # ACT-LEV-2: nothing to change
        fill = next(a for a, _ in reversed(log[:i]) if a["action"] == "placeOrder")
        notional = Decimal(fill["quantity"]) * Decimal(log[i - 1][0]["markPrice"])
        cap = Exact(brackets.max_notional(market.brackets, Exact(market.max_leverage)))
        assert notional > Decimal(to_plain(cap))
        asked += 1
    assert asked >= 3
