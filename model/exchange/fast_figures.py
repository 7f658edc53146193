"""The exchange's fast account figures: the sums the per-action preconditions take.

AVB-1, XFER-1, LIQ-1 and ORD-1 of one side run on every action; computing them through
:func:`marginspec.evaluate.evaluate` (``exchange.view``) would build every figure of every
position. These functions call the same formula functions and add them up the way
``evaluate`` does, skipping what they do not need; ``tests/test_fast_path.py`` holds
them equal to ``evaluate`` on the plain state. No formula is written here.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from marginspec import brackets, margin, transfers
from marginspec.account import MarginType, OpenOrder, PositionSide
from marginspec.evaluate import order_values
from marginspec.exchange.state import (
    ZERO,
    AccountState,
    ExchangeState,
    PositionKey,
    PositionState,
)
from marginspec.memo import Memo
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet, Trigger


def side_orders(account: AccountState, symbol: str, side: PositionSide) -> tuple[Exact, Exact]:
    """ORD-1 inputs of one position side: (bid value, ask value) of its LIMIT orders."""
    return order_values(
        o.open_order for o in account.orders if o.symbol == symbol and o.position_side is side
    )


def side_requirement(
    account: AccountState, state: ExchangeState, ruleset: RuleSet, symbol: str, side: PositionSide
) -> Exact:
    """ORD-1 of one position side, position at mark and orders at their prices (B-MREQ)."""
    pos = account.position(symbol, side)
    bids, asks = side_orders(account, symbol, side)
    leverage = Exact(account.setting(symbol, ruleset).leverage)
    notional = margin.notional(pos.position_amt, state.mark_prices[symbol])
    return Exact(margin.order_margin_requirement(notional, bids, asks, leverage))


_FLAT = PositionState()
_NO_ORDERS = (ZERO, ZERO)


@attrs.frozen
class Totals:
    """The account-level sums AVB-1 and XFER-1 take (what ``evaluate`` adds up)."""

    cross_upnl: Exact
    cross_used: Exact  # Σcross (IM + open-order IM)
    iso_used: Exact  # Σisolated open-order IM
    cross_mm: Exact  # Σcross MM (only when asked for: it needs the brackets)

    @property
    def in_use(self) -> Exact:
        return self.cross_used + self.iso_used


# The position-only sums depend on positions, settings and marks, which change far less
# often than orders and wallets; keyed by their identity (marginspec.memo).
_SUMS: Memo[Exact] = Memo(2048)
_VERDICTS: Memo[bool] = Memo(2048)


def cross_upnl(account: AccountState, marks: Mapping[str, Exact], ruleset: RuleSet) -> Exact:
    """Σ PNL-1 of the cross position sides at mark (``totalCrossUnPnl``)."""
    positions, settings = account.positions, account.settings
    key = (0, id(positions), id(settings), id(marks), id(ruleset))
    hit = _SUMS.get(key)
    if hit is not None:
        return hit
    value = ZERO
    for (symbol, _), pos in positions.items():
        if pos.position_amt and account.setting(symbol, ruleset).margin_type is MarginType.CROSS:
            value += margin.unrealized_pnl(pos.position_amt, pos.entry_price, marks[symbol])
    return _SUMS.put(key, value, (positions, settings, marks, ruleset))


def cross_maint(account: AccountState, marks: Mapping[str, Exact], ruleset: RuleSet) -> Exact:
    """Σ MM-1 of the cross positions at mark (``crossMaintMargin``)."""
    positions, settings = account.positions, account.settings
    key = (1, id(positions), id(settings), id(marks), id(ruleset))
    hit = _SUMS.get(key)
    if hit is not None:
        return hit
    boundary = ruleset.options.bracket_boundary
    value = ZERO
    for (symbol, _), pos in positions.items():
        if pos.position_amt and account.setting(symbol, ruleset).margin_type is MarginType.CROSS:
            size = abs(margin.notional(pos.position_amt, marks[symbol]))
            value += brackets.maint_margin(ruleset.markets[symbol].brackets, size, boundary)
    return _SUMS.put(key, value, (positions, settings, marks, ruleset))


def cross_balance(account: AccountState, marks: Mapping[str, Exact], ruleset: RuleSet) -> Exact:
    """MB-1 of the cross account: cross wallet + Σ cross uPnL (``totalCrossMarginBalance``)."""
    wallet, positions, settings = account.cross_wallet, account.positions, account.settings
    key = (2, id(wallet), id(positions), id(settings), id(marks), id(ruleset))
    hit = _SUMS.get(key)
    if hit is not None:
        return hit
    value = Exact(margin.margin_balance(wallet, cross_upnl(account, marks, ruleset)))
    return _SUMS.put(key, value, (wallet, positions, settings, marks, ruleset))


def totals(
    account: AccountState, state: ExchangeState, ruleset: RuleSet, with_mm: bool = False
) -> Totals:
    """The account-level sums with the formula functions (IM-1, ORD-2, PNL-1, MM-1): the
    same sums ``evaluate`` makes, without its other figures."""
    cross_used = iso_used = ZERO
    books: dict[PositionKey, list[OpenOrder]] = {k: [] for k in account.positions}
    for o in account.orders:
        book = books.get((o.symbol, o.position_side))
        if book is None:
            book = books[(o.symbol, o.position_side)] = []
        book.append(o.open_order)
    marks = state.mark_prices
    positions = account.positions
    for key, book in books.items():
        bids, asks = order_values(book) if book else _NO_ORDERS
        symbol = key[0]
        pos = positions.get(key) or _FLAT
        setting = account.setting(symbol, ruleset)
        leverage = Exact(setting.leverage)
        notional = margin.notional(pos.position_amt, marks[symbol])
        if setting.margin_type is MarginType.CROSS:
            # IM + open-order IM of a side is its ORD-1 requirement (ORD-2's definition)
            cross_used += margin.order_margin_requirement(notional, bids, asks, leverage)
        elif bids or asks:
            iso_used += margin.open_order_initial_margin(notional, bids, asks, leverage)
    return Totals(
        cross_upnl(account, marks, ruleset),
        cross_used,
        iso_used,
        cross_maint(account, marks, ruleset) if with_mm else ZERO,
    )


def available_balance(
    account: AccountState, state: ExchangeState, ruleset: RuleSet, sums: Totals | None = None
) -> Exact:
    """AVB-1 for the whole account from :func:`totals`.

    AVB-1's ``crossWB + Σcross uPnL`` is the cross margin balance (MB-1): it is passed
    as the wallet with a zero uPnL (the same sum).
    """
    t = sums or totals(account, state, ruleset)
    balance = cross_balance(account, state.mark_prices, ruleset)
    return Exact(transfers.available_balance(balance, 0, t.cross_used, t.iso_used))


def max_withdraw(account: AccountState, state: ExchangeState, ruleset: RuleSet) -> Exact:
    """XFER-1 for the whole account from :func:`totals`."""
    t = totals(account, state, ruleset, with_mm=True)
    available = available_balance(account, state, ruleset, t)
    return Exact(transfers.max_withdraw(account.cross_wallet, t.cross_mm, t.iso_used, available))


def below_maintenance(account: AccountState, state: ExchangeState, ruleset: RuleSet) -> bool:
    """LIQ-1 for the cross account or any isolated position, from the formula functions.

    The same sums as ``evaluate`` (MM-1 per position, MB-1, LIQ-1) without the figures
    a sweep does not need; a True here is followed by ``evaluate`` itself. Orders play
    no part, so the verdict is keyed by wallet, positions, settings and marks.
    """
    marks = state.mark_prices
    wallet, positions, settings = account.cross_wallet, account.positions, account.settings
    key = (id(wallet), id(positions), id(settings), id(marks), id(ruleset))
    hit = _VERDICTS.get(key)
    if hit is not None:
        return hit
    verdict = _below_maintenance(account, marks, ruleset)
    return _VERDICTS.put(key, verdict, (wallet, positions, settings, marks, ruleset))


def _below_maintenance(account: AccountState, marks: Mapping[str, Exact], ruleset: RuleSet) -> bool:
    strict = ruleset.options.liquidation_trigger is Trigger.LT
    boundary = ruleset.options.bracket_boundary
    has_cross = False
    for (symbol, _), pos in account.positions.items():
        if pos.position_amt == 0:
            continue
        if account.setting(symbol, ruleset).margin_type is MarginType.CROSS:
            has_cross = True
            continue
        mark = marks[symbol]
        upnl = margin.unrealized_pnl(pos.position_amt, pos.entry_price, mark)
        size = abs(margin.notional(pos.position_amt, mark))
        mm = brackets.maint_margin(ruleset.markets[symbol].brackets, size, boundary)
        if margin.below_maintenance(margin.margin_balance(pos.isolated_wallet, upnl), mm, strict):
            return True
    if not has_cross:
        return False
    balance = cross_balance(account, marks, ruleset)
    return bool(margin.below_maintenance(balance, cross_maint(account, marks, ruleset), strict))
