"""Shrinking the starting state (CONF-6): set-up actions folded into the initial state,
and the initial state made simpler.

A failing run often needs set-up the drawn starting state lacks: a wallet emptied by a
withdrawal, a leverage or margin type set, a mark moved, an insurance fund drained by
earlier liquidations. The initial state (TRACE-1) can carry each of these itself, so the
shrinker (``driver.shrink_trace``) tries each fold and simplification and keeps it only
where the same failure (kind, field, cause) still happens. A whole prefix of the run is
folded too where it leaves nobody holding a position or an order (a liquidation and a
deposit that leave a wallet where the failure needs it): the state after it, wallets,
marks, fund and settings, becomes the initial state (:func:`prefix_folded`). An action
that changed a wallet can be removed with its wallet changes kept in the initial state
(:func:`compensated`). Only what the implementation
could also reach by its own actions is written into an initial state (the rule
``moves.initial_state`` follows): per-symbol settings only for an engine that declares
``setLeverage`` / ``setMarginType``, position mode only with hedge mode and
``setPositionMode``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from marginspec.conformance.capabilities import Capabilities
from marginspec.exchange.initial import initial_json
from marginspec.exchange.state import INSURANCE_FUND, ExchangeState, default_leverage
from marginspec.numbers import Exact, exact, is_finite_decimal, to_plain
from marginspec.ruleset import RuleSet

#: The actions a starting state can stand for.
FOLDABLE = frozenset(
    {"deposit", "withdraw", "setLeverage", "setMarginType", "setPositionMode", "markPrice"}
)


def folded(
    initial: Mapping[str, Any],
    action: Mapping[str, Any],
    caps: Capabilities,
    ruleset: RuleSet,
) -> dict[str, Any] | None:
    """The initial state with ``action`` already done, or None where it cannot carry it
    (an unknown account or symbol, a balance that would be negative, a setting the engine
    cannot reach)."""
    name = action.get("action")
    if name not in FOLDABLE or not caps.supports(str(name)):
        return None
    state = copy.deepcopy(dict(initial))
    accounts = state.get("accounts", {})
    account = action.get("account")
    symbol = action.get("symbol")
    if name in ("deposit", "withdraw"):
        sign = 1 if name == "deposit" else -1
        amount = sign * exact(action.get("amount", "0"))
        return state if _credit(state, str(account), amount) else None
    if name == "markPrice":
        if symbol not in state.get("markPrices", {}):
            return None
        state["markPrices"][symbol] = action["markPrice"]
        return state
    if account not in accounts:
        return None
    entry = accounts[account]
    if name == "setPositionMode":
        if not caps.hedge_mode:
            return None
        entry["dualSidePosition"] = bool(action.get("dualSidePosition"))
        return state
    if not isinstance(symbol, str) or symbol not in ruleset.markets:
        return None
    settings = entry.setdefault("symbols", {}).setdefault(
        symbol, {"leverage": default_leverage(symbol, ruleset), "marginType": "CROSSED"}
    )
    if name == "setLeverage":
        settings["leverage"] = action["leverage"]
    else:
        settings["marginType"] = action["marginType"]
    return state


def simpler(initial: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Simpler initial states, most useful first: an empty insurance fund (the state
    earlier liquidations reach when a failure needs the fund drained, IF-*), then each
    account's per-symbol settings back to the defaults."""
    if initial.get("insuranceFund", "0") not in ("0", 0):
        yield {**copy.deepcopy(dict(initial)), "insuranceFund": "0"}
    for name, entry in initial.get("accounts", {}).items():
        if entry.get("symbols"):
            state = copy.deepcopy(dict(initial))
            del state["accounts"][name]["symbols"]
            yield state


def prefix_folded(state: ExchangeState, ruleset: RuleSet) -> dict[str, Any] | None:
    """The initial state standing for ``state``, the model's state after a prefix of a
    run, or None where no initial state can carry it (a position or an order, the fund's
    included, is held; a wallet or the fund is negative, as a bankruptcy can leave it). The actions of the prefix reached it, so the engine can reach
    it by its own actions; what it loses (the fee income, the last traded prices, the
    next order id) is checked by the replay that keeps a fold only with the same failure."""
    if any(a.positions or a.orders or a.cross_wallet < 0 for a in state.accounts.values()):
        return None
    if not all(is_finite_decimal(a.cross_wallet) for a in state.accounts.values()):
        return None  # an initial state's numbers are decimals (TRACE-1)
    if not all(is_finite_decimal(p) for p in state.mark_prices.values()):
        return None
    return initial_json(state, ruleset)


def compensated(
    initial: Mapping[str, Any], before: ExchangeState, after: ExchangeState
) -> dict[str, Any] | None:
    """The initial state with the wallet changes of one removed action added in, or None
    where there are none or a balance would be negative.

    A failure aimed at an exact boundary (a deposit of exactly the shortfall, LIQ-1) is
    told only with every fee paid before it: removing an unrelated trade moves the
    boundary by its fee and the failure is gone. Removing the trade but keeping the
    wallets it left (``before`` and ``after`` are the model's states around it) keeps
    the boundary where it was; the replay keeps this only with the same failure."""
    state = copy.deepcopy(dict(initial))
    changed = False
    for name, now in after.accounts.items():
        was = before.accounts.get(name)
        delta = now.cross_wallet - (was.cross_wallet if was is not None else 0)
        if delta == 0:
            continue
        if not _credit(state, name, delta):
            return None
        changed = True
    return state if changed else None


def _credit(state: dict[str, Any], name: str, amount: Exact) -> bool:
    """Adds ``amount`` to the initial state's wallet of ``name`` (an account's cross
    wallet, or the insurance fund); False, the state unchanged, for an unknown account
    or a balance that would be negative."""
    if name == INSURANCE_FUND:
        holder, key = state, "insuranceFund"
    elif name in state.get("accounts", {}):
        holder, key = state["accounts"][name], "crossWalletBalance"
    else:
        return False
    balance = exact(holder.get(key, "0")) + amount
    if balance < 0 or not is_finite_decimal(balance):
        return False  # an initial state's numbers are decimals (TRACE-1)
    holder[key] = to_plain(balance)
    return True
