"""Shared set-up for the account-model tests: a three-account exchange on the default rules."""

from __future__ import annotations

from typing import Any

from marginspec.exchange import Model
from marginspec.rulefile import load_bundled
from marginspec.ruleset import RuleSet

RULESET = load_bundled()


def initial(**wallets: str) -> dict[str, Any]:
    return {
        "markPrices": {"BTCUSDT": "80000", "ETHUSDT": "3000"},
        "insuranceFund": "1000000",
        "accounts": {name: {"crossWalletBalance": w} for name, w in wallets.items()},
    }


def model(**wallets: str) -> Model:
    return Model.from_json(initial(**wallets), RULESET, check=True)


def model_at(mark: str = "80000", ruleset: RuleSet = RULESET, **wallets: str) -> Model:
    """:func:`model` with BTCUSDT's mark at ``mark``, under ``ruleset``."""
    data = initial(**wallets)
    data["markPrices"]["BTCUSDT"] = mark
    return Model.from_json(data, ruleset, check=True)


def apply_ok(m: Model, action: dict[str, Any]) -> dict[str, Any]:
    """Apply ``action``, which must be accepted; its answer."""
    out = m.apply_json(action)
    assert out["status"] == "accepted", out
    return out


def order(
    account: str,
    side: str,
    price: str,
    quantity: str,
    symbol: str = "BTCUSDT",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "action": "placeOrder",
        "account": account,
        "symbol": symbol,
        "side": side,
        "type": "LIMIT",
        "price": price,
        "quantity": quantity,
        **extra,
    }


def trade(
    m: Model,
    buyer: str,
    seller: str,
    price: str,
    quantity: str,
    symbol: str = "BTCUSDT",
    buyer_side: str = "BOTH",
    seller_side: str = "BOTH",
) -> dict[str, Any]:
    """The seller rests a SELL (maker), the buyer takes it with a BUY; the fill's outcome."""
    maker = m.apply_json(order(seller, "SELL", price, quantity, symbol, positionSide=seller_side))
    assert maker["status"] == "accepted", maker
    taker = m.apply_json(order(buyer, "BUY", price, quantity, symbol, positionSide=buyer_side))
    assert taker["status"] == "accepted", taker
    return m.apply_json(
        {"action": "fill", "makerOrderId": maker["orderId"], "takerOrderId": taker["orderId"]}
    )


def position(m: Model, account: str, symbol: str = "BTCUSDT", side: str = "BOTH") -> dict[str, Any]:
    for p in m.snapshot(account)["positions"]:
        if p["symbol"] == symbol and p["positionSide"] == side:
            return dict(p)
    raise AssertionError(f"no {symbol} {side} entry")
