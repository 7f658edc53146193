"""Traces: divergences are reported, trace run and replay at the CLI, the schema holds (TRACE-*).

That every example trace in docs/traces replays and is what its actions produce is a
whole-repository check: tests/whole_repo/test_docs_traces.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from marginspec.cli import main
from marginspec.errors import InputError
from marginspec.exchange.trace import replay, run_actions

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "docs" / "traces" / "src"
SCHEMA = REPO / "model" / "schemas" / "trace.schema.json"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_full_trace_matches_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    source = _load(SOURCES / "open-bracket-liquidate.json")
    jsonschema.validate(run_actions(source, SOURCES), _load(SCHEMA))


def test_divergence_names_step_field_values_and_rules(tmp_path: Path) -> None:
    trace = _load(REPO / "docs" / "traces" / "open-bracket-liquidate.json")
    bad = copy.deepcopy(trace)
    bad["steps"][4]["snapshot"]["accounts"]["A"]["totalMaintMargin"] = "200"
    found = replay(bad, REPO / "docs" / "traces")
    assert found is not None
    assert found.step == 5
    assert found.pointer == "/snapshot/accounts/A/totalMaintMargin"
    assert (found.expected, found.actual) == ("200", "201")
    assert "MM-1" in found.rules and "ACT-9" in found.rules
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    result = CliRunner().invoke(main, ["replay", str(path)])
    assert result.exit_code == 1
    assert "step 5: /snapshot/accounts/A/totalMaintMargin" in result.output
    assert 'expected: "200"' in result.output and 'actual:   "201"' in result.output


def test_refusal_divergence_in_outcome() -> None:
    trace = _load(REPO / "docs" / "traces" / "mode-change-refused.json")
    trace["steps"][1]["outcome"] = {"status": "accepted"}
    found = replay(trace, REPO / "docs" / "traces")
    assert found is not None and found.step == 2 and found.pointer == "/outcome/status"
    assert "ACT-4" in found.rules


def test_hand_written_trace_checks_only_what_it_states() -> None:
    trace = {
        "format": "marginspec-trace/1",
        "ruleset": "aster-pro",
        "initial": {
            "markPrices": {"BTCUSDT": "80000", "ETHUSDT": "3000"},
            "accounts": {"A": {"crossWalletBalance": "1000"}},
        },
        "steps": [
            {
                "action": {
                    "action": "placeOrder",
                    "account": "A",
                    "symbol": "BTCUSDT",
                    "side": "BUY",
                    "price": "80000",
                    "quantity": "0.1",
                },
                "outcome": {"status": "accepted", "orderId": 1},
                "snapshot": {
                    "accounts": {
                        "A": {
                            "availableBalance": "600",
                            "positions": [{"symbol": "BTCUSDT", "openOrderInitialMargin": "400"}],
                        }
                    }
                },
            },
            {
                "action": {"action": "withdraw", "account": "A", "amount": "601"},
                "outcome": {"status": "refused", "rule": "REF-36"},
            },
        ],
    }
    assert replay(trace) is None


def test_bad_input_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        '{"format": "marginspec-trace/1", "ruleset": "aster-pro", "initial": {"markPrices": {"BTCUSDT": 1.5}}, "steps": []}'
    )
    result = CliRunner().invoke(main, ["replay", str(path)])
    assert result.exit_code == 2
    assert "refused" in result.output or "refused" in (result.stderr if result.stderr_bytes else "")


def test_trace_run_cli(tmp_path: Path) -> None:
    out = tmp_path / "trace.json"
    source = SOURCES / "mode-change-refused.json"
    result = CliRunner().invoke(main, ["trace", "run", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(main, ["replay", str(out)]).exit_code == 0


def test_bad_action_names_its_pointer(tmp_path: Path) -> None:
    source = _load(SOURCES / "mode-change-refused.json")
    source["actions"][2] = {"action": "setPositionMode", "account": "A", "dualSidePosition": "yes"}
    path = tmp_path / "actions.json"
    path.write_text(json.dumps(source), encoding="utf-8")
    result = CliRunner().invoke(main, ["trace", "run", str(path)])
    assert result.exit_code == 2
    assert "/actions/2/dualSidePosition: expected true or false" in result.output
    source["actions"][2] = {"action": "transfer"}
    path.write_text(json.dumps(source), encoding="utf-8")
    result = CliRunner().invoke(main, ["trace", "run", str(path)])
    assert result.exit_code == 2
    assert "/actions/2/action: 'transfer' is not one of" in result.output


def test_initial_state_errors_name_their_pointer() -> None:
    from marginspec.errors import InputError
    from marginspec.exchange import parse_initial
    from marginspec.rulefile import load_bundled

    ruleset = load_bundled()
    with pytest.raises(InputError, match="/markPrices: missing a mark price for ETHUSDT"):
        parse_initial({"markPrices": {"BTCUSDT": "1"}}, ruleset)
    with pytest.raises(InputError, match=r"/accounts/A/symbols/BTCUSDT/leverage"):
        parse_initial(
            {
                "markPrices": {"BTCUSDT": "1", "ETHUSDT": "1"},
                "accounts": {"A": {"symbols": {"BTCUSDT": {"leverage": 126}}}},
            },
            ruleset,
        )


def test_a_trace_runs_on_the_markets_its_marks_name() -> None:
    """TRACE-1: on ``binance-usdm`` (RS-5, hundreds of markets) a trace marks only BTCUSDT;
    the snapshot shows that market alone, and an action on another is refused (ACT-13)."""
    document = {
        "ruleset": "binance-usdm",
        "initial": {
            "markPrices": {"BTCUSDT": "80000"},
            "accounts": {"A": {"crossWalletBalance": "10"}},
        },
        "actions": [
            {"action": "setLeverage", "account": "A", "symbol": "BTCUSDT", "leverage": 150},
            {"action": "setLeverage", "account": "A", "symbol": "ETHUSDT", "leverage": 10},
        ],
    }
    trace = run_actions(document)
    first, second = trace["steps"]
    assert first["outcome"] == {"status": "accepted"}
    assert list(first["snapshot"]["markPrices"]) == ["BTCUSDT"]
    assert {p["symbol"] for p in first["snapshot"]["accounts"]["A"]["positions"]} == {"BTCUSDT"}
    assert second["outcome"]["status"] == "refused"
    assert replay(trace) is None


def test_trace_run_writes_the_rule_set_path_relative_to_the_written_trace(tmp_path: Path) -> None:
    """TRACE-1: a rule-set path is relative to the trace file; ``trace run -o`` rebases it
    so the written trace replays where it lies (docs/traces/partial-liquidation.json)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "out").mkdir()
    source = _load(SOURCES / "partial-liquidation.json")
    (tmp_path / "src" / "actions.json").write_text(json.dumps(source), encoding="utf-8")
    toml = (SOURCES / "partial-liquidation.toml").read_text(encoding="utf-8")
    (tmp_path / "src" / "partial-liquidation.toml").write_text(toml, encoding="utf-8")
    out = tmp_path / "out" / "trace.json"
    result = CliRunner().invoke(
        main, ["trace", "run", str(tmp_path / "src" / "actions.json"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    trace = _load(out)
    assert trace["ruleset"] == "../src/partial-liquidation.toml"
    assert replay(trace, out.parent) is None
    # LIQP-8 is on: the sweep reduces the position by one bracket step and keeps the rest
    last = trace["steps"][-1]
    assert [e["type"] for e in last["outcome"]["events"]] == [
        "LIQUIDATION",
        "INSURANCE_CLEAR",
        "TAKEOVER",
    ]
    (kept,) = [p for p in last["snapshot"]["accounts"]["A"]["positions"] if p["positionAmt"] != "0"]
    assert kept["positionAmt"] == "3.18"


def test_a_trace_in_a_venues_api_form(tmp_path: Path) -> None:
    """TRACE-4 with ``api`` (SNAP-4): each step's accounts are the venue's account and
    positionRisk answers; the trace replays, matches the schema, and an edited field of
    the API form is a divergence named by its pointer."""
    source = {**_load(SOURCES / "binance-usdm-150x.json"), "api": "binance"}
    source.pop("notes")
    trace = run_actions(source)
    assert trace["api"] == "binance"
    snapshot = trace["steps"][3]["snapshot"]["accounts"]["A"]
    assert list(snapshot) == ["/fapi/v3/account", "/fapi/v3/positionRisk"]
    (risk,) = snapshot["/fapi/v3/positionRisk"]
    assert (risk["positionAmt"], risk["breakEvenPrice"], risk["maintMargin"]) == (
        "0.5",
        "80080",  # FEE-2: 80,000 × (1 + 2 × 0.05 %)
        "160.00000000",
    )
    assert replay(trace) is None
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(trace, _load(SCHEMA))
    edited = copy.deepcopy(trace)
    edited["steps"][3]["snapshot"]["accounts"]["A"]["/fapi/v3/positionRisk"][0]["adl"] = 3
    found = replay(edited)
    assert found is not None and found.step == 4  # 1-based
    assert found.pointer == "/snapshot/accounts/A/~1fapi~1v3~1positionRisk/0/adl"
    with pytest.raises(InputError, match="/api"):
        run_actions({**source, "api": "okx"})
