"""Coverage targets of the conditional orders (ACT-COND-*): placed, refused, fired one by
one or several at once, held back by ``priceProtect``, and the last price trades set."""

from __future__ import annotations

from marginspec.account import CONDITIONAL_TYPES
from marginspec.conformance.coverage.step import Step
from marginspec.conformance.coverage.target import Area, Section
from marginspec.exchange.triggers import fires, track, working_price

CONDITIONAL = Area(Section.ACTION)

_STORY = ("trigger_story",)
_PRICE_ACTIONS = ("markPrice", "lastPrice")


def _triggered(s: Step) -> list[int]:
    return [e["orderId"] for e in s.events("TRIGGERED")]


def _kinds_fired(s: Step) -> set[str]:
    ids = set(_triggered(s))
    return {
        o.order_type
        for acct in s.before.accounts.values()
        for o in acct.orders
        if o.order_id in ids
    }


@CONDITIONAL.target(
    "ACT-COND-1", "a conditional order accepted: it waits untriggered", ("conditional_order",)
)
def _placed(s: Step) -> bool:
    return s.name == "placeOrder" and s.accepted and s.action.get("type") in CONDITIONAL_TYPES


@CONDITIONAL.target(
    "ACT-COND-2",
    "a conditional order refused by one of its own placement checks",
    ("conditional_order",),
)
def _refused(s: Step) -> bool:
    return s.name == "placeOrder" and s.refused(
        "REF-60", "REF-61", "REF-63", "REF-64", "REF-65", "REF-62"
    )


@CONDITIONAL.target("ACT-COND-3", "a STOP or TAKE_PROFIT order fired by a price action", _STORY)
def _stop_fired(s: Step) -> bool:
    return bool(_kinds_fired(s) - {"TRAILING_STOP_MARKET"})


@CONDITIONAL.target("ACT-COND-4", "a trailing stop fired by a price action", _STORY)
def _trailing_fired(s: Step) -> bool:
    return "TRAILING_STOP_MARKET" in _kinds_fired(s)


@CONDITIONAL.target(
    "ACT-COND-5", "a triggered order placed: it trades or rests under its own id", _STORY
)
def _placed_after_trigger(s: Step) -> bool:
    ids = set(_triggered(s))
    traded = any(e.get("orderId") in ids for e in s.events("TRADE"))
    rests = any(o.order_id in ids for acct in s.after.accounts.values() for o in acct.orders)
    return traded or rests


@CONDITIONAL.target("ACT-COND-6", "one price action firing two or more orders", _STORY)
def _several(s: Step) -> bool:
    return len(_triggered(s)) >= 2


@CONDITIONAL.target(
    "ACT-COND-8", "a priceProtect order whose condition holds but that does not fire", _STORY
)
def _protected(s: Step) -> bool:
    if s.name not in _PRICE_ACTIONS or not s.accepted:
        return False
    symbol = s.action["symbol"]
    fired = set(_triggered(s))
    for acct in s.before.accounts.values():
        for o in acct.orders:
            if o.symbol != symbol or not o.price_protect or o.order_id in fired:
                continue
            price = working_price(s.after, symbol, o.working_type)
            if fires(track(o, price), price):
                return True
    return False


@CONDITIONAL.target(
    "ACT-COND-9", "a trade that moves the last price off the mark", ("trade", "trigger_story")
)
def _trade_sets_last(s: Step) -> bool:
    if not s.events("TRADE"):
        return False
    symbol = s.events("TRADE")[0]["symbol"]
    return bool(s.after.last_price(symbol) != s.after.mark_prices[symbol])
