"""`marginspec evaluate`, `rules show`, `schema` and `demo`, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from marginspec.numbers import Rounding, display, exact
from tests.cli_helpers import assert_one_line_error, run_cli

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "model" / "examples" / "sample-account.json"

# Binance's cross example (B-LIQ, digest EX-L-1) and positionRisk hedge example (EX-L-2/EX-L-3/EX-L-4).
L1 = {
    "crossWalletBalance": "1535443.01",
    "positions": [
        {
            "symbol": "BTCUSDT",
            "positionSide": "BOTH",
            "positionAmt": "109.488",
            "entryPrice": "32481.98",
            "markPrice": "31967.27",
            "marginType": "cross",
            "leverage": 20,
        },
        {
            "symbol": "ETHUSDT",
            "positionSide": "BOTH",
            "positionAmt": "3683.979",
            "entryPrice": "1456.84",
            "markPrice": "1335.18",
            "marginType": "cross",
            "leverage": 10,
        },
    ],
    "openOrders": [],
}
L2 = {
    "crossWalletBalance": "0",
    "dualSidePosition": True,
    "positions": [
        {
            "symbol": "BTCUSDT",
            "positionSide": "LONG",
            "positionAmt": "20",
            "entryPrice": "6563.665",
            "markPrice": "6679.50671178",
            "marginType": "isolated",
            "isolatedWallet": "13200.70726908",
            "leverage": 10,
        },
        {
            "symbol": "BTCUSDT",
            "positionSide": "SHORT",
            "positionAmt": "-10",
            "entryPrice": "6563.86",
            "markPrice": "6679.50671178",
            "marginType": "isolated",
            "isolatedWallet": "6570.42511771",
            "leverage": 10,
        },
    ],
}


def _evaluate(document: dict[str, object], *args: str) -> dict[str, object]:
    result = run_cli("evaluate", *args, stdin=json.dumps(document))
    assert result.returncode == 0, result.stderr
    output: dict[str, object] = json.loads(result.stdout)
    return output


def _at(value: object, places: int) -> str:
    return display(exact(value), places, Rounding.HALF_UP)


def test_liq2_ex_l1_cross_liquidation_prices_and_maintenance_margin() -> None:
    """EX-L-1 (B-LIQ): LP ETH 1,153.26 and BTC 26,316.89; EX-MM-4/EX-MM-5 exact."""
    out = _evaluate(L1)
    btc, eth = out["positions"]  # type: ignore[misc]
    assert _at(btc["liquidationPrice"], 2) == "26316.89"
    assert _at(eth["liquidationPrice"], 2) == "1153.26"
    assert btc["maintMargin"] == "71200.811444"  # 109.488 × 31,967.27 × 2.5% − 16,300
    assert eth["maintMargin"] == "356512.508122"
    assert btc["unRealizedProfit"] == "-56354.56848"
    assert eth["unRealizedProfit"] == "-448192.88514"
    assert (btc["bracket"], btc["maintMarginRatio"], btc["maintAmount"]) == (4, "0.025", "16300")


def test_liq3_ex_l2_l3_l4_hedge_isolated() -> None:
    """EX-L-2/EX-L-3 (positionRisk example): 5,930.78 and 7,189.95; EX-L-4 uPnL exact."""
    out = _evaluate(L2)
    long, short = out["positions"]  # type: ignore[misc]
    assert _at(long["liquidationPrice"], 2) == "5930.78"
    assert _at(short["liquidationPrice"], 2) == "7189.95"
    assert long["unRealizedProfit"] == "2316.8342356"
    assert short["unRealizedProfit"] == "-1156.4671178"
    assert long["isolatedMargin"] == "15517.54150468"
    assert short["isolatedMargin"] == "5413.95799991"


def test_table_format_for_people() -> None:
    result = run_cli("evaluate", SAMPLE, "--format", "table")
    assert result.returncode == 0, result.stderr
    assert "liquidation price" in result.stdout
    assert "26316.89326451" in result.stdout


def test_no_liquidation_price_is_null() -> None:
    """LIQ-5: a 1x cross long whose wallet covers the whole notional has none (ccxt #8311)."""
    document = {
        "crossWalletBalance": "100000",
        "positions": [
            {
                "symbol": "BTCUSDT",
                "positionAmt": "1",
                "entryPrice": "30000",
                "markPrice": "30000",
                "leverage": 1,
            }
        ],
    }
    (position,) = _evaluate(document)["positions"]  # type: ignore[misc]
    assert position["liquidationPrice"] is None
    assert position["bankruptcyPrice"] is None


def test_output_and_input_match_the_published_schemas() -> None:
    schemas = {}
    for which in ("input", "output"):
        result = run_cli("schema", which)
        assert result.returncode == 0, result.stderr
        schemas[which] = json.loads(result.stdout)
    for document in (L1, L2, json.loads(SAMPLE.read_text())):
        jsonschema.validate(document, schemas["input"])
        jsonschema.validate(_evaluate(document), schemas["output"])


def test_rules_file_and_brackets_file(tmp_path: Path) -> None:
    """--rules TOML (round trip through `rules show --format toml`) and --brackets JSON."""
    toml = run_cli("rules", "show", "--format", "toml")
    assert toml.returncode == 0, toml.stderr
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(toml.stdout)
    assert _evaluate(L1, "--rules", str(rules_file)) == _evaluate(L1)
    brackets = tmp_path / "brackets.json"
    shown = run_cli("rules", "show", "--format", "json")
    brackets.write_text(shown.stdout.replace('"brackets"', '"brackets"'))
    # `rules show --format json` prints leverageBracket-shaped entries: they import back.
    again = run_cli("rules", "show", "BTCUSDT", "--brackets", brackets, "--format", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)[0]["brackets"] == json.loads(shown.stdout)[0]["brackets"]


def test_rules_show_table() -> None:
    result = run_cli("rules", "show", "BTCUSDT")
    assert result.returncode == 0, result.stderr
    assert "16300" in result.stdout and "100x" in result.stdout and "125x" not in result.stdout


def test_demo_runs() -> None:
    result = run_cli("demo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sample account" in result.stdout


@pytest.mark.parametrize(
    ("stdin", "fragments"),
    [
        ('{"crossWalletBalance": 1.5}', ["<stdin>", "/crossWalletBalance", "1.5", "string"]),
        ('{"crossWalletBalance": "1",', ["<stdin>", "malformed JSON", "line 1"]),
        (
            '{"crossWalletBalance": "1", "positions": [{"symbol": "XRPUSDT", "positionAmt": "1",'
            ' "markPrice": "1", "leverage": 1}]}',
            ["/positions/0/symbol", "XRPUSDT"],
        ),
        (
            '{"crossWalletBalance": "1", "positions": [{"symbol": "BTCUSDT", "positionAmt": "0",'
            ' "markPrice": "1", "leverage": 1}], "openOrders": [{"symbol": "BTCUSDT", "side": "BUY",'
            ' "price": "1", "origQty": "-2"}]}',
            ["/openOrders/0/origQty", "positive"],
        ),
        (
            '{"crossWalletBalance": "1", "positions": [{"symbol": "BTCUSDT", "positionAmt": "1",'
            ' "entryPrice": "1", "markPrice": "1", "leverage": 101}]}',
            ["/positions/0/leverage", "100x"],
        ),
        (
            '{"crossWalletBalance": "1", "positions": [{"symbol": "BTCUSDT", "positonAmt": "1"}]}',
            ["/positions/0/positonAmt", "unknown field"],
        ),
        ("[1, 2]", ["expected a JSON object"]),
    ],
)
def test_bad_input_is_one_line_exit_2(stdin: str, fragments: list[str]) -> None:
    assert_one_line_error(run_cli("evaluate", stdin=stdin), *fragments)


def test_bad_files(tmp_path: Path) -> None:
    assert_one_line_error(
        run_cli("evaluate", tmp_path / "missing.json"), "missing.json", "cannot read"
    )
    bad_rules = tmp_path / "bad.toml"
    bad_rules.write_text("[ruleset\nname=1")
    assert_one_line_error(
        run_cli("evaluate", SAMPLE, "--rules", bad_rules), "bad.toml", "malformed TOML"
    )
    wrong_cum = tmp_path / "wrong.toml"
    text = run_cli("rules", "show", "--format", "toml").stdout
    wrong_cum.write_text(text.replace('cum = "1300"', 'cum = "1301"'))
    assert_one_line_error(
        run_cli("evaluate", SAMPLE, "--rules", wrong_cum), "wrong.toml", "BTCUSDT bracket 3", "cum"
    )
    assert_one_line_error(run_cli("rules", "show", "DOGEUSDT"), "DOGEUSDT")


def test_rules_show_by_bundled_name() -> None:
    """RS-5: a bundled rule set by name shows each venue's own table (issue 15)."""
    aster = run_cli("rules", "show", "--rules", "aster-pro", "BTCUSDT", "--format", "json")
    assert aster.returncode == 0, aster.stderr
    first = json.loads(aster.stdout)[0]["brackets"][0]
    # A-RUL: Aster's maximum leverage is 100
    assert (first["initialLeverage"], first["notionalCap"]) == (100, "50000")
    binance = run_cli("rules", "show", "--rules", "binance-usdm", "BTCUSDT", "--format", "json")
    assert binance.returncode == 0, binance.stderr
    rows = json.loads(binance.stdout)[0]["brackets"]
    # B-BRK, Binance's own BTCUSDT table in the bundled data
    assert rows[0] == {
        "bracket": 1,
        "initialLeverage": 150,
        "notionalCap": "300000",
        "notionalFloor": "0",
        "maintMarginRatio": "0.004",
        "cum": "0",
    }
    assert (rows[1]["maintMarginRatio"], rows[1]["cum"]) == ("0.005", "300")
    listed = run_cli("rules", "list")
    assert listed.stdout.split() == ["aster-pro", "binance-usdm"]
    missing = run_cli("rules", "show", "--rules", "nonesuch")
    assert_one_line_error(missing, "neither a bundled rule set")
