"""Refusals and outcomes (REF-*): the exchange's error code and message where one exists.

Codes and messages are those of Aster's API error list (A-API: asterdex/api-docs,
``V3(Recommended)/EN/aster-finance-futures-api-v3.md``, section "Error Codes"), which
copies Binance USDⓈ-M's; spec/account-model.md (REF-0) cites the list per code.
Refusals the exchange has no code for (the model's own preconditions, such as an
unknown account) carry ``code`` null.
"""

from __future__ import annotations

from typing import Any

import attrs

from marginspec.exchange.events import Event, event_json
from marginspec.numbers import Exact, to_plain
from marginspec.ruleset import Options


@attrs.frozen
class Refusal:
    """A refusal kind: rule ID, API code (or None) and the API's message."""

    rule: str
    code: int | None
    msg: str


# Orders and fills
MARGIN_NOT_SUFFICIENT = Refusal("REF-1", -2019, "Margin is insufficient.")
UNKNOWN_ORDER = Refusal("REF-2", -2011, "Unknown order sent.")
REDUCE_ONLY_REJECT = Refusal("REF-3", -2022, "ReduceOnly Order is rejected.")
REDUCE_ONLY_MARGIN = Refusal(
    "REF-16",
    -4118,
    "ReduceOnly Order Failed. Please check your existing position and open orders",
)
MAX_POSITION = Refusal(
    "REF-4", -2027, "Exceeded the maximum allowable position at current leverage."
)
PRICE_TICK = Refusal("REF-5", -4014, "Price not increased by tick size.")
QTY_STEP = Refusal("REF-6", -4023, "Qty not increased by step size.")
MIN_NOTIONAL = Refusal(
    "REF-7", -4164, "Order's notional must be no smaller than {0} (unless you choose reduce only)"
)
POSITION_SIDE_MISMATCH = Refusal(
    "REF-8", -4061, "Order's position side does not match user's setting."
)
REDUCE_ONLY_IN_HEDGE = Refusal("REF-9", -1106, "Parameter 'reduceOnly' sent when not required.")
POST_ONLY_REJECT = Refusal(
    "REF-17",
    -5022,
    "Due to the order could not be executed as maker, the Post Only order will be rejected. "
    "The order will not be recorded in the order history",
)
PRICE_NOT_POSITIVE = Refusal("REF-10", -4001, "Price less than 0.")
PRICE_ABOVE_BAND = Refusal("REF-18", -4016, "Price is higher than mark price multiplier cap.")
PRICE_BELOW_BAND = Refusal("REF-19", -4024, "Price is lower than mark price multiplier floor.")
MAX_OPEN_ORDERS = Refusal("REF-37", -2025, "Reach max open order limit.")
QTY_NOT_POSITIVE = Refusal("REF-15", -4003, "Quantity less than zero.")
NO_CROSS = Refusal("REF-11", None, "The taker's limit price does not reach the maker's price.")
SAME_ORDER_BOOK_SIDE = Refusal(
    "REF-12", None, "A fill needs a BUY and a SELL order on the same symbol."
)
SELF_TRADE = Refusal("REF-13", None, "Maker and taker orders belong to the same account.")
FILL_QUANTITY = Refusal(
    "REF-14",
    None,
    "Fill quantity must be positive, on the step size and at most both orders' remaining quantity.",
)
# Conditional orders (ACT-COND-*); REF-60 on, so as not to meet the numbers of other order work
WOULD_TRIGGER = Refusal("REF-60", -2021, "Order would immediately trigger.")
STOP_PRICE_NOT_POSITIVE = Refusal("REF-61", -4006, "Stop price less than zero.")
MAX_STOP_ORDERS = Refusal("REF-62", -4045, "Reach max stop order limit.")
INVALID_ACTIVATION_PRICE = Refusal("REF-63", -4135, "Invalid activation price")
QTY_WITH_CLOSE_POSITION = Refusal(
    "REF-64", -4137, "Quantity must be zero with closePosition equals true"
)
INVALID_CALLBACK_RATE = Refusal(
    "REF-65", -1130, "Data sent for parameter 'callbackRate' is not valid."
)
NOT_TRIGGERED = Refusal("REF-66", None, "An untriggered conditional order is not on the book.")
LAST_NOT_POSITIVE = Refusal("REF-67", None, "Last price must be positive.")
# Leverage
INVALID_LEVERAGE = Refusal("REF-20", -4028, "Leverage {0} is not valid")
MIN_LEVERAGE_RATIO = Refusal(
    "REF-21", -2028, "Leverage is smaller than permitted: insufficient margin balance."
)
ISOLATED_LEVERAGE_REJECT = Refusal(
    "REF-22",
    -4161,
    "Leverage reduction is not supported in Isolated Margin Mode with open positions",
)
# Margin type and position mode
NO_NEED_MARGIN_TYPE = Refusal("REF-23", -4046, "No need to change margin type.")
MARGIN_TYPE_ORDERS = Refusal(
    "REF-24", -4047, "Margin type cannot be changed if there exists open orders."
)
MARGIN_TYPE_POSITION = Refusal(
    "REF-25", -4048, "Margin type cannot be changed if there exists position."
)
NO_NEED_POSITION_MODE = Refusal("REF-26", -4059, "No need to change position side.")
POSITION_MODE_ORDERS = Refusal(
    "REF-27", -4067, "Position side cannot be changed if there exists open orders."
)
POSITION_MODE_POSITION = Refusal(
    "REF-28", -4068, "Position side cannot be changed if there exists position."
)
# Isolated margin and transfers
ADD_ISOLATED_REJECT = Refusal("REF-30", -4049, "Add margin only support for isolated position.")
CROSS_BALANCE_INSUFFICIENT = Refusal("REF-31", -4050, "Cross balance insufficient.")
ISOLATED_BALANCE_INSUFFICIENT = Refusal("REF-32", -4051, "Isolated balance insufficient.")
POSITION_ZERO = Refusal("REF-33", -4054, "Cannot add position margin: position is 0.")
AMOUNT_NOT_POSITIVE = Refusal("REF-34", -4055, "Amount must be positive.")
MARGIN_TYPE_PARAM = Refusal(
    "REF-35", -1102, "Mandatory parameter 'type' was not sent, was empty/null, or malformed."
)
WITHDRAW_EXCEEDS = Refusal("REF-36", None, "Amount exceeds maxWithdrawAmount.")
# Model preconditions (no exchange code)
UNKNOWN_ACCOUNT = Refusal("REF-40", None, "Unknown account {0}.")
UNKNOWN_SYMBOL = Refusal("REF-41", -1121, "Invalid symbol.")
FUNDING_OUT_OF_RANGE = Refusal(
    "REF-42", None, "Funding rate outside the symbol's fundingFeeFloor … fundingFeeCap."
)
INSURANCE_FUND_ACTION = Refusal(
    "REF-43", None, "The insurance fund does not transfer, change settings or add margin."
)
MARK_NOT_POSITIVE = Refusal("REF-44", None, "Mark price must be positive.")
NOT_A_FUNDING_TIME = Refusal("REF-45", None, "fundingTime {0} is not a funding time of the symbol.")
# Filters (FLT-*): PRICE_FILTER's and LOT_SIZE / MARKET_LOT_SIZE's bounds (A-API list)
PRICE_BELOW_MIN = Refusal("REF-70", -4013, "Price less than min price.")
PRICE_ABOVE_MAX = Refusal("REF-71", -4002, "Price greater than max price.")
QTY_BELOW_MIN = Refusal("REF-72", -4004, "Quantity less than min quantity.")
QTY_ABOVE_MAX = Refusal("REF-73", -4005, "Quantity greater than max quantity.")
# Order amendment (AMEND-*): Binance's list (B-ERR); Aster's lists none of the -50xx codes
AMEND_LIMIT_ONLY = Refusal("REF-74", -5025, "Only limit order is supported.")
AMEND_SAME_ORDER = Refusal("REF-75", -5027, "No need to modify the order.")
AMEND_MIN_NOTIONAL = Refusal("REF-76", -5029, "Order's notional must be no smaller than {0}")

ACCEPTED = "accepted"
REFUSED = "refused"


@attrs.frozen
class Outcome:
    """What an action returned (TRACE-3).

    Accepted: ``order_id`` for ``placeOrder``; ``events`` for fills, funding and sweeps
    (trades, liquidations, ADL, insurance-fund cover). Refused: rule, code and message.
    """

    status: str
    code: int | None = None
    msg: str = ""
    rule: str = ""
    order_id: int | None = None
    events: tuple[Event, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED


def accepted(order_id: int | None = None, events: tuple[Event, ...] = ()) -> Outcome:
    return Outcome(ACCEPTED, order_id=order_id, events=events)


def refused(kind: Refusal, *args: object) -> Outcome:
    """REF-0: the outcome of a refused action (``args`` fill the message's ``{0}``)."""
    text = kind.msg.format(*(a if isinstance(a, str | int) else to_plain(Exact(a)) for a in args))
    return Outcome(REFUSED, code=kind.code, msg=text, rule=kind.rule)


def outcome_json(outcome: Outcome, options: Options) -> dict[str, Any]:
    """TRACE-3: the canonical JSON form (schema ``trace.schema.json#/$defs/outcome``)."""
    if outcome.accepted:
        out: dict[str, Any] = {"status": ACCEPTED}
        if outcome.order_id is not None:
            out["orderId"] = outcome.order_id
        if outcome.events:
            out["events"] = [event_json(e, options) for e in outcome.events]
        return out
    return {"status": REFUSED, "code": outcome.code, "msg": outcome.msg, "rule": outcome.rule}
