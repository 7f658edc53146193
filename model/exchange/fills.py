"""Position arithmetic of one trade: entry price, realised PnL, flips, isolated wallet (FILL-*).

A trade of ``quantity`` at ``price`` on one position side first closes what it can of
the opposite exposure, then opens the rest (FILL-3). The formulas are written over
:data:`~marginspec.symbolic.Real` like every formula of the model.
"""

from __future__ import annotations

import attrs

from marginspec import margin
from marginspec.account import MarginType, PositionSide
from marginspec.exchange.state import ZERO, AccountState, PositionState, with_position
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet
from marginspec.symbolic import Real


def weighted_entry(size: Real, entry: Real, added: Real, price: Real) -> Real:
    """FILL-2: adding to a position: ``(|amt|·EP + qty·price) / (|amt| + qty)``."""
    return (size * entry + added * price) / (size + added)


def realized_pnl(closed_amt: Real, entry: Real, price: Real) -> Real:
    """FILL-4: PNL-1 of the closed part at the trade price: ``closedAmt × (price − EP)``.

    ``closed_amt`` is signed like the position it was part of.
    """
    return margin.unrealized_pnl(closed_amt, entry, price)


@attrs.frozen
class TradeResult:
    account: AccountState
    realized_pnl: Exact
    commission: Exact
    opened: Exact  # quantity that opened or increased exposure (0 for a pure close)
    closed: Exact


def split(amt: Exact, direction: int, quantity: Exact) -> tuple[Exact, Exact]:
    """FILL-3: (closing, opening) parts of a trade of ``quantity`` in ``direction`` (+1 buy)."""
    if amt * direction >= 0:
        return ZERO, quantity
    closing = min(quantity, abs(amt))
    return closing, quantity - closing


def trade(
    account: AccountState,
    symbol: str,
    side: PositionSide,
    direction: int,
    quantity: Exact,
    price: Exact,
    fee_rate: Exact,
    ruleset: RuleSet,
) -> TradeResult:
    """FILL-6, FILL-7, PNL-3: the account after buying (``direction`` +1) or selling ``quantity``
    at ``price``.

    FILL-3: close first (realised PnL FILL-4, entry unchanged), then open the rest at a
    weighted entry (FILL-2); a one-way position that flips opens its remainder at the
    trade price (PNL-3). FEE-1 on the whole quantity. Cross: everything is booked to
    the cross wallet. Isolated (FILL-6, FILL-7): the closing part's PnL and fee are
    booked to the isolated wallet, which then releases the closed share of itself
    (if positive) to the cross wallet; the opening part moves its initial margin at
    the trade price (IM-1) from the cross wallet into the isolated wallet and pays
    its fee from the cross wallet.
    """
    pos = account.position(symbol, side)
    amt, entry, iw = pos.position_amt, pos.entry_price, pos.isolated_wallet
    closing, opening = split(amt, direction, quantity)
    setting = account.setting(symbol, ruleset)
    isolated = setting.margin_type is MarginType.ISOLATED
    cross = account.cross_wallet
    pnl = ZERO
    fee_close = margin.trading_fee(closing, price, fee_rate)
    fee_open = margin.trading_fee(opening, price, fee_rate)
    if closing:
        sign = 1 if amt > 0 else -1
        pnl = realized_pnl(sign * closing, entry, price)
        size = abs(amt)
        amt = amt + direction * closing
        if isolated:
            iw = iw + pnl - fee_close
            released = iw * closing / size if iw > 0 else ZERO
            if amt == 0 and iw > 0:
                released = iw
            iw -= released
            cross += released
        else:
            cross += pnl - fee_close
        if amt == 0:
            entry = ZERO
    if opening:
        # PNL-3 for a flip or a fresh position: the opening part enters at the trade price
        entry = price if amt == 0 else weighted_entry(abs(amt), entry, opening, price)
        amt = amt + direction * opening
        cross -= fee_open
        if isolated:
            allocation = margin.initial_margin(opening * price, Exact(setting.leverage))
            cross -= allocation
            iw += allocation
    new_pos = PositionState(amt, entry, iw)
    updated = with_position(account, (symbol, side), new_pos, cross)
    return TradeResult(updated, pnl, fee_close + fee_open, opening, closing)
