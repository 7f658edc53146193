"""``marginspec audit`` (SNAP-5, SNAP-6): the venues' documented answers, tampered copies,
bad input, and the audit of the model's own API answers.

The documented answers are tests/data/api/ (sources in its README.md), made strict JSON
by :func:`tests.test_api_profile.doc_example`. Where an example contradicts itself, the
test says so with the numbers and asserts what the audit reports about it.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from marginspec.api_profile import ACCOUNT_PATH, POSITION_PATH
from marginspec.audit import agrees, audit_json, run_audit
from marginspec.cli.evaluate import evaluate_document
from marginspec.numbers import Exact, to_plain
from marginspec.responses import Source, read_responses, reported
from marginspec.rulefile import load_bundled, load_ruleset
from tests.cli_helpers import assert_one_line_error, run_cli
from tests.test_api_profile import DATA, doc_example

BINANCE_EXAMPLE = DATA / "binance-example.toml"
SAMPLE = Path(__file__).parents[1] / "model" / "examples" / "sample-account.json"


def _write(tmp_path: Path, name: str, document: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, default=str), encoding="utf-8")
    return path


def _example(tmp_path: Path, name: str) -> Path:
    return _write(tmp_path, f"{name}.json", doc_example(f"{name}.txt"))


def _audit(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = run_cli("audit", *args, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def _check(out: dict[str, Any], field: str, symbol: str | None = None) -> dict[str, Any]:
    """The one check of ``field``: of the position ``symbol``, else of the account's totals."""
    scope = "position" if symbol else "account"
    (found,) = [
        c
        for c in out["checks"]
        if c["field"] == field and c["scope"] == scope and c.get("symbol") == symbol
    ]
    return found


def _skipped(out: dict[str, Any]) -> dict[str, str]:
    return {n["where"].split(": ", 1)[1]: n["reason"] for n in out["notAudited"]}


# --- the documented answers ---------------------------------------------------------


def test_aster_account_v3_example_agrees(tmp_path: Path) -> None:
    """A-API "Account Information v3": the totals, the USDT asset and the flat isolated
    BTCUSDT position at 100x (maxNotional 250,000, LEV-3 on aster-pro) all agree; the
    BUSD asset is named as not audited (multi-assets, SNAP-5)."""
    status, out = _audit("--account", _example(tmp_path, "aster-account-v3"))
    assert status == 0 and out["agree"] is True
    assert _check(out, "maxNotional", "BTCUSDT")["computed"] == "250000"
    assert _check(out, "availableBalance")["reported"] == "23.72469206"
    assert out["summary"] == {"agree": 27, "diverge": 0, "notAudited": 1}
    assert "an asset other than USDT" in _skipped(out)["/assets/1"]


def test_aster_position_risk_v3_one_way_example_agrees(tmp_path: Path) -> None:
    """A-API "Position Information v3", one-way: the flat BTCUSDT position agrees (no
    liquidation price, "0", LIQ-5; maxNotionalValue 20,000,000 at 10x, LEV-3)."""
    status, out = _audit("--position-risk", _example(tmp_path, "aster-position-risk-v3-one-way"))
    assert status == 0
    assert _check(out, "liquidationPrice", "BTCUSDT")["computed"] == "none"
    assert _check(out, "maxNotionalValue", "BTCUSDT")["computed"] == "20000000"


def test_aster_position_risk_v3_hedge_example(tmp_path: Path) -> None:
    """A-API "Position Information v3", hedge. The example contradicts itself: its short
    of −10.000 has entryPrice "0.00000", which no open position has, while its uPnL
    −1,156.46711780 = −10 × (6,679.50671178 − entry) needs an entry of 6,563.86. As
    given, it is refused (exit 2, naming the field); with the entry its uPnL implies,
    every figure agrees, the liquidation prices it writes at 2 places ("5930.78",
    "7189.95") within those 2 places of the model's 5,930.78355431… and 7,189.95274803…
    (SNAP-6). The isolated wallets are derived from isolatedMargin − unRealizedProfit
    (Aster's answer has none), so isolatedMargin is an input there (SNAP-5)."""
    given = _example(tmp_path, "aster-position-risk-v3-hedge")
    assert_one_line_error(
        run_cli("audit", "--position-risk", given),
        "aster-position-risk-v3-hedge.json: /1/entryPrice",
        "needs a positive entryPrice",
    )
    answer = doc_example("aster-position-risk-v3-hedge.txt")
    answer[1]["entryPrice"] = "6563.86"
    status, out = _audit("--position-risk", _write(tmp_path, "fixed.json", answer))
    assert status == 0
    long, short = (c for c in out["checks"] if c["field"] == "liquidationPrice")
    assert (long["reported"], long["computed"][:13]) == ("5930.78", "5930.78355431")
    assert (short["reported"], short["computed"][:13]) == ("7189.95", "7189.95274803")
    assert [c["field"] for c in out["checks"] if c["positionSide"] == "LONG"] == [
        "liquidationPrice",
        "maxNotionalValue",
        "unRealizedProfit",
    ]
    assert "derived from it" in _skipped(out)["/0/isolatedMargin"]


def test_binance_position_risk_v3_hedge_example_agrees(tmp_path: Path) -> None:
    """B-POS3 hedge example under the brackets it implies (tests/data/api/binance-example.toml).
    Binance's v3 answer states no leverage and no fee rate, so without them the initial
    margins and breakEvenPrice are not audited, and without the account answer no cross
    liquidation price (SNAP-5); notional, uPnL and maintMargin agree (the model's MM
    0.0800428005 and 0.4972023376 written at 8 places toward zero)."""
    answer = _example(tmp_path, "binance-position-risk-v3-hedge")
    status, out = _audit("--position-risk", answer, "--rules", BINANCE_EXAMPLE)
    assert status == 0
    assert _check(out, "maintMargin", "ADAUSDT")["computed"] == "0.0800428005"
    reasons = _skipped(out)
    assert "--leverage" in reasons["/0/initialMargin"]
    assert "--fee-rate" in reasons["/1/breakEvenPrice"]
    assert "cross wallet" in reasons["/1/liquidationPrice"]
    # The inputs the example implies (20x both; fee rates 0.02 % and 0.04 %, FEE-2's source):
    status, out = _audit(
        "--position-risk",
        answer,
        "--rules",
        BINANCE_EXAMPLE,
        *("--leverage", "ADAUSDT=20", "--leverage", "COMPUSDT=20"),
        *("--fee-rate", "ADAUSDT=0.0002", "--fee-rate", "COMPUSDT=0.0004"),
    )
    assert status == 0
    assert _check(out, "breakEvenPrice", "COMPUSDT")["computed"] == "70.900038636"
    assert _check(out, "initialMargin", "COMPUSDT")["computed"] == "2.486011688"
    assert set(_skipped(out)) == {"/0/liquidationPrice", "/1/liquidationPrice"}


def test_binance_hedge_liquidation_price_with_a_wallet(tmp_path: Path) -> None:
    """The documented COMPUSDT liquidation price 2,260.56757210 agrees (LIQ-2) once an
    account answer gives the cross wallet, which the example does not: 2,211.56060363 is
    the wallet tests/test_api_profile.py infers. ADAUSDT's "0" agrees with none (LIQ-5)."""
    bundle = {
        "account": {"totalCrossWalletBalance": "2211.56060363"},
        "positionRisk": doc_example("binance-position-risk-v3-hedge.txt"),
    }
    status, out = _audit(_write(tmp_path, "bundle.json", bundle), "--rules", BINANCE_EXAMPLE)
    assert status == 0
    comp = _check(out, "liquidationPrice", "COMPUSDT")
    assert (comp["reported"], comp["computed"][:13]) == ("2260.56757210", "2260.56757210")
    assert _check(out, "liquidationPrice", "ADAUSDT")["computed"] == "none"


def test_binance_position_risk_v3_one_way_example_agrees(tmp_path: Path) -> None:
    """B-POS3 one-way example: the hedge example's ADAUSDT as a BOTH position agrees."""
    answer = _example(tmp_path, "binance-position-risk-v3-one-way")
    status, out = _audit("--position-risk", answer, "--rules", BINANCE_EXAMPLE)
    assert status == 0 and out["summary"]["diverge"] == 0
    assert _check(out, "notional", "ADAUSDT")["computed"] == "12.314277"


def test_binance_account_v3_example_contradicts_itself(tmp_path: Path) -> None:
    """B-ACC3 single-asset example. Its position holds 1.000 BTCUSDT with notional "0",
    which no mark price gives, and the account answer carries no mark: refused (exit 2).
    Without that position, the USDT asset's crossWalletBalance 23.72469206 is the wallet,
    and the totals, "only for USDT asset", say 103.12345678: five of them diverge (exit 1),
    each with both values; the USDC asset is named as not audited."""
    answer = doc_example("binance-account-v3-single-asset.txt")
    assert_one_line_error(
        run_cli(
            "audit", "--account", _write(tmp_path, "acc.json", answer), "--rules", "binance-usdm"
        ),
        "acc.json: /positions/0",
        "no markPrice",
    )
    answer["positions"] = []
    status, out = _audit("--account", _write(tmp_path, "flat.json", answer))
    assert status == 1
    diverged = {c["field"]: c for c in out["checks"] if c["result"] == "diverge"}
    assert set(diverged) == {
        "totalWalletBalance",
        "totalMarginBalance",
        "totalCrossWalletBalance",
        "availableBalance",
        "maxWithdrawAmount",
    }
    wallet = diverged["totalWalletBalance"]
    assert (wallet["reported"], wallet["computed"], wallet["rules"]) == (
        "103.12345678",
        "23.72469206",
        ["MB-1"],
    )
    assert wallet["difference"] == "79.39876472"
    assert wallet["inputs"]["crossWalletBalance"] == "23.72469206"
    assert "an asset other than USDT" in _skipped(out)["/assets/1"]


# --- tampered copies ------------------------------------------------------------------


def test_a_tampered_account_total_is_caught(tmp_path: Path) -> None:
    """One figure changed by one unit of its last place: exit 1, the field, where and rule."""
    answer = doc_example("aster-account-v3.txt")
    answer["availableBalance"] = "23.72469207"
    status, out = _audit("--account", _write(tmp_path, "acc.json", answer))
    assert status == 1 and out["agree"] is False and out["summary"]["diverge"] == 1
    (bad,) = [c for c in out["checks"] if c["result"] == "diverge"]
    assert (bad["scope"], bad["field"], bad["rules"]) == ("account", "availableBalance", ["AVB-1"])
    assert bad["where"].endswith("acc.json: /availableBalance")
    assert (bad["reported"], bad["computed"], bad["difference"]) == (
        "23.72469207",
        "23.72469206",
        "0.00000001",
    )


def test_a_tampered_position_figure_names_the_position_and_rule(tmp_path: Path) -> None:
    """COMPUSDT's maintMargin 0.49720233 → 0.49720243: the position, MM-1 and the inputs
    that explain it (bracket 1 at 1 %, cum 0, notional from the mark)."""
    answer = doc_example("binance-position-risk-v3-hedge.txt")
    answer[1]["maintMargin"] = "0.49720243"
    status, out = _audit(
        "--position-risk", _write(tmp_path, "risk.json", answer), "--rules", BINANCE_EXAMPLE
    )
    assert status == 1
    (bad,) = [c for c in out["checks"] if c["result"] == "diverge"]
    assert (bad["symbol"], bad["positionSide"], bad["field"]) == (
        "COMPUSDT",
        "SHORT",
        "maintMargin",
    )
    assert bad["rules"] == ["MM-1", "BRK-3"] and bad["where"].endswith("risk.json: /1/maintMargin")
    assert bad["computed"] == "0.4972023376"
    inputs = bad["inputs"]
    assert (inputs["bracket"], inputs["maintMarginRatio"], inputs["maintAmount"]) == (
        "1",
        "0.01",
        "0",
    )
    assert (inputs["positionAmt"], inputs["markPrice"], inputs["leverage"]) == (
        "-1",
        "49.72023376",
        "unknown",
    )


def test_a_tampered_liquidation_price_is_caught(tmp_path: Path) -> None:
    """2,260.56757210 → 2,260.56757310 (10⁻⁶ off): LIQ-2 diverges; the table names it."""
    risk = doc_example("binance-position-risk-v3-hedge.txt")
    risk[1]["liquidationPrice"] = "2260.56757310"
    bundle = _write(
        tmp_path,
        "bundle.json",
        {"account": {"totalCrossWalletBalance": "2211.56060363"}, "positionRisk": risk},
    )
    status, out = _audit(bundle, "--rules", BINANCE_EXAMPLE)
    assert status == 1
    (bad,) = [c for c in out["checks"] if c["result"] == "diverge"]
    assert (bad["symbol"], bad["field"], bad["rules"][0]) == (
        "COMPUSDT",
        "liquidationPrice",
        "LIQ-2",
    )
    assert bad["inputs"]["crossWalletBalance"] == "2211.56060363"
    table = run_cli("audit", bundle, "--rules", BINANCE_EXAMPLE)
    assert table.returncode == 1 and "DIVERGENCE" in table.stdout
    assert "bundle.json: /positionRisk/1/liquidationPrice" in table.stdout


# --- bad input: one line, exit 2 ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('{"account": {"totalWalletBalance": "1"', ("bad.json", "malformed JSON")),
        ("", ("bad.json", "malformed JSON")),
        ('{"positionRisk": {"symbol": "BTCUSDT"}}', ("bad.json: /positionRisk", "JSON array")),
        ('{"positionRisk": [{"symbol": "BTCUSDT"}]}', ("/positionRisk/0", "'positionAmt'")),
        (
            '{"positionRisk": [{"symbol": "BTCUSDT", "positionAmt": "1", "entryPrice": "1",'
            ' "marginType": "cross", "leverage": "1"}]}',
            ("/positionRisk/0", "no markPrice"),
        ),
        (
            '{"positionRisk": [{"symbol": "NOPEUSDT", "positionAmt": "1", "entryPrice": "1",'
            ' "markPrice": "1", "marginType": "cross", "leverage": "1"}]}',
            ("/positionRisk/0/symbol", "unknown symbol 'NOPEUSDT'"),
        ),
        (
            '{"account": {"totalWalletBalance": true}}',
            ("/account/totalWalletBalance", "expected a number"),
        ),
        (
            '{"account": {"totalWalletBalance": "1e3"}}',
            ("/account/totalWalletBalance", "exponent"),
        ),
        ('{"acount": {}}', ("bad.json: /acount", "unknown part")),
        ("[]", ("bad.json: /", "a bundle is a JSON object")),
        ('{"openOrders": []}', ("nothing to audit",)),
        (
            '{"positionRisk": [{"symbol": "BTCUSDT", "positionAmt": "1", "entryPrice": "1",'
            ' "markPrice": "1", "marginType": "cross", "leverage": "500"}]}',
            ("/positionRisk/0/leverage", "exceeds"),
        ),
    ],
)
def test_bad_answers_are_one_line_errors(tmp_path: Path, text: str, fragments: tuple[str]) -> None:
    """Malformed, truncated and wrong-shape answers: exit 2, one line naming the file and
    the JSON pointer, no traceback."""
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    assert_one_line_error(run_cli("audit", bad), *fragments)


def test_two_answers_of_different_states_are_refused(tmp_path: Path) -> None:
    """The account says 2 where positionRisk says 1: two moments, not one account."""
    position = {
        "symbol": "BTCUSDT",
        "positionAmt": "1",
        "entryPrice": "100",
        "markPrice": "100",
        "marginType": "cross",
        "leverage": "10",
    }
    bundle = {
        "positionRisk": [position],
        "account": {
            "totalCrossWalletBalance": "100",
            "positions": [{**position, "positionAmt": "2"}],
        },
    }
    assert_one_line_error(
        run_cli("audit", _write(tmp_path, "b.json", bundle)),
        "b.json: /account/positions/0/positionAmt",
        "two states",
    )


# --- what the model lacks is named ------------------------------------------------------


def test_multi_assets_and_portfolio_fields_are_named_not_audited(tmp_path: Path) -> None:
    """multiAssetsMargin true: every account figure is named as not audited, with the
    reason; a USDC asset and a field no rule knows (a portfolio-margin figure) too."""
    answer = doc_example("binance-account-v3-single-asset.txt")
    answer["positions"] = []
    answer["multiAssetsMargin"] = True
    answer["accountEquity"] = "126.72469206"
    status, out = _audit("--account", _write(tmp_path, "multi.json", answer))
    assert status == 0 and out["checks"] == []
    reasons = _skipped(out)
    assert "multi-assets mode" in reasons["/multiAssetsMargin"]
    assert "multi-assets mode" in reasons["/totalWalletBalance"]
    assert "no rule" in reasons["/accountEquity"]
    assert "other than USDT" in reasons["/assets/1"]
    risk = doc_example("binance-position-risk-v3-one-way.txt")
    bundle = {"account": answer, "positionRisk": risk}
    status, out = _audit(_write(tmp_path, "b.json", bundle), "--rules", BINANCE_EXAMPLE)
    assert status == 0
    assert "every asset's value" in _skipped(out)["/positionRisk/0/liquidationPrice"]
    assert _check(out, "notional", "ADAUSDT")["result"] == "agree"


def test_a_position_margined_in_another_asset_is_named(tmp_path: Path) -> None:
    """A position with marginAsset USDC is named and never read (SNAP-5)."""
    risk = doc_example("binance-position-risk-v3-one-way.txt")
    risk.append({**risk[0], "symbol": "BTCUSDC", "marginAsset": "USDC"})
    status, out = _audit(
        "--position-risk", _write(tmp_path, "risk.json", risk), "--rules", BINANCE_EXAMPLE
    )
    assert status == 0
    assert "USDT only" in _skipped(out)["/1"]


# --- the audit inverts the API profile ----------------------------------------------------


@pytest.mark.parametrize("venue", ["aster", "binance"])
def test_the_models_own_answers_agree(venue: str) -> None:
    """``evaluate --api`` of the sample account (two cross positions, a resting reduce-only
    sell) audited with its open orders: every figure agrees, and every reported figure
    is audited once the leverage and fee rate Binance's v3 omits are given (SNAP-4 read
    back by SNAP-5, compared by SNAP-6)."""
    aster = load_bundled("aster-pro")
    snapshot = json.loads(SAMPLE.read_text(encoding="utf-8"))
    answers = evaluate_document(snapshot, aster, api=venue)
    parts = {
        "account": Source("account.json", "", answers[ACCOUNT_PATH[venue]]),
        "positionRisk": Source("risk.json", "", answers[POSITION_PATH]),
        "openOrders": Source("orders.json", "", snapshot["openOrders"]),
    }
    levs = [f"{p['symbol']}={p['leverage']}" for p in snapshot["positions"]]
    fees = [f"{s}={to_plain(2 * aster.markets[s].taker_fee)}" for s in ("BTCUSDT", "ETHUSDT")]
    responses = read_responses(parts, aster, levs, fees)
    out = audit_json(run_audit(responses))
    assert out["agree"] is True and out["summary"]["diverge"] == 0
    assert out["notAudited"] == []
    audited = {(c.get("symbol"), c["field"]) for c in out["checks"]}
    assert ("BTCUSDT", "liquidationPrice") in audited and (None, "availableBalance") in audited
    if venue == "binance":
        assert ("ETHUSDT", "askNotional") in audited and ("ETHUSDT", "breakEvenPrice") in audited


def test_the_output_matches_its_schema(tmp_path: Path) -> None:
    """``marginspec schema audit`` describes the JSON output, divergences included."""
    result = run_cli("schema", "audit")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    answer = doc_example("aster-account-v3.txt")
    answer["totalMaintMargin"] = "1.00000000"
    status, out = _audit("--account", _write(tmp_path, "acc.json", answer))
    assert status == 1
    jsonschema.validate(out, schema)


# --- SNAP-6 itself --------------------------------------------------------------------------


def _r(text: str) -> Any:
    return reported("f", text, "here")


def test_snap6_ex_a_pos3_1_two_places() -> None:
    """EX-A-POS3-1 (SNAP-6): "5930.78" is 5,930.78355431 at the 2 places written."""
    assert agrees(_r("5930.78"), Exact("5930.78355431"))
    assert agrees(_r("5930.79"), Exact("5930.78355431"))  # rounded up: still within
    assert not agrees(_r("5930.77"), Exact("5930.78355431"))


def test_snap6_ex_b_pos3_3_either_direction() -> None:
    """EX-B-POS3-3 (SNAP-6): 2.486011688 written toward zero or away at 8 places."""
    exact = Exact("2.486011688")
    assert agrees(_r("2.48601168"), exact) and agrees(_r("2.48601169"), exact)
    assert not agrees(_r("2.48601167"), exact) and not agrees(_r("2.48601170"), exact)


def test_snap6_whole_text_claims_eight_places() -> None:
    """A text without a fraction ("0", "250000") claims 8 places; a liquidation price "0"
    is none (LIQ-5), and a positive one is never "0" (DISP-3)."""
    assert agrees(_r("0"), Exact("0.000000009")) and not agrees(_r("0"), Exact("0.00000001"))
    assert agrees(_r("250000"), Exact(250000)) and not agrees(_r("250000"), Exact("250000.5"))
    assert agrees(_r("0"), None, none_is_zero=True)
    assert not agrees(_r("0"), Exact("0.000000001"), none_is_zero=True)
    assert not agrees(_r("12.5"), None, none_is_zero=True)


def test_the_shipped_example_is_asters_documented_answer() -> None:
    """model/examples/aster-answers.json (README, docs) is A-API's account example as a
    bundle, its values verbatim, and it agrees."""
    bundle = Path(__file__).parents[1] / "model" / "examples" / "aster-answers.json"
    assert json.loads(bundle.read_text(encoding="utf-8")) == {
        "account": doc_example("aster-account-v3.txt")
    }
    assert run_cli("audit", bundle).returncode == 0


def test_a_leverage_two_answers_disagree_on_is_refused(tmp_path: Path) -> None:
    """Aster's documented account (BTCUSDT at 100x) and one-way positionRisk (BTCUSDT at
    10x) are two accounts' answers: bundled, they are refused, not mixed."""
    bundle = {
        "positionRisk": doc_example("aster-position-risk-v3-one-way.txt"),
        "account": doc_example("aster-account-v3.txt"),
    }
    assert_one_line_error(
        run_cli("audit", _write(tmp_path, "b.json", bundle)),
        "b.json: /account/positions/0/leverage",
        "two states",
    )


# --- the leverageBracket answer and a venue's openOrders ------------------------------------


def _leverage_bracket_answer() -> list[dict[str, Any]]:
    """tests/data/api/binance-example.toml's tables as a ``GET /fapi/v1/leverageBracket``
    answer (bare JSON numbers, as the venue writes them)."""
    ruleset = load_ruleset(BINANCE_EXAMPLE)
    return [
        {
            "symbol": symbol,
            "brackets": [
                {
                    "bracket": b.bracket,
                    "initialLeverage": int(b.initial_leverage),
                    "notionalCap": int(b.notional_cap),
                    "notionalFloor": int(b.notional_floor),
                    "maintMarginRatio": Decimal(to_plain(b.maint_margin_ratio)),
                    "cum": Decimal(to_plain(b.cum)),
                }
                for b in market.brackets
            ],
        }
        for symbol, market in ruleset.markets.items()
    ]


def test_the_leverage_bracket_answer_is_the_rule_set(tmp_path: Path) -> None:
    """RS-4 through SNAP-5: with the leverageBracket answer in the bundle, the hedge example
    agrees on the default rule set's options (its own tables are not read); a broken
    answer is a one-line error naming the bundle's part."""
    answer = _leverage_bracket_answer()
    bundle = {
        "positionRisk": doc_example("binance-position-risk-v3-hedge.txt"),
        "leverageBracket": answer,
    }
    text = json.dumps(bundle, default=str)
    bare = re.sub(r'"(maintMarginRatio|cum)": "([0-9.]+)"', r'"\1": \2', text)
    assert '"maintMarginRatio": 0.0065' in bare  # bare JSON numbers, as the venue writes them
    (tmp_path / "bundle.json").write_text(bare, encoding="utf-8")
    status, out = _audit(tmp_path / "bundle.json")
    assert status == 0 and out["ruleset"].startswith("aster-pro + ")
    assert _check(out, "maintMargin", "ADAUSDT")["computed"] == "0.0800428005"
    answer[0]["brackets"][1]["cum"] = 36  # BRK-2 gives 35
    bundle["leverageBracket"] = answer
    assert_one_line_error(
        run_cli("audit", _write(tmp_path, "broken.json", bundle)),
        "broken.json: /leverageBracket",
        "ADAUSDT bracket 2",
    )


def test_a_venues_open_orders_answer(tmp_path: Path) -> None:
    """``GET /fapi/v1/openOrders`` as the venue writes it (status, times, a STOP_MARKET at
    price "0"): the resting LIMIT order holds margin (ORD-1, ORD-2), the stop none (ORD-3),
    and the position's figures agree; without the answer the order margin diverges."""
    snapshot = json.loads(SAMPLE.read_text(encoding="utf-8"))
    aster = load_bundled("aster-pro")
    buy = {"symbol": "BTCUSDT", "side": "BUY", "positionSide": "BOTH", "type": "LIMIT"}
    snapshot["openOrders"].append({**buy, "price": "31000", "origQty": "2", "executedQty": "0.5"})
    answers = evaluate_document(snapshot, aster, api="aster")
    order = snapshot["openOrders"][1]
    venue_orders = [
        snapshot["openOrders"][0],
        {**order, "orderId": 1, "status": "NEW", "avgPrice": "0", "time": 1, "stopPrice": "0"},
        {**order, "orderId": 2, "type": "STOP_MARKET", "price": "0", "stopPrice": "1300"},
    ]
    bundle = {
        "account": answers[ACCOUNT_PATH["aster"]],
        "positionRisk": answers[POSITION_PATH],
        "openOrders": venue_orders,
    }
    status, out = _audit(_write(tmp_path, "bundle.json", bundle))
    assert status == 0
    # ORD-2 on the 20x long: the 1.5 BTC left of the buy at 31,000, 46,500 / 20.
    assert _check(out, "openOrderInitialMargin", "BTCUSDT")["reported"] == "2325.00000000"
    del bundle["openOrders"]
    status, out = _audit(_write(tmp_path, "no-orders.json", bundle))
    assert status == 1
    assert ("BTCUSDT", "openOrderInitialMargin") in {
        (c.get("symbol"), c["field"]) for c in out["checks"] if c["result"] == "diverge"
    }
    assert "no openOrders answer" in out["notes"][0]


def test_an_option_for_a_symbol_no_answer_holds_is_refused(tmp_path: Path) -> None:
    answer = _example(tmp_path, "binance-position-risk-v3-one-way")
    assert_one_line_error(
        run_cli(
            "audit",
            "--position-risk",
            answer,
            "--rules",
            BINANCE_EXAMPLE,
            "--leverage",
            "BTCUSDT=5",
        ),
        "--leverage BTCUSDT=5",
        "no answer has a position of it",
    )


# --- the property: the audit inverts the API profile -------------------------------------


_PRICE = st.integers(1_000, 9_000_000).map(lambda n: Exact(n, 100))
_AMOUNT = st.integers(-50_000, 50_000).map(lambda n: Exact(n, 1000))


@st.composite
def _snapshots(draw: st.DrawFn) -> dict[str, Any]:
    """Accounts on aster-pro's two markets, one-way or hedge, with resting LIMIT orders:
    amounts at 3 places, prices and wallets at 2, so that Aster's 8-place isolatedMargin −
    unRealizedProfit is the wallet exactly (SNAP-5)."""
    aster = load_bundled("aster-pro")
    dual = draw(st.booleans())
    positions: list[dict[str, Any]] = []
    orders: list[dict[str, Any]] = []
    for symbol in draw(st.lists(st.sampled_from(["BTCUSDT", "ETHUSDT"]), unique=True, min_size=1)):
        mark = draw(_PRICE)
        settings = {
            "markPrice": to_plain(mark),
            "marginType": draw(st.sampled_from(["cross", "isolated"])),
            "leverage": draw(st.integers(1, aster.markets[symbol].max_leverage)),
        }
        sides = (
            draw(st.sampled_from([["LONG"], ["SHORT"], ["LONG", "SHORT"]])) if dual else ["BOTH"]
        )
        for side in sides:
            amount = abs(draw(_AMOUNT)) * (-1 if side == "SHORT" else 1)
            if side == "BOTH":
                amount = draw(_AMOUNT)
            position = {
                "symbol": symbol,
                "positionSide": side,
                "positionAmt": to_plain(amount),
                "entryPrice": to_plain(draw(_PRICE)) if amount else "0",
                **settings,
            }
            if settings["marginType"] == "isolated":
                # Closing an isolated position returns its wallet to the cross wallet: a
                # flat one holds none (and Binance does not list it, SNAP-4).
                wallet = draw(_PRICE) * 100 if amount else Exact(0)
                position["isolatedWallet"] = to_plain(wallet)
            positions.append(position)
        for _ in range(draw(st.integers(0, 2))):
            buy = draw(st.booleans())
            side = "BOTH" if not dual else ("LONG" if buy else "SHORT")
            orders.append(
                {
                    "symbol": symbol,
                    "side": "BUY" if buy else "SELL",
                    "positionSide": side,
                    "type": "LIMIT",
                    "price": to_plain(draw(_PRICE)),
                    "origQty": to_plain(abs(draw(_AMOUNT)) + Exact(1, 1000)),
                    "executedQty": "0",
                }
            )
    return {
        "crossWalletBalance": to_plain(draw(_PRICE) * 1000),
        "dualSidePosition": dual,
        "positions": positions,
        "openOrders": orders,
    }


@given(snapshot=_snapshots(), venue=st.sampled_from(["aster", "binance"]))
def test_the_audit_of_the_models_own_answers_always_agrees(
    snapshot: dict[str, Any], venue: str
) -> None:
    """SNAP-4 read back by SNAP-5 and compared by SNAP-6: every figure the model's own
    answers report agrees, whatever the account (exact figures written at 8 places are
    within 10⁻⁸ of themselves, liquidation prices included)."""
    aster = load_bundled("aster-pro")
    answers = evaluate_document(snapshot, aster, api=venue)
    parts = {
        "account": Source("account.json", "", answers[ACCOUNT_PATH[venue]]),
        "positionRisk": Source("risk.json", "", answers[POSITION_PATH]),
        "openOrders": Source("orders.json", "", snapshot["openOrders"]),
    }
    levs = sorted({f"{p['symbol']}={p['leverage']}" for p in snapshot["positions"]})
    held = {p["symbol"] for p in answers[POSITION_PATH]}
    levs = [lev for lev in levs if lev.partition("=")[0] in held]
    fees = [f"{s}={to_plain(2 * aster.markets[s].taker_fee)}" for s in sorted(held)]
    audit = run_audit(read_responses(parts, aster, levs, fees))
    assert [c for c in audit.checks if not c.agree] == []
    # Not audited: Aster's isolatedMargin (an input there), and Binance's maxWithdrawAmount
    # when a flat symbol with orders states no margin type (SNAP-5).
    assert {n.field for n in audit.not_audited} <= {"isolatedMargin", "maxWithdrawAmount"}


def test_snap4_a_negative_figure_above_minus_one_keeps_its_sign() -> None:
    """Found by the property above: the API profile wrote a short's notional −0.01 as
    "0.01000000" (the sign of "-0.01" was dropped with that of a negative zero); SNAP-4
    writes "-0.01000000", and only a zero is written unsigned."""
    snapshot = {
        "crossWalletBalance": "100",
        "positions": [
            {
                "symbol": "BTCUSDT",
                "positionAmt": "-0.001",
                "entryPrice": "10",
                "markPrice": "10.5",
                "marginType": "cross",
                "leverage": 1,
            }
        ],
    }
    (risk,) = evaluate_document(snapshot, load_bundled("aster-pro"), api="binance")[POSITION_PATH]
    assert (risk["notional"], risk["unRealizedProfit"]) == ("-0.01050000", "-0.00050000")
