"""Invariants of the account model (INV-*), each a plain predicate returning violations.

Each function states its invariant over the whole state after a transition (and, for
the ones about transitions, the state before it), with no shortcut; ``check_all`` runs
them all. ``Model(check=True)`` runs them through :mod:`marginspec.exchange.invariant_plan`,
which checks only what an action changed (INV-0) and is tested equal to ``check_all``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from marginspec import margin
from marginspec.account import CONDITIONAL_TYPES, PositionSide
from marginspec.exchange.actions import (
    Action,
    Fill,
    Funding,
    LastPrice,
    LiquidationSweep,
    MarkPrice,
    PlaceOrder,
)
from marginspec.exchange.refusals import Outcome
from marginspec.exchange.state import INSURANCE_FUND, ZERO, AccountState, ExchangeState
from marginspec.exchange.view import figures
from marginspec.numbers import Exact, to_plain
from marginspec.ruleset import RuleSet

Violation = str
Invariant = Callable[[ExchangeState, Action, ExchangeState, Outcome, RuleSet], list[Violation]]

#: The actions INV-7 calls the bankruptcy path: they may make a wallet negative. A
#: ``placeOrder`` trades when it is immediate (ACT-ORD-8) and then is a fill like any other;
#: a resting one changes no wallet, so INV-7 has nothing to say about it either way.
BANKRUPTCY_PATH = (Fill, PlaceOrder, Funding, MarkPrice, LastPrice)

#: INV-8: the times in force of an order that rests (ACT-ORD-6).
RESTING = ("GTC", "GTX")


def account_equity(acct: AccountState, marks: Mapping[str, Exact]) -> Exact:
    """One account's share of INV-1: cross wallet + isolated wallets + uPnL at mark."""
    value = acct.cross_wallet
    for (symbol, _), pos in acct.positions.items():
        value += pos.isolated_wallet + margin.unrealized_pnl(
            pos.position_amt, pos.entry_price, marks[symbol]
        )
    return value


def equity_conserved(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-1: Σ cross wallets + Σ isolated wallets (the fund included) + fee income
    + Σ uPnL at mark = deposits − withdrawals, exactly.

    Cash alone is not conserved: with average entry prices a trade realises PnL
    against the closer's own entry while the counterparty's uPnL absorbs the
    difference (spec/account-model.md, INV-1).
    """
    total = after.fee_income
    for acct in after.accounts.values():
        total += account_equity(acct, after.mark_prices)
    if total != after.net_deposits:
        return [f"INV-1: equity {to_plain(total)} != net deposits {to_plain(after.net_deposits)}"]
    return []


def open_interest_balanced(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-2: per symbol, long open interest = short open interest (Σ positionAmt = 0);
    hence Σ uPnL does not depend on the mark price."""
    sums: dict[str, Exact] = {}
    for acct in after.accounts.values():
        for (symbol, _), pos in acct.positions.items():
            sums[symbol] = sums.get(symbol, ZERO) + pos.position_amt
    return [f"INV-2: {s} net open interest {to_plain(v)}" for s, v in sums.items() if v != 0]


def nobody_below_maintenance(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-3: after a sweep no account (the fund aside) is below maintenance with a position."""
    if not isinstance(action, LiquidationSweep):
        return []
    out = []
    for name in after.accounts:
        if name == INSURANCE_FUND:
            continue
        f = figures(after, name, ruleset)
        if f.liquidatable:
            out.append(f"INV-3: {name} cross margin below maintenance after the sweep")
        out += [
            f"INV-3: {name} {p.position.symbol} {p.position.position_side.value} isolated below maintenance after the sweep"
            for p in f.positions
            if p.liquidatable
        ]
    return out


def isolation(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-4: an isolated liquidation never touches the cross wallet (its loss stops at its
    isolated wallet), and a mark move changes nothing but that mark."""
    out: list[Violation] = []
    triggered = any(e.type == "TRIGGERED" for e in outcome.events)
    if isinstance(action, MarkPrice) and outcome.accepted and not triggered:
        if not _only_extremes(before, after) or after.fee_income != before.fee_income:
            out.append("INV-4: a mark price update changed an account")
        changed = [s for s in ruleset.markets if after.mark_prices[s] != before.mark_prices[s]]
        if changed not in ([], [action.symbol]):
            out.append(f"INV-4: a mark update of {action.symbol} moved {changed}")
    if isinstance(action, LiquidationSweep) and after is not before:
        touched = {e.account for e in outcome.events if e.type in ("ADL",)}
        cross_liquidated = {
            e.account
            for e in outcome.events
            if e.type == "LIQUIDATION"
            and before.accounts[e.account].setting(e.symbol, ruleset).margin_type.value == "cross"
        }
        for name, acct in after.accounts.items():
            if name == INSURANCE_FUND or name in touched or name in cross_liquidated:
                continue
            if acct.cross_wallet < before.accounts[name].cross_wallet:
                out.append(f"INV-4: {name}'s cross wallet paid for an isolated liquidation")
    return out


def _only_extremes(before: ExchangeState, after: ExchangeState) -> bool:
    """Every account as it was but for its trailing stops' extremes (ACT-COND-4)."""
    for name, acct in after.accounts.items():
        old = before.accounts[name]
        if acct == old:
            continue
        same = (
            acct.cross_wallet == old.cross_wallet
            and acct.positions == old.positions
            and acct.settings == old.settings
            and len(acct.orders) == len(old.orders)
        )
        if not same or any(
            attrs.evolve(o, extreme=ZERO) != attrs.evolve(p, extreme=ZERO)
            for o, p in zip(acct.orders, old.orders, strict=True)
        ):
            return False
    return True


def modes_guarded(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-5: margin type (per symbol) and position mode (per account) change only while
    the symbol (the account) has no position and no open order."""
    out = []
    for name, acct in after.accounts.items():
        old = before.accounts.get(name)
        if old is None:
            continue
        if old.dual_side_position != acct.dual_side_position and (
            old.has_position() or old.has_orders()
        ):
            out.append(f"INV-5: {name} changed position mode with a position or order")
        for symbol in ruleset.markets:
            if old.setting(symbol, ruleset).margin_type is not acct.setting(
                symbol, ruleset
            ).margin_type and (old.has_position(symbol) or old.has_orders(symbol)):
                out.append(f"INV-5: {name} changed {symbol}'s margin type with a position or order")
    return out


def refusal_changes_nothing(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-6: a refused action leaves the state exactly as it was (the same object)."""
    if not outcome.accepted and after is not before:
        return [f"INV-6: refused action ({outcome.code}) changed the state"]
    return []


def wallets_not_negative(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-7: only fills (an immediate order's too), funding and mark moves (the bankruptcy path) make a wallet
    negative; after a sweep a negative wallet remains only behind an open position that
    is above maintenance (its uPnL carries it). The insurance fund is exempt (IF-4)."""
    out: list[Violation] = []
    if isinstance(action, BANKRUPTCY_PATH):
        return out
    sweep = isinstance(action, LiquidationSweep)
    for name, acct in after.accounts.items():
        if name == INSURANCE_FUND:
            continue
        if sweep:
            if acct.cross_wallet < 0 and not acct.has_position():
                out.append(f"INV-7: {name} left with a negative cross wallet and no position")
            out += [
                f"INV-7: {name} {k[0]} isolated wallet negative without a position"
                for k, p in acct.positions.items()
                if p.isolated_wallet < 0 and p.position_amt == 0
            ]
            continue
        old = before.accounts.get(name) or AccountState(ZERO)
        if acct.cross_wallet < min(ZERO, old.cross_wallet) or any(
            p.isolated_wallet < min(ZERO, old.position(*k).isolated_wallet)
            for k, p in acct.positions.items()
        ):
            out.append(f"INV-7: {type(action).__name__} made a wallet of {name} negative")
    return out


def orders_well_formed(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-8: open orders have positive remaining quantity, ids handed out once (unique,
    and an order new to an account has an id issued by this action), are LIMIT GTC or GTX
    (an IOC, FOK or MARKET order never rests, ACT-ORD-8), and have position sides that
    match the account's position mode (SNAP-2)."""
    out = []
    seen: set[int] = set()
    for name, acct in after.accounts.items():
        old = before.accounts.get(name)
        known = {o.order_id for o in old.orders} if old is not None else set()
        for o in acct.orders:
            fresh = before.next_order_id <= o.order_id < after.next_order_id
            if o.order_id in seen or (o.order_id not in known and not fresh):
                out.append(f"INV-8: {name} order {o.order_id} has an id not handed out now")
            seen.add(o.order_id)
            if o.remaining <= 0 and not o.close_position:
                out.append(f"INV-8: {name} order {o.order_id} has nothing left")
            if o.order_type in CONDITIONAL_TYPES:
                pass  # ACT-COND-1: an untriggered conditional order waits off the book
            elif o.order_type != "LIMIT" or o.time_in_force not in RESTING:
                out.append(f"INV-8: {name} order {o.order_id} rests but is immediate")
            if acct.dual_side_position == (o.position_side is PositionSide.BOTH):
                out.append(f"INV-8: {name} order {o.order_id} position side vs mode")
        for symbol, side in acct.positions:
            if acct.dual_side_position == (side is PositionSide.BOTH):
                out.append(f"INV-8: {name} {symbol} position side vs mode")
    return out


INVARIANTS: dict[str, Invariant] = {
    "INV-1": equity_conserved,
    "INV-2": open_interest_balanced,
    "INV-3": nobody_below_maintenance,
    "INV-4": isolation,
    "INV-5": modes_guarded,
    "INV-6": refusal_changes_nothing,
    "INV-7": wallets_not_negative,
    "INV-8": orders_well_formed,
}


def check_all(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """Every invariant's violations over the whole state (empty: all hold)."""
    return [
        v
        for invariant in INVARIANTS.values()
        for v in invariant(before, action, after, outcome, ruleset)
    ]
