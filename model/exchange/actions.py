"""Actions: one frozen class per exchange operation, with its JSON form (ACT-*, TRACE-2).

JSON names follow the exchange API (Aster ``/fapi/v3``, copied from Binance USDⓈ-M):
``{"action": "placeOrder", "account": "A", "symbol": "BTCUSDT", "side": "BUY",
"positionSide": "BOTH", "type": "LIMIT", "price": "80000", "quantity": "0.1",
"reduceOnly": false}``. Numbers are decimal strings (exact; a JSON float is refused).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import attrs

from marginspec.account import (
    CONDITIONAL_TYPES,
    MarginType,
    OrderSide,
    PositionSide,
    parse_order_type,
)
from marginspec.errors import InputError
from marginspec.numbers import Exact, exact, quote, to_plain
from marginspec.ruleset import SelfTradePrevention


@attrs.frozen
class Deposit:
    """ACT-1: transfer into the futures wallet (``POST /fapi/v3/asset/wallet/transfer``)."""

    account: str
    amount: Exact


@attrs.frozen
class Withdraw:
    """ACT-2: transfer out of the futures wallet, capped by ``maxWithdrawAmount`` (XFER-1)."""

    account: str
    amount: Exact


@attrs.frozen
class SetLeverage:
    """ACT-3: ``POST /fapi/v3/leverage`` (symbol, leverage)."""

    account: str
    symbol: str
    leverage: int


@attrs.frozen
class SetMarginType:
    """ACT-4: ``POST /fapi/v3/marginType`` (symbol, ``ISOLATED`` or ``CROSSED``)."""

    account: str
    symbol: str
    margin_type: MarginType


@attrs.frozen
class SetPositionMode:
    """ACT-5: ``POST /fapi/v3/positionSide/dual`` (``dualSidePosition``: hedge mode)."""

    account: str
    dual_side_position: bool


#: ACT-ORD-6: the ``timeInForce`` values of ``POST /fapi/v3/order`` (A-API).
TIME_IN_FORCE: tuple[str, ...] = ("GTC", "IOC", "FOK", "GTX")

#: STP-1: ``selfTradePreventionMode`` (B-NEWORDER; Aster's ``stpMode``, A-API).
STP_MODES: tuple[str, ...] = tuple(m.value for m in SelfTradePrevention)

#: The order types ``placeOrder`` models (``ORDER_TYPES``, ORD-3; the conditional ones
#: ACT-COND-1).
PLACEABLE_TYPES: tuple[str, ...] = (
    "LIMIT",
    "MARKET",
    "STOP",
    "STOP_MARKET",
    "TAKE_PROFIT",
    "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
)

#: ACT-COND-3: what a conditional order's ``stopPrice`` is compared with (A-API).
WORKING_TYPES: tuple[str, ...] = ("MARK_PRICE", "CONTRACT_PRICE")


@attrs.frozen
class PlaceOrder:
    """ACT-6: ``POST /fapi/v3/order``, type LIMIT (time in force GTC, IOC, FOK or GTX) or
    MARKET (ACT-ORD-7: no price; ``price`` is 0 and not written)."""

    account: str
    symbol: str
    side: OrderSide
    position_side: PositionSide
    price: Exact
    quantity: Exact
    reduce_only: bool = False
    order_type: str = "LIMIT"
    time_in_force: str = "GTC"
    #: ACT-COND-1: the conditional orders' parameters (None / defaults on other types).
    stop_price: Exact | None = None
    working_type: str = "CONTRACT_PRICE"
    price_protect: bool = False
    close_position: bool = False
    activation_price: Exact | None = None
    callback_rate: Exact | None = None
    #: STP-1: ``selfTradePreventionMode``; None: the rule set's default.
    self_trade_prevention_mode: str | None = None


@attrs.frozen
class CancelOrder:
    """ACT-7: ``DELETE /fapi/v3/order`` (by ``orderId``)."""

    account: str
    order_id: int


@attrs.frozen
class CancelAllOrders:
    """ACT-14: ``DELETE /fapi/v3/allOpenOrders`` (every open order of a symbol)."""

    account: str
    symbol: str


@attrs.frozen
class ModifyOrder:
    """ACT-15: ``PUT /fapi/v3/order``: a resting LIMIT order's new price and quantity
    (both sent, as the venues require; AMEND-1)."""

    account: str
    symbol: str
    order_id: int
    price: Exact
    quantity: Exact


@attrs.frozen
class Fill:
    """ACT-8: the taker order trades against the resting maker order (FILL-1).

    The price is the maker's limit price; ``quantity`` defaults to the smaller of the
    two remaining quantities.
    """

    maker_order_id: int
    taker_order_id: int
    quantity: Exact | None = None


@attrs.frozen
class MarkPrice:
    """ACT-9: a new mark price for a symbol (``markPriceUpdate`` stream)."""

    symbol: str
    mark_price: Exact


@attrs.frozen
class LastPrice:
    """ACT-16: a new last traded price for a symbol (the ``CONTRACT_PRICE`` conditional
    orders watch, ACT-COND-9)."""

    symbol: str
    last_price: Exact


@attrs.frozen
class Funding:
    """ACT-10: funding settlement at ``fundingRate``, or at the rate FUND-4 computes from
    the interval's ``premiumIndex`` samples (``FUNDING_FEE`` income)."""

    symbol: str
    funding_rate: Exact | None
    premium_index: tuple[Exact, ...] = ()
    #: FUND-6: the funding time settled (epoch ms), checked against the market's interval.
    funding_time: int | None = None


@attrs.frozen
class PositionMargin:
    """ACT-11: ``POST /fapi/v3/positionMargin``: type 1 adds, type 2 removes isolated margin."""

    account: str
    symbol: str
    position_side: PositionSide
    amount: Exact
    type: int


@attrs.frozen
class LiquidationSweep:
    """ACT-12: liquidate every account below maintenance (LIQP-*), then ADL (ADL-*)."""


Action: TypeAlias = (
    Deposit
    | Withdraw
    | SetLeverage
    | SetMarginType
    | SetPositionMode
    | PlaceOrder
    | CancelOrder
    | Fill
    | MarkPrice
    | Funding
    | PositionMargin
    | LiquidationSweep
    | CancelAllOrders
    | LastPrice
    | ModifyOrder
)

# ---------------------------------------------------------------- JSON form

_MARGIN_TYPES = {"ISOLATED": MarginType.ISOLATED, "CROSSED": MarginType.CROSS}
_MARGIN_NAMES = {v: k for k, v in _MARGIN_TYPES.items()}


class _Reader:
    def __init__(self, data: Mapping[str, Any], where: str, allowed: set[str]) -> None:
        self.data = data
        self.where = where
        for key in data:
            if key not in allowed and key != "action":
                raise InputError(f"{where}/{key}", f"unknown field for action {data['action']!r}")

    def _get(self, key: str, default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise InputError(self.where or "/", f"missing required field {key!r}")
            return default
        return self.data[key]

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value:
            raise InputError(f"{self.where}/{key}", "expected a non-empty string")
        return value

    def number(self, key: str) -> Exact:
        return exact(self._get(key), f"{self.where}/{key}")

    def optional_number(self, key: str) -> Exact | None:
        value = self._get(key, None)
        return None if value is None else exact(value, f"{self.where}/{key}")

    def integer(self, key: str) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"{self.where}/{key}", "expected an integer")
        return value

    def boolean(self, key: str, default: bool | None = None) -> bool:
        value = self._get(key, ... if default is None else default)
        if not isinstance(value, bool):
            raise InputError(f"{self.where}/{key}", "expected true or false")
        return value

    def choice(self, key: str, table: Mapping[str, Any], default: str | None = None) -> Any:
        value = self._get(key, ... if default is None else default)
        if not isinstance(value, str) or value not in table:
            allowed = ", ".join(repr(k) for k in table)
            raise InputError(f"{self.where}/{key}", f"{quote(value)} is not one of {allowed}")
        return table[value]


_SIDES = {s.value: s for s in OrderSide}
_POSITION_SIDES = {s.value: s for s in PositionSide}


def _funding(r: _Reader) -> Funding:
    """The funding action (ACT-10): exactly one of ``fundingRate`` and ``premiumIndex`` (FUND-4, FUND-5)."""
    samples = r.data.get("premiumIndex")
    time = _funding_time(r)
    if samples is None:
        return Funding(r.text("symbol"), r.number("fundingRate"), funding_time=time)
    if "fundingRate" in r.data:
        raise InputError(r.where or "/", "give either fundingRate or premiumIndex, not both")
    if not isinstance(samples, list) or not samples:
        raise InputError(f"{r.where}/premiumIndex", "expected a non-empty list of decimal strings")
    return Funding(
        r.text("symbol"),
        None,
        tuple(exact(p, f"{r.where}/premiumIndex/{i}") for i, p in enumerate(samples)),
        time,
    )


def _funding_time(r: _Reader) -> int | None:
    """The optional ``fundingTime`` of a funding action (FUND-6): epoch milliseconds ≥ 0."""
    if r.data.get("fundingTime") is None:
        return None
    value = r.integer("fundingTime")
    if value < 0:
        raise InputError(f"{r.where}/fundingTime", "expected milliseconds since the epoch, ≥ 0")
    return value


#: ACT-COND-1: the fields each conditional type takes beyond the ordinary ones (A-API
#: ``POST /fapi/v3/order``: "Additional mandatory parameters based on type").
_CONDITIONAL_FIELDS = {
    "STOP": {"price", "timeInForce", "stopPrice"},
    "TAKE_PROFIT": {"price", "timeInForce", "stopPrice"},
    "STOP_MARKET": {"stopPrice", "closePosition"},
    "TAKE_PROFIT_MARKET": {"stopPrice", "closePosition"},
    "TRAILING_STOP_MARKET": {"activationPrice", "callbackRate"},
}
_ALL_CONDITIONAL = {
    "stopPrice",
    "closePosition",
    "activationPrice",
    "callbackRate",
    "workingType",
    "priceProtect",
}


def _place_conditional(r: _Reader, kind: str) -> PlaceOrder:
    """ACT-COND-1: a conditional order's JSON form; a field its type does not take is an
    input error (as ``price`` on a MARKET order), a conflict the venue answers with a code
    (``quantity`` with ``closePosition``) is left to the placement checks (ACT-COND-2)."""
    allowed = _CONDITIONAL_FIELDS[kind] | {"workingType", "priceProtect"}
    for key in r.data:
        if key in ({"price", "timeInForce"} | _ALL_CONDITIONAL) - allowed:
            raise InputError(f"{r.where}/{key}", f"not sent with a {kind} order")
    close = r.boolean("closePosition", False) if "closePosition" in allowed else False
    limit = "price" in allowed
    trailing = kind == "TRAILING_STOP_MARKET"
    return PlaceOrder(
        account=r.text("account"),
        symbol=r.text("symbol"),
        side=r.choice("side", _SIDES),
        position_side=r.choice("positionSide", _POSITION_SIDES, "BOTH"),
        price=r.number("price") if limit else Exact(0),
        quantity=r.number("quantity") if not close or "quantity" in r.data else Exact(0),
        reduce_only=r.boolean("reduceOnly", False),
        order_type=kind,
        time_in_force=r.choice("timeInForce", {t: t for t in TIME_IN_FORCE}, "GTC")
        if limit
        else "GTC",
        stop_price=None if trailing else r.number("stopPrice"),
        working_type=r.choice("workingType", {w: w for w in WORKING_TYPES}, "CONTRACT_PRICE"),
        price_protect=r.boolean("priceProtect", False),
        close_position=close,
        activation_price=r.optional_number("activationPrice") if trailing else None,
        callback_rate=r.number("callbackRate") if trailing else None,
    )


def _place(r: _Reader) -> PlaceOrder:
    kind = parse_order_type(r._get("type", "LIMIT"), f"{r.where}/type")
    if kind in CONDITIONAL_TYPES:
        return _place_conditional(r, kind)
    for key in _ALL_CONDITIONAL:
        if key in r.data:
            raise InputError(f"{r.where}/{key}", f"not sent with a {kind} order")
    if kind == "MARKET":
        for key in ("price", "timeInForce"):
            if key in r.data:
                raise InputError(f"{r.where}/{key}", "not sent with a MARKET order")
        price = Exact(0)
        tif = "GTC"
    else:
        price = r.number("price")
        tif = r.choice("timeInForce", {t: t for t in TIME_IN_FORCE}, "GTC")
    return PlaceOrder(
        account=r.text("account"),
        symbol=r.text("symbol"),
        side=r.choice("side", _SIDES),
        position_side=r.choice("positionSide", _POSITION_SIDES, "BOTH"),
        price=price,
        quantity=r.number("quantity"),
        reduce_only=r.boolean("reduceOnly", False),
        order_type=kind,
        time_in_force=tif,
        self_trade_prevention_mode=_stp_mode(r),
    )


def _stp_mode(r: _Reader) -> str | None:
    if "selfTradePreventionMode" not in r.data:
        return None
    return str(r.choice("selfTradePreventionMode", {m: m for m in STP_MODES}))


_PARSERS: dict[str, tuple[set[str], Callable[[_Reader], Action]]] = {
    "deposit": ({"account", "amount"}, lambda r: Deposit(r.text("account"), r.number("amount"))),
    "withdraw": ({"account", "amount"}, lambda r: Withdraw(r.text("account"), r.number("amount"))),
    "setLeverage": (
        {"account", "symbol", "leverage"},
        lambda r: SetLeverage(r.text("account"), r.text("symbol"), r.integer("leverage")),
    ),
    "setMarginType": (
        {"account", "symbol", "marginType"},
        lambda r: SetMarginType(
            r.text("account"), r.text("symbol"), r.choice("marginType", _MARGIN_TYPES)
        ),
    ),
    "setPositionMode": (
        {"account", "dualSidePosition"},
        lambda r: SetPositionMode(r.text("account"), r.boolean("dualSidePosition")),
    ),
    "placeOrder": (
        {
            "account",
            "symbol",
            "side",
            "positionSide",
            "type",
            "timeInForce",
            "price",
            "quantity",
            "reduceOnly",
            *_ALL_CONDITIONAL,
            "selfTradePreventionMode",
        },
        _place,
    ),
    "cancelOrder": (
        {"account", "orderId"},
        lambda r: CancelOrder(r.text("account"), r.integer("orderId")),
    ),
    "fill": (
        {"makerOrderId", "takerOrderId", "quantity"},
        lambda r: Fill(
            r.integer("makerOrderId"), r.integer("takerOrderId"), r.optional_number("quantity")
        ),
    ),
    "markPrice": (
        {"symbol", "markPrice"},
        lambda r: MarkPrice(r.text("symbol"), r.number("markPrice")),
    ),
    "funding": ({"symbol", "fundingRate", "premiumIndex", "fundingTime"}, _funding),
    "positionMargin": (
        {"account", "symbol", "positionSide", "amount", "type"},
        lambda r: PositionMargin(
            r.text("account"),
            r.text("symbol"),
            r.choice("positionSide", _POSITION_SIDES, "BOTH"),
            r.number("amount"),
            r.integer("type"),
        ),
    ),
    "liquidationSweep": (set(), lambda r: LiquidationSweep()),
    "cancelAllOpenOrders": (
        {"account", "symbol"},
        lambda r: CancelAllOrders(r.text("account"), r.text("symbol")),
    ),
    "lastPrice": (
        {"symbol", "lastPrice"},
        lambda r: LastPrice(r.text("symbol"), r.number("lastPrice")),
    ),
    "modifyOrder": (
        {"account", "symbol", "orderId", "price", "quantity"},
        lambda r: ModifyOrder(
            r.text("account"),
            r.text("symbol"),
            r.integer("orderId"),
            r.number("price"),
            r.number("quantity"),
        ),
    ),
}

ACTION_NAMES: tuple[str, ...] = tuple(_PARSERS)

#: The rule of each action: ACT-1 … ACT-12 in the order above, then ACT-14 (ACT-13 is
#: the rule on unknown names) ACT-15 (modifyOrder) and ACT-16 (lastPrice).
ACTION_RULES: dict[str, str] = {
    **{name: f"ACT-{i}" for i, name in enumerate(ACTION_NAMES[:12], start=1)},
    "cancelAllOpenOrders": "ACT-14",
    "lastPrice": "ACT-16",
    "modifyOrder": "ACT-15",
}


def parse_action(data: Any, where: str = "") -> Action:
    """TRACE-2: an action from its JSON form (already decoded); errors name the JSON pointer."""
    if not isinstance(data, dict):
        raise InputError(where or "/", "an action must be a JSON object")
    name = data.get("action")
    if not isinstance(name, str) or name not in _PARSERS:
        raise InputError(
            f"{where}/action", f"{quote(name)} is not one of {', '.join(repr(n) for n in _PARSERS)}"
        )
    allowed, parse = _PARSERS[name]
    return parse(_Reader(data, where, allowed))


def _num(value: Exact) -> str:
    return to_plain(value)


def action_json(action: Action) -> dict[str, Any]:
    """The canonical JSON form of an action (every field written, numbers exact)."""
    match action:
        case Deposit(account, amount):
            return {"action": "deposit", "account": account, "amount": _num(amount)}
        case Withdraw(account, amount):
            return {"action": "withdraw", "account": account, "amount": _num(amount)}
        case SetLeverage(account, symbol, leverage):
            return {
                "action": "setLeverage",
                "account": account,
                "symbol": symbol,
                "leverage": leverage,
            }
        case SetMarginType(account, symbol, margin_type):
            return {
                "action": "setMarginType",
                "account": account,
                "symbol": symbol,
                "marginType": _MARGIN_NAMES[margin_type],
            }
        case SetPositionMode(account, dual):
            return {"action": "setPositionMode", "account": account, "dualSidePosition": dual}
        case PlaceOrder(
            account, symbol, side, position_side, price, quantity, reduce_only, kind, tif
        ):
            stp = action.self_trade_prevention_mode
            placed: dict[str, Any] = {
                "action": "placeOrder",
                "account": account,
                "symbol": symbol,
                "side": side.value,
                "positionSide": position_side.value,
                "type": kind,
            }
            if tif != "GTC":  # GTC is the default; written only when it is not
                placed["timeInForce"] = tif
            if kind != "MARKET" and kind in ("LIMIT", "STOP", "TAKE_PROFIT"):
                placed["price"] = _num(price)
            if not (action.close_position and quantity == 0):
                placed["quantity"] = _num(quantity)
            placed["reduceOnly"] = reduce_only
            if kind in CONDITIONAL_TYPES:
                placed.update(_conditional_json(action))
            if stp is not None:  # written only when sent: the rule set's default otherwise
                placed["selfTradePreventionMode"] = stp
            return placed
        case CancelOrder(account, order_id):
            return {"action": "cancelOrder", "account": account, "orderId": order_id}
        case Fill(maker, taker, quantity):
            out: dict[str, Any] = {"action": "fill", "makerOrderId": maker, "takerOrderId": taker}
            if quantity is not None:
                out["quantity"] = _num(quantity)
            return out
        case MarkPrice(symbol, mark):
            return {"action": "markPrice", "symbol": symbol, "markPrice": _num(mark)}
        case Funding(symbol, rate, samples, time):
            settled: dict[str, Any] = {"action": "funding", "symbol": symbol}
            if rate is None:
                settled["premiumIndex"] = [_num(p) for p in samples]
            else:
                settled["fundingRate"] = _num(rate)
            if time is not None:  # FUND-6
                settled["fundingTime"] = time
            return settled
        case PositionMargin(account, symbol, position_side, amount, kind):
            return {
                "action": "positionMargin",
                "account": account,
                "symbol": symbol,
                "positionSide": position_side.value,
                "amount": _num(amount),
                "type": kind,
            }
        case LiquidationSweep():
            return {"action": "liquidationSweep"}
        case CancelAllOrders(account, symbol):
            return {"action": "cancelAllOpenOrders", "account": account, "symbol": symbol}
        case LastPrice(symbol, last):
            return {"action": "lastPrice", "symbol": symbol, "lastPrice": _num(last)}
        case ModifyOrder(account, symbol, order_id, price, quantity):
            return {
                "action": "modifyOrder",
                "account": account,
                "symbol": symbol,
                "orderId": order_id,
                "price": _num(price),
                "quantity": _num(quantity),
            }
    raise TypeError(f"not an action: {action!r}")


def _conditional_json(a: PlaceOrder) -> dict[str, Any]:
    """A conditional order's own fields, every one its type takes (ACT-COND-1)."""
    out: dict[str, Any] = {}
    if a.stop_price is not None:
        out["stopPrice"] = _num(a.stop_price)
    if a.order_type in ("STOP_MARKET", "TAKE_PROFIT_MARKET"):
        out["closePosition"] = a.close_position
    if a.activation_price is not None:
        out["activationPrice"] = _num(a.activation_price)
    if a.callback_rate is not None:
        out["callbackRate"] = _num(a.callback_rate)
    out["workingType"] = a.working_type
    out["priceProtect"] = a.price_protect
    return out
