"""The JSON-lines protocol (CONF-4): the reference server end to end, the example
adapter, and implementations that crash, hang or break the protocol (the kit never hangs)."""

from __future__ import annotations

import json
import os
import time
from importlib.resources import files
from io import StringIO
from pathlib import Path

import pytest
from click.testing import CliRunner

from marginspec.cli import main
from marginspec.conformance import driver
from marginspec.conformance.report import CRASH, PROTOCOL, TIMEOUT
from marginspec.conformance.server import serve
from marginspec.conformance.subprocess_engine import SubprocessEngine
from marginspec.rulefile import dump_ruleset
from tests.conformance.helpers import EXAMPLE_ADAPTER, RULESET, SERVE, initial, script


def test_the_model_through_the_protocol_passes_the_quick_profile() -> None:
    engine = SubprocessEngine(SERVE, timeout=30)
    try:
        result = driver.run(engine, "aster-pro", RULESET, "quick", seed=1, max_examples=80)
    finally:
        engine.close()
    assert result.report is None, result.report and result.report.text()
    assert result.capabilities.name == "marginspec-model"
    assert result.steps > 300


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE") != "nightly",
    reason="the thorough profile (2,000 runs) is nightly only: HYPOTHESIS_PROFILE=nightly",
)
def test_the_model_through_the_protocol_passes_the_thorough_profile() -> None:
    engine = SubprocessEngine(SERVE, timeout=60)
    try:
        result = driver.run(engine, "aster-pro", RULESET, "thorough", seed=0)
    finally:
        engine.close()
    assert result.report is None, result.report and result.report.text()


def test_server_answers_each_request_and_reports_bad_ones() -> None:
    requests = [
        {"type": "apply", "action": {"action": "deposit"}},  # before hello
        {"type": "hello", "protocol": "marginspec/1", "ruleset": {"name": "aster-pro"}},
        {"type": "reset", "state": initial(A="100")},
        {"type": "apply", "action": {"action": "deposit", "account": "A", "amount": "50"}},
        {"type": "apply", "action": {"action": "withdraw", "account": "A", "amount": "1000"}},
        {"type": "snapshot", "account": "A"},
        {"type": "snapshot", "accounts": ["A"]},
        {"type": "apply", "action": {"action": "nonsense"}},
        {"type": "bye"},
        {"type": "reset", "state": initial(A="1")},  # after bye: not answered
    ]
    out = StringIO()
    assert serve(StringIO("".join(json.dumps(r) + "\n" for r in requests) + "{oops\n"), out) == 0
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["type"] for a in answers] == [
        "error",
        "hello",
        "ok",
        "outcome",
        "outcome",
        "snapshot",
        "snapshots",
        "error",
    ]
    assert answers[3]["outcome"] == {"status": "accepted"}
    assert answers[4]["outcome"]["status"] == "refused"  # XFER-1: more than maxWithdrawAmount
    assert answers[5]["snapshot"]["totalWalletBalance"] == "150"
    assert answers[6]["snapshots"]["A"] == answers[5]["snapshot"]


def test_example_adapter_passes_on_what_it_declares() -> None:
    result = CliRunner().invoke(main, ["conform", "--cmd", EXAMPLE_ADAPTER, "--examples", "60"])
    assert result.exit_code == 0, result.output
    assert "PASS example-wallet-engine" in result.output
    # It declared a subset: the rest is listed as not compared (CONF-3).
    assert "account.totalMaintMargin" in result.output


_HELLO = """
import json, sys
for line in sys.stdin:
    request = json.loads(line)
    if request["type"] == "hello":
        print(json.dumps({"type": "hello", "capabilities": {"name": "bad"}}), flush=True)
    elif request["type"] == "reset":
        print(json.dumps({"type": "ok"}), flush=True)
    else:
        BEHAVIOUR
"""


def _bad(tmp_path: Path, behaviour: str) -> SubprocessEngine:
    body = _HELLO.replace("BEHAVIOUR", behaviour)
    return SubprocessEngine(script(tmp_path, "bad.py", body), timeout=1.0)


def _run(engine: SubprocessEngine) -> driver.RunResult:
    try:
        return driver.run(engine, "aster-pro", RULESET, "quick", seed=0, max_examples=5)
    finally:
        engine.close()


def test_a_crash_is_reported_with_the_trace_so_far_and_stderr(tmp_path: Path) -> None:
    engine = _bad(tmp_path, 'sys.stderr.write("segfault in margin engine\\n"); sys.exit(3)')
    report = _run(engine).report
    assert report is not None and report.kind == CRASH
    assert "exited (status 3)" in report.message
    assert "segfault in margin engine" in report.stderr
    assert len(report.steps) == 1  # the action it died on


def test_a_hang_is_killed_after_the_timeout(tmp_path: Path) -> None:
    engine = _bad(tmp_path, "import time; time.sleep(60)")
    started = time.monotonic()
    report = _run(engine).report
    assert report is not None and report.kind == TIMEOUT
    assert "within 1 s" in report.message
    assert time.monotonic() - started < 20


def test_output_that_is_not_the_protocol_is_reported(tmp_path: Path) -> None:
    engine = _bad(tmp_path, 'print("OK, order placed", flush=True)')
    report = _run(engine).report
    assert report is not None and report.kind == PROTOCOL
    assert "not a JSON line" in report.message


def test_a_missing_command_is_a_crash_not_a_traceback() -> None:
    result = CliRunner().invoke(main, ["conform", "--cmd", "/nonexistent/engine"])
    assert result.exit_code == 1
    assert "cannot start" in result.output


def test_every_message_of_a_session_matches_the_protocol_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")

    schemas = files("marginspec") / "schemas"
    protocol = json.loads((schemas / "protocol.schema.json").read_text())
    trace = json.loads((schemas / "trace.schema.json").read_text())
    registry = referencing.Registry().with_resources(
        [(s["$id"], referencing.Resource.from_contents(s)) for s in (protocol, trace)]
    )
    validator = jsonschema.Draft202012Validator(protocol, registry=registry)
    hello = {
        "type": "hello",
        "protocol": "marginspec/1",
        "ruleset": {"name": "aster-pro", "toml": dump_ruleset(RULESET)},
    }
    requests = [
        hello,
        {"type": "reset", "state": initial(A="1000", B="1000")},
        {
            "type": "apply",
            "action": {
                "action": "placeOrder",
                "account": "A",
                "symbol": "BTCUSDT",
                "side": "BUY",
                "positionSide": "BOTH",
                "type": "LIMIT",
                "price": "80000",
                "quantity": "0.01",
                "reduceOnly": False,
            },
        },
        {
            "type": "apply",
            "action": {
                "action": "placeOrder",
                "account": "B",
                "symbol": "BTCUSDT",
                "side": "SELL",
                "positionSide": "BOTH",
                "type": "LIMIT",
                "price": "80000",
                "quantity": "0.01",
                "reduceOnly": False,
            },
        },
        {"type": "apply", "action": {"action": "fill", "makerOrderId": 1, "takerOrderId": 2}},
        {"type": "snapshot", "account": "A"},
        {"type": "snapshot", "accounts": ["A", "B"]},
        {"type": "bye"},
    ]
    out = StringIO()
    serve(StringIO("".join(json.dumps(r) + "\n" for r in requests)), out)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(answers) == len(requests) - 1
    for message in requests + answers:
        validator.validate(message)
    assert answers[4]["outcome"]["events"][0]["type"] == "TRADE"
