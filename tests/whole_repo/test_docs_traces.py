"""docs/traces: each example trace replays, is what its actions produce, and matches the
published schema (TRACE-*). Moved from tests/test_exchange_traces.py, which keeps the
replay and trace-run behaviour tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from marginspec.exchange.trace import replay, run_actions

REPO = Path(__file__).resolve().parents[2]
TRACES = sorted((REPO / "docs" / "traces").glob("*.json"))
SOURCES = REPO / "docs" / "traces" / "src"
SCHEMA = REPO / "model" / "schemas" / "trace.schema.json"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _compact(path: Path) -> bool:
    """A trace in a venue's API form (``"api"``, SNAP-4) is written whole, the rest compact."""
    return "api" not in _load(SOURCES / path.name)


def _regenerate(path: Path) -> str:
    flag = "--compact " if _compact(path) else ""
    return (
        f"regenerate: marginspec trace run {flag}docs/traces/src/{path.name} "
        f"-o docs/traces/{path.name}"
    )


def test_there_are_example_traces() -> None:
    assert len(TRACES) >= 4, "docs/traces.md shows four example traces: keep them in docs/traces/"
    missing = [p.name for p in TRACES if not (SOURCES / p.name).is_file()]
    assert not missing, f"docs/traces/src/ needs the actions file of {missing}"


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.stem)
def test_docs_trace_replays(path: Path) -> None:
    found = replay(_load(path), path.parent)
    assert found is None, f"{path.name} step {found.step} {found.pointer}: {_regenerate(path)}"


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.stem)
def test_docs_trace_is_what_its_actions_produce(path: Path) -> None:
    """docs/traces/X.json is `marginspec trace run --compact docs/traces/src/X.json`
    (without --compact for a trace in API form)."""
    source = SOURCES / path.name
    produced = run_actions(
        _load(source), source.parent, compact=_compact(path), written_to=path.parent
    )
    assert produced == _load(path), _regenerate(path)


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.stem)
def test_trace_matches_schema(path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = _load(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    actions_schema = {**schema, "$ref": "#/$defs/actionsFile"}
    for key in ("properties", "required", "additionalProperties"):
        actions_schema.pop(key)
    source = _load(SOURCES / path.name)
    source.pop("notes", None)
    for document, against, name in (
        (_load(path), schema, f"docs/traces/{path.name}"),
        (source, actions_schema, f"docs/traces/src/{path.name}"),
    ):
        try:
            jsonschema.validate(document, against)
        except jsonschema.ValidationError as error:
            pytest.fail(
                f"{name} at {error.json_path}: {error.message}; fix the actions file and "
                f"{_regenerate(path)}, or fix model/schemas/trace.schema.json if the format changed"
            )
