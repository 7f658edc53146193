"""Coverage targets of order amendment (ACT-15's AMEND-*), self-trade prevention (STP-*)
and the filters' bounds (FLT-*)."""

from __future__ import annotations

from typing import Any

from marginspec.conformance.coverage.step import Step
from marginspec.conformance.coverage.target import Area, Section
from marginspec.ruleset import SelfTradePrevention

AMENDMENT = Area(Section.ACTION)


def _modified(s: Step) -> bool:
    return s.name == "modifyOrder" and s.accepted


@AMENDMENT.target("AMEND-1", "-5027: an amendment that changes nothing", ("modify_order",))
def _same_order(s: Step) -> bool:
    return s.name == "modifyOrder" and s.refused("REF-74", "REF-75")


@AMENDMENT.target(
    "AMEND-2",
    "an accepted amendment to the price of a younger order of its side: it goes behind it",
    ("modify_order",),
)
def _behind_younger(s: Step) -> bool:
    if not _modified(s) or s.events("CANCELED"):
        return False
    found = s.after.find_order(int(s.action["orderId"]))
    if found is None:
        return False
    _, amended = found
    return any(
        o.symbol == amended.symbol
        and o.side is amended.side
        and o.price == amended.price
        and amended.order_id < o.order_id < amended.queue
        for acct in s.after.accounts.values()
        for o in acct.orders
    )


@AMENDMENT.target(
    "AMEND-3",
    "an amendment that cancels the order (quantity within the executed part, or GTX taking)",
    ("amend_cancels",),
)
def _amendment_cancels(s: Step) -> bool:
    return _modified(s) and bool(s.events("CANCELED"))


@AMENDMENT.target(
    "AMEND-4",
    "an amendment refused for what it adds: margin (-2019, -4118), -2027, -2022 or -5029",
    ("amend_adds",),
)
def _adds_too_much(s: Step) -> bool:
    return s.name == "modifyOrder" and s.refused("REF-1", "REF-16", "REF-4", "REF-3", "REF-76")


def _stp_events(s: Step) -> list[dict[str, Any]]:
    return s.events("EXPIRED_IN_MATCH") if s.name == "placeOrder" and s.accepted else []


@AMENDMENT.target(
    "STP-1",
    "an immediate order that met its own resting order: the taker's rest expired by STP "
    "(option NONE: it traded past its own resting order)",
    ("self_trade",),
)
def _taker_expired(s: Step) -> bool:
    if s.ruleset.options.self_trade_prevention is SelfTradePrevention.NONE and (
        "selfTradePreventionMode" not in s.action
    ):
        return s.name == "placeOrder" and s.accepted and _skipped_own(s)
    taker = s.outcome.get("orderId")
    return any(e.get("orderId") == taker for e in _stp_events(s))


def _skipped_own(s: Step) -> bool:
    """The taker traded while an own resting order of the opposite side stays on the book."""
    a = s.action
    if not s.events("TRADE"):
        return False
    own = s.after.accounts[a["account"]].orders
    return any(o.symbol == a["symbol"] and o.side.value != a["side"] for o in own)


@AMENDMENT.target(
    "STP-2",
    "a resting order expired by the taker's STP mode (EXPIRE_MAKER or EXPIRE_BOTH)",
    ("self_trade",),
)
def _maker_expired(s: Step) -> bool:
    taker = s.outcome.get("orderId")
    return any(e.get("orderId") != taker for e in _stp_events(s))


@AMENDMENT.target(
    "FLT-1",
    "a LIMIT order outside PRICE_FILTER's minPrice or maxPrice (-4013, -4002)",
    ("filter_bounds",),
)
def _price_bounds(s: Step) -> bool:
    return s.name in ("placeOrder", "modifyOrder") and s.refused("REF-70", "REF-71")


@AMENDMENT.target(
    "FLT-2",
    "a LIMIT order outside LOT_SIZE's minQty or maxQty (-4004, -4005)",
    ("lot_bounds",),
)
def _lot_bounds(s: Step) -> bool:
    return s.action.get("type", "LIMIT") == "LIMIT" and s.refused("REF-72", "REF-73")


@AMENDMENT.target(
    "FLT-3",
    "a MARKET order outside MARKET_LOT_SIZE's minQty or maxQty (-4004, -4005)",
    ("lot_bounds",),
)
def _market_lot_bounds(s: Step) -> bool:
    return s.action.get("type") == "MARKET" and s.refused("REF-72", "REF-73")
