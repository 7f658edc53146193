"""The figures protocol (FIG-2) and its published schema (``figures-protocol.schema.json``):
real traffic of the model's server and of the float calculator matches it, the schema
refuses what the kit refuses, and a Python adapter served over JSON lines (how the peers'
adapters run as ``--cmd``) is the same tool as in process."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from importlib.resources import files
from io import StringIO
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

from marginspec.cli import main
from marginspec.conformance.figures.engine import (
    FiguresCapabilities,
    FiguresEngine,
    ModelFiguresEngine,
    hello_json,
    parse_figures_capabilities,
)
from marginspec.conformance.figures.protocol import SubprocessFiguresEngine
from marginspec.conformance.figures.search import search
from marginspec.conformance.figures.server import serve, serve_engine
from marginspec.conformance.figures.strategies import RandomChooser, draw_snapshot
from marginspec.errors import InputError
from tests.conformance.figures_engines import NoCum
from tests.conformance.helpers import REPO, RULESET

CALCULATOR = [sys.executable, str(REPO / "docs" / "conformance" / "example_figures_adapter.py")]
_SCHEMAS = ("figures-protocol", "protocol", "trace", "evaluate-input", "evaluate-output")


class Schema:
    """The figures protocol's schema with the schemas it refers to, as validators of a
    request, an answer and (for the model's answers) the ``evaluate`` output."""

    def __init__(self) -> None:
        jsonschema = pytest.importorskip("jsonschema")
        referencing = pytest.importorskip("referencing")
        folder = files("marginspec") / "schemas"
        loaded = {n: json.loads((folder / f"{n}.schema.json").read_text()) for n in _SCHEMAS}
        registry = referencing.Registry().with_resources(
            [(s["$id"], referencing.Resource.from_contents(s)) for s in loaded.values()]
        )
        root = loaded["figures-protocol"]

        def validator(pointer: str) -> Any:
            schema = {"$ref": f"{root['$id']}#{pointer}"}
            return jsonschema.Draft202012Validator(schema, registry=registry)

        self.whole = jsonschema.Draft202012Validator(root, registry=registry)
        self.request = validator("/$defs/request")
        self.answer = validator("/$defs/answer")
        self.output = jsonschema.Draft202012Validator(loaded["evaluate-output"], registry=registry)

    def check_session(self, requests: list[dict[str, Any]], answers: list[dict[str, Any]]) -> None:
        """Every request and every answer valid, one answer per request but ``bye``."""
        assert len(answers) == len([r for r in requests if r["type"] != "bye"])
        for message in requests:
            self.request.validate(message)
            self.whole.validate(message)
        for message in answers:
            self.answer.validate(message)
            self.whole.validate(message)


@pytest.fixture(scope="module")
def schema() -> Schema:
    return Schema()


def session(count: int, seed: int, caps: FiguresCapabilities) -> list[dict[str, Any]]:
    """A hello, ``count`` drawn snapshots (orders, hedge pairs, several symbols), a bye."""
    rng = random.Random(seed)
    snapshots = [draw_snapshot(RandomChooser(rng), RULESET, caps) for _ in range(count)]
    return [
        hello_json("aster-pro", RULESET),
        *({"type": "evaluate", "snapshot": s} for s in snapshots),
        {"type": "bye"},
    ]


def lines(messages: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(m) + "\n" for m in messages)


def test_the_models_traffic_matches_the_schema(schema: Schema) -> None:
    """FIG-2: the kit's requests and the model's answers (every figure of the evaluate
    output, SNAP-3) over 60 drawn snapshots."""
    requests = session(60, 0, FiguresCapabilities())
    assert any(r.get("snapshot", {}).get("openOrders") for r in requests)
    assert any(r.get("snapshot", {}).get("dualSidePosition") for r in requests)
    out = StringIO()
    assert serve(StringIO(lines(requests)), out) == 0
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    schema.check_session(requests, answers)
    assert answers[0]["capabilities"]["name"] == "marginspec-model"
    for answer in answers[1:]:
        schema.output.validate(answer["figures"])


@pytest.mark.parametrize("venue", ["aster", "binance"])
def test_the_api_figures_traffic_matches_the_schema(schema: Schema, venue: str) -> None:
    """FIG-8: a tool declaring breakEvenPrice and one venue's API form, and its answers
    (the evaluate output with breakEvenPrice, the evaluate --api document under api)."""
    caps = FiguresCapabilities(break_even_flag=True, api=venue)
    requests = session(30, 2, caps)
    assert any("breakEvenFeeRate" in p for r in requests[1:-1] for p in r["snapshot"]["positions"])
    out = StringIO()
    make = lambda: ModelFiguresEngine(break_even=True, api=venue)  # noqa: E731
    assert serve_engine(make, StringIO(lines(requests)), out) == 0
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    schema.check_session(requests, answers)
    assert answers[0]["figures"]["api"] == venue
    assert parse_figures_capabilities(answers[0]["capabilities"], answers[0]["figures"]) == (
        attrs.evolve(caps, base=parse_figures_capabilities(answers[0]["capabilities"], {}).base)
    )
    for answer in answers[1:]:
        figures = answer["figures"]
        assert all("breakEvenPrice" in p for p in figures["positions"])
        assert "/fapi/v3/positionRisk" in figures["api"]
    bad = {"type": "hello", "figures": {"api": "okx"}}
    assert not schema.answer.is_valid(bad)


def test_the_float_calculators_traffic_matches_the_schema(schema: Schema) -> None:
    """FIG-1, FIG-2: a tool in another process answering JSON numbers, 0 for no price,
    and declaring its decimals and figures capabilities."""
    requests = session(40, 1, FiguresCapabilities(open_orders=False, multi_symbol=True))
    run = subprocess.run(
        CALCULATOR, input=lines(requests), capture_output=True, text=True, timeout=60, check=True
    )
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    schema.check_session(requests, answers)
    assert answers[0]["figures"]["noLiquidationPrice"] == ["0"]
    assert isinstance(answers[1]["figures"]["positions"][0]["liquidationPrice"], float)


BAD_HELLO_ANSWERS = {
    "an unknown figures capability": {"figures": {"orders": False}},
    "no margin type": {"figures": {"marginTypes": []}},
    "an unknown margin type": {"figures": {"marginTypes": ["portfolio"]}},
    "an unknown no-price token": {"figures": {"noLiquidationPrice": "none"}},
    "a flag that is not a boolean": {"figures": {"multiSymbol": "yes"}},
    "an unknown capability": {"capabilities": {"speed": "fast"}},
    "decimals out of range": {"capabilities": {"fields": {"position": {"notional": -1}}}},
}


@pytest.mark.parametrize("answer", BAD_HELLO_ANSWERS.values(), ids=BAD_HELLO_ANSWERS.keys())
def test_the_schema_refuses_the_hello_answers_the_kit_refuses(
    schema: Schema, answer: dict[str, Any]
) -> None:
    """FIG-1: what the schema calls invalid, the kit refuses too (a protocol failure)."""
    message = {"type": "hello", **answer}
    assert not schema.answer.is_valid(message)
    with pytest.raises(InputError):
        parse_figures_capabilities(answer.get("capabilities"), answer.get("figures"))


def test_the_schema_refuses_malformed_requests_and_answers(schema: Schema) -> None:
    hello = hello_json("aster-pro", RULESET)
    assert schema.request.is_valid(hello)
    assert not schema.request.is_valid({**hello, "protocol": "marginspec/1"})
    assert not schema.request.is_valid({"type": "evaluate", "snapshot": {"positions": []}})
    assert not schema.answer.is_valid({"type": "figures"})
    assert not schema.answer.is_valid({"type": "figures", "figures": {"positions": [{}]}})
    assert not schema.answer.is_valid({"type": "figures", "figures": {"notional": [1]}})
    assert schema.answer.is_valid({"type": "figures", "figures": {"totalMaintMargin": 1.5}})
    assert not schema.answer.is_valid({"type": "error"})


class Raising(NoCum):
    """A tool that raises on a cross account of two symbols."""

    def figures(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        if len({p["symbol"] for p in snapshot["positions"]}) > 1:
            raise ZeroDivisionError("float division by zero")
        return super().figures(snapshot)


def test_a_served_tools_exception_is_an_error_answer_and_the_server_goes_on(
    schema: Schema,
) -> None:
    """FIG-2: the tool's exception is the error answer for that snapshot, not a traceback."""
    requests = session(30, 2, FiguresCapabilities())
    out = StringIO()
    assert serve_engine(Raising, StringIO(lines(requests)), out) == 0
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    schema.check_session(requests, answers)
    kinds = [a["type"] for a in answers[1:]]
    assert "error" in kinds and "figures" in kinds
    error = next(a for a in answers if a["type"] == "error")
    assert error["message"] == "ZeroDivisionError: float division by zero"


def _served(factory: str) -> list[str]:
    """A command serving ``tests.conformance.figures_engines.<factory>`` over JSON lines,
    as a peer adapter serves itself (``python docs/conformance/peers/NAME.py``)."""
    code = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); "
        "from marginspec.conformance.figures.server import serve_engine; "
        f"from tests.conformance.figures_engines import {factory}; "
        f"sys.exit(serve_engine({factory}, sys.stdin, sys.stdout))"
    )
    return [sys.executable, "-c", code]


def test_a_python_adapter_served_over_json_lines_is_the_same_tool() -> None:
    """FIG-1, FIG-2: the same capabilities and the same smallest failures, in process and
    as ``--cmd``."""
    in_process = search(NoCum(), "aster-pro", RULESET, seed=0, examples=600, failures=2)
    engine: FiguresEngine = SubprocessFiguresEngine(_served("NoCum"))
    try:
        served = search(engine, "aster-pro", RULESET, seed=0, examples=600, failures=2)
    finally:
        engine.close()
    assert served.capabilities == in_process.capabilities
    assert len(served.failures) == len(in_process.failures) == 2
    for here, there in zip(in_process.failures, served.failures, strict=True):
        assert here.snapshot == there.snapshot
        assert here.difference is not None and there.difference is not None
        assert (here.difference.pointer, here.difference.model) == (
            there.difference.pointer,
            there.difference.model,
        )
        assert float(here.difference.impl) == float(there.difference.impl)


def test_marginspec_schema_prints_the_protocols_schemas() -> None:
    for which, name in (("figures-protocol", "figures-protocol"), ("protocol", "protocol")):
        result = CliRunner().invoke(main, ["schema", which])
        assert result.exit_code == 0
        assert json.loads(result.output)["$id"].endswith(f"/{name}.schema.json")
