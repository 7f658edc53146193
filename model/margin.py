"""Position-level margin formulas (rules NTL-*, IM-*, PNL-*, MB-*, MR-*, COST-*).

Formulas over :data:`~marginspec.symbolic.Real`: exact at run time, symbolic in the
proofs. Signed amounts follow the API: ``positionAmt`` > 0 long, < 0 short.
"""

from __future__ import annotations

from marginspec.numbers import Exact
from marginspec.symbolic import Cond, Real, absolute, maximum, minimum, select


def notional(position_amt: Real, mark_price: Real) -> Real:
    """NTL-1: signed notional at mark, ``positionAmt × markPrice`` (the API's ``notional``)."""
    return position_amt * mark_price


def initial_margin(abs_notional: Real, leverage: Real) -> Real:
    """IM-1: ``|notional| / leverage``, notional at mark (A-MAR, B-LM)."""
    return abs_notional / leverage


def unrealized_pnl(position_amt: Real, entry_price: Real, mark_price: Real) -> Real:
    """PNL-1: ``positionAmt × (markPrice − entryPrice)`` (B-PNL)."""
    return position_amt * (mark_price - entry_price)


def margin_balance(wallet_balance: Real, unrealized: Real) -> Real:
    """MB-1: wallet balance plus unrealized PnL (B-WAL); isolated: ``isolatedMargin``."""
    return wallet_balance + unrealized


def below_maintenance(balance: Real, maint: Real, strict: bool) -> Cond:
    """LIQ-1: liquidation is due when margin balance < MM (``strict``) or <= MM.

    Aster's and Binance's liquidation pages say "<" (A-LIQ, B-LIQP), the wallet FAQ
    "<=" (B-WAL): rule-set option ``liquidation_trigger``.
    """
    return balance < maint if strict else balance <= maint


def open_loss(order_qty: Real, direction: Real, mark_price: Real, order_price: Real) -> Real:
    """COST-2: ``qty × |min(0, direction × (mark − price))|``, direction +1 buy, −1 sell (B-COST)."""
    return order_qty * absolute(minimum(0, direction * (mark_price - order_price)))


def market_order_price(direction: int, best_ask: Real, best_bid: Real, mark_price: Real) -> Real:
    """COST-3: the price a MARKET order is charged at: a buy's estimated entry
    ``ask0 × (1 + 0.05 %)``, a sell's assumed price ``max(bid0, mark)`` (A-COST)."""
    if direction > 0:
        return best_ask * (1 + MARKET_BUY_SLIPPAGE)
    return maximum(best_bid, mark_price)


#: COST-3: A-COST's 0.05 % added to the best ask for a market buy's estimated entry.
MARKET_BUY_SLIPPAGE = Exact(5, 10000)


def cost_to_open(
    order_qty: Real, direction: Real, order_price: Real, mark_price: Real, leverage: Real
) -> Real:
    """COST-1: initial margin at the order price plus open loss (B-COST, A-COST)."""
    return initial_margin(order_qty * order_price, leverage) + open_loss(
        order_qty, direction, mark_price, order_price
    )


def order_margin_requirement(
    position_notional: Real, bid_value: Real, ask_value: Real, leverage: Real
) -> Real:
    """ORD-1: ``max(|pos + bids|, |pos − asks|) / L`` for one position side (B-MREQ).

    ``position_notional`` is signed, at mark; order values are ``qty × limit price``.
    """
    long_side = absolute(position_notional + bid_value)
    short_side = absolute(position_notional - ask_value)
    return select(long_side >= short_side, long_side, short_side) / leverage


def open_order_initial_margin(
    position_notional: Real, bid_value: Real, ask_value: Real, leverage: Real
) -> Real:
    """ORD-2: the part of ORD-1 that the position's own initial margin does not cover."""
    return order_margin_requirement(position_notional, bid_value, ask_value, leverage) - (
        initial_margin(absolute(position_notional), leverage)
    )


def funding_payment(position_amt: Real, mark_price: Real, funding_rate: Real) -> Real:
    """FUND-1: what the position *receives*: ``−positionAmt × mark × rate`` (B-FUND).

    A positive rate makes longs pay shorts.
    """
    return -(position_amt * mark_price * funding_rate)


def trading_fee(qty: Real, price: Real, fee_rate: Real) -> Real:
    """FEE-1: ``qty × trade price × fee rate`` (A-FEE)."""
    return qty * price * fee_rate


def break_even_price(position_amt: Real, entry_price: Real, round_trip_fee_rate: Real) -> Real:
    """FEE-2: the price at which closing the position returns its fees, ``EP × (1 + side × r)``
    with ``r`` the opening plus closing fee rate (B positionRisk v3 example); 0 when flat."""
    above = entry_price * (1 + round_trip_fee_rate)  # a long must sell above its entry
    below = entry_price * (1 - round_trip_fee_rate)  # a short must buy below it
    return select(position_amt > 0, above, select(position_amt < 0, below, entry_price * 0))
