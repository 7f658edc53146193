"""Static vectors (CONF-9): deterministic, complete coverage, checkable without the model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from marginspec.cli import main
from marginspec.conformance import vectors
from marginspec.conformance.engine import ModelEngine
from tests.conformance.helpers import EXAMPLE_ADAPTER, RULESET
from tests.mutants import FundingSignInverted


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vectors")
    result = CliRunner().invoke(main, ["vectors", "generate", "--out", str(out), "--seed", "0"])
    assert result.exit_code == 0, result.output
    return out


def test_every_target_is_covered_and_indexed(corpus_dir: Path) -> None:
    index = json.loads((corpus_dir / "index.json").read_text())
    assert index["uncovered"] == []
    assert set(index["coverage"]) == set(vectors.targets())
    # every refusal rule of the model and every action rule is a target
    assert {f"ACT-{i}" for i in range(1, 13)} <= set(index["coverage"])
    assert set(vectors.refusal_rules()) <= set(index["coverage"])
    for entry in index["vectors"]:
        document = json.loads((corpus_dir / entry["file"]).read_text())
        assert len(document["steps"]) == entry["steps"]


def test_same_seed_same_files() -> None:
    a = vectors.generate("aster-pro", RULESET, seed=7, budget=25)
    b = vectors.generate("aster-pro", RULESET, seed=7, budget=25)
    assert json.dumps(a.vectors) == json.dumps(b.vectors)
    assert a.index == b.index


def test_the_model_passes_and_a_mutant_fails(corpus_dir: Path) -> None:
    passed = vectors.check(corpus_dir, ModelEngine(RULESET))
    assert passed.failed == () and len(passed.passed) >= 10
    failed = vectors.check(corpus_dir, FundingSignInverted())
    assert failed.failed
    _name, report = failed.failed[0]
    assert report.difference is not None and "ACT-10" in report.rules


def test_check_skips_vectors_with_unsupported_actions(corpus_dir: Path) -> None:
    result = CliRunner().invoke(
        main, ["vectors", "check", str(corpus_dir), "--cmd", EXAMPLE_ADAPTER]
    )
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output and "skipped (unsupported actions)" in result.output
