"""The boundary moves (issue 12, sixth round) send their action ON the rule's edge and
10^-8 beside it: checked on the model, with seeded choices."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from marginspec.conformance import moves
from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.engine import ModelEngine
from marginspec.numbers import Exact
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
        outcome = self.engine.apply(action)
        # the accounts' cross wallets after the step ride along in the outcome copy
        wallets = {n: a.cross_wallet for n, a in self.model.state.accounts.items()}
        self.log.append((action, {**outcome, "_wallets": wallets}))
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


def test_fund_at_limit_seeds_the_fund_then_it_takes_the_position_over() -> None:
    log = _played("fund_at_limit", seeds=10)
    sweeps = [
        log[i + 1][1]
        for i in range(len(log) - 1)
        if log[i][0].get("action") == "deposit"
        and log[i][0].get("account") == "insuranceFund"
        and log[i + 1][0]["action"] == "liquidationSweep"
    ]
    assert sweeps
    assert all(any(e["type"] == "TAKEOVER" for e in s["events"]) for s in sweeps)


def test_fund_emptied_takes_over_at_a_fund_balance_of_exactly_0() -> None:
    log = _played("fund_emptied", seeds=6, calls=2)
    sweeps = [
        log[i + 1][1]
        for i in range(len(log) - 1)
        if log[i][0].get("action") == "deposit"
        and log[i][0].get("account") == "insuranceFund"
        and log[i + 1][0]["action"] == "liquidationSweep"
    ]
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
