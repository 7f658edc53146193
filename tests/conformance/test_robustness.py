"""What a new user meets first: adapters importable from the current directory, declared
capabilities honoured end to end (CONF-1..3), and implementations that fail in awkward
places (during the handshake, nondeterministically, without reading their input) reported
as failures, never as a traceback or a hung kit (CONF-4)."""

from __future__ import annotations

import collections
import sys
import time
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from marginspec.cli import main
from marginspec.conformance import Capabilities, EngineFailure, ModelEngine, driver, load_factory
from marginspec.conformance.report import CRASH, DIVERGENCE, PROTOCOL, TIMEOUT
from marginspec.conformance.runner import check_trace
from marginspec.conformance.subprocess_engine import SubprocessEngine
from marginspec.errors import InputError
from marginspec.exchange import parse_action
from marginspec.exchange.trace import record
from tests.conformance.helpers import RULESET, initial, script


def test_impl_is_imported_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``marginspec conform --impl my_adapter:factory`` run next to my_adapter.py works
    like ``python -m`` (the console script does not put the current directory on the path)."""
    (tmp_path / "ms_cwd_adapter.py").write_text(
        "from marginspec.conformance import ModelEngine\n"
        "from marginspec.rulefile import load_bundled\n"
        "def factory():\n"
        "    return ModelEngine(load_bundled('aster-pro'))\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "ms_cwd_adapter", raising=False)
    assert isinstance(load_factory("ms_cwd_adapter:factory"), ModelEngine)


# ---------------------------------------------------------------- capabilities (CONF-1..3)

FIELDS: dict[str, dict[str, int | None]] = {
    "account": {"totalWalletBalance": None, "availableBalance": 4, "totalMaintMargin": 3},
    "position": {"positionAmt": None, "liquidationPrice": 2, "entryPrice": 6},
    "order": {"orderId": None, "price": None, "origQty": None},
}


class OneWayRounding(ModelEngine):
    """The model, declaring no hedge mode, funding or sweeps and a few fields at a few
    decimals, and reporting those fields rounded to ``places`` (default: as declared)."""

    def __init__(self, places: dict[str, int] | None = None, rounding: str = ROUND_HALF_EVEN):
        super().__init__(RULESET)
        self.places = places or {}
        self.rounding = rounding
        self.seen: collections.Counter[str] = collections.Counter()
        self.hedged_starts = 0

    def handshake(self, hello: dict[str, Any]) -> Capabilities:
        return Capabilities(
            name="one-way-rounding",
            hedge_mode=False,
            funding=False,
            liquidation_sweep=False,
            fields=FIELDS,
        )

    def reset(self, initial: dict[str, Any]) -> None:
        self.hedged_starts += sum(
            bool(a.get("dualSidePosition")) for a in initial["accounts"].values()
        )
        super().reset(initial)

    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        self.seen[action["action"]] += 1
        return super().apply(action)

    def _round(self, group: str, values: dict[str, Any]) -> dict[str, Any]:
        out = dict(values)
        for key, declared in FIELDS[group].items():
            places = self.places.get(key, declared)
            if places is not None and isinstance(out.get(key), str):
                step = Decimal(1).scaleb(-places)
                out[key] = str(Decimal(out[key]).quantize(step, self.rounding))
        return out

    def snapshot(self, account: str) -> dict[str, Any]:
        snap = self._round("account", super().snapshot(account))
        snap["positions"] = [self._round("position", p) for p in snap["positions"]]
        return snap


def test_declared_capabilities_steer_generation_and_comparison() -> None:
    engine = OneWayRounding()
    result = driver.run(engine, "aster-pro", RULESET, "quick", seed=0, max_examples=80)
    assert result.report is None, result.report and result.report.text()
    # CONF-1: nothing it did not declare is generated
    assert engine.seen["funding"] == engine.seen["liquidationSweep"] == 0
    assert engine.seen["setPositionMode"] == 0 and engine.hedged_starts == 0
    assert engine.seen["placeOrder"] > 0 and engine.seen["fill"] > 0
    # CONF-2: rounded to the declared decimals passes; CONF-3: the rest is listed
    assert "position.maintMargin" in result.skipped and "account.marginRatio" in result.skipped
    assert "position.liquidationPrice" not in result.skipped


def test_coarser_than_declared_is_a_divergence_within_the_declared_decimals() -> None:
    engine = OneWayRounding(places={"liquidationPrice": 0}, rounding=ROUND_DOWN)
    report = driver.run(engine, "aster-pro", RULESET, "quick", seed=0).report
    assert report is not None and report.kind == DIVERGENCE and report.difference is not None
    assert report.difference.field == "liquidationPrice" and report.difference.decimals == 2
    assert "compared within 2 decimals" in report.text()
    assert "LIQ-2" in report.rules


# ---------------------------------------------------------------- awkward failures (CONF-4)


class FailsOnce(ModelEngine):
    """Raises on its third action ever, then never again: Hypothesis's own re-run of the
    failing example passes, which must not turn into a FlakyFailure traceback."""

    def __init__(self) -> None:
        super().__init__(RULESET)
        self.calls = 0

    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        if self.calls == 3:
            raise RuntimeError("engine bug")
        return super().apply(action)


def test_a_failure_that_does_not_repeat_is_still_reported() -> None:
    report = driver.run(FailsOnce(), "aster-pro", RULESET, "quick", seed=0).report
    assert report is not None and report.kind == CRASH
    assert "RuntimeError: engine bug" in report.message
    assert len(report.steps) == 3


def test_an_engine_that_does_not_read_a_large_request_times_out(tmp_path: Path) -> None:
    """A hello bigger than any pipe (an imported rule set is megabytes) sent to a process
    that never reads: the kit gives up after the timeout instead of blocking in write()."""
    engine = SubprocessEngine(script(tmp_path, "deaf.py", "import time\ntime.sleep(60)\n"), 1.0)
    engine._start()
    started = time.monotonic()
    with pytest.raises(EngineFailure) as error:
        engine.request({"type": "hello", "padding": "x" * 2_000_000}, "hello")
    assert error.value.kind == TIMEOUT and "did not read the 'hello'" in error.value.message
    assert time.monotonic() - started < 10
    engine.close()


_DIES_ON_HELLO = "import sys\nsys.stderr.write('no licence file\\n')\nsys.exit(4)\n"
_GARBAGE_HELLO = "import sys\nfor line in sys.stdin:\n    print('ready!', flush=True)\n"


@pytest.mark.parametrize(
    ("body", "kind", "said"),
    [(_DIES_ON_HELLO, CRASH, "no licence file"), (_GARBAGE_HELLO, PROTOCOL, "ready!")],
)
def test_a_handshake_failure_is_a_report_in_every_command(
    tmp_path: Path, body: str, kind: str, said: str
) -> None:
    cmd = script(tmp_path, "engine.py", body)
    trace = tmp_path / "failure.json"
    found = CliRunner().invoke(
        main, ["conform", "--impl", "tests.mutants:FundingSignInverted", "--out", str(trace)]
    )
    assert found.exit_code == 1 and trace.is_file()
    vectors = tmp_path / "vectors"
    assert CliRunner().invoke(main, ["vectors", "generate", "--out", str(vectors)]).exit_code == 0
    for args in (
        ["conform", "--cmd", cmd],
        ["conform", "--replay", str(trace), "--cmd", cmd],
        ["replay", str(trace), "--cmd", cmd],
        ["vectors", "check", str(vectors), "--cmd", cmd],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert f"FAIL ({kind}): implementation: {kind} during the handshake" in result.output
        assert said in result.output


class RaisesInputError(ModelEngine):
    """A Python engine raising marginspec's own InputError (say, for a rule set it does not
    know): a crash of the implementation, not "bad input" (exit 2) blamed on the trace."""

    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        raise InputError("/markPrices/SOLUSDT", "unknown symbol")


def test_an_engine_raising_input_error_on_a_trace_is_a_crash() -> None:
    deposit = parse_action({"action": "deposit", "account": "A", "amount": "5"})
    document = record("aster-pro", initial(A="100"), [deposit], RULESET)
    report = check_trace(document, RaisesInputError(RULESET), Capabilities())
    assert report is not None and report.kind == CRASH and len(report.steps) == 1
    assert "InputError" in report.message and "unknown symbol" in report.message
