"""Account snapshots: the input of ``marginspec evaluate`` in the API's vocabulary (SNAP-*).

Parsing reports every problem with a JSON pointer (``/positions/0/markPrice``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from marginspec.errors import InputError
from marginspec.numbers import Exact, exact, exact_nonnegative, exact_positive, quote
from marginspec.ruleset import RuleSet


class PositionSide(enum.Enum):
    BOTH = "BOTH"
    LONG = "LONG"
    SHORT = "SHORT"

    # Members are singletons: identity hashing is correct and runs in C, where Enum's
    # own __hash__ is Python code; position keys (symbol, side) are hashed on every
    # lookup of the account model.
    __hash__ = object.__hash__


class MarginType(enum.Enum):
    CROSS = "cross"
    ISOLATED = "isolated"

    __hash__ = object.__hash__  # as PositionSide's


class OrderSide(enum.Enum):
    BUY = "BUY"
    SELL = "SELL"

    __hash__ = object.__hash__  # as PositionSide's

    @property
    def direction(self) -> int:
        return 1 if self is OrderSide.BUY else -1


#: The order types of ``POST /fapi/v3/order`` (A-API, copied from Binance USDⓈ-M): the
#: one enumeration of the model. Snapshot parsing refuses any other type (SNAP-1) and
#: ORD-3 reads which of them hold margin from here.
ORDER_TYPES: tuple[str, ...] = (
    "LIMIT",
    "MARKET",
    "STOP",
    "STOP_MARKET",
    "TAKE_PROFIT",
    "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
)

#: Conditional orders need no margin until triggered (ORD-3, B-MREQ).
CONDITIONAL_TYPES = frozenset(
    {"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"}
)

#: ORD-3: the only type whose remaining quantity holds margin while it rests. A MARKET
#: order never rests (it is matched or expires when placed); a conditional one holds
#: none until it triggers, and a triggered STOP / TAKE_PROFIT rests as a LIMIT order.
MARGINED_ORDER_TYPES = frozenset({"LIMIT"})


def parse_order_type(value: object, pointer: str) -> str:
    """An order's ``type``, one of :data:`ORDER_TYPES`: a misspelt type is refused (SNAP-1, ORD-3)."""
    if value not in ORDER_TYPES:
        raise InputError(
            pointer, f"{quote(value)} is not an order type (one of: {', '.join(ORDER_TYPES)})"
        )
    return str(value)


@attrs.frozen
class Position:
    symbol: str
    position_side: PositionSide
    position_amt: Exact
    entry_price: Exact
    mark_price: Exact
    margin_type: MarginType
    leverage: int
    isolated_wallet: Exact = Exact(0)


@attrs.frozen
class OpenOrder:
    symbol: str
    side: OrderSide
    position_side: PositionSide
    price: Exact
    quantity: Exact  # remaining: origQty − executedQty
    reduce_only: bool = False
    order_type: str = "LIMIT"

    @property
    def needs_margin(self) -> bool:
        """ORD-3: only a LIMIT order's remaining quantity needs margin (MARGINED_ORDER_TYPES)."""
        return self.order_type in MARGINED_ORDER_TYPES


@attrs.frozen
class Account:
    cross_wallet_balance: Exact
    positions: tuple[Position, ...]
    open_orders: tuple[OpenOrder, ...] = ()
    dual_side_position: bool = False


_POSITION_FIELDS = frozenset(
    {
        "symbol",
        "positionSide",
        "positionAmt",
        "entryPrice",
        "markPrice",
        "marginType",
        "leverage",
        "isolatedWallet",
        # read only by the API output profile (SNAP-4, marginspec.api_profile)
        "adl",
        "updateTime",
        "breakEvenFeeRate",
    }
)
_ORDER_FIELDS = frozenset(
    {
        "symbol",
        "side",
        "positionSide",
        "type",
        "timeInForce",
        "price",
        "origQty",
        "executedQty",
        "reduceOnly",
        "orderId",
    }
)
_ACCOUNT_FIELDS = frozenset({"crossWalletBalance", "dualSidePosition", "positions", "openOrders"})


def _known(obj: Mapping[str, Any], allowed: frozenset[str], pointer: str) -> None:
    """An unknown field is refused (SNAP-1), so that a misspelt one is never silently ignored."""
    for key in obj:
        if key not in allowed:
            raise InputError(
                f"{pointer}/{key}", f"unknown field (expected one of: {', '.join(sorted(allowed))})"
            )


def _require(data: Mapping[str, Any], key: str, pointer: str) -> Any:
    if key not in data:
        raise InputError(pointer, f"missing required field {key!r}")
    return data[key]


def _object(value: Any, pointer: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InputError(pointer or "/", f"expected a JSON object, got {type(value).__name__}")
    return value


def _list(value: Any, pointer: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise InputError(pointer, f"expected a JSON array, got {type(value).__name__}")
    return value


def _enum(kind: type[enum.Enum], value: Any, pointer: str, aliases: Mapping[str, str]) -> Any:
    text = aliases.get(str(value).upper(), str(value)) if isinstance(value, str) else value
    try:
        return kind(text)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in kind)
        raise InputError(pointer, f"{quote(value)} is not one of {allowed}") from None


_MARGIN_ALIASES = {"CROSS": "cross", "CROSSED": "cross", "ISOLATED": "isolated"}


def parse_position(data: Any, pointer: str, ruleset: RuleSet) -> Position:
    obj = _object(data, pointer)
    _known(obj, _POSITION_FIELDS, pointer)
    symbol = _require(obj, "symbol", pointer)
    if not isinstance(symbol, str):
        raise InputError(f"{pointer}/symbol", "expected a string")
    market = ruleset.market(symbol, f"{pointer}/symbol")
    side = _enum(PositionSide, obj.get("positionSide", "BOTH"), f"{pointer}/positionSide", {})
    amt = exact(_require(obj, "positionAmt", pointer), f"{pointer}/positionAmt")
    if side is PositionSide.LONG and amt < 0:
        raise InputError(
            f"{pointer}/positionAmt", "a LONG position's positionAmt must not be negative"
        )
    if side is PositionSide.SHORT and amt > 0:
        raise InputError(
            f"{pointer}/positionAmt", "a SHORT position's positionAmt must not be positive"
        )
    entry = exact_nonnegative(obj.get("entryPrice", "0"), f"{pointer}/entryPrice")
    if amt != 0 and entry == 0:
        raise InputError(f"{pointer}/entryPrice", "an open position needs a positive entryPrice")
    mark = exact_positive(_require(obj, "markPrice", pointer), f"{pointer}/markPrice")
    margin_type = _enum(
        MarginType, obj.get("marginType", "cross"), f"{pointer}/marginType", _MARGIN_ALIASES
    )
    leverage_raw = _require(obj, "leverage", pointer)
    leverage_value = exact(leverage_raw, f"{pointer}/leverage")
    # LEV-1: an integer from 1 to the market's highest bracket leverage (Aster's API
    # documents 1..125; an imported Binance table may allow more, e.g. 150x).
    if leverage_value.denominator != 1 or leverage_value < 1:
        raise InputError(f"{pointer}/leverage", "must be a positive integer (LEV-1)")
    leverage = int(leverage_value)
    if leverage > market.max_leverage:
        raise InputError(
            f"{pointer}/leverage",
            f"{leverage}x exceeds {symbol}'s maximum leverage {market.max_leverage}x (LEV-1)",
        )
    wallet = Exact(0)
    if margin_type is MarginType.ISOLATED:
        wallet = exact_nonnegative(
            _require(obj, "isolatedWallet", pointer), f"{pointer}/isolatedWallet"
        )
    elif "isolatedWallet" in obj and exact(obj["isolatedWallet"], f"{pointer}/isolatedWallet") != 0:
        raise InputError(
            f"{pointer}/isolatedWallet", "only an isolated position has an isolated wallet"
        )
    return Position(symbol, side, amt, entry, mark, margin_type, leverage, wallet)


def parse_order(data: Any, pointer: str, ruleset: RuleSet) -> OpenOrder:
    obj = _object(data, pointer)
    _known(obj, _ORDER_FIELDS, pointer)
    symbol = _require(obj, "symbol", pointer)
    if not isinstance(symbol, str):
        raise InputError(f"{pointer}/symbol", "expected a string")
    ruleset.market(symbol, f"{pointer}/symbol")
    side = _enum(OrderSide, _require(obj, "side", pointer), f"{pointer}/side", {})
    position_side = _enum(
        PositionSide, obj.get("positionSide", "BOTH"), f"{pointer}/positionSide", {}
    )
    price = exact_positive(_require(obj, "price", pointer), f"{pointer}/price")
    orig = exact_positive(_require(obj, "origQty", pointer), f"{pointer}/origQty")
    executed = exact_nonnegative(obj.get("executedQty", "0"), f"{pointer}/executedQty")
    if executed > orig:
        raise InputError(f"{pointer}/executedQty", "exceeds origQty")
    reduce_only = obj.get("reduceOnly", False)
    if not isinstance(reduce_only, bool):
        raise InputError(f"{pointer}/reduceOnly", "expected true or false")
    kind = parse_order_type(obj.get("type", "LIMIT"), f"{pointer}/type")
    return OpenOrder(symbol, side, position_side, price, orig - executed, reduce_only, kind)


def parse_account(data: Any, ruleset: RuleSet) -> Account:
    """SNAP-1: an :class:`Account` from the ``evaluate`` input JSON (already decoded)."""
    obj = _object(data, "")
    _known(obj, _ACCOUNT_FIELDS, "")
    wallet = exact(_require(obj, "crossWalletBalance", "/"), "/crossWalletBalance")
    dual = obj.get("dualSidePosition", False)
    if not isinstance(dual, bool):
        raise InputError("/dualSidePosition", "expected true or false")
    positions = tuple(
        parse_position(p, f"/positions/{i}", ruleset)
        for i, p in enumerate(_list(obj.get("positions", []), "/positions"))
    )
    orders = tuple(
        parse_order(o, f"/openOrders/{i}", ruleset)
        for i, o in enumerate(_list(obj.get("openOrders", []), "/openOrders"))
    )
    account = Account(wallet, positions, orders, dual)
    check_account(account)
    return account


def check_account(account: Account) -> None:
    """SNAP-2: the consistency an exchange guarantees between positions and orders."""
    seen: dict[tuple[str, PositionSide], int] = {}
    per_symbol: dict[str, Position] = {}
    for index, position in enumerate(account.positions):
        pointer = f"/positions/{index}"
        if account.dual_side_position and position.position_side is PositionSide.BOTH:
            raise InputError(
                f"{pointer}/positionSide", "hedge mode (dualSidePosition) needs LONG or SHORT"
            )
        if not account.dual_side_position and position.position_side is not PositionSide.BOTH:
            raise InputError(
                f"{pointer}/positionSide",
                'one-way mode needs BOTH; set "dualSidePosition": true for hedge mode',
            )
        key = (position.symbol, position.position_side)
        if key in seen:
            raise InputError(
                pointer,
                f"duplicate position {position.symbol} {position.position_side.value} (also /positions/{seen[key]})",
            )
        seen[key] = index
        first = per_symbol.setdefault(position.symbol, position)
        for field, label in (
            ("mark_price", "markPrice"),
            ("leverage", "leverage"),
            ("margin_type", "marginType"),
        ):
            if getattr(first, field) != getattr(position, field):
                raise InputError(
                    f"{pointer}/{label}",
                    f"differs from the other {position.symbol} position: one {label} per symbol",
                )
    for index, order in enumerate(account.open_orders):
        pointer = f"/openOrders/{index}"
        if order.symbol not in per_symbol:
            raise InputError(
                f"{pointer}/symbol",
                f'no position entry for {order.symbol}: add one with "positionAmt": "0" '
                "to give its leverage, margin type and mark price",
            )
        if account.dual_side_position and order.position_side is PositionSide.BOTH:
            raise InputError(f"{pointer}/positionSide", "hedge mode needs LONG or SHORT")
        if not account.dual_side_position and order.position_side is not PositionSide.BOTH:
            raise InputError(f"{pointer}/positionSide", "one-way mode needs BOTH")
