"""Rule-set TOML files: reading, validating and writing (RS-1 … RS-3).

Numbers in a rule file may be TOML numbers or strings; either way they are read as
exact decimals (TOML floats are parsed with ``Decimal``, never as binary floats).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from marginspec.brackets import Boundary, Bracket
from marginspec.errors import InputError, RuleSetError
from marginspec.numbers import Exact, Rounding, exact, to_plain
from marginspec.ruleset import (
    AdlRanking,
    Market,
    NoPrice,
    Options,
    OrderMarginCheck,
    ReduceOnlyNetting,
    RuleSet,
    Trigger,
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


def load_ruleset(path: str | Path, check: bool = True) -> RuleSet:
    """Read and validate a rule-set TOML file."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(where, f"cannot read rule file ({error.strerror})") from None
    return parse_ruleset(text, where, check)


def _enum(kind: type[Any], value: object, where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in kind)
        raise RuleSetError(where, f"{value!r} is not one of {allowed}") from None


def parse_options(table: Mapping[str, Any], where: str) -> Options:
    known = {
        "bracket_boundary": Boundary,
        "liquidation_trigger": Trigger,
        "display_rounding": Rounding,
        "no_liquidation_price": NoPrice,
        "adl_ranking": AdlRanking,
        "order_margin_check": OrderMarginCheck,
        "reduce_only_netting": ReduceOnlyNetting,
    }
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in known:
            values[key] = _enum(known[key], value, f"{where}: options.{key}")
        elif key == "display_decimals":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 18:
                raise RuleSetError(f"{where}: options.{key}", "must be an integer from 0 to 18")
            values[key] = value
        else:
            raise RuleSetError(f"{where}: options.{key}", "unknown option")
    return Options(**values)


def _number(table: Mapping[str, Any], key: str, where: str) -> Exact:
    if key not in table:
        raise RuleSetError(where, f"missing {key!r}")
    try:
        return exact(table[key], f"{where}.{key}")
    except InputError as error:
        raise RuleSetError(error.where, error.message) from None


def parse_bracket(row: Mapping[str, Any], where: str) -> Bracket:
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


def parse_market(table: Mapping[str, Any], where: str, check: bool = True) -> Market:
    symbol = table.get("symbol")
    if not isinstance(symbol, str) or not symbol:
        raise RuleSetError(where, "market needs a 'symbol' string")
    here = f"{where} {symbol}"
    rows = table.get("brackets")
    if not isinstance(rows, list) or not rows:
        raise RuleSetError(here, "market needs a non-empty [[markets.brackets]] table")
    brackets = tuple(parse_bracket(row, f"{here} brackets[{i}]") for i, row in enumerate(rows))
    if check:  # the proofs read ill-formed tables too, to report what is wrong (THM-TAB-1)
        check_table(symbol, brackets, where)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in ("symbol", "brackets"):
            continue
        if key in _MARKET_FIELDS:
            values[key] = _number(table, key, here)
        elif key in ("funding_interval_hours", "max_num_orders"):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise RuleSetError(f"{here}.{key}", "must be a positive integer")
            values[key] = value
        else:
            raise RuleSetError(f"{here}.{key}", "unknown market field")
    for key in ("tick_size", "step_size"):
        if key in values and values[key] <= 0:
            raise RuleSetError(f"{here}.{key}", "must be positive")
    return Market(symbol=symbol, brackets=brackets, **values)


def parse_ruleset(text: str, where: str, check: bool = True) -> RuleSet:
    """RS-3: a rule set from TOML text, numbers exact; ill-formed tables refused naming ``where``."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise RuleSetError(where, f"malformed TOML: {error}") from None
    meta = data.get("ruleset", {})
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        raise RuleSetError(where, "missing [ruleset] table with a 'name'")
    options = parse_options(data.get("options", {}), where)
    markets_data = data.get("markets")
    if not isinstance(markets_data, list) or not markets_data:
        raise RuleSetError(where, "no [[markets]] defined")
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


def _toml_number(value: Exact | int) -> str:
    return f'"{to_plain(Exact(value))}"'


def dump_ruleset(ruleset: RuleSet) -> str:
    """The TOML text of a rule set (exact decimals as strings), readable by :func:`parse_ruleset`."""
    o = ruleset.options
    lines = [
        "[ruleset]",
        f"name = {ruleset.name!r}".replace("'", '"'),
        f"description = {ruleset.description!r}".replace("'", '"') if ruleset.description else "",
        "",
        "[options]",
        f'bracket_boundary = "{o.bracket_boundary.value}"',
        f'liquidation_trigger = "{o.liquidation_trigger.value}"',
        f"display_decimals = {o.display_decimals}",
        f'display_rounding = "{o.display_rounding.value}"',
        f'no_liquidation_price = "{o.no_liquidation_price.value}"',
        f'adl_ranking = "{o.adl_ranking.value}"',
        f'order_margin_check = "{o.order_margin_check.value}"',
        f'reduce_only_netting = "{o.reduce_only_netting.value}"',
    ]
    for market in ruleset.markets.values():
        lines += ["", "[[markets]]", f'symbol = "{market.symbol}"']
        for key in _MARKET_FIELDS:
            lines.append(f"{key} = {_toml_number(getattr(market, key))}")
        lines.append(f"funding_interval_hours = {market.funding_interval_hours}")
        lines.append(f"max_num_orders = {market.max_num_orders}")
        for b in market.brackets:
            lines += [
                "",
                "[[markets.brackets]]",
                f"bracket = {b.bracket}",
                f"notional_floor = {_toml_number(b.notional_floor)}",
                f"notional_cap = {_toml_number(b.notional_cap)}",
                f"initial_leverage = {int(b.initial_leverage)}",
                f"maint_margin_ratio = {_toml_number(b.maint_margin_ratio)}",
                f"cum = {_toml_number(b.cum)}",
            ]
    return "\n".join(line for i, line in enumerate(lines) if line or i > 3) + "\n"
