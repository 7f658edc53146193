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

from marginspec.account import MarginType, OrderSide, PositionSide, parse_order_type
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

#: The order types ``placeOrder`` models today (a subset of ``ORDER_TYPES``, ORD-3).
PLACEABLE_TYPES: tuple[str, ...] = ("LIMIT", "MARKET")


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
class Funding:
    """ACT-10: funding settlement at ``fundingRate``, or at the rate FUND-4 computes from
    the interval's ``premiumIndex`` samples (``FUNDING_FEE`` income)."""

    symbol: str
    funding_rate: Exact | None
    premium_index: tuple[Exact, ...] = ()


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
    if samples is None:
        return Funding(r.text("symbol"), r.number("fundingRate"))
    if "fundingRate" in r.data:
        raise InputError(r.where or "/", "give either fundingRate or premiumIndex, not both")
    if not isinstance(samples, list) or not samples:
        raise InputError(f"{r.where}/premiumIndex", "expected a non-empty list of decimal strings")
    return Funding(
        r.text("symbol"),
        None,
        tuple(exact(p, f"{r.where}/premiumIndex/{i}") for i, p in enumerate(samples)),
    )


def _place(r: _Reader) -> PlaceOrder:
    kind = parse_order_type(r._get("type", "LIMIT"), f"{r.where}/type")
    if kind not in PLACEABLE_TYPES:
        raise InputError(
            f"{r.where}/type",
            f"{kind} orders are not modelled yet (placeOrder takes {', '.join(PLACEABLE_TYPES)})",
        )
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
    "funding": ({"symbol", "fundingRate", "premiumIndex"}, _funding),
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
#: the rule on unknown names) and ACT-15 (the number before it is left to the
#: conditional orders' ``lastPrice``, issue 14).
ACTION_RULES: dict[str, str] = {
    **{name: f"ACT-{i}" for i, name in enumerate(ACTION_NAMES[:12], start=1)},
    "cancelAllOpenOrders": "ACT-14",
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
            account, symbol, side, position_side, price, quantity, reduce_only, kind, tif, stp
        ):
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
            if kind != "MARKET":
                placed["price"] = _num(price)
            placed["quantity"] = _num(quantity)
            placed["reduceOnly"] = reduce_only
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
        case Funding(symbol, rate, samples):
            if rate is None:
                return {
                    "action": "funding",
                    "symbol": symbol,
                    "premiumIndex": [_num(p) for p in samples],
                }
            return {"action": "funding", "symbol": symbol, "fundingRate": _num(rate)}
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
