"""Derived figures of an account in the model: always :func:`marginspec.evaluate.evaluate`.

The account model never computes a margin figure itself; it converts the account to the
``evaluate`` input and reads the result (one source of truth, SNAP-3).
"""

from __future__ import annotations

from marginspec.account import MarginType, PositionSide
from marginspec.evaluate import AccountFigures, PositionFigures, evaluate
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet

from marginspec.exchange.state import ZERO, AccountState, ExchangeState, to_account


def figures(
    state: ExchangeState, name: str, ruleset: RuleSet, prices: bool = False
) -> AccountFigures:
    """``evaluate`` of one account at the current marks (no LP/BP unless ``prices``)."""
    account = to_account(state.accounts[name], state.mark_prices, ruleset)
    return evaluate(account, ruleset, prices)


def account_figures(
    account: AccountState, state: ExchangeState, ruleset: RuleSet, prices: bool = False
) -> AccountFigures:
    return evaluate(to_account(account, state.mark_prices, ruleset), ruleset, prices)


def margin_in_use(f: AccountFigures) -> Exact:
    """What AVB-1 subtracts from the cross balance: Σcross (IM + open-order IM) + Σiso open-order IM."""
    used = ZERO
    for p in f.positions:
        used += p.open_order_initial_margin
        if p.position.margin_type is MarginType.CROSS:
            used += p.initial_margin
    return used


def position_figures(f: AccountFigures, symbol: str, side: PositionSide) -> PositionFigures | None:
    for p in f.positions:
        if p.position.symbol == symbol and p.position.position_side is side:
            return p
    return None


def exposure(p: PositionFigures) -> Exact:
    """ORD-1 × leverage: ``max(|pos + bids|, |pos − asks|)``, the notional LEV-3 caps (ACT-LEV-3)."""
    return (p.initial_margin + p.open_order_initial_margin) * p.position.leverage
