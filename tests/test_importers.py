"""Bracket importers (RS-4): leverageBracket JSON (list and object forms) and ccxt tiers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from marginspec.errors import RuleSetError
from marginspec.importers import exchange_symbol, load_brackets
from marginspec.numbers import exact
from marginspec.rulefile import load_bundled
from tests.cli_helpers import assert_one_line_error, run_cli

# The B-BRK documentation example shape, with the digest §1.1 BTCUSDT brackets 1-4.
BTC = {
    "symbol": "BTCUSDT",
    "brackets": [
        {
            "bracket": 1,
            "initialLeverage": 125,
            "notionalCap": 50000,
            "notionalFloor": 0,
            "maintMarginRatio": 0.004,
            "cum": 0.0,
        },
        {
            "bracket": 2,
            "initialLeverage": 100,
            "notionalCap": 250000,
            "notionalFloor": 50000,
            "maintMarginRatio": 0.005,
            "cum": 50.0,
        },
        {
            "bracket": 3,
            "initialLeverage": 50,
            "notionalCap": 1000000,
            "notionalFloor": 250000,
            "maintMarginRatio": 0.01,
            "cum": 1300.0,
        },
        {
            "bracket": 4,
            "initialLeverage": 20,
            "notionalCap": 10000000,
            "notionalFloor": 1000000,
            "maintMarginRatio": 0.025,
            "cum": 16300.0,
        },
    ],
}


def _write(tmp_path: Path, data: Any, name: str = "brackets.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_list_and_object_forms_agree(tmp_path: Path) -> None:
    listed = load_brackets(_write(tmp_path, [BTC], "list.json"))
    single = load_brackets(_write(tmp_path, BTC, "single.json"))
    assert listed.markets["BTCUSDT"].brackets == single.markets["BTCUSDT"].brackets
    third = single.markets["BTCUSDT"].brackets[2]
    # JSON numbers are read as exact decimals: 0.01 is exactly 1/100 (MM-3: cum 1,300).
    assert third.maint_margin_ratio == exact("0.01") and third.cum == 1300


def test_market_settings_come_from_the_base_rule_set(tmp_path: Path) -> None:
    base = load_bundled()
    imported = load_brackets(_write(tmp_path, BTC), base=base)
    assert imported.markets["BTCUSDT"].taker_fee == base.markets["BTCUSDT"].taker_fee
    assert imported.markets["BTCUSDT"].tick_size == base.markets["BTCUSDT"].tick_size


def test_notional_coef_scales_floors_caps_and_cum(tmp_path: Path) -> None:
    """BRK-6: notionalCoef 1.5 scales the notional axis; the table stays well-formed."""
    scaled = dict(BTC, notionalCoef=1.5)
    market = load_brackets(_write(tmp_path, scaled)).markets["BTCUSDT"]
    assert market.brackets[2].notional_floor == 375000
    assert market.brackets[2].cum == 1950


def test_ccxt_symbols() -> None:
    assert exchange_symbol("BTC/USDT:USDT") == "BTCUSDT"
    assert exchange_symbol("1000BONK/USDC:USDC") == "1000BONKUSDC"
    assert exchange_symbol("BTC/USDT:USDT-260925") == "BTCUSDT_260925"


def test_ccxt_without_info_derives_cum(tmp_path: Path) -> None:
    tiers = [
        {
            "tier": 1,
            "minNotional": 0,
            "maxNotional": 50000,
            "maintenanceMarginRate": 0.004,
            "maxLeverage": 125,
        },
        {
            "tier": 2,
            "minNotional": 50000,
            "maxNotional": 250000,
            "maintenanceMarginRate": 0.005,
            "maxLeverage": 100,
        },
        {
            "tier": 3,
            "minNotional": 250000,
            "maxNotional": 1000000,
            "maintenanceMarginRate": 0.01,
            "maxLeverage": 50,
        },
    ]
    market = load_brackets(_write(tmp_path, {"BTC/USDT:USDT": tiers})).markets["BTCUSDT"]
    assert [b.cum for b in market.brackets] == [0, 50, 1300]  # MM-3


def test_all_907_real_binance_tables_load(tiers_file: Path) -> None:
    ruleset = load_brackets(tiers_file)
    assert len(ruleset.markets) == 907
    btc = ruleset.markets["BTCUSDT"]
    assert btc.brackets[1].cum == 300 and btc.max_leverage == 150


def _broken(change: str) -> dict[str, Any]:
    data = copy.deepcopy(BTC)
    rows = data["brackets"]
    if change == "gap":
        rows[2]["notionalFloor"] = 260000
    elif change == "overlap":
        rows[2]["notionalFloor"] = 240000
    elif change == "decreasing MMR":
        rows[3]["maintMarginRatio"] = 0.009
    elif change == "wrong cum":
        rows[2]["cum"] = 1301
    elif change == "non-positive leverage":
        rows[3]["initialLeverage"] = 0
    elif change == "missing field":
        del rows[1]["cum"]
    return data


@pytest.mark.parametrize(
    ("change", "bracket", "words"),
    [
        ("gap", 3, "gap"),
        ("overlap", 3, "overlap"),
        ("decreasing MMR", 4, "decreases"),
        ("wrong cum", 3, "recurrence"),
        ("non-positive leverage", 4, "positive integer"),
        ("missing field", 2, "missing 'cum'"),
    ],
)
def test_ill_formed_tables_are_refused(
    tmp_path: Path, change: str, bracket: int, words: str
) -> None:
    """BRK-5: the error names the file, the symbol and the bracket."""
    path = _write(tmp_path, _broken(change), "broken.json")
    with pytest.raises(RuleSetError) as caught:
        load_brackets(path)
    message = str(caught.value)
    assert "broken.json" in message and f"BTCUSDT bracket {bracket}" in message and words in message
    assert_one_line_error(
        run_cli("rules", "show", "--brackets", path), "broken.json", f"BTCUSDT bracket {bracket}"
    )


def test_malformed_json_names_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('[{"symbol": "BTCUSDT", "brackets": [')
    with pytest.raises(RuleSetError, match=r"cut.json: malformed JSON at line 1"):
        load_brackets(path)
