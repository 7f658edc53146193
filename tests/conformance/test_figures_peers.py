"""The figures kit on two real tools (docs/conformance/peers.md): freqtrade's Binance
liquidation price and ccxt's Binance position parsing.

The saved smallest snapshots (docs/conformance/peers/found/, written by
``benchmarks/bench_figures.py --save``) are checked against the model in every run; the
tools themselves are not marginspec's dependencies, so the tests that call them skip,
with the reason, where they are not installed (install them in a separate environment:
docs/conformance/peers.md).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from marginspec.conformance.figures.engine import FiguresEngine, hello_json, model_figures
from marginspec.conformance.figures.search import search
from tests.conformance.helpers import REPO, RULESET
from tests.conformance.test_figures_protocol import Schema, lines

FOUND = sorted((REPO / "docs" / "conformance" / "peers" / "found").glob("*.json"))
TOOLS = {"freqtrade_binance": "freqtrade", "ccxt_binance": "ccxt"}


def _adapter(name: str) -> FiguresEngine:
    tool = TOOLS[name]
    if importlib.util.find_spec(tool) is None:
        pytest.skip(
            f"{tool} is not installed (a peer, not a dependency: docs/conformance/peers.md)"
        )
    module = importlib.import_module(f"docs.conformance.peers.{name}")
    engine: FiguresEngine = module.factory()
    return engine


def _pointer(document: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


def test_every_cause_has_a_saved_smallest_snapshot() -> None:
    names = {p.name for p in FOUND}
    assert {f"freqtrade_binance-{i}.json" for i in range(1, 6)} <= names
    assert {f"ccxt_binance-{i}.json" for i in range(1, 4)} <= names


@pytest.mark.parametrize("path", FOUND, ids=[p.stem for p in FOUND])
def test_the_saved_figures_are_still_the_models(path: Path) -> None:
    saved = json.loads(path.read_text())
    assert len(saved["snapshot"]["positions"]) <= 2
    assert model_figures(saved["snapshot"], RULESET) == saved["expected"]
    d = saved["difference"]
    assert _pointer(saved["expected"], d["pointer"]) == d["model"]
    assert d["model"] is None or d["impl"] is None or Decimal(str(d["impl"])) != Decimal(d["model"])
    assert saved["rules"]


@pytest.mark.parametrize("path", FOUND, ids=[p.stem for p in FOUND])
def test_the_tool_still_answers_what_was_saved(path: Path) -> None:
    saved = json.loads(path.read_text())
    engine = _adapter(path.stem.rsplit("-", 1)[0])
    engine.handshake(hello_json("aster-pro", RULESET))
    answer = engine.figures(saved["snapshot"])
    engine.close()
    d = saved["difference"]
    assert _pointer(answer, d["pointer"]) == d["impl"]


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_the_kit_finds_the_tool_wrong_on_at_most_two_positions(name: str) -> None:
    engine = _adapter(name)
    result = search(engine, "aster-pro", RULESET, seed=0, examples=3000)
    engine.close()
    (failure,) = result.failures
    assert failure.kind == "divergence" and failure.positions <= 2
    assert failure.rules


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_the_adapter_runs_as_a_json_lines_tool(name: str) -> None:
    """FIG-2: ``python docs/conformance/peers/NAME.py`` (what ``--cmd`` runs) answers every
    saved snapshot as the adapter does in process, in messages the schema accepts."""
    _adapter(name)  # skips, naming the tool, where it is not installed
    saved = [json.loads(p.read_text()) for p in FOUND if p.stem.rsplit("-", 1)[0] == name]
    requests = [
        hello_json("aster-pro", RULESET),
        *({"type": "evaluate", "snapshot": s["snapshot"]} for s in saved),
        {"type": "bye"},
    ]
    script = REPO / "docs" / "conformance" / "peers" / f"{name}.py"
    run = subprocess.run(
        [sys.executable, str(script)],
        input=lines(requests),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    Schema().check_session(requests, answers)
    assert answers[0]["capabilities"]["name"].startswith(TOOLS[name])
    for document, answer in zip(saved, answers[1:], strict=True):
        d = document["difference"]
        assert _pointer(answer["figures"], d["pointer"]) == d["impl"]
