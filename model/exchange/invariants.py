"""Invariants of the account model (INV-*), each a named function returning violations.

``check(before, action, after, outcome, ruleset)`` runs them all; the model's tests
and ``Model(check=True)`` call it after every transition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from marginspec import margin
from marginspec.account import PositionSide
from marginspec.exchange.actions import Action, Fill, Funding, LiquidationSweep, MarkPrice
from marginspec.exchange.refusals import Outcome
from marginspec.exchange.state import (
    INSURANCE_FUND,
    ZERO,
    AccountState,
    ExchangeState,
    Order,
    PositionKey,
    PositionState,
)
from marginspec.exchange.view import below_maintenance, figures
from marginspec.numbers import Exact, to_plain
from marginspec.ruleset import RuleSet

Violation = str


def equity_conserved(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-1: Σ cross wallets + Σ isolated wallets (the fund included) + fee income
    + Σ uPnL at mark = deposits − withdrawals, exactly.

    Checked inductively: the position entries an action changed (or, for a mark move,
    the positions of the moved symbols) change equity exactly as much as net
    deposits change; fee income included. The initial state holds only wallets.
    Cash alone is not conserved: with average entry prices a trade realises PnL
    against the closer's own entry while the counterparty's uPnL absorbs the
    difference (spec/account-model.md, INV-1).
    """
    if after is before:
        return []
    if after.mark_prices is before.mark_prices and after.accounts is not before.accounts:
        # Inductive form (the marks did not move): only changed accounts can change
        # the sum, so the change must equal the change in net deposits. Numbers that
        # are the same object are not subtracted (exact numbers grow long, FILL-9).
        delta = ZERO
        if after.fee_income is not before.fee_income:
            delta = after.fee_income - before.fee_income
        marks = after.mark_prices
        for name in _changed(before, after):
            old = before.accounts.get(name)
            new = after.accounts[name]
            if old is None:
                delta += _equity(new, marks)
                continue
            if new.cross_wallet is not old.cross_wallet:
                delta += new.cross_wallet - old.cross_wallet
            for key, was, now in _changed_positions(old, new):
                delta += _entry_equity(now, marks[key[0]]) - _entry_equity(was, marks[key[0]])
        deposits = ZERO
        if after.net_deposits is not before.net_deposits:
            deposits = after.net_deposits - before.net_deposits
        if delta != deposits:
            return [
                f"INV-1: equity moved by {to_plain(delta)}, net deposits by {to_plain(deposits)}"
            ]
        return []
    if after.accounts is before.accounts and after.fee_income == before.fee_income:
        # Only marks moved: only the uPnL of positions in those symbols can change.
        moved = {s for s, m in after.mark_prices.items() if before.mark_prices.get(s) != m}
        delta = after.net_deposits - before.net_deposits
        for acct in after.accounts.values():
            for (symbol, _), pos in acct.positions.items():
                if symbol in moved:
                    delta -= margin.unrealized_pnl(
                        pos.position_amt, pos.entry_price, after.mark_prices[symbol]
                    ) - margin.unrealized_pnl(
                        pos.position_amt, pos.entry_price, before.mark_prices[symbol]
                    )
        if delta != 0:
            return [f"INV-1: a mark move changed equity by {to_plain(-delta)}"]
        return []
    total = after.fee_income
    for acct in after.accounts.values():
        total += _equity(acct, after.mark_prices)
    if total != after.net_deposits:
        return [f"INV-1: equity {to_plain(total)} != net deposits {to_plain(after.net_deposits)}"]
    return []


def _entry_equity(pos: PositionState | None, mark: Exact) -> Exact:
    if pos is None:
        return ZERO
    return pos.isolated_wallet + margin.unrealized_pnl(pos.position_amt, pos.entry_price, mark)


def _changed_positions(
    old: AccountState, new: AccountState
) -> list[tuple[PositionKey, PositionState | None, PositionState | None]]:
    """The position entries that differ (by identity) between two account states."""
    if old.positions is new.positions:
        return []
    for was_acct, now_acct, found in _PAIRS:
        if was_acct is old and now_acct is new:
            return found
    olds, news = old.positions, new.positions
    get = olds.get
    out: list[tuple[PositionKey, PositionState | None, PositionState | None]] = [
        (key, get(key), now) for key, now in news.items() if get(key) is not now
    ]
    if len(olds) > len(news) - sum(1 for _, was, _ in out if was is None):
        out += [(key, was, None) for key, was in olds.items() if key not in news]
    _PAIRS.append((old, new, out))
    if len(_PAIRS) > 4:
        del _PAIRS[0]
    return out


_PAIRS: list[
    tuple[
        AccountState,
        AccountState,
        list[tuple[PositionKey, PositionState | None, PositionState | None]],
    ]
] = []


# Per-account sums remembered by object identity (states are immutable); an entry
# keeps its objects alive, so an id cannot be reused while the entry exists.
_EQUITY: dict[tuple[int, int], tuple[object, object, Exact]] = {}
_NET: dict[int, tuple[object, dict[str, Exact]]] = {}


def _equity(acct: AccountState, marks: Mapping[str, Exact]) -> Exact:
    """Cross wallet + isolated wallets + uPnL at mark of one account."""
    key = (id(acct), id(marks))
    hit = _EQUITY.get(key)
    if hit is not None:
        return hit[2]
    value = acct.cross_wallet
    for (symbol, _), pos in acct.positions.items():
        value += pos.isolated_wallet + margin.unrealized_pnl(
            pos.position_amt, pos.entry_price, marks[symbol]
        )
    if len(_EQUITY) > 4096:
        _EQUITY.clear()
    _EQUITY[key] = (acct, marks, value)
    return value


def _net_amounts(acct: AccountState) -> dict[str, Exact]:
    hit = _NET.get(id(acct))
    if hit is not None:
        return hit[1]
    sums: dict[str, Exact] = {}
    for (symbol, _), pos in acct.positions.items():
        sums[symbol] = sums.get(symbol, ZERO) + pos.position_amt
    if len(_NET) > 4096:
        _NET.clear()
    _NET[id(acct)] = (acct, sums)
    return sums


def open_interest_balanced(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-2: per symbol, long open interest = short open interest (Σ positionAmt = 0);
    hence Σ uPnL does not depend on the mark price. Checked inductively: no action
    changes a symbol's net open interest (the initial state has no positions)."""
    if after is before or after.accounts is before.accounts:
        return []
    # Inductive form: the initial state holds no position, so it suffices that the
    # accounts changed by this action change no symbol's net open interest.
    sums: dict[str, Exact] = {}
    for name in _changed(before, after):
        old = before.accounts.get(name)
        new = after.accounts[name]
        if old is None:
            for symbol, amount in _net_amounts(new).items():
                sums[symbol] = sums.get(symbol, ZERO) + amount
            continue
        for (symbol, _), was, now in _changed_positions(old, new):
            change = (now.position_amt if now else ZERO) - (was.position_amt if was else ZERO)
            sums[symbol] = sums.get(symbol, ZERO) + change
    return [f"INV-2: {s} net open interest {to_plain(v)}" for s, v in sums.items() if v != 0]


def nobody_below_maintenance(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-3: after a sweep no account (the fund aside) is below maintenance with a position."""
    if not isinstance(action, _INV3_ACTIONS):
        return []
    out = []
    for name in after.accounts:
        if name == INSURANCE_FUND:
            continue
        if not below_maintenance(after.accounts[name], after, ruleset):
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
    if not isinstance(action, _INV4_ACTIONS):
        return out
    if isinstance(action, MarkPrice) and outcome.accepted:
        if after.accounts != before.accounts or after.fee_income != before.fee_income:
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


def modes_guarded(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-5: margin type (per symbol) and position mode (per account) change only while
    the symbol (the account) has no position and no open order."""
    out = []
    for name in _changed(before, after):
        acct = after.accounts[name]
        old = before.accounts.get(name)
        if old is None:
            continue
        if old.dual_side_position != acct.dual_side_position and (
            old.has_position() or old.has_orders()
        ):
            out.append(f"INV-5: {name} changed position mode with a position or order")
        if old.settings is acct.settings:
            continue
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


_BANKRUPTCY_PATH = (Fill, Funding, MarkPrice)
_INV3_ACTIONS = (LiquidationSweep,)
_INV4_ACTIONS = (MarkPrice, LiquidationSweep)


def wallets_not_negative(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-7: only fills, funding and mark moves (the bankruptcy path) make a wallet
    negative; after a sweep a negative wallet remains only behind an open position that
    is above maintenance (its uPnL carries it). The insurance fund is exempt (IF-4)."""
    out: list[Violation] = []
    if isinstance(action, _BANKRUPTCY_PATH):
        return out
    sweep = isinstance(action, LiquidationSweep)
    for name in _changed(before, after):
        acct = after.accounts[name]
        if name == INSURANCE_FUND:
            continue
        old = before.accounts.get(name)
        if (
            not sweep
            and old is not None
            and old.positions is acct.positions
            and (old.cross_wallet is acct.cross_wallet or old.cross_wallet == acct.cross_wallet)
        ):
            continue  # no wallet moved
        negative = acct.cross_wallet < 0 or any(
            p.isolated_wallet < 0 for p in acct.positions.values()
        )
        if not negative:
            continue
        if sweep:
            if acct.cross_wallet < 0 and not acct.has_position():
                out.append(f"INV-7: {name} left with a negative cross wallet and no position")
            out += [
                f"INV-7: {name} {k[0]} isolated wallet negative without a position"
                for k, p in acct.positions.items()
                if p.isolated_wallet < 0 and p.position_amt == 0
            ]
        elif old is not None and (
            acct.cross_wallet < min(ZERO, old.cross_wallet)
            or any(
                p.isolated_wallet < min(ZERO, old.position(*k).isolated_wallet)
                for k, p in acct.positions.items()
            )
        ):
            out.append(f"INV-7: {type(action).__name__} made a wallet of {name} negative")
    return out


def orders_well_formed(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-8: open orders have positive remaining quantity, ids handed out once (an
    order new to an account has an id issued by this action), and position sides that
    match the account's position mode (SNAP-2). Checked on the accounts that changed."""
    out = []
    fresh: set[int] = set()
    for name in _changed(before, after):
        acct = after.accounts[name]
        old = before.accounts.get(name)
        mode_changed = old is None or old.dual_side_position != acct.dual_side_position
        orders: Sequence[Order]
        if old is not None and old.orders is acct.orders and not mode_changed:
            orders = ()
        elif (
            old is not None
            and not mode_changed
            and len(acct.orders) > len(old.orders)
            and acct.orders[: len(old.orders)] == old.orders  # identical items compare in C
        ):
            # orders appended (placeOrder): only the new ones need a look
            orders = acct.orders[len(old.orders) :]
            for o in orders:
                if not before.next_order_id <= o.order_id < after.next_order_id or (
                    o.order_id in fresh
                ):
                    out.append(f"INV-8: {name} order {o.order_id} has an id not handed out now")
                fresh.add(o.order_id)
        else:
            previous = old.orders if old is not None else ()
            if mode_changed:
                orders = acct.orders
            else:  # only the order objects this action made (a fill's new versions)
                kept = set(map(id, previous))
                orders = [o for o in acct.orders if id(o) not in kept]
            ids: set[int] | None = None
            for o in orders:
                if ids is None:
                    ids = {p.order_id for p in previous}
                if o.order_id not in ids:
                    # a new order: an id handed out by this very action, used once
                    if not before.next_order_id <= o.order_id < after.next_order_id or (
                        o.order_id in fresh
                    ):
                        out.append(f"INV-8: {name} order {o.order_id} has an id not handed out now")
                    fresh.add(o.order_id)
        for o in orders:
            if o.remaining <= 0:
                out.append(f"INV-8: {name} order {o.order_id} has nothing left")
            if acct.dual_side_position == (o.position_side is PositionSide.BOTH):
                out.append(f"INV-8: {name} order {o.order_id} position side vs mode")
        keys = (
            list(acct.positions)
            if mode_changed or old is None
            else [k for k, _, now in _changed_positions(old, acct) if now is not None]
        )
        for symbol, side in keys:
            if acct.dual_side_position == (side is PositionSide.BOTH):
                out.append(f"INV-8: {name} {symbol} position side vs mode")
    return out


INVARIANTS: dict[
    str, Callable[[ExchangeState, Action, ExchangeState, Outcome, RuleSet], list[Violation]]
] = {
    "INV-1": equity_conserved,
    "INV-2": open_interest_balanced,
    "INV-3": nobody_below_maintenance,
    "INV-4": isolation,
    "INV-5": modes_guarded,
    "INV-6": refusal_changes_nothing,
    "INV-7": wallets_not_negative,
    "INV-8": orders_well_formed,
}


Invariant = Callable[[ExchangeState, Action, ExchangeState, Outcome, RuleSet], list[Violation]]

#: Invariants that speak about some actions only (their first test says the same):
#: the others return no violation for any other action, so ``check`` skips them.
_ONLY: dict[Invariant, tuple[type, ...]] = {
    nobody_below_maintenance: _INV3_ACTIONS,
    isolation: _INV4_ACTIONS,
}
_NOT: dict[Invariant, tuple[type, ...]] = {wallets_not_negative: _BANKRUPTCY_PATH}
_PLANS: dict[tuple[type, int], tuple[Invariant, ...]] = {}

# The parts of the state an action can change (bits of an int: cheap to combine).
WALLETS, POSITIONS, SETTINGS, MODE, ORDERS, MARKS, FEES, DEPOSITS, IDS = (1 << i for i in range(9))
EVERYTHING = (1 << 9) - 1

#: INV-0: what each invariant reads of the state (the parts :func:`_parts` names). Every check
#: is inductive (it held before the action), so an accepted action that changed none of
#: an invariant's parts, in any account, cannot break it and ``check`` skips it. INV-3
#: and INV-4 read everything and run by action kind instead (``_ONLY``).
_READS: dict[Invariant, int] = {
    equity_conserved: WALLETS | POSITIONS | MARKS | FEES | DEPOSITS,
    open_interest_balanced: POSITIONS,
    modes_guarded: SETTINGS | MODE,
    wallets_not_negative: WALLETS | POSITIONS,
    orders_well_formed: ORDERS | MODE | POSITIONS,
}


def _plan(kind: type, parts: int) -> tuple[Invariant, ...]:
    """The invariants that can find something after an accepted action of this kind
    that changed these parts of the state (INV-6 speaks of refusals only)."""
    plan = _PLANS.get((kind, parts))
    if plan is None:
        plan = tuple(
            f
            for f in INVARIANTS.values()
            if f is not refusal_changes_nothing
            and (f not in _ONLY or issubclass(kind, _ONLY[f]))
            and (f not in _NOT or not issubclass(kind, _NOT[f]))
            and (f not in _READS or _READS[f] & parts)
        )
        _PLANS[(kind, parts)] = plan
    return plan


def _parts(before: ExchangeState, after: ExchangeState) -> int:
    """The parts of the state an action changed (by identity; states are immutable):
    MARKS, FEES, DEPOSITS, IDS (the next order id) and, over the changed accounts,
    WALLETS (cross), POSITIONS (isolated wallets included), SETTINGS, MODE and ORDERS.
    An account added or removed changes EVERYTHING.
    """
    if after is before:
        return 0
    parts = 0
    if after.mark_prices is not before.mark_prices:
        parts |= MARKS
    if after.fee_income is not before.fee_income:
        parts |= FEES
    if after.net_deposits is not before.net_deposits:
        parts |= DEPOSITS
    if after.next_order_id != before.next_order_id:
        parts |= IDS
    if len(after.accounts) != len(before.accounts):
        return EVERYTHING
    for name in _changed(before, after):
        old = before.accounts.get(name)
        if old is None:
            return EVERYTHING
        new = after.accounts[name]
        if new.cross_wallet is not old.cross_wallet:
            parts |= WALLETS
        if new.positions is not old.positions:
            parts |= POSITIONS
        if new.settings is not old.settings:
            parts |= SETTINGS
        if new.dual_side_position != old.dual_side_position:
            parts |= MODE
        if new.orders is not old.orders:
            parts |= ORDERS
    return parts


def check(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """Every invariant's violations (empty: all hold).

    A refused action must return the very same state (INV-6); then every other
    invariant holds after it exactly when it held before, so only INV-6 is checked.
    Of the others, only those that can speak about the action's kind and read a part
    of the state it changed are run (``_plan``).
    """
    if not outcome.accepted:
        return refusal_changes_nothing(before, action, after, outcome, ruleset)
    out: list[Violation] = []
    for invariant in _plan(action.__class__, _parts(before, after)):
        found = invariant(before, action, after, outcome, ruleset)
        if found:
            out += found
    return out


_LAST: list[tuple[ExchangeState, ExchangeState, list[str]]] = []


def _changed(before: ExchangeState, after: ExchangeState) -> list[str]:
    """Accounts whose state object changed (states are immutable: identity suffices)."""
    if after.accounts is before.accounts:
        return []
    if _LAST and _LAST[0][0] is before and _LAST[0][1] is after:
        return _LAST[0][2]
    names = [n for n, a in after.accounts.items() if before.accounts.get(n) is not a]
    _LAST[:] = [(before, after, names)]
    return names
