"""Derived figures of an account in the model (one source of truth, SNAP-3).

Snapshots, liquidations and ADL ranking convert the account to the ``evaluate`` input and
read :func:`marginspec.evaluate.evaluate`'s figures. The preconditions that run on every
action take their sums from :mod:`marginspec.exchange.fast_figures` instead, which a
property test holds equal to these. No formula is written here.
"""

from __future__ import annotations

from marginspec.account import PositionSide
from marginspec.evaluate import AccountFigures, PositionFigures, evaluate
from marginspec.exchange.state import AccountState, ExchangeState, to_account
from marginspec.memo import Memo
from marginspec.ruleset import RuleSet


def figures(
    state: ExchangeState, name: str, ruleset: RuleSet, prices: bool = False
) -> AccountFigures:
    """``evaluate`` of one account at the current marks (no LP/BP unless ``prices``)."""
    return account_figures(state.accounts[name], state, ruleset, prices)


# Keyed by the identity of (account, marks, rule set): see marginspec.memo.
_FIGURES: Memo[AccountFigures] = Memo(256)


def account_figures(
    account: AccountState, state: ExchangeState, ruleset: RuleSet, prices: bool = False
) -> AccountFigures:
    if prices:
        return evaluate(to_account(account, state.mark_prices, ruleset), ruleset, True)
    marks = state.mark_prices
    key = (id(account), id(marks), id(ruleset))
    hit = _FIGURES.get(key)
    if hit is not None:
        return hit
    result = evaluate(to_account(account, marks, ruleset), ruleset, False)
    return _FIGURES.put(key, result, (account, marks, ruleset))


def position_figures(f: AccountFigures, symbol: str, side: PositionSide) -> PositionFigures | None:
    for p in f.positions:
        if p.position.symbol == symbol and p.position.position_side is side:
            return p
    return None
