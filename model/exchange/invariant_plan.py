"""INV-0: which invariants to check after an action, and their inductive forms.

Every invariant held before the action, so it is enough to check what the action
changed (:mod:`marginspec.exchange.changes`). ``check`` runs, of the plain predicates in
:mod:`marginspec.exchange.invariants`, those that can speak about the action's kind and
read a part of the state it changed; INV-1, -2, -3, -7 and -8 run in an inductive form
that looks only at the changed accounts. ``tests/test_fast_path.py`` holds ``check``
equal to :func:`marginspec.exchange.invariants.check_all`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from marginspec import margin
from marginspec.account import CONDITIONAL_TYPES, PositionSide
from marginspec.exchange import invariants as plain
from marginspec.exchange.actions import Action, LiquidationSweep, MarkPrice
from marginspec.exchange.changes import (
    DEPOSITS,
    FEES,
    MARKS,
    MODE,
    ORDERS,
    POSITIONS,
    SETTINGS,
    WALLETS,
    Changes,
)
from marginspec.exchange.fast_figures import below_maintenance
from marginspec.exchange.invariants import (
    BANKRUPTCY_PATH,
    RESTING,
    Violation,
    account_equity,
    refusal_changes_nothing,
)
from marginspec.exchange.refusals import Outcome
from marginspec.exchange.state import INSURANCE_FUND, ZERO, ExchangeState, Order, PositionState
from marginspec.memo import Memo
from marginspec.numbers import Exact, to_plain
from marginspec.ruleset import RuleSet

Check = Callable[[ExchangeState, Action, ExchangeState, Outcome, RuleSet, Changes], list[Violation]]


def equity_conserved(
    before: ExchangeState,
    action: Action,
    after: ExchangeState,
    outcome: Outcome,
    ruleset: RuleSet,
    changes: Changes,
) -> list[Violation]:
    """INV-1 inductively: the changed position entries (or, after a mark move, the
    positions in the moved symbols) change equity exactly as much as net deposits."""
    if after.mark_prices is before.mark_prices and changes.accounts:
        # Numbers that are the same object are not subtracted (they grow long, FILL-9).
        delta = ZERO
        if after.fee_income is not before.fee_income:
            delta = after.fee_income - before.fee_income
        marks = after.mark_prices
        for name in changes.accounts:
            old = before.accounts.get(name)
            new = after.accounts[name]
            if old is None:
                delta += account_equity(new, marks)
                continue
            if new.cross_wallet is not old.cross_wallet:
                delta += new.cross_wallet - old.cross_wallet
            for key, was, now in changes.positions(name):
                delta += _entry_equity(now, marks[key[0]]) - _entry_equity(was, marks[key[0]])
        deposits = ZERO
        if after.net_deposits is not before.net_deposits:
            deposits = after.net_deposits - before.net_deposits
        if delta != deposits:
            return [
                f"INV-1: equity moved by {to_plain(delta)}, net deposits by {to_plain(deposits)}"
            ]
        return []
    if not changes.accounts and after.fee_income == before.fee_income:
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
    return plain.equity_conserved(before, action, after, outcome, ruleset)


def _entry_equity(pos: PositionState | None, mark: Exact) -> Exact:
    if pos is None:
        return ZERO
    return pos.isolated_wallet + margin.unrealized_pnl(pos.position_amt, pos.entry_price, mark)


def open_interest_balanced(
    before: ExchangeState,
    action: Action,
    after: ExchangeState,
    outcome: Outcome,
    ruleset: RuleSet,
    changes: Changes,
) -> list[Violation]:
    """INV-2 inductively: the changed accounts change no symbol's net open interest."""
    sums: dict[str, Exact] = {}
    for name in changes.accounts:
        old = before.accounts.get(name)
        new = after.accounts[name]
        if old is None:
            for (symbol, _), pos in new.positions.items():
                sums[symbol] = sums.get(symbol, ZERO) + pos.position_amt
            continue
        for (symbol, _), was, now in changes.positions(name):
            change = (now.position_amt if now else ZERO) - (was.position_amt if was else ZERO)
            sums[symbol] = sums.get(symbol, ZERO) + change
    return [f"INV-2: {s} net open interest {to_plain(v)}" for s, v in sums.items() if v != 0]


def nobody_below_maintenance(
    before: ExchangeState,
    action: Action,
    after: ExchangeState,
    outcome: Outcome,
    ruleset: RuleSet,
    changes: Changes,
) -> list[Violation]:
    """INV-3 with LIQ-1 from the fast figures first; ``evaluate`` only for a suspect."""
    if any(
        name != INSURANCE_FUND and below_maintenance(acct, after, ruleset)
        for name, acct in after.accounts.items()
    ):
        return plain.nobody_below_maintenance(before, action, after, outcome, ruleset)
    return []


def wallets_not_negative(
    before: ExchangeState,
    action: Action,
    after: ExchangeState,
    outcome: Outcome,
    ruleset: RuleSet,
    changes: Changes,
) -> list[Violation]:
    """INV-7 on the changed accounts (off the bankruptcy path, which the plan skips)."""
    out: list[Violation] = []
    sweep = isinstance(action, LiquidationSweep)
    for name in changes.accounts:
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
    before: ExchangeState,
    action: Action,
    after: ExchangeState,
    outcome: Outcome,
    ruleset: RuleSet,
    changes: Changes,
) -> list[Violation]:
    """INV-8 on the orders and positions the action made (the changed accounts)."""
    out = []
    fresh: set[int] = set()
    for name in changes.accounts:
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
            if o.remaining <= 0 and not o.close_position:
                out.append(f"INV-8: {name} order {o.order_id} has nothing left")
            if o.order_type in CONDITIONAL_TYPES:
                pass  # ACT-COND-1: an untriggered conditional order waits off the book
            elif o.order_type != "LIMIT" or o.time_in_force not in RESTING:
                out.append(f"INV-8: {name} order {o.order_id} rests but is immediate")
            if acct.dual_side_position == (o.position_side is PositionSide.BOTH):
                out.append(f"INV-8: {name} order {o.order_id} position side vs mode")
        keys = (
            list(acct.positions)
            if mode_changed or old is None
            else [k for k, _, now in changes.positions(name) if now is not None]
        )
        for symbol, side in keys:
            if acct.dual_side_position == (side is PositionSide.BOTH):
                out.append(f"INV-8: {name} {symbol} position side vs mode")
    return out


def _whole(invariant: plain.Invariant) -> Check:
    """A plain predicate as a check (for the invariants without an inductive form)."""

    def run(
        before: ExchangeState,
        action: Action,
        after: ExchangeState,
        outcome: Outcome,
        ruleset: RuleSet,
        changes: Changes,
    ) -> list[Violation]:
        return invariant(before, action, after, outcome, ruleset)

    return run


#: How each invariant is checked after an accepted action (INV-6 speaks of refusals only).
CHECKS: dict[str, Check] = {
    "INV-1": equity_conserved,
    "INV-2": open_interest_balanced,
    "INV-3": nobody_below_maintenance,
    "INV-4": _whole(plain.isolation),
    "INV-5": _whole(plain.modes_guarded),
    "INV-7": wallets_not_negative,
    "INV-8": orders_well_formed,
}

#: Invariants that speak about some action kinds only (INV-3 after sweeps, INV-4 after
#: sweeps and mark moves), and INV-7, which is silent on the bankruptcy path.
ONLY: dict[str, tuple[type, ...]] = {
    "INV-3": (LiquidationSweep,),
    "INV-4": (MarkPrice, LiquidationSweep),
}
NOT: dict[str, tuple[type, ...]] = {"INV-7": BANKRUPTCY_PATH}

#: What each invariant reads of the state (the parts ``changes`` names): an accepted action
#: that changed none of them, in any account, cannot break it. INV-3 and INV-4 read
#: everything and run by action kind instead (``ONLY``).
READS: dict[str, int] = {
    "INV-1": WALLETS | POSITIONS | MARKS | FEES | DEPOSITS,
    "INV-2": POSITIONS,
    "INV-5": SETTINGS | MODE,
    "INV-7": WALLETS | POSITIONS,
    "INV-8": ORDERS | MODE | POSITIONS,
}

_PLANS: Memo[tuple[Check, ...]] = Memo(1024)


def plan(kind: type, parts: int) -> tuple[Check, ...]:
    """The checks that can find something after an accepted action of this kind that
    changed these parts of the state."""
    key = (kind, parts)
    found = _PLANS.get(key)
    if found is None:
        found = _PLANS.put(
            key,
            tuple(
                run
                for rule, run in CHECKS.items()
                if (rule not in ONLY or issubclass(kind, ONLY[rule]))
                and (rule not in NOT or not issubclass(kind, NOT[rule]))
                and (rule not in READS or READS[rule] & parts)
            ),
        )
    return found


def check(
    before: ExchangeState, action: Action, after: ExchangeState, outcome: Outcome, ruleset: RuleSet
) -> list[Violation]:
    """INV-0: every invariant's violations (empty: all hold), checking only what changed.

    A refused action must return the very same state (INV-6); then every other
    invariant holds after it exactly when it held before, so only INV-6 is checked.
    """
    if not outcome.accepted:
        return refusal_changes_nothing(before, action, after, outcome, ruleset)
    changes = Changes(before, after)
    out: list[Violation] = []
    for run in plan(action.__class__, changes.parts):
        found = run(before, action, after, outcome, ruleset, changes)
        if found:
            out += found
    return out
