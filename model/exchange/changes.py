"""What an action changed: the parts of the state, the accounts and their position entries.

States are immutable and a transition rebuilds only what it changes, so object identity
tells what changed (INV-0). :mod:`marginspec.exchange.invariant_plan` reads this to
decide which invariants to run and what their inductive forms must look at.
"""

from __future__ import annotations

from marginspec.exchange.state import AccountState, ExchangeState, PositionKey, PositionState

# The parts of the state an action can change (bits of an int: cheap to combine).
WALLETS, POSITIONS, SETTINGS, MODE, ORDERS, MARKS, FEES, DEPOSITS, IDS, LAST = (
    1 << i for i in range(10)
)
EVERYTHING = (1 << 10) - 1

PositionChange = tuple[PositionKey, PositionState | None, PositionState | None]


class Changes:
    """The difference between two states: ``accounts`` (names whose account object
    changed), ``parts`` (the bits above) and, per account, the changed position entries."""

    __slots__ = ("_positions", "accounts", "after", "before", "parts")

    def __init__(self, before: ExchangeState, after: ExchangeState) -> None:
        self.before = before
        self.after = after
        if after.accounts is before.accounts:
            self.accounts: list[str] = []
        else:
            olds = before.accounts
            self.accounts = [n for n, a in after.accounts.items() if olds.get(n) is not a]
        self.parts = _parts(before, after, self.accounts)
        self._positions: dict[str, list[PositionChange]] = {}

    def positions(self, name: str) -> list[PositionChange]:
        """(key, before, after) of the position entries of ``name`` that differ (by
        identity); None where the entry is absent. ``name`` must exist in both states."""
        found = self._positions.get(name)
        if found is None:
            found = self._positions[name] = changed_positions(
                self.before.accounts[name], self.after.accounts[name]
            )
        return found


def changed_positions(old: AccountState, new: AccountState) -> list[PositionChange]:
    """The position entries that differ (by identity) between two account states."""
    if old.positions is new.positions:
        return []
    olds, news = old.positions, new.positions
    get = olds.get
    out: list[PositionChange] = [
        (key, get(key), now) for key, now in news.items() if get(key) is not now
    ]
    if len(olds) > len(news) - sum(1 for _, was, _ in out if was is None):
        out += [(key, was, None) for key, was in olds.items() if key not in news]
    return out


def parts(before: ExchangeState, after: ExchangeState) -> int:
    """The parts of the state an action changed (see :func:`_parts`)."""
    return Changes(before, after).parts


def _parts(before: ExchangeState, after: ExchangeState, accounts: list[str]) -> int:
    """MARKS, FEES, DEPOSITS, IDS (the next order id), LAST (the last prices) and, over the changed accounts,
    WALLETS (cross), POSITIONS (isolated wallets included), SETTINGS, MODE and ORDERS.
    An account added or removed changes EVERYTHING.
    """
    if after is before:
        return 0
    found = 0
    if after.mark_prices is not before.mark_prices:
        found |= MARKS
    if after.fee_income is not before.fee_income:
        found |= FEES
    if after.net_deposits is not before.net_deposits:
        found |= DEPOSITS
    if after.next_order_id != before.next_order_id:
        found |= IDS
    if after.last_prices is not before.last_prices:
        found |= LAST  # ACT-COND-9: no invariant reads it
    if len(after.accounts) != len(before.accounts):
        return EVERYTHING
    for name in accounts:
        old = before.accounts.get(name)
        if old is None:
            return EVERYTHING
        new = after.accounts[name]
        if new.cross_wallet is not old.cross_wallet:
            found |= WALLETS
        if new.positions is not old.positions:
            found |= POSITIONS
        if new.settings is not old.settings:
            found |= SETTINGS
        if new.dual_side_position != old.dual_side_position:
            found |= MODE
        if new.orders is not old.orders:
            found |= ORDERS
    return found
