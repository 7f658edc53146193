"""The initial state of a run, from JSON (TRACE-1).

``{"markPrices": {"BTCUSDT": "80000", ...}, "insuranceFund": "1000000",
"accounts": {"A": {"crossWalletBalance": "10000", "dualSidePosition": false,
"symbols": {"BTCUSDT": {"leverage": 10, "marginType": "ISOLATED"}}}}}``: every market
of the rule set needs a mark price; balances count as deposits (INV-1); accounts start
without positions or orders (open them with actions).
"""

from __future__ import annotations

from typing import Any

from marginspec.account import MarginType
from marginspec.errors import InputError
from marginspec.exchange.state import (
    INSURANCE_FUND,
    AccountState,
    ExchangeState,
    SymbolSettings,
    default_leverage,
    default_settings,
)
from marginspec.numbers import Exact, exact_nonnegative, exact_positive, to_plain
from marginspec.ruleset import RuleSet

_MARGIN_TYPES = {"ISOLATED": MarginType.ISOLATED, "CROSSED": MarginType.CROSS}


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(where, "expected a JSON object")
    return value


def _only(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in obj:
        if key not in allowed:
            raise InputError(f"{where}/{key}", "unknown field")


def parse_initial(data: Any, ruleset: RuleSet, where: str = "") -> ExchangeState:
    obj = _object(data, where or "/")
    _only(obj, {"markPrices", "insuranceFund", "accounts"}, where)
    marks_obj = _object(obj.get("markPrices"), f"{where}/markPrices")
    marks: dict[str, Exact] = {}
    for symbol in ruleset.markets:
        if symbol not in marks_obj:
            raise InputError(f"{where}/markPrices", f"missing a mark price for {symbol}")
    for symbol, value in marks_obj.items():
        ruleset.market(symbol, f"{where}/markPrices/{symbol}")
        marks[symbol] = exact_positive(value, f"{where}/markPrices/{symbol}")
    fund = exact_nonnegative(obj.get("insuranceFund", "0"), f"{where}/insuranceFund")
    fund_settings = {s: default_settings(s, ruleset) for s in ruleset.markets}
    accounts: dict[str, AccountState] = {
        INSURANCE_FUND: AccountState(cross_wallet=fund, settings=fund_settings)
    }
    total = fund
    for name, value in _object(obj.get("accounts", {}), f"{where}/accounts").items():
        here = f"{where}/accounts/{name}"
        if name == INSURANCE_FUND:
            raise InputError(here, f"{INSURANCE_FUND!r} is reserved for the insurance fund")
        acct_obj = _object(value, here)
        _only(acct_obj, {"crossWalletBalance", "dualSidePosition", "symbols"}, here)
        wallet = exact_nonnegative(
            acct_obj.get("crossWalletBalance", "0"), f"{here}/crossWalletBalance"
        )
        dual = acct_obj.get("dualSidePosition", False)
        if not isinstance(dual, bool):
            raise InputError(f"{here}/dualSidePosition", "expected true or false")
        settings: dict[str, SymbolSettings] = {
            s: default_settings(s, ruleset) for s in ruleset.markets
        }
        for symbol, s_value in _object(acct_obj.get("symbols", {}), f"{here}/symbols").items():
            s_where = f"{here}/symbols/{symbol}"
            market = ruleset.market(symbol, s_where)
            s_obj = _object(s_value, s_where)
            _only(s_obj, {"leverage", "marginType"}, s_where)
            leverage = s_obj.get("leverage", default_leverage(symbol, ruleset))
            if (
                isinstance(leverage, bool)
                or not isinstance(leverage, int)
                or not 1 <= leverage <= market.max_leverage
            ):
                raise InputError(
                    f"{s_where}/leverage", f"must be an integer from 1 to {market.max_leverage}"
                )
            kind = s_obj.get("marginType", "CROSSED")
            if kind not in _MARGIN_TYPES:
                raise InputError(f"{s_where}/marginType", "expected 'ISOLATED' or 'CROSSED'")
            settings[symbol] = SymbolSettings(_MARGIN_TYPES[kind], leverage)
        accounts[name] = AccountState(
            cross_wallet=wallet, dual_side_position=dual, settings=settings
        )
        total += wallet
    return ExchangeState(mark_prices=marks, accounts=accounts, net_deposits=total)


def initial_json(state: ExchangeState, ruleset: RuleSet) -> dict[str, Any]:
    """The JSON of a state that has no position or order (the start of a trace)."""
    accounts: dict[str, Any] = {}
    for name, acct in state.accounts.items():
        if name == INSURANCE_FUND:
            continue
        if acct.positions or acct.orders:
            raise ValueError("an initial state holds no positions or orders")
        entry: dict[str, Any] = {"crossWalletBalance": to_plain(acct.cross_wallet)}
        if acct.dual_side_position:
            entry["dualSidePosition"] = True
        changed = {s: v for s, v in acct.settings.items() if v != default_settings(s, ruleset)}
        if changed:
            entry["symbols"] = {
                s: {
                    "leverage": v.leverage,
                    "marginType": "ISOLATED" if v.margin_type is MarginType.ISOLATED else "CROSSED",
                }
                for s, v in changed.items()
            }
        accounts[name] = entry
    return {
        "markPrices": {s: to_plain(p) for s, p in state.mark_prices.items()},
        "insuranceFund": to_plain(state.insurance_fund),
        "accounts": accounts,
    }
