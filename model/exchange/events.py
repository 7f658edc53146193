"""Events an accepted action reports (TRACE-3): trades, funding, liquidations, ADL.

``type`` uses the API's vocabulary: ``TRADE`` (a fill, one per party), ``FUNDING_FEE``,
``LIQUIDATION`` (a position taken over by the insurance fund, LIQP-5),
``INSURANCE_CLEAR`` (clearance fee, LIQP-4), ``ADL`` (a position closed against a
bankrupt one, ADL-1), ``INSURANCE_COVER`` (a negative balance reset to zero, IF-2),
``EXPIRED`` (the unfilled rest of an IOC, FOK or MARKET order, ACT-ORD-8; a triggered
close-position order with nothing to close, ACT-COND-5), ``TRIGGERED`` (a conditional
order fired at ``price``, ACT-COND-5) and ``REJECTED`` (the order a trigger placed failed
the placement checks: its ``code``, ``msg`` and ``rule``, ACT-COND-5).
"""

from __future__ import annotations

from typing import Any

import attrs

from marginspec.numbers import Exact, display
from marginspec.ruleset import Options


@attrs.frozen
class Event:
    type: str
    account: str
    symbol: str = ""
    position_side: str = ""
    side: str = ""
    order_id: int | None = None
    quantity: Exact | None = None
    price: Exact | None = None
    realized_pnl: Exact | None = None
    commission: Exact | None = None
    amount: Exact | None = None
    #: REJECTED (ACT-COND-5): the refusal the triggered order met.
    code: int | None = None
    msg: str = ""
    rule: str = ""


_FIELDS = (
    ("symbol", "symbol"),
    ("position_side", "positionSide"),
    ("side", "side"),
)
_NUMBERS = (
    ("quantity", "quantity"),
    ("price", "price"),
    ("realized_pnl", "realizedPnl"),
    ("commission", "commission"),
    ("amount", "amount"),
)


def event_json(event: Event, options: Options) -> dict[str, Any]:
    """Numbers as decimal strings by the display rule (DISP-1), empty fields left out."""
    out: dict[str, Any] = {"type": event.type, "account": event.account}
    for attr, key in _FIELDS:
        value = getattr(event, attr)
        if value:
            out[key] = value
    if event.order_id is not None:
        out["orderId"] = event.order_id
    for attr, key in _NUMBERS:
        value = getattr(event, attr)
        if value is not None:
            out[key] = display(value, options.display_decimals, options.display_rounding)
    if event.rule:  # REJECTED: the refusal, as a refused outcome writes it (REF-0)
        out["code"] = event.code
        out["msg"] = event.msg
        out["rule"] = event.rule
    return out
