"""A venue's own JSON answers read as the account snapshot they describe (SNAP-5).

``marginspec audit`` (:mod:`marginspec.audit`) recomputes what Aster or Binance reported.
This module is its reading half: the answers of ``account`` (v2, v3, Aster's
``accountWithJoinMargin``), ``positionRisk`` (v2, v3), ``openOrders`` and
``leverageBracket`` become the snapshot of SNAP-1 (parsed by
:func:`marginspec.account.parse_account`, so SNAP-2's checks hold), the figures the venue
reported, each with the place it was read from, and the fields the model cannot audit.
Every number is read exactly from its text; a bad one is an
:class:`~marginspec.errors.InputError` naming the file and the JSON pointer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from marginspec.account import (
    ORDER_TYPES,
    Account,
    MarginType,
    PositionSide,
    parse_account,
)
from marginspec.errors import InputError
from marginspec.importers import parse_brackets
from marginspec.numbers import Exact, exact, quote, to_input
from marginspec.ruleset import RuleSet

#: The parts of a bundle file, by the names the options give them.
PARTS = ("account", "positionRisk", "leverageBracket", "openOrders")

#: Figures of a position entry that the audit compares (marginspec.audit.POSITION_FIGURES
#: says how each is computed); any entry may carry any of them.
POSITION_FIGURES = frozenset(
    {
        "notional",
        "unRealizedProfit",
        "unrealizedProfit",
        "liquidationPrice",
        "isolatedMargin",
        "initialMargin",
        "maintMargin",
        "positionInitialMargin",
        "openOrderInitialMargin",
        "maxNotionalValue",
        "maxNotional",
        "breakEvenPrice",
        "bidNotional",
        "askNotional",
    }
)
#: Figures of the account (totals) and of its USDT asset entry.
ACCOUNT_FIGURES = frozenset(
    {
        "totalInitialMargin",
        "totalMaintMargin",
        "totalWalletBalance",
        "totalUnrealizedProfit",
        "totalMarginBalance",
        "totalPositionInitialMargin",
        "totalOpenOrderInitialMargin",
        "totalCrossWalletBalance",
        "totalCrossUnPnl",
        "availableBalance",
        "maxWithdrawAmount",
    }
)
ASSET_FIGURES = frozenset(
    {
        "walletBalance",
        "unrealizedProfit",
        "marginBalance",
        "maintMargin",
        "initialMargin",
        "positionInitialMargin",
        "openOrderInitialMargin",
        "crossWalletBalance",
        "crossUnPnl",
        "availableBalance",
        "maxWithdrawAmount",
    }
)
#: Fields that are inputs of the snapshot or settings of the account, not figures.
_POSITION_INPUTS = frozenset(
    {
        "symbol",
        "positionSide",
        "positionAmt",
        "entryPrice",
        "markPrice",
        "leverage",
        "marginType",
        "isolated",
        "isolatedWallet",
        "marginAsset",
        "isAutoAddMargin",
        "adl",
        "updateTime",
    }
)
_ACCOUNT_SETTINGS = frozenset(
    {
        "feeTier",
        "feeBurn",
        "canTrade",
        "canDeposit",
        "canWithdraw",
        "updateTime",
        "tradeGroupId",
        "multiAssetsMargin",
        "assets",
        "positions",
    }
)
#: Inputs two answers of one moment state alike; a difference means two moments.
_ONE_STATE = ("positionAmt", "entryPrice", "leverage")
_ASSET_SETTINGS = frozenset({"asset", "marginAvailable", "updateTime"})
_MARGIN_TYPES = {"cross": MarginType.CROSS, "crossed": MarginType.CROSS}
_MARGIN_TYPES["isolated"] = MarginType.ISOLATED


@attrs.frozen
class Source:
    """One answer: the file it was read from, the pointer of the part (a bundle's
    ``/account``, else empty) and the decoded JSON."""

    name: str
    base: str
    data: Any

    def at(self, pointer: str) -> str:
        """How errors and the report name a place of this answer: ``file: /0/notional``."""
        return f"{self.name}: {self.base}{pointer}" if self.base or pointer else f"{self.name}: /"


@attrs.frozen
class Reported:
    """A figure as the venue wrote it: its field, its text and where it was read."""

    field: str
    text: str
    value: Exact
    places: int | None  # written places; None when the text has no fraction
    where: str


@attrs.frozen
class NotAudited:
    """A field of an answer the audit does not compare, and why (SNAP-5)."""

    where: str
    field: str
    reason: str


@attrs.frozen
class Entry:
    """One position (symbol, side) of the answers: its reported figures and what of its
    inputs the answers left unknown (SNAP-5)."""

    symbol: str
    side: PositionSide
    reported: tuple[Reported, ...]
    leverage_known: bool
    fee_rate: Exact | None
    derived_wallet: bool  # Aster: isolatedWallet = isolatedMargin − unRealizedProfit


@attrs.frozen
class Responses:
    """What :func:`read_responses` reads: the snapshot, the rule set, the reported figures."""

    account: Account
    ruleset: RuleSet
    entries: tuple[Entry, ...]
    totals: tuple[Reported, ...]  # the account's totals
    asset: tuple[Reported, ...]  # its USDT asset entry
    wallet_where: str | None  # where the cross wallet was read; None: unknown
    account_audited: bool  # False in multi-assets mode (SNAP-5)
    orders_given: bool
    margin_unknown: tuple[str, ...]  # flat symbols with orders and no stated margin type
    not_audited: tuple[NotAudited, ...]
    notes: tuple[str, ...]


def _places(raw: Any) -> int | None:
    exponent = Decimal(str(raw)).as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else None


def reported(field: str, raw: Any, where: str) -> Reported:
    """A reported figure, read exactly (NUM-1, NUM-2), its written places kept (SNAP-6)."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise InputError(where, f"expected a number, got {type(raw).__name__}")
    value = exact(raw, where)
    return Reported(field, str(raw), value, _places(raw), where)


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InputError(where, f"expected a JSON object, got {_kind(value)}")
    return value


def _list(value: Any, where: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise InputError(where, f"expected a JSON array, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return "a string" if isinstance(value, str) else "a number"


def _require(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise InputError(where, f"missing field {key!r}")
    return obj[key]


@attrs.define
class _Position:
    """A position being gathered from the answers (mutable while reading)."""

    symbol: str
    side: PositionSide
    where: str
    fields: dict[str, tuple[Any, str]] = attrs.Factory(dict)  # snapshot field: (value, where)
    margin_type: MarginType | None = None
    reported: list[Reported] = attrs.Factory(list)
    derived_wallet: bool = False
    inferred: bool = False  # the margin type read from isolatedWallet (Binance v3)
    other_asset: str | None = None


class _Reader:
    """The state of one reading: positions by key, not-audited fields, notes."""

    def __init__(self) -> None:
        self.positions: dict[tuple[str, PositionSide], _Position] = {}
        self.not_audited: list[NotAudited] = []
        self.notes: list[str] = []

    def skip(self, where: str, field: str, reason: str) -> None:
        self.not_audited.append(NotAudited(where, field, reason))

    def position(self, source: Source, raw: Any, pointer: str) -> _Position:
        where = source.at(pointer)
        obj = _object(raw, where)
        symbol = _require(obj, "symbol", where)
        if not isinstance(symbol, str) or not symbol:
            raise InputError(f"{where}/symbol", "expected a symbol name")
        side_text = obj.get("positionSide", "BOTH")
        try:
            side = PositionSide(side_text)
        except ValueError:
            raise InputError(
                f"{where}/positionSide", f"{quote(side_text)} is not BOTH, LONG or SHORT"
            ) from None
        key = (symbol, side)
        if key not in self.positions:
            self.positions[key] = _Position(symbol, side, where)
        return self.positions[key]

    def read_entry(self, source: Source, raw: Any, pointer: str) -> None:
        """One position entry of ``positionRisk`` or of the account's ``positions``."""
        p = self.position(source, raw, pointer)
        obj: Mapping[str, Any] = raw
        at = source.at(pointer)
        asset = obj.get("marginAsset", "USDT")
        if asset != "USDT":
            p.other_asset = str(asset)
            self.skip(at, "marginAsset", f"margined in {quote(asset)}: the model is USDT only")
            return
        for key in ("positionAmt", "entryPrice", "markPrice", "leverage", "isolatedWallet"):
            if key not in obj:
                continue
            here = f"{at}/{key}"
            known = p.fields.get(key)
            if known is None:
                p.fields[key] = (obj[key], here)
            elif key in _ONE_STATE and exact(obj[key], here) != exact(*known):
                raise InputError(
                    here,
                    f"{quote(obj[key])} differs from {quote(known[0])} at {known[1]}: "
                    "the answers describe two states (download them together)",
                )
        self._margin_type(p, obj, at)
        for key, value in obj.items():
            if key in POSITION_FIGURES:
                p.reported.append(reported(key, value, f"{at}/{key}"))
            elif key not in _POSITION_INPUTS:
                self.skip(f"{at}/{key}", key, "a field the model has no rule for")

    def _margin_type(self, p: _Position, obj: Mapping[str, Any], at: str) -> None:
        kind: MarginType | None = None
        if "marginType" in obj:
            text = obj["marginType"]
            kind = _MARGIN_TYPES.get(text.lower()) if isinstance(text, str) else None
            if kind is None:
                raise InputError(f"{at}/marginType", f"{quote(text)} is not cross or isolated")
        elif "isolated" in obj:
            if not isinstance(obj["isolated"], bool):
                raise InputError(f"{at}/isolated", "expected true or false")
            kind = MarginType.ISOLATED if obj["isolated"] else MarginType.CROSS
        elif "isolatedWallet" in obj:
            # Binance v3 states no margin type; it writes a cross position's wallet "0".
            wallet = exact(obj["isolatedWallet"], f"{at}/isolatedWallet")
            kind = MarginType.ISOLATED if wallet != 0 else MarginType.CROSS
            if p.margin_type is None:
                p.inferred = True
        if kind is not None and p.margin_type is None:
            p.margin_type = kind

    def settle_margin_types(self, order_symbols: set[str]) -> tuple[str, ...]:
        """SNAP-2 holds one margin type per symbol: a symbol with an isolated entry is
        isolated throughout (a flat side's wallet reads "0" on Binance v3). Returns the
        symbols whose type stays unknown: only inferred, every entry flat, with open orders."""
        isolated = {
            p.symbol for p in self.positions.values() if p.margin_type is MarginType.ISOLATED
        }
        unknown = set()
        for p in self.positions.values():
            if p.inferred and p.symbol in isolated:
                p.margin_type = MarginType.ISOLATED
        for symbol in order_symbols - isolated:
            entries = [p for p in self.positions.values() if p.symbol == symbol]
            if entries and all(p.inferred and _flat(p) for p in entries):
                unknown.add(symbol)
        return tuple(sorted(unknown))


def _flat(p: _Position) -> bool:
    amount = p.fields.get("positionAmt")
    return amount is None or exact(*amount) == 0


def _options(values: Sequence[str], what: str, option: str) -> dict[str | None, str]:
    """``--leverage SYMBOL=N`` / ``--fee-rate [SYMBOL=]RATE`` values by symbol (None: all)."""
    out: dict[str | None, str] = {}
    for value in values:
        symbol, sep, number = value.rpartition("=")
        key = symbol if sep else None
        if sep and not symbol:
            raise InputError(f"{option} {value}", f"expected [SYMBOL=]{what}")
        out[key] = number
    return out


def read_responses(
    parts: Mapping[str, Source],
    base: RuleSet,
    leverages: Sequence[str] = (),
    fee_rates: Sequence[str] = (),
) -> Responses:
    """SNAP-5: the snapshot the venue's answers describe, the figures they report and
    the fields the model cannot audit; ``base`` gives the options and fees, and the bracket
    tables unless a ``leverageBracket`` answer is given (RS-4)."""
    reader = _Reader()
    ruleset = base
    if "leverageBracket" in parts:
        brackets = parts["leverageBracket"]
        where = brackets.at("")
        ruleset = parse_brackets(brackets.data, where, base=base, name=f"{base.name} + {where}")
    if "positionRisk" in parts:
        risk = parts["positionRisk"]
        for index, raw in enumerate(_list(risk.data, risk.at(""))):
            reader.read_entry(risk, raw, f"/{index}")
    totals: list[Reported] = []
    asset: list[Reported] = []
    wallet: tuple[Any, str] | None = None
    account_audited = True
    if "account" in parts:
        wallet, account_audited = _read_account(parts["account"], reader, totals, asset)
    orders = _read_orders(parts["openOrders"], reader) if "openOrders" in parts else []
    if "openOrders" not in parts:
        reader.notes.append(
            "no openOrders answer: the account is audited as one without open orders"
        )
    if wallet is None:
        reader.notes.append(
            "no account answer: the cross wallet is unknown (cross liquidation prices and "
            "account figures not audited)"
        )
    levs = _options(leverages, "N", "--leverage")
    fees = _options(fee_rates, "RATE", "--fee-rate")
    held = {symbol for symbol, _ in reader.positions}
    for option, values in (("--leverage", levs), ("--fee-rate", fees)):
        for symbol, value in values.items():
            if symbol is not None and symbol not in held:
                raise InputError(f"{option} {symbol}={value}", "no answer has a position of it")
    given = "openOrders" in parts
    return _assemble(
        reader, ruleset, wallet, orders, levs, fees, (totals, asset), account_audited, given
    )


def _read_account(
    source: Source, reader: _Reader, totals: list[Reported], asset: list[Reported]
) -> tuple[tuple[Any, str] | None, bool]:
    """The account answer: its totals, its USDT asset, its positions; the cross wallet."""
    obj = _object(source.data, source.at(""))
    audited = True
    if obj.get("multiAssetsMargin") is True:
        audited = False
        reader.skip(
            source.at("/multiAssetsMargin"),
            "multiAssetsMargin",
            "multi-assets mode: the totals are in USD over several assets, which the model lacks",
        )
    wallet: tuple[Any, str] | None = None
    for key, value in obj.items():
        if key in ACCOUNT_FIGURES:
            totals.append(reported(key, value, source.at(f"/{key}")))
        elif key not in _ACCOUNT_SETTINGS:
            reader.skip(source.at(f"/{key}"), key, "a field the model has no rule for")
    for index, raw in enumerate(_list(obj.get("assets", []), source.at("/assets"))):
        at = source.at(f"/assets/{index}")
        entry = _object(raw, at)
        name = _require(entry, "asset", at)
        if name != "USDT":
            reader.skip(at, f"asset {name}", "an asset other than USDT: the model is USDT only")
            continue
        for key, value in entry.items():
            if key in ASSET_FIGURES:
                asset.append(reported(key, value, f"{at}/{key}"))
            elif key not in _ASSET_SETTINGS:
                reader.skip(f"{at}/{key}", key, "a field the model has no rule for")
        if "crossWalletBalance" in entry:
            wallet = (entry["crossWalletBalance"], f"{at}/crossWalletBalance")
    if wallet is None and "totalCrossWalletBalance" in obj:
        wallet = (obj["totalCrossWalletBalance"], source.at("/totalCrossWalletBalance"))
    for index, raw in enumerate(_list(obj.get("positions", []), source.at("/positions"))):
        reader.read_entry(source, raw, f"/positions/{index}")
    return wallet, audited


def _read_orders(source: Source, reader: _Reader) -> list[tuple[dict[str, Any], str]]:
    """The ``openOrders`` answer: the orders that hold margin (ORD-3), as snapshot orders."""
    out = []
    for index, raw in enumerate(_list(source.data, source.at(""))):
        at = source.at(f"/{index}")
        obj = _object(raw, at)
        kind = obj.get("type", "LIMIT")
        if kind not in ORDER_TYPES:
            raise InputError(f"{at}/type", f"{quote(kind)} is not an order type")
        if kind != "LIMIT":
            continue  # ORD-3: only a resting LIMIT order holds margin
        order = {"type": kind}
        for key in ("symbol", "side", "positionSide", "price", "origQty", "executedQty"):
            if key in obj:
                order[key] = obj[key]
        for key in ("symbol", "side", "price", "origQty"):
            _require(obj, key, at)
        if "reduceOnly" in obj:
            order["reduceOnly"] = obj["reduceOnly"]
        out.append((order, at))
    return out


def _assemble(
    reader: _Reader,
    ruleset: RuleSet,
    wallet: tuple[Any, str] | None,
    orders: list[tuple[dict[str, Any], str]],
    levs: Mapping[str | None, str],
    fees: Mapping[str | None, str],
    account_figures: tuple[list[Reported], list[Reported]],
    account_audited: bool,
    orders_given: bool,
) -> Responses:
    """The snapshot document of the gathered answers, parsed by SNAP-1 and SNAP-2; an
    error it raises is named at the answer (or option) its field came from."""
    origins: dict[str, str] = {}
    positions: list[dict[str, Any]] = []
    entries: list[Entry] = []
    order_symbols = {str(o.get("symbol")) for o, _ in orders}
    margin_unknown = reader.settle_margin_types(order_symbols)
    for p in reader.positions.values():
        if p.other_asset is not None:
            continue
        snapshot, entry = _snapshot_position(p, ruleset, levs, fees, order_symbols, reader)
        if snapshot is None or entry is None:
            continue
        pointer = f"/positions/{len(positions)}"
        origins[pointer] = p.where
        for key, (_, where) in p.fields.items():
            origins[f"{pointer}/{key}"] = where
        positions.append(snapshot)
        entries.append(entry)
    document: dict[str, Any] = {
        "crossWalletBalance": wallet[0] if wallet is not None else "0",
        "dualSidePosition": any(p["positionSide"] != "BOTH" for p in positions),
        "positions": positions,
        "openOrders": [o for o, _ in orders],
    }
    origins["/crossWalletBalance"] = wallet[1] if wallet is not None else "the account answer"
    for index, (_, where) in enumerate(orders):
        origins[f"/openOrders/{index}"] = where
    try:
        account = parse_account(document, ruleset)
    except InputError as error:
        raise InputError(_origin(error.where, origins), error.message) from None
    return Responses(
        account,
        ruleset,
        tuple(entries),
        tuple(account_figures[0]),
        tuple(account_figures[1]),
        wallet[1] if wallet is not None else None,
        account_audited,
        orders_given,
        margin_unknown,
        tuple(reader.not_audited),
        tuple(reader.notes),
    )


def _origin(pointer: str, origins: Mapping[str, str]) -> str:
    """The answer's place of a snapshot pointer: its own, or its nearest parent's."""
    parts = pointer.split("/")
    for end in range(len(parts), 0, -1):
        head = "/".join(parts[:end])
        if head in origins:
            rest = "/".join(parts[end:])
            return f"{origins[head]}/{rest}" if rest else origins[head]
    return pointer


def _snapshot_position(
    p: _Position,
    ruleset: RuleSet,
    levs: Mapping[str | None, str],
    fees: Mapping[str | None, str],
    order_symbols: set[str],
    reader: _Reader,
) -> tuple[dict[str, Any] | None, Entry | None]:
    """One snapshot position and its entry; (None, None) for a flat position on a symbol
    the rule set lacks (named as not audited, SNAP-5)."""
    fields = p.fields
    if "positionAmt" not in fields:
        raise InputError(p.where, "missing field 'positionAmt'")
    amt = exact(*fields["positionAmt"])
    market = ruleset.markets.get(p.symbol)
    if market is None:
        if amt == 0 and p.symbol not in order_symbols:
            reader.skip(p.where, p.symbol, f"a flat position on a symbol {ruleset.name} lacks")
            return None, None
        raise InputError(
            f"{p.where}/symbol", f"unknown symbol {p.symbol!r} in rule set {ruleset.name!r}"
        )
    doc: dict[str, Any] = {
        "symbol": p.symbol,
        "positionSide": p.side.value,
        "positionAmt": fields["positionAmt"][0],
    }
    if "entryPrice" in fields:
        doc["entryPrice"] = fields["entryPrice"][0]
    if "markPrice" in fields:
        doc["markPrice"] = fields["markPrice"][0]
    elif amt == 0:
        doc["markPrice"] = "1"  # SNAP-5: no figure of a flat position reads its mark
    else:
        raise InputError(
            p.where, "no markPrice for an open position: give the positionRisk answer too"
        )
    if p.margin_type is None:
        if amt != 0:
            raise InputError(p.where, "no margin type (marginType, isolated or isolatedWallet)")
        p.margin_type = MarginType.CROSS
    doc["marginType"] = p.margin_type.value
    doc["leverage"], leverage_known = _leverage(p, levs, market.max_leverage)
    if p.margin_type is MarginType.ISOLATED:
        doc["isolatedWallet"] = _isolated_wallet(p, amt)
    rate_text = fees.get(p.symbol, fees.get(None))
    rate = exact(rate_text, f"--fee-rate {rate_text}") if rate_text is not None else None
    if rate is not None and not 0 <= rate < 1:
        raise InputError(f"--fee-rate {rate_text}", "must be at least 0 and below 1")
    entry = Entry(p.symbol, p.side, tuple(p.reported), leverage_known, rate, p.derived_wallet)
    return doc, entry


def _leverage(p: _Position, levs: Mapping[str | None, str], maximum: int) -> tuple[Any, bool]:
    """The position's leverage: the answer's, else ``--leverage``; unknown: the market's
    maximum, with the figures that read it not audited (SNAP-5)."""
    given = levs.get(p.symbol, levs.get(None))
    if "leverage" in p.fields:
        value, where = p.fields["leverage"]
        if given is not None and exact(given, "--leverage") != exact(value, where):
            raise InputError(f"--leverage {p.symbol}={given}", f"differs from {value} at {where}")
        return value, True
    if given is not None:
        p.fields["leverage"] = (given, f"--leverage {p.symbol}={given}")
        return given, True
    return maximum, False


def _isolated_wallet(p: _Position, amt: Exact) -> Any:
    """An isolated position's wallet: ``isolatedWallet``, else (Aster) ``isolatedMargin −
    unRealizedProfit`` of the same entry, both 8-place figures (SNAP-5)."""
    if "isolatedWallet" in p.fields:
        return p.fields["isolatedWallet"][0]
    margin = next((r for r in p.reported if r.field == "isolatedMargin"), None)
    pnl = next((r for r in p.reported if r.field in ("unRealizedProfit", "unrealizedProfit")), None)
    if margin is None or pnl is None:
        if amt == 0:
            return "0"
        raise InputError(p.where, "an isolated position needs isolatedWallet or isolatedMargin")
    p.derived_wallet = True
    p.fields["isolatedWallet"] = (to_input(margin.value - pnl.value), margin.where)
    return p.fields["isolatedWallet"][0]
