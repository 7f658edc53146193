"""Derived figures of an account in the model (one source of truth, SNAP-3).

Snapshots, liquidations and ADL ranking convert the account to the ``evaluate`` input and
read :func:`marginspec.evaluate.evaluate`'s figures. The preconditions that run on every
action (AVB-1, XFER-1, LIQ-1, ORD-1 of one side) call the same formula functions
directly and add them up the way ``evaluate`` does, skipping the figures they do not need;
the state-machine test checks after every step that they equal ``evaluate``'s figures.
No formula is written here.
"""

from __future__ import annotations

import attrs

from marginspec import brackets, margin, transfers
from marginspec.account import MarginType, OrderSide, PositionSide
from marginspec.evaluate import AccountFigures, PositionFigures, evaluate
from marginspec.exchange.state import (
    ZERO,
    AccountState,
    ExchangeState,
    PositionKey,
    PositionState,
    to_account,
)
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet, Trigger


def figures(
    state: ExchangeState, name: str, ruleset: RuleSet, prices: bool = False
) -> AccountFigures:
    """``evaluate`` of one account at the current marks (no LP/BP unless ``prices``)."""
    return account_figures(state.accounts[name], state, ruleset, prices)


# States are immutable, so figures are remembered per (account, marks, rule set)
# object identity; the entry keeps the objects alive, so an id is never reused while
# its entry exists.
_CACHE: dict[tuple[int, int, int], tuple[object, object, object, AccountFigures]] = {}
_CACHE_SIZE = 256


def account_figures(
    account: AccountState, state: ExchangeState, ruleset: RuleSet, prices: bool = False
) -> AccountFigures:
    if prices:
        return evaluate(to_account(account, state.mark_prices, ruleset), ruleset, True)
    marks = state.mark_prices
    key = (id(account), id(marks), id(ruleset))
    hit = _CACHE.get(key)
    if hit is not None:
        return hit[3]
    result = evaluate(to_account(account, marks, ruleset), ruleset, False)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = (account, marks, ruleset, result)
    return result


def side_orders(account: AccountState, symbol: str, side: PositionSide) -> tuple[Exact, Exact]:
    """ORD-1 inputs of one position side: (bid value, ask value) of its LIMIT orders."""
    bids = asks = ZERO
    for o in account.orders:
        if o.symbol == symbol and o.position_side is side:
            if o.side is OrderSide.BUY:
                bids += o.remaining * o.price
            else:
                asks += o.remaining * o.price
    return bids, asks


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


def totals(
    account: AccountState, state: ExchangeState, ruleset: RuleSet, with_mm: bool = False
) -> Totals:
    """One pass over the account's position sides with the formula functions (IM-1,
    ORD-2, PNL-1, MM-1): the same sums ``evaluate`` makes, without its other figures;
    the tests check the results equal ``evaluate``'s."""
    cross_upnl = cross_used = iso_used = cross_mm = ZERO
    values: dict[PositionKey, list[Exact]] = {k: [ZERO, ZERO] for k in account.positions}
    for o in account.orders:
        entry = values.setdefault((o.symbol, o.position_side), [ZERO, ZERO])
        entry[0 if o.side is OrderSide.BUY else 1] += o.remaining * o.price
    marks = state.mark_prices
    boundary = ruleset.options.bracket_boundary
    positions = account.positions
    for key, (bids, asks) in values.items():
        symbol = key[0]
        pos = positions.get(key) or _FLAT
        setting = account.setting(symbol, ruleset)
        leverage = Exact(setting.leverage)
        notional = margin.notional(pos.position_amt, marks[symbol])
        if setting.margin_type is MarginType.CROSS:
            cross_upnl += margin.unrealized_pnl(pos.position_amt, pos.entry_price, marks[symbol])
            # IM + open-order IM of a side is its ORD-1 requirement (ORD-2's definition)
            cross_used += margin.order_margin_requirement(notional, bids, asks, leverage)
            if with_mm and pos.position_amt != 0:
                table = ruleset.markets[symbol].brackets
                cross_mm += brackets.maint_margin(table, abs(notional), boundary)
        else:
            iso_used += margin.open_order_initial_margin(notional, bids, asks, leverage)
    return Totals(cross_upnl, cross_used, iso_used, cross_mm)


def available_balance(
    account: AccountState, state: ExchangeState, ruleset: RuleSet, sums: Totals | None = None
) -> Exact:
    """AVB-1 for the whole account from :func:`totals`."""
    t = sums or totals(account, state, ruleset)
    return Exact(
        transfers.available_balance(account.cross_wallet, t.cross_upnl, t.cross_used, t.iso_used)
    )


def max_withdraw(account: AccountState, state: ExchangeState, ruleset: RuleSet) -> Exact:
    """XFER-1 for the whole account from :func:`totals`."""
    t = totals(account, state, ruleset, with_mm=True)
    available = available_balance(account, state, ruleset, t)
    return Exact(transfers.max_withdraw(account.cross_wallet, t.cross_mm, t.iso_used, available))


def below_maintenance(account: AccountState, state: ExchangeState, ruleset: RuleSet) -> bool:
    """LIQ-1 for the cross account or any isolated position, from the formula functions.

    The same sums as ``evaluate`` (MM-1 per position, MB-1, LIQ-1) without the figures
    a sweep does not need; a True here is followed by ``evaluate`` itself, and the
    tests check both agree.
    """
    key = (id(account), id(state.mark_prices), id(ruleset))
    hit = _VERDICTS.get(key)
    if hit is not None:
        return hit[3]
    verdict = _below_maintenance(account, state, ruleset)
    if len(_VERDICTS) >= 4 * _CACHE_SIZE:
        _VERDICTS.clear()
    _VERDICTS[key] = (account, state.mark_prices, ruleset, verdict)
    return verdict


_VERDICTS: dict[tuple[int, int, int], tuple[object, object, object, bool]] = {}


def _below_maintenance(account: AccountState, state: ExchangeState, ruleset: RuleSet) -> bool:
    strict = ruleset.options.liquidation_trigger is Trigger.LT
    boundary = ruleset.options.bracket_boundary
    marks = state.mark_prices
    cross_upnl = cross_mm = ZERO
    has_cross = False
    for (symbol, _), pos in account.positions.items():
        if pos.position_amt == 0:
            continue
        mark = marks[symbol]
        upnl = margin.unrealized_pnl(pos.position_amt, pos.entry_price, mark)
        size = abs(margin.notional(pos.position_amt, mark))
        mm = brackets.maint_margin(ruleset.markets[symbol].brackets, size, boundary)
        if account.setting(symbol, ruleset).margin_type is MarginType.CROSS:
            cross_upnl += upnl
            cross_mm += mm
            has_cross = True
        elif margin.below_maintenance(margin.margin_balance(pos.isolated_wallet, upnl), mm, strict):
            return True
    balance = margin.margin_balance(account.cross_wallet, cross_upnl)
    return has_cross and bool(margin.below_maintenance(balance, cross_mm, strict))


def position_figures(f: AccountFigures, symbol: str, side: PositionSide) -> PositionFigures | None:
    for p in f.positions:
        if p.position.symbol == symbol and p.position.position_side is side:
            return p
    return None
