"""Snapshots (TRACE-4): each account's ``evaluate`` output plus the model's own state.

An account snapshot is :func:`marginspec.report.account_json` of the account with one
position entry per market and position side (so every symbol's leverage and margin
type show), plus ``dualSidePosition`` and ``openOrders``. The exchange snapshot adds the
mark prices, fee income and net deposits; the insurance fund is the account
``insuranceFund``.
"""

from __future__ import annotations

from typing import Any

from marginspec.account import CONDITIONAL_TYPES
from marginspec.api_profile import Echo, api_document
from marginspec.evaluate import evaluate
from marginspec.exchange.adl_quantile import quantiles
from marginspec.exchange.state import AccountState, ExchangeState, Order, to_account
from marginspec.numbers import display
from marginspec.report import account_json
from marginspec.ruleset import Options, RuleSet


def _num(value: Any, options: Options) -> str:
    return display(value, options.display_decimals, options.display_rounding)


def order_json(order: Order, options: Options) -> dict[str, Any]:
    """``GET /fapi/v3/openOrders`` fields (``timeInForce`` written when it is not GTC; a
    conditional order's trigger fields, ACT-COND-1)."""
    out: dict[str, Any] = {
        "orderId": order.order_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "positionSide": order.position_side.value,
        "type": order.order_type,
        "price": _num(order.price, options),
        "origQty": _num(order.orig_qty, options),
        "executedQty": _num(order.executed_qty, options),
        "reduceOnly": order.reduce_only,
    }
    if order.time_in_force != "GTC":
        out["timeInForce"] = order.time_in_force
    if order.order_type in CONDITIONAL_TYPES:  # ACT-COND-1: the API's own field names
        if order.order_type == "TRAILING_STOP_MARKET":
            out["activatePrice"] = _num(order.activation_price, options)
            out["priceRate"] = _num(order.callback_rate, options)
        else:
            out["stopPrice"] = _num(order.stop_price, options)
        if order.order_type in ("STOP_MARKET", "TAKE_PROFIT_MARKET"):
            out["closePosition"] = order.close_position
        out["workingType"] = order.working_type
        out["priceProtect"] = order.price_protect
    return out


def account_snapshot(acct: AccountState, state: ExchangeState, ruleset: RuleSet) -> dict[str, Any]:
    options = ruleset.options
    figures = evaluate(to_account(acct, state.mark_prices, ruleset, full=True), ruleset)
    out = account_json(figures, options)
    out["dualSidePosition"] = acct.dual_side_position
    out["openOrders"] = [order_json(o, options) for o in acct.orders]
    return out


def exchange_snapshot(state: ExchangeState, ruleset: RuleSet) -> dict[str, Any]:
    """TRACE-4: the marks, fee income, net deposits and every account's snapshot."""
    options = ruleset.options
    return {
        "markPrices": {s: _num(p, options) for s, p in sorted(state.mark_prices.items())},
        "feeIncome": _num(state.fee_income, options),
        "netDeposits": _num(state.net_deposits, options),
        "accounts": {
            name: account_snapshot(acct, state, ruleset)
            for name, acct in sorted(state.accounts.items())
        },
    }


def api_snapshot(state: ExchangeState, ruleset: RuleSet, venue: str) -> dict[str, Any]:
    """The TRACE-4 snapshot in a venue's API form (SNAP-4): the marks and, per account, the
    venue's account and ``positionRisk`` answers (every market and side, as ``account_snapshot``),
    each position's ``adl`` ranked among every account's (ADL-4)."""
    options = ruleset.options
    adl = quantiles(state, ruleset)
    accounts = {}
    for name, acct in sorted(state.accounts.items()):
        account = to_account(acct, state.mark_prices, ruleset, full=True)
        echoes = {(s, side): Echo(adl=q) for (n, s, side), q in adl.items() if n == name}
        accounts[name] = api_document(account, evaluate(account, ruleset), ruleset, venue, echoes)
    return {
        "markPrices": {s: _num(p, options) for s, p in sorted(state.mark_prices.items())},
        "accounts": accounts,
    }
