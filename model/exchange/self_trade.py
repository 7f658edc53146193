"""Self-trade prevention in the immediate matching (STP-*, ACT-ORD-8).

An IOC, FOK or MARKET order walks the book in price-time priority (ACT-ORD-8). When the
next resting order belongs to its own account, the taker's mode decides what expires
(B-STP: "The STP event will occur depending on the STP mode of the taker order"); an
order that names no mode takes the rule set's ``self_trade_prevention`` default.
"""

from __future__ import annotations

from marginspec.exchange.events import Event
from marginspec.exchange.state import Order
from marginspec.numbers import Exact
from marginspec.ruleset import Options, SelfTradePrevention


def order_mode(mode: str | None, options: Options) -> SelfTradePrevention:
    """The mode in force for a taker: its own, else the rule set's default (STP-1)."""
    return options.self_trade_prevention if mode is None else SelfTradePrevention(mode)


def expiries(mode: SelfTradePrevention) -> tuple[bool, bool]:
    """STP-1: (the taker expires, the maker expires) when a taker reaches a resting order
    of its own account: EXPIRE_TAKER (True, False), EXPIRE_MAKER (False, True),
    EXPIRE_BOTH (True, True). NONE is (False, False): the model skips its own orders,
    as a self-trade is not modelled (FILL-1, REF-13)."""
    return (
        mode in (SelfTradePrevention.EXPIRE_TAKER, SelfTradePrevention.EXPIRE_BOTH),
        mode in (SelfTradePrevention.EXPIRE_MAKER, SelfTradePrevention.EXPIRE_BOTH),
    )


def expired_in_match(account: str, order: Order, quantity: Exact) -> Event:
    """STP-2: the event of an order's rest expired by self-trade prevention
    (Binance's order status ``EXPIRED_IN_MATCH``)."""
    return Event(
        "EXPIRED_IN_MATCH",
        account,
        symbol=order.symbol,
        position_side=order.position_side.value,
        side=order.side.value,
        order_id=order.order_id,
        quantity=quantity,
    )
