"""No false alarms (CONF-2): correct engines that keep their figures in binary floats and
declare tolerances pass the generated runs and the vectors, whether they answer Python
floats (``--impl``) or ``repr()`` texts such as ``"3.2e-07"``."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from marginspec.conformance import driver, vectors
from marginspec.conformance.capabilities import Capabilities, parse_capabilities
from marginspec.conformance.engine import ModelEngine
from marginspec.conformance.reading import number
from tests.conformance.helpers import REPO, RULESET

_SCHEMA = json.loads((REPO / "model" / "schemas" / "trace.schema.json").read_text())["$defs"]
#: every field of each group, each within 8 decimals or one part in 10^12
TOLERANCE = {"decimals": 8, "relative": "1e-12"}
GROUPS = {"account": "accountSnapshot", "position": "position", "order": "order", "event": "event"}


def _noisy(value: Any) -> Any:
    """A decimal string as a binary float carrying the error of a little float arithmetic."""
    if isinstance(value, str) and number(value) is not None and not value.isalpha():
        x = float(Fraction(value))
        return (x * 1.1) / 1.1 + x * 2.0**-50  # rounding noise, relative ~1e-15
    return value


class BinaryFloatEngine(ModelEngine):
    """The model's decisions, its figures reported as binary floats (or their ``repr``)."""

    def __init__(self, as_text: bool = False, declare: bool = True) -> None:
        super().__init__(RULESET)
        self.as_text = as_text
        self.declare = declare

    def _out(self, value: Any) -> Any:
        got = _noisy(value)
        return repr(got) if self.as_text and isinstance(got, float) else got

    def handshake(self, hello: dict[str, Any]) -> Capabilities:
        if not self.declare:
            return Capabilities(name="binary-floats-undeclared")
        fields = {
            group: dict.fromkeys(_SCHEMA[name]["properties"], TOLERANCE)
            for group, name in GROUPS.items()
        }
        return parse_capabilities({"name": "binary-floats", "fields": fields})

    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        outcome = dict(super().apply(action))
        if "events" in outcome:
            outcome["events"] = [
                {k: (v if k == "type" else self._out(v)) for k, v in e.items()}
                for e in outcome["events"]
            ]
        return outcome

    def snapshot(self, account: str) -> dict[str, Any]:
        snap = {k: self._out(v) for k, v in super().snapshot(account).items()}
        snap["positions"] = [{k: self._out(v) for k, v in p.items()} for p in snap["positions"]]
        snap["openOrders"] = [{k: self._out(v) for k, v in o.items()} for o in snap["openOrders"]]
        return snap


@pytest.mark.parametrize("as_text", [False, True], ids=["python-floats", "repr-texts"])
def test_a_binary_float_engine_with_tolerances_passes_quick(as_text: bool) -> None:
    result = driver.run(
        BinaryFloatEngine(as_text), "aster-pro", RULESET, "quick", seed=0, max_examples=100
    )
    assert result.report is None, result.report.text()
    assert "account.totalWalletBalance" in result.tolerated  # the floats did differ


def test_a_binary_float_engine_with_tolerances_passes_every_vector(tmp_path: Path) -> None:
    corpus = vectors.generate("aster-pro", RULESET, seed=0)
    vectors.write(corpus, tmp_path, RULESET)
    result = vectors.check(tmp_path, BinaryFloatEngine(as_text=True))
    assert result.failed == () and len(result.passed) >= 10
    assert result.tolerated


def test_undeclared_floats_are_reported_with_the_advice_to_declare_a_tolerance() -> None:
    engine = BinaryFloatEngine(declare=False)
    report = driver.run(engine, "aster-pro", RULESET, "quick", seed=0).report
    assert report is not None and report.difference is not None
    assert "declare a tolerance" in report.difference.note
