"""Rule-set TOML files: reading, validating and writing (RS-1 … RS-3).

Numbers in a rule file may be TOML numbers or strings; either way they are read as
exact decimals (TOML floats are parsed with ``Decimal``, never as binary floats).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from marginspec.brackets import Boundary, Bracket
from marginspec.errors import InputError, RuleSetError
from marginspec.inputs import parse_toml, read_text
from marginspec.numbers import Exact, Rounding, exact, quote, to_plain
from marginspec.ruleset import (
    AdlRanking,
    LiquidationFeeBy,
    Market,
    NoPrice,
    Options,
    OrderMarginCheck,
    PartialLiquidation,
    ReduceOnlyNetting,
    RuleSet,
    SelfTradePrevention,
    Trigger,
    check_markets,
    check_size,
    check_table,
)

DEFAULT_RULESET = "aster-pro"

_MARKET_FIELDS = {
    "tick_size": "tickSize",
    "step_size": "stepSize",
    "min_notional": "minNotional",
    "maker_fee": "makerFee",
    "taker_fee": "takerFee",
    "liquidation_fee": "liquidationFee",
    "interest_rate": "interestRate",
    "funding_cap": "fundingCap",
    "funding_floor": "fundingFloor",
    "multiplier_up": "multiplierUp",
    "multiplier_down": "multiplierDown",
    "trigger_protect": "triggerProtect",
    "min_price": "minPrice",
    "max_price": "maxPrice",
    "min_qty": "minQty",
    "max_qty": "maxQty",
    "market_min_qty": "marketMinQty",
    "market_max_qty": "marketMaxQty",
    "market_step_size": "marketStepSize",
}


def bundled_rulesets() -> list[str]:
    """Names of the rule sets shipped inside the package."""
    folder = resources.files("marginspec.spec") / "rulesets"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_bundled(name: str = DEFAULT_RULESET) -> RuleSet:
    """RS-2: a rule set shipped in the wheel (``spec/rulesets/NAME.toml``), ``aster-pro`` by default."""
    path = resources.files("marginspec.spec") / "rulesets" / f"{name}.toml"
    if not path.is_file():
        raise InputError(
            name, f"no bundled rule set of that name (have: {', '.join(bundled_rulesets())})"
        )
    return parse_ruleset(path.read_text(encoding="utf-8"), f"<bundled {name}.toml>")


def load_named(reference: str, check: bool = True) -> RuleSet:
    """RS-5: a bundled rule set by name (``aster-pro``, ``binance-usdm``), else a TOML path."""
    bundled = bundled_rulesets()
    path = Path(reference)
    if reference in bundled and not path.exists():
        return load_bundled(reference)
    if not path.exists() and path.suffix != ".toml" and len(path.parts) == 1:
        raise InputError(
            reference, f"neither a bundled rule set ({', '.join(bundled)}) nor a rule file"
        )
    return load_ruleset(reference, check)  # a path: "cannot read" names what went wrong


def load_ruleset(path: str | Path, check: bool = True) -> RuleSet:
    """Read and validate a rule-set TOML file (the one loader of every command)."""
    try:
        text = read_text(path, "rule file")
    except InputError as error:
        raise RuleSetError(error.where, error.message) from None
    return parse_ruleset(text, str(path), check)


def _enum(kind: type[Any], value: object, where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in kind)
        raise RuleSetError(where, f"{quote(value)} is not one of {allowed}") from None


def _table(value: Any, where: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise RuleSetError(where, f"expected {what}, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"{type(value).__name__} {quote(value)}"


def parse_options(table: Mapping[str, Any], where: str) -> Options:
    known = {
        "bracket_boundary": Boundary,
        "liquidation_trigger": Trigger,
        "display_rounding": Rounding,
        "no_liquidation_price": NoPrice,
        "adl_ranking": AdlRanking,
        "partial_liquidation": PartialLiquidation,
        "order_margin_check": OrderMarginCheck,
        "reduce_only_netting": ReduceOnlyNetting,
        "liquidation_fee_by": LiquidationFeeBy,
        "self_trade_prevention": SelfTradePrevention,
    }
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in known:
            values[key] = _enum(known[key], value, f"{where}: options.{key}")
        elif key == "display_decimals":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 18:
                raise RuleSetError(f"{where}: options.{key}", "must be an integer from 0 to 18")
            values[key] = value
        elif key == "fund_max_net_notional":
            values[key] = _fund_limit(value, f"{where}: options.{key}")
        elif key == "callback_rate_max":
            values[key] = _callback_max(value, f"{where}: options.{key}")
        else:
            raise RuleSetError(f"{where}: options.{key}", "unknown option")
    return Options(**values)


def _fund_limit(value: object, where: str) -> Exact | None:
    """The IF-5 option: ``"none"`` or a non-negative multiple of the fund's margin balance."""
    if value == "none":
        return None
    try:
        limit = exact(value, where)
    except InputError as error:
        raise RuleSetError(error.where, f'{error.message} (or "none")') from None
    if limit < 0:
        raise RuleSetError(where, 'must be a non-negative number or "none"')
    return limit


def _callback_max(value: object, where: str) -> Exact:
    """The ACT-COND-4 option: the largest trailing ``callbackRate``, a percent ≥ 0.1."""
    try:
        limit = exact(value, where)
    except InputError as error:
        raise RuleSetError(error.where, error.message) from None
    if limit < Exact(1, 10):
        raise RuleSetError(where, "must be at least 0.1 (the smallest callbackRate)")
    return limit


def _number(table: Mapping[str, Any], key: str, where: str) -> Exact:
    if key not in table:
        raise RuleSetError(where, f"missing {key!r}")
    try:
        return exact(table[key], f"{where}.{key}")
    except InputError as error:
        raise RuleSetError(error.where, error.message) from None


def parse_bracket(row: Any, where: str) -> Bracket:
    row = _table(row, where, "a [[markets.brackets]] table")
    for key in row:
        if key not in (
            "bracket",
            "notional_floor",
            "notional_cap",
            "initial_leverage",
            "maint_margin_ratio",
            "cum",
        ):
            raise RuleSetError(f"{where}.{key}", "unknown bracket field")
    number = row.get("bracket")
    if not isinstance(number, int) or isinstance(number, bool):
        raise RuleSetError(where, "'bracket' must be an integer")
    return Bracket(
        bracket=number,
        notional_floor=_number(row, "notional_floor", where),
        notional_cap=_number(row, "notional_cap", where),
        initial_leverage=_number(row, "initial_leverage", where),
        maint_margin_ratio=_number(row, "maint_margin_ratio", where),
        cum=_number(row, "cum", where),
    )


def parse_market(table: Any, where: str, check: bool = True) -> Market:
    table = _table(table, where, "a [[markets]] table")
    symbol = table.get("symbol")
    if not isinstance(symbol, str) or not symbol:
        raise RuleSetError(where, "market needs a 'symbol' string")
    here = f"{where} {symbol}"
    rows = table.get("brackets")
    if not isinstance(rows, list) or not rows:
        raise RuleSetError(here, "market needs a non-empty [[markets.brackets]] table")
    check_size(symbol, len(rows), where)
    brackets = tuple(parse_bracket(row, f"{here} brackets[{i}]") for i, row in enumerate(rows))
    if check:  # the proofs read ill-formed tables too, to report what is wrong (THM-TAB-1)
        check_table(symbol, brackets, where)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in ("symbol", "brackets"):
            continue
        if key in _MARKET_FIELDS:
            values[key] = _number(table, key, here)
        elif key == "liquidation_fee_brackets":
            values[key] = _bracket_fees(value, len(brackets), f"{here}.{key}")
        elif key in ("funding_interval_hours", "max_num_orders", "max_num_algo_orders"):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise RuleSetError(f"{here}.{key}", "must be a positive integer")
            values[key] = value
        else:
            raise RuleSetError(f"{here}.{key}", "unknown market field")
    for key in ("tick_size", "step_size"):
        if key in values and values[key] <= 0:
            raise RuleSetError(f"{here}.{key}", "must be positive")
    for key in _FILTER_BOUNDS:  # FLT-1 … FLT-3: 0 disables a bound, none is negative
        if key in values and values[key] < 0:
            raise RuleSetError(f"{here}.{key}", "must be 0 (no bound) or positive")
    market = Market(symbol=symbol, brackets=brackets, **values)
    if market.funding_floor > market.funding_cap:  # FUND-4 clamps between them
        raise RuleSetError(
            f"{here}.funding_cap",
            f"{to_plain(market.funding_cap)} is below funding_floor "
            f"{to_plain(market.funding_floor)}",
        )
    return market


def _bracket_fees(value: object, count: int, where: str) -> tuple[Exact, ...]:
    """One clearance-fee rate per bracket (LIQP-9), each at least 0 and below 1."""
    if not isinstance(value, list) or len(value) != count:
        raise RuleSetError(where, f"expected an array of {count} rates, one per bracket")
    rates = []
    for index, item in enumerate(value):
        try:
            rate = exact(item, f"{where}[{index}]")
        except InputError as error:
            raise RuleSetError(error.where, error.message) from None
        if not 0 <= rate < 1:
            raise RuleSetError(f"{where}[{index}]", "a rate must be at least 0 and below 1")
        rates.append(rate)
    return tuple(rates)


_FILTER_BOUNDS = (
    "min_price",
    "max_price",
    "min_qty",
    "max_qty",
    "market_min_qty",
    "market_max_qty",
    "market_step_size",
)

_TOP_LEVEL = ("ruleset", "options", "markets")
_RULESET_KEYS = ("name", "description")


def _known(table: Mapping[str, Any], allowed: tuple[str, ...], where: str, what: str) -> None:
    """An unknown table or key is refused (RS-3), so a misspelt one never changes the rules."""
    for key in table:
        if key not in allowed:
            raise RuleSetError(
                f"{where}{key}", f"unknown {what} (expected one of: {', '.join(allowed)})"
            )


def parse_ruleset(text: str, where: str, check: bool = True) -> RuleSet:
    """RS-3: a rule set from TOML text: unknown tables and keys refused, every number
    bounded (NUM-2), every table checked (BRK-5) unless ``check`` is False."""
    try:
        data = parse_toml(text, where)
    except InputError as error:
        raise RuleSetError(error.where, error.message) from None
    _known(data, _TOP_LEVEL, f"{where}: ", "top-level table or key")
    meta = _table(data.get("ruleset", {}), f"{where}: ruleset", "a [ruleset] table")
    if not isinstance(meta.get("name"), str):
        raise RuleSetError(where, "missing [ruleset] table with a 'name'")
    _known(meta, _RULESET_KEYS, f"{where}: ruleset.", "key")
    if not isinstance(meta.get("description", ""), str):
        raise RuleSetError(f"{where}: ruleset.description", "expected a string")
    options = parse_options(
        _table(data.get("options", {}), f"{where}: options", "an [options] table"), where
    )
    markets_data = data.get("markets")
    if not isinstance(markets_data, list) or not markets_data:
        raise RuleSetError(where, "no [[markets]] defined")
    check_markets(len(markets_data), where)
    markets: dict[str, Market] = {}
    for index, table in enumerate(markets_data):
        market = parse_market(table, f"{where}: markets[{index}]", check)
        if market.symbol in markets:
            raise RuleSetError(f"{where}: {market.symbol}", "symbol defined twice")
        markets[market.symbol] = market
    return RuleSet(
        name=meta["name"],
        markets=markets,
        options=options,
        source=where,
        description=str(meta.get("description", "")),
    )


def dump_ruleset(ruleset: RuleSet) -> str:
    """The TOML text of a rule set (exact decimals as strings), readable by :func:`parse_ruleset`.

    Written by tomli-w, so any text in a name or description (quotes, apostrophes,
    newlines) is escaped as TOML requires (docs/dependencies.md).
    """
    o = ruleset.options
    meta: dict[str, Any] = {"name": ruleset.name}
    if ruleset.description:
        meta["description"] = ruleset.description
    document = {
        "ruleset": meta,
        "options": {
            "bracket_boundary": o.bracket_boundary.value,
            "liquidation_trigger": o.liquidation_trigger.value,
            "display_decimals": o.display_decimals,
            "display_rounding": o.display_rounding.value,
            "no_liquidation_price": o.no_liquidation_price.value,
            "adl_ranking": o.adl_ranking.value,
            "fund_max_net_notional": (
                "none" if o.fund_max_net_notional is None else to_plain(o.fund_max_net_notional)
            ),
            "partial_liquidation": o.partial_liquidation.value,
            "order_margin_check": o.order_margin_check.value,
            "reduce_only_netting": o.reduce_only_netting.value,
            "liquidation_fee_by": o.liquidation_fee_by.value,
            "callback_rate_max": to_plain(o.callback_rate_max),
            "self_trade_prevention": o.self_trade_prevention.value,
        },
        "markets": [
            {
                "symbol": market.symbol,
                **{key: to_plain(getattr(market, key)) for key in _MARKET_FIELDS},
                "funding_interval_hours": market.funding_interval_hours,
                "max_num_orders": market.max_num_orders,
                **(
                    {"liquidation_fee_brackets": [to_plain(r) for r in fees]}
                    if (fees := market.liquidation_fee_brackets)
                    else {}
                ),
                "max_num_algo_orders": market.max_num_algo_orders,
                "brackets": [
                    {
                        "bracket": b.bracket,
                        "notional_floor": to_plain(b.notional_floor),
                        "notional_cap": to_plain(b.notional_cap),
                        "initial_leverage": int(b.initial_leverage),
                        "maint_margin_ratio": to_plain(b.maint_margin_ratio),
                        "cum": to_plain(b.cum),
                    }
                    for b in market.brackets
                ],
            }
            for market in ruleset.markets.values()
        ],
    }
    return tomli_w.dumps(document)
