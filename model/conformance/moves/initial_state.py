"""The starting exchange of a run: three accounts with drawn wallets, modes and settings."""

from __future__ import annotations

from typing import Any

from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.moves.aiming import ACCOUNTS, DEFAULT_MARKS, Chooser
from marginspec.ruleset import RuleSet


def initial(c: Chooser, caps: Capabilities, ruleset: RuleSet) -> dict[str, Any]:
    """A starting exchange: three accounts with drawn wallets, modes and per-symbol settings."""
    accounts: dict[str, Any] = {}
    for name in ACCOUNTS:
        entry: dict[str, Any] = {
            "crossWalletBalance": c.choice(("100000", "20000", "1000000", "5000"))
        }
        if (
            caps.hedge_mode
            and caps.supports("setPositionMode")
            and c.choice((False, False, False, True))
        ):
            entry["dualSidePosition"] = True
        symbols: dict[str, Any] = {}
        for symbol, market in ruleset.markets.items():
            # Only settings the implementation can also reach by its own actions.
            leverage = 20
            if caps.supports("setLeverage"):
                leverage = c.choice((20, 5, 10, 1, market.max_leverage, 50))
            kind = "CROSSED"
            if caps.supports("setMarginType"):
                kind = c.choice(("CROSSED", "ISOLATED", "CROSSED"))
            leverage = min(leverage, market.max_leverage)
            if (leverage, kind) != (min(20, market.max_leverage), "CROSSED"):
                symbols[symbol] = {"leverage": leverage, "marginType": kind}
        if symbols:
            entry["symbols"] = symbols
        accounts[name] = entry
    return {
        "markPrices": {s: DEFAULT_MARKS.get(s, "100") for s in ruleset.markets},
        "insuranceFund": c.choice(("1000000", "0", "100")),
        "accounts": accounts,
    }
