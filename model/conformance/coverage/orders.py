"""Coverage targets of orders: the order action's rules (ACT-ORD-*), the opening loss
(COST) and open-order margin (ORD)."""

from __future__ import annotations

from typing import Any

from marginspec.conformance.coverage.step import Step
from marginspec.conformance.coverage.target import Area, Section
from marginspec.numbers import Exact, exact
from marginspec.ruleset import OrderMarginCheck, ReduceOnlyNetting

ORDERS = Area(Section.FIGURE)


def _placed(s: Step) -> bool:
    return s.name == "placeOrder" and s.accepted


def _reducing(action: dict[str, Any]) -> bool:
    side, position_side = action.get("side"), action.get("positionSide")
    return bool(action.get("reduceOnly")) or (side, position_side) in (
        ("SELL", "LONG"),
        ("BUY", "SHORT"),
    )


# ------------------------------------------------------------------ the order action


def _against_resting(s: Step) -> bool:
    """The order points against its side's position, and orders of its direction rest."""
    a = s.action
    direction = 1 if a["side"] == "BUY" else -1
    held = s.amount(a["account"], a["symbol"], a["positionSide"], after=False)
    acct = s.before.accounts[a["account"]]
    resting = any(
        o.symbol == a["symbol"]
        and o.position_side.value == a["positionSide"]
        and o.side.value == a["side"]
        for o in acct.orders
    )
    return bool(held * direction < 0 and resting)


@ORDERS.target(
    "ACT-ORD-3",
    "option opening: an order against the position refused for margin because resting "
    "orders of its direction make it opening; option requirement: an accepted reducing order",
    ("opening_against_resting", "reducing_order"),
    section=Section.ACTION,
)
def _opening_by_classification(s: Step) -> bool:
    if s.ruleset.options.order_margin_check is OrderMarginCheck.REQUIREMENT:
        return _placed(s) and _reducing(s.action)
    return s.name == "placeOrder" and s.refused("REF-1", "REF-16") and _against_resting(s)


@ORDERS.target(
    "ACT-ORD-4",
    "option netted: -2022 for a reducing order within its position but beyond it with the "
    "resting reducing ones; option at-fill: an accepted reducing order below minNotional",
    ("opening_against_resting", "reducing_order"),
    section=Section.ACTION,
)
def _netted_reducing(s: Step) -> bool:
    if s.ruleset.options.reduce_only_netting is ReduceOnlyNetting.AT_FILL:
        return _reducing_below_min_notional(s)
    if not (s.name == "placeOrder" and s.refused("REF-3") and _against_resting(s)):
        return False
    held = s.amount(s.action["account"], s.action["symbol"], s.action["positionSide"], after=False)
    return bool(exact(s.action["quantity"]) <= abs(held))


def _reduce_with_resting(s: Step) -> tuple[Exact, Exact, Exact] | None:
    """(quantity, resting, |position|) of a reducing order placed while reducing orders
    of its side and direction rest (ACT-ORD-4's netting), accepted or refused."""
    a = s.action
    if s.name != "placeOrder" or not _reducing(a) or "quantity" not in a:
        return None
    held = abs(s.amount(a["account"], a["symbol"], a["positionSide"], after=False))
    if held == 0:  # also an unknown account (REF-40), which has no orders to read
        return None
    resting = sum(
        (
            o.remaining
            for o in s.before.accounts[a["account"]].orders
            if o.symbol == a["symbol"]
            and o.position_side.value == a["positionSide"]
            and o.side.value == a["side"]
            and (
                o.reduce_only
                or _reducing({"side": o.side.value, "positionSide": o.position_side.value})
            )
        ),
        Exact(0),
    )
    if resting == 0:
        return None
    return exact(a["quantity"]), resting, held


# Branch targets (discriminating): an engine that does not net resting reducing orders,
# or compares the wrong way, answers differently on one side of the position's size.
for _branch, _what, _test in (
    ("larger", "larger than", lambda q, r, h: q > h),
    ("equal", "equal to", lambda q, r, h: q == h),
    ("smaller", "smaller than", lambda q, r, h: q < h),
    (
        "netted",
        "exactly the position less the resting reducing orders,",
        lambda q, r, h: q + r == h,
    ),
):
    ORDERS.target(
        f"ACT-ORD-4:{_branch}",
        f"a reducing order {_what} the position while reducing orders rest",
        ("reducing_orders",),
        section=Section.ACTION,
    )(lambda s, test=_test: (found := _reduce_with_resting(s)) is not None and test(*found))


def _reducing_below_min_notional(s: Step) -> bool:
    a = s.action
    if not _placed(s) or not _reducing(a) or "price" not in a:
        return False
    market = s.ruleset.markets[a["symbol"]]
    return bool(exact(a["price"]) * exact(a["quantity"]) < market.min_notional)


def _immediate(s: Step) -> bool:
    a = s.action
    return _placed(s) and (a.get("type") == "MARKET" or a.get("timeInForce") in ("IOC", "FOK"))


def _trades_of(s: Step) -> list[dict[str, Any]]:
    return [e for e in s.outcome.get("events", []) if e["type"] == "TRADE"]


@ORDERS.target(
    "ACT-ORD-6",
    "an IOC or FOK order whose unfilled rest expired",
    ("immediate_order",),
    section=Section.ACTION,
)
def _limit_rest_expired(s: Step) -> bool:
    return (
        _placed(s)
        and s.action.get("timeInForce") in ("IOC", "FOK")
        and any(e["type"] == "EXPIRED" for e in s.outcome.get("events", []))
    )


@ORDERS.target(
    "ACT-ORD-7",
    "an accepted MARKET order that traded",
    ("immediate_order",),
    section=Section.ACTION,
)
def _market_traded(s: Step) -> bool:
    return _placed(s) and s.action.get("type") == "MARKET" and bool(_trades_of(s))


@ORDERS.target(
    "ACT-ORD-8",
    "an immediate order trading with two makers, best price first",
    ("immediate_order",),
    section=Section.ACTION,
)
def _two_makers(s: Step) -> bool:
    if not _immediate(s):
        return False
    makers = [e for e in _trades_of(s) if e["orderId"] != s.outcome.get("orderId")]
    return len({e["orderId"] for e in makers}) >= 2


@ORDERS.target("COST-3", "an accepted MARKET order opening from a flat side")
def _market_opens(s: Step) -> bool:
    a = s.action
    return (
        _placed(s)
        and a.get("type") == "MARKET"
        and not _reducing(a)
        and s.amount(a["account"], a["symbol"], a["positionSide"], after=False) == 0
    )


@ORDERS.target(
    "ACT-ORD-9",
    "a LIMIT order outside the PERCENT_PRICE band",
    ("place_order",),
    section=Section.ACTION,
)
def _outside_band(s: Step) -> bool:
    return s.name == "placeOrder" and s.refused("REF-18", "REF-19")


@ORDERS.target("ACT-ORD-5", "-2027 on placing an order", ("place_order",), section=Section.ACTION)
def _order_over_cap(s: Step) -> bool:
    return s.name == "placeOrder" and s.refused("REF-4")


@ORDERS.target(
    "ACT-ORD-10",
    "an order accepted as the account's last allowed open order on the symbol",
    ("order_cap",),
    section=Section.ACTION,
)
def _up_to_order_cap(s: Step) -> bool:
    if not _placed(s):
        return False
    a = s.action
    held = sum(1 for o in s.after.accounts[a["account"]].orders if o.symbol == a["symbol"])
    return held == s.ruleset.markets[a["symbol"]].max_num_orders


@ORDERS.target("REF-37", "-2025: one order past MAX_NUM_ORDERS", ("order_cap",))
def _past_order_cap(s: Step) -> bool:
    return s.name == "placeOrder" and s.refused("REF-37")


# ------------------------------------------------------------------ cost and open-order margin


@ORDERS.target("COST-1", "an accepted order opening from a flat side")
def _opens_from_flat(s: Step) -> bool:
    a = s.action
    return (
        _placed(s)
        and not _reducing(a)
        and s.amount(a["account"], a["symbol"], a["positionSide"], after=False) == 0
    )


@ORDERS.target("COST-2", "an accepted order priced worse than the mark")
def _open_loss(s: Step) -> bool:
    """COST-2: an accepted opening order priced worse than the mark."""
    a = s.action
    if not _placed(s) or _reducing(a) or "price" not in a:
        return False
    price, mark = exact(a["price"]), s.before.mark_prices[a["symbol"]]
    return bool(price > mark if a["side"] == "BUY" else price < mark)


@ORDERS.target(
    "ORD-1", "a position side with a position and resting bids and asks", ("both_books",)
)
def _side_with_both_books(s: Step) -> bool:
    """ORD-1: a position side holding a position and resting bids and asks."""
    for acct in s.after.accounts.values():
        for (symbol, side), pos in acct.positions.items():
            if pos.position_amt == 0:
                continue
            mine = [o for o in acct.orders if o.symbol == symbol and o.position_side is side]
            if {o.side.value for o in mine} == {"BUY", "SELL"}:
                return True
    return False


@ORDERS.target("ORD-2", "non-zero open-order initial margin")
def _open_order_margin(s: Step) -> bool:
    for name, acct in s.after.accounts.items():
        if acct.orders and any(
            p.open_order_initial_margin > 0 for p in s.figures(name, prices=False).positions
        ):
            return True
    return False


@ORDERS.target("ORD-3", "a partly filled order whose remaining quantity is margined", ("trade",))
def _partly_filled_order_margined(s: Step) -> bool:
    """ORD-3: a partly filled order rests and its remaining quantity is margined."""
    for name, acct in s.after.accounts.items():
        for o in acct.orders:
            if o.executed_qty > 0:
                p = s.position(name, o.symbol, o.position_side)
                if p is not None and p.open_order_initial_margin > 0:
                    return True
    return False
