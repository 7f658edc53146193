"""Bracket tables in the formats real users hold (RS-4, BRK-6).

- ``GET /fapi/v1/leverageBracket`` (Binance; Aster's ``/fapi/v3/leverageBracket`` is the
  same, without ``notionalCoef``): the list form, and the object form returned when a
  ``symbol`` is sent (B-BRK, A-API).
- The tier JSON written by ccxt's ``fetch_leverage_tiers``: ``{ccxt symbol: [tier, …]}``
  with ``minNotional``, ``maxNotional``, ``maintenanceMarginRate``, ``maxLeverage`` and
  the raw bracket under ``info``.

JSON numbers are read as exact decimals within NUM-2 (:mod:`marginspec.inputs`): an
exchange's JSON carries bare numbers, and their text is exact. Markets take their filters, fees and
funding settings from the same symbol in the base rule set (the bundled ``aster-pro``)
where it has one, else the documented defaults of :class:`~marginspec.ruleset.Market`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from marginspec.brackets import Bracket
from marginspec.errors import InputError, RuleSetError
from marginspec.inputs import decode, parse_json, read_json, source_name
from marginspec.numbers import Exact, exact, quote
from marginspec.ruleset import Market, RuleSet, check_markets, check_size, check_table


def _number(row: Mapping[str, Any], key: str, where: str) -> Exact:
    if key not in row:
        raise RuleSetError(where, f"missing {key!r}")
    try:
        return exact(row[key], f"{where}.{key}")
    except InputError as error:
        raise RuleSetError(error.where, error.message) from None


#: Market settings an entry may carry (the form `rules show --format json` prints); they
#: override the base rule set's.
_SETTINGS = {
    "tickSize": "tick_size",
    "stepSize": "step_size",
    "minNotional": "min_notional",
    "makerFee": "maker_fee",
    "takerFee": "taker_fee",
    "liquidationFee": "liquidation_fee",
}
_ENTRY_KEYS = ("symbol", "notionalCoef", "brackets", *_SETTINGS, "fundingIntervalHours")
_BRACKET_KEYS = (
    "bracket",
    "initialLeverage",
    "notionalCap",
    "notionalFloor",
    "maintMarginRatio",
    "cum",
)
_TIER_KEYS = (
    "tier",
    "symbol",
    "currency",
    "minNotional",
    "maxNotional",
    "maintenanceMarginRate",
    "maxLeverage",
    "info",
)


def _known(row: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    """An unknown key is refused (RS-4), so a misspelt field never falls back to a default."""
    for key in row:
        if key not in allowed:
            raise RuleSetError(
                f"{where}.{key}", f"unknown field (expected one of: {', '.join(allowed)})"
            )


def _settings(entry: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The market settings an entry states (RS-4), by Market field name."""
    values: dict[str, Any] = {
        field: _number(entry, key, where) for key, field in _SETTINGS.items() if key in entry
    }
    for field in ("tick_size", "step_size"):
        if field in values and values[field] <= 0:
            raise RuleSetError(f"{where}.{field}", "must be positive")
    if "fundingIntervalHours" in entry:
        hours = entry["fundingIntervalHours"]
        if isinstance(hours, bool) or not isinstance(hours, int) or not 0 < hours <= 10_000:
            raise RuleSetError(f"{where}.fundingIntervalHours", "must be a positive integer")
        values["funding_interval_hours"] = hours
    return values


def _market(
    symbol: str,
    brackets: tuple[Bracket, ...],
    base: RuleSet | None,
    settings: Mapping[str, Any] | None = None,
) -> Market:
    template = base.markets.get(symbol) if base is not None else None
    if template is None:
        return Market(symbol=symbol, brackets=brackets, **(settings or {}))
    return attrs.evolve(template, brackets=brackets, **(settings or {}))


def _binance_brackets(entry: Mapping[str, Any], where: str) -> tuple[str, tuple[Bracket, ...]]:
    """BRK-6: one ``leverageBracket`` entry, floors, caps and cum scaled by its ``notionalCoef``."""
    symbol = entry.get("symbol")
    if not isinstance(symbol, str) or not symbol:
        raise RuleSetError(where, "entry needs a 'symbol' string")
    _known(entry, _ENTRY_KEYS, f"{where}: {symbol}")
    rows = entry.get("brackets")
    if not isinstance(rows, list) or not rows:
        raise RuleSetError(f"{where}: {symbol}", "needs a non-empty 'brackets' list")
    check_size(symbol, len(rows), where)
    # BRK-6: a user-specific notionalCoef scales floors, caps and cum alike (cum is
    # linear in the floors, so the BRK-2 recurrence still holds after scaling).
    coef = _number(entry, "notionalCoef", f"{where} {symbol}") if "notionalCoef" in entry else 1
    if coef <= 0:
        raise RuleSetError(f"{where}: {symbol}", "notionalCoef must be positive")
    brackets = []
    for index, row in enumerate(rows):
        here = f"{where}: {symbol} bracket {row.get('bracket', index + 1) if isinstance(row, dict) else index + 1}"
        if not isinstance(row, dict):
            raise RuleSetError(here, "expected a JSON object")
        _known(row, _BRACKET_KEYS, here)
        number = row.get("bracket", index + 1)
        if not isinstance(number, int) or isinstance(number, bool):
            raise RuleSetError(here, "'bracket' must be an integer")
        brackets.append(
            Bracket(
                bracket=number,
                notional_floor=_number(row, "notionalFloor", here) * coef,
                notional_cap=_number(row, "notionalCap", here) * coef,
                initial_leverage=_number(row, "initialLeverage", here),
                maint_margin_ratio=_number(row, "maintMarginRatio", here),
                cum=_number(row, "cum", here) * coef,
            )
        )
    return symbol, tuple(brackets)


def exchange_symbol(ccxt_symbol: str) -> str:
    """``BTC/USDT:USDT`` -> ``BTCUSDT``; ``BTC/USDT:USDT-260925`` -> ``BTCUSDT_260925``."""
    pair, _, settle = ccxt_symbol.partition(":")
    base, _, quote = pair.partition("/")
    _, _, expiry = settle.partition("-")
    return f"{base}{quote}" + (f"_{expiry}" if expiry else "")


def _ccxt_brackets(key: str, tiers: Any, where: str) -> tuple[str, tuple[Bracket, ...]]:
    if not isinstance(key, str) or ":" not in key or "/" not in key:
        raise RuleSetError(
            f"{where}: {quote(key)}", "expected a ccxt symbol such as 'BTC/USDT:USDT'"
        )
    symbol = exchange_symbol(key)
    if not isinstance(tiers, list) or not tiers:
        raise RuleSetError(f"{where}: {key}", "expected a non-empty list of tiers")
    check_size(symbol, len(tiers), where)
    brackets: list[Bracket] = []
    for index, tier in enumerate(tiers):
        here = f"{where}: {symbol} bracket {index + 1}"
        if not isinstance(tier, dict):
            raise RuleSetError(here, "expected a JSON object")
        _known(tier, _TIER_KEYS, here)
        floor = _number(tier, "minNotional", here)
        rate = _number(tier, "maintenanceMarginRate", here)
        info = tier.get("info")
        if isinstance(info, dict) and "cum" in info:
            cum = _number(info, "cum", f"{here} info")
        elif index == 0:
            cum = exact(0)
        else:  # ccxt's unified tiers carry no cum: derive it by the recurrence (BRK-2)
            previous = brackets[-1]
            cum = floor * (rate - previous.maint_margin_ratio) + previous.cum
        brackets.append(
            Bracket(
                bracket=index + 1,
                notional_floor=floor,
                notional_cap=_number(tier, "maxNotional", here),
                initial_leverage=_number(tier, "maxLeverage", here),
                maint_margin_ratio=rate,
                cum=cum,
            )
        )
    return symbol, tuple(brackets)


def detect(data: Any) -> str:
    """The format of a decoded bracket document: ``leverageBracket`` or ``ccxt``."""
    if isinstance(data, list):
        return "leverageBracket"
    if isinstance(data, dict):
        if "brackets" in data:
            return "leverageBracket"
        if data and all(isinstance(v, list) for v in data.values()):
            return "ccxt"
    raise RuleSetError("", "not a leverageBracket response nor a ccxt leverage-tiers document")


def parse_brackets(
    data: Any, where: str, base: RuleSet | None = None, check: bool = True, name: str = ""
) -> RuleSet:
    """RS-4: a rule set from a decoded bracket document (either format, detected)."""
    try:
        kind = detect(data)
    except RuleSetError as error:
        raise RuleSetError(where, error.message) from None
    entries: Sequence[tuple[str, tuple[Bracket, ...]]]
    settings: dict[str, dict[str, Any]] = {}
    check_markets(len(data) if kind == "ccxt" or isinstance(data, list) else 1, where)
    if kind == "ccxt":
        entries = [_ccxt_brackets(k, v, where) for k, v in data.items()]
    else:
        items = data if isinstance(data, list) else [data]
        if not items:
            raise RuleSetError(where, "empty leverageBracket list")
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise RuleSetError(f"{where}[{index}]", "expected a JSON object")
        entries = [_binance_brackets(item, where) for item in items]
        for item in items:
            settings[item["symbol"]] = _settings(item, f"{where}: {item['symbol']}")
    markets: dict[str, Market] = {}
    for symbol, brackets in entries:
        if check:
            check_table(symbol, brackets, where)
        if symbol in markets:
            raise RuleSetError(f"{where}: {symbol}", "symbol defined twice")
        markets[symbol] = _market(symbol, brackets, base, settings.get(symbol))
    options = base.options if base is not None else RuleSet(name="", markets={}).options
    return RuleSet(
        name=name or Path(where).stem,
        markets=markets,
        options=options,
        source=where,
        description=f"brackets imported from {kind} JSON",
    )


def load_brackets(path: str | Path, base: RuleSet | None = None, check: bool = True) -> RuleSet:
    """Read a leverageBracket or ccxt JSON file into a rule set (RS-4)."""
    where = str(path)
    try:
        # An exchange's JSON carries bare numbers: read as exact decimals within NUM-2.
        data = read_json(path, "bracket file", numbers=True)
    except InputError as error:
        raise RuleSetError(error.where, error.message) from None
    return parse_brackets(data, where, base=base, check=check)


def brackets_from_bytes(
    data: bytes, path: str | Path, base: RuleSet | None = None, check: bool = True
) -> RuleSet:
    """:func:`load_brackets` of a file's bytes already read (``marginspec.bracket_cache``
    hashes the bytes it parses)."""
    name = source_name(path)
    try:
        document = parse_json(decode(data, name, "bracket file"), name, numbers=True)
    except InputError as error:
        raise RuleSetError(error.where, error.message) from None
    return parse_brackets(document, str(path), base=base, check=check)
