"""Coverage targets of the actions themselves: one per action (ACT-1 … ACT-12, ACT-14, ACT-15), unknown
names (ACT-13), every refusal (REF-*) and every event type (TRACE-3)."""

from __future__ import annotations

from marginspec.conformance.coverage.step import Predicate, Step, event
from marginspec.conformance.coverage.target import CRASH, Area, Section
from marginspec.exchange import refusals
from marginspec.exchange.actions import ACTION_RULES

ACTIONS = Area(Section.ACTION)

#: Event types of TRACE-3; each is a target ``event:TYPE`` too.
EVENT_TYPES = (
    "TRADE",
    "FUNDING_FEE",
    "LIQUIDATION",
    "TAKEOVER",
    "INSURANCE_CLEAR",
    "ADL",
    "INSURANCE_COVER",
    "EXPIRED",
    "TRIGGERED",
    "REJECTED",
    "EXPIRED_IN_MATCH",
    "CANCELED",
)

_ACTION_AIMS = {
    "deposit": ("deposit",),
    "withdraw": ("withdraw",),
    "setLeverage": ("set_leverage",),
    "setMarginType": ("set_margin_type",),
    "setPositionMode": ("set_position_mode",),
    "placeOrder": ("place_order",),
    "cancelOrder": ("cancel_order",),
    "fill": ("trade",),
    "markPrice": ("mark_price",),
    "funding": ("funding",),
    "positionMargin": ("position_margin",),
    "liquidationSweep": ("sweep",),
    "cancelAllOpenOrders": ("cancel_all",),
    "lastPrice": ("last_price",),
    "modifyOrder": ("modify_order",),
}

_REFUSAL_AIMS: dict[str, tuple[str, ...]] = {
    "REF-1": ("trade", "place_order", "full_isolated_fill"),
    "REF-2": ("cancel_order", "fill_resting"),
    "REF-4": ("order_then_leverage", "place_order"),
    "REF-8": ("place_order", "position_margin"),
    "REF-9": ("hedge_trade", "place_order"),
    "REF-11": ("fill_resting",),
    "REF-12": ("fill_resting",),
    "REF-13": ("fill_resting",),
    "REF-14": ("fill_resting",),
    "REF-20": ("set_leverage",),
    "REF-21": ("set_leverage", "trade_then_change"),
    "REF-22": ("isolated_trade", "trade_then_change"),
    "REF-23": ("set_margin_type",),
    "REF-24": ("order_then_change",),
    "REF-25": ("trade_then_change",),
    "REF-26": ("set_position_mode",),
    "REF-27": ("order_then_change",),
    "REF-28": ("trade_then_change",),
    "REF-30": ("position_margin",),
    "REF-31": ("isolated_trade",),
    "REF-32": ("isolated_trade",),
    "REF-33": ("position_margin", "isolated_trade"),
    "REF-34": ("deposit", "withdraw", "position_margin"),
    "REF-35": ("position_margin",),
    "REF-36": ("withdraw",),
    "REF-42": ("funding",),
    "REF-43": ("withdraw", "set_leverage"),
    "REF-10": ("out_of_range", "place_order"),
    "REF-15": ("out_of_range",),
    "REF-44": ("out_of_range",),
    "REF-45": ("funding_times",),
    "REF-17": ("immediate_order",),
    "REF-18": ("out_of_range",),
    "REF-19": ("out_of_range",),
    "REF-16": ("opening_against_resting",),
    "REF-3": ("reducing_order", "opening_against_resting"),
    "REF-60": ("conditional_order",),
    "REF-61": ("conditional_order",),
    "REF-63": ("conditional_order",),
    "REF-64": ("conditional_order",),
    "REF-65": ("conditional_order",),
    "REF-66": ("conditional_order",),
    "REF-67": ("last_price",),
    "REF-70": ("filter_bounds",),
    "REF-71": ("filter_bounds",),
    "REF-72": ("lot_bounds",),
    "REF-73": ("lot_bounds",),
    "REF-74": ("conditional_order", "modify_order"),
    "REF-75": ("modify_order",),
    "REF-76": ("amend_adds",),
}

_EVENT_AIMS = {
    "TRADE": ("trade",),
    "FUNDING_FEE": ("funding",),
    "LIQUIDATION": CRASH,
    "TAKEOVER": CRASH,
    "INSURANCE_CLEAR": CRASH,
    "ADL": ("crash_small_fund",),
    "INSURANCE_COVER": ("close_beyond_bankruptcy", "crash_shorts"),
    "EXPIRED": ("immediate_order",),
    "TRIGGERED": ("trigger_story",),
    "REJECTED": ("trigger_story",),
    "EXPIRED_IN_MATCH": ("self_trade",),
    "CANCELED": ("amend_cancels",),
}


#: Refusals the generated runs cannot reach (excluded, with the reason, in ``excluded``).
_UNREACHED = ("REF-37", "REF-62")


def refusal_rules() -> tuple[str, ...]:
    """Every REF-n the model can answer and a generated run can reach (not ``_UNREACHED``)."""
    found = {
        value.rule
        for value in vars(refusals).values()
        if isinstance(value, refusals.Refusal) and value.rule not in _UNREACHED
    }
    return tuple(sorted(found, key=lambda r: int(r.split("-")[1])))


def _action(name: str) -> Predicate:
    return lambda s: s.name == name


def _refusal(rule: str) -> Predicate:
    return lambda s: s.refused(rule)


for _name, _rule in ACTION_RULES.items():
    ACTIONS.target(_rule, f"a `{_name}` action", _ACTION_AIMS[_name])(_action(_name))


@ACTIONS.target(
    "ACT-13",
    "an unknown account or symbol, or the insurance fund where it may not act",
    ("place_order",),
)
def _unknown_name(s: Step) -> bool:
    return s.refused("REF-40", "REF-41", "REF-43")


@ACTIONS.target(
    "REF-0",
    "a refusal that leaves the state unchanged",
    ("place_order",),
    section=Section.REFUSAL,
)
def _refusal_keeps_state(s: Step) -> bool:
    return s.outcome.get("status") == refusals.REFUSED and s.after is s.before


for _rule in refusal_rules():
    ACTIONS.target(
        _rule,
        f"refusal {_rule}",
        _REFUSAL_AIMS.get(_rule, ("place_order",)),
        section=Section.REFUSAL,
    )(_refusal(_rule))

for _kind in EVENT_TYPES:
    ACTIONS.target(
        f"event:{_kind}", f"an event `{_kind}`", _EVENT_AIMS[_kind], section=Section.EVENT
    )(event(_kind))
