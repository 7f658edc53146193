"""A seed means the same generated runs whatever the process imported before (CONF-5,
``conformance.reproducible``): Hypothesis otherwise mixes in constants harvested from the
source of every local module loaded so far, so an engine's own module, a mutated copy of
the package or an unrelated import changed what a seed played."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest

from marginspec.conformance import driver
from marginspec.conformance.engine import ModelEngine
from tests.conformance.helpers import RULESET

#: Enough runs for several hundred integer draws, of which Hypothesis takes about one in
#: twenty from its constant pools.
EXAMPLES = 60


class _Recording(ModelEngine):
    """The model as the engine, writing down every action it is sent."""

    def __init__(self) -> None:
        super().__init__(RULESET)
        self.sent: list[str] = []

    def reset(self, initial: dict[str, Any]) -> None:
        self.sent.append("reset " + json.dumps(initial, sort_keys=True))
        super().reset(initial)

    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(json.dumps(action, sort_keys=True))
        return super().apply(action)


def _played() -> list[str]:
    engine = _Recording()
    result = driver.run(engine, "aster-pro", RULESET, "quick", seed=0, max_examples=EXAMPLES)
    assert result.report is None
    return engine.sent


@pytest.fixture
def import_a_local_module(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """Imports, when called, a new module outside site-packages whose source holds every
    small integer (the ranges the kit draws from); it is gone after the test."""
    folder = tmp_path / "engine_under_test"
    folder.mkdir()
    source = "\n".join(f"C{i} = {i}" for i in range(1, 400))
    (folder / "constants_galore.py").write_text(source + "\n", encoding="utf-8")

    def load() -> None:
        importlib.import_module("constants_galore")

    sys.path.insert(0, str(folder))
    try:
        yield load
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("constants_galore", None)


def test_a_seed_plays_the_same_runs_after_a_new_local_module_is_imported(
    import_a_local_module: Callable[[], None],
) -> None:
    before = _played()
    import_a_local_module()
    assert _played() == before


def test_without_the_guard_the_same_import_changes_the_runs(
    import_a_local_module: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard is what holds the test above: with it disabled, the new module's
    constants change what seed 0 plays (so that test can fail)."""
    monkeypatch.setattr(driver, "seed_alone", nullcontext)
    before = _played()
    import_a_local_module()
    assert _played() != before
