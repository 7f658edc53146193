"""The fast paths equal the plain model on random traces (docs/performance.md).

Two fast paths sit beside the plain model: ``exchange.fast_figures`` (the account sums the
per-action preconditions take, from the formula functions) against
:func:`marginspec.evaluate.evaluate` on the plain state, and ``exchange.invariant_plan``
(INV-0: only the invariants an action can break, in inductive form) against every plain
predicate of ``exchange.invariants`` over the whole state. The traffic is the state
machine of ``test_exchange_machine``; after every action the planned check also meets
four broken copies of the new state and must name the same invariants as the plain one.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant

from marginspec.account import MarginType
from marginspec.evaluate import evaluate
from marginspec.exchange import Model, fast_figures, invariant_plan, invariants
from marginspec.exchange.actions import Action
from marginspec.exchange.refusals import Outcome
from marginspec.exchange.state import (
    ExchangeState,
    evolve,
    to_account,
    with_orders,
    with_position,
)
from marginspec.exchange.transitions import apply
from marginspec.exchange.view import figures
from marginspec.numbers import Exact
from tests.test_exchange_machine import PROFILE, RULESET, ExchangeMachine


def _rules(found: list[str]) -> set[str]:
    return {v.split(":")[0] for v in found}


def _broken(state: ExchangeState) -> list[ExchangeState]:
    """Copies of ``state`` broken the way a buggy transition would break it."""
    out = [evolve(state, fee_income=state.fee_income + 1)]
    for name, acct in state.accounts.items():
        out.append(state.with_account(name, evolve(acct, cross_wallet=acct.cross_wallet + 1)))
        break
    for name, acct in state.accounts.items():
        for key, pos in acct.positions.items():
            if pos.position_amt:
                step = RULESET.markets[key[0]].step_size
                moved = evolve(pos, position_amt=pos.position_amt + step)
                out.append(state.with_account(name, with_position(acct, key, moved)))
                break
        else:
            continue
        break
    for name, acct in state.accounts.items():
        # an order with something left to fill: a closePosition order's quantity is 0
        # (ACT-COND-5), and "filling" it would change nothing
        open_at = [i for i, o in enumerate(acct.orders) if o.executed_qty < o.orig_qty]
        if open_at:
            i = open_at[0]
            spent = evolve(acct.orders[i], executed_qty=acct.orders[i].orig_qty)
            orders = (*acct.orders[:i], spent, *acct.orders[i + 1 :])
            out.append(state.with_account(name, with_orders(acct, orders)))
            break
    return out


class ComparingModel(Model):
    """A model that checks every transition both ways and asserts they agree."""

    def apply(self, action: Action) -> Outcome:
        before = self.state
        after, outcome = apply(before, action, self.ruleset)
        planned = invariant_plan.check(before, action, after, outcome, self.ruleset)
        whole = invariants.check_all(before, action, after, outcome, self.ruleset)
        assert _rules(planned) == _rules(whole), (action, planned, whole)
        assert planned == [], planned
        if outcome.accepted:
            for broken in _broken(after):
                planned = invariant_plan.check(before, action, broken, outcome, self.ruleset)
                whole = invariants.check_all(before, action, broken, outcome, self.ruleset)
                assert _rules(planned) == _rules(whole), (action, planned, whole)
                assert whole, "a broken state that breaks no invariant"
        self.state = after
        return outcome


class FastPathMachine(ExchangeMachine):
    @initialize(
        wallets=st.lists(st.sampled_from(["500", "5000", "50000"]), min_size=3, max_size=3),
        fund=st.sampled_from(["0", "1000", "1000000"]),
    )
    def start(self, wallets: list[str], fund: str) -> None:
        super().start(wallets, fund)
        self.model = ComparingModel(self.model.state, RULESET)

    @invariant()
    def fast_figures_equal_evaluate(self) -> None:
        """Every figure of ``fast_figures`` equals ``evaluate``'s on the plain state."""
        if not hasattr(self, "model"):
            return
        state = self.model.state
        marks = state.mark_prices
        for name, acct in state.accounts.items():
            f = figures(state, name, RULESET)
            t = fast_figures.totals(acct, state, RULESET, with_mm=True)
            cross = [p for p in f.positions if p.position.margin_type is MarginType.CROSS]
            isolated = [p for p in f.positions if p.position.margin_type is MarginType.ISOLATED]
            assert t.cross_upnl == f.total_cross_unrealized_pnl
            assert t.cross_mm == f.cross_maint_margin
            assert t.cross_used == sum(
                (p.initial_margin + p.open_order_initial_margin for p in cross), Exact(0)
            )
            assert t.iso_used == sum((p.open_order_initial_margin for p in isolated), Exact(0))
            assert fast_figures.cross_upnl(acct, marks, RULESET) == f.total_cross_unrealized_pnl
            assert fast_figures.cross_maint(acct, marks, RULESET) == f.cross_maint_margin
            assert fast_figures.cross_balance(acct, marks, RULESET) == (
                f.total_cross_wallet_balance + f.total_cross_unrealized_pnl
            )
            assert fast_figures.available_balance(acct, state, RULESET) == f.available_balance
            assert fast_figures.max_withdraw(acct, state, RULESET) == f.max_withdraw
            liquidatable = f.liquidatable or any(p.liquidatable for p in f.positions)
            assert fast_figures.below_maintenance(acct, state, RULESET) == liquidatable
            every_side = evaluate(to_account(acct, marks, RULESET, full=True), RULESET, False)
            for p in every_side.positions:
                symbol, side = p.position.symbol, p.position.position_side
                requirement = fast_figures.side_requirement(acct, state, RULESET, symbol, side)
                assert requirement == p.initial_margin + p.open_order_initial_margin


TestFastPath = FastPathMachine.TestCase
TestFastPath.settings = settings(
    settings(),
    max_examples={"ci": 30, "dev": 5}.get(PROFILE, 200),
    stateful_step_count={"ci": 50, "dev": 20}.get(PROFILE, 120),
)
