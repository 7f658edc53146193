"""Static vectors (CONF-9): deterministic, complete coverage of the rule table, checkable
without the model."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from marginspec.cli import main
from marginspec.conformance import coverage, moves, vectors
from marginspec.conformance.engine import ModelEngine
from marginspec.exchange import Model
from marginspec.numbers import to_plain
from marginspec.ruleset import AdlRanking
from tests.conformance.helpers import EXAMPLE_ADAPTER, REPO, RULESET, initial
from tests.mutants import FundingSignInverted


def _generate(out: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["vectors", "generate", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vectors")
    _generate(out, "--seed", "0")
    return out


def _index(directory: Path) -> dict[str, object]:
    index: dict[str, object] = json.loads((directory / "index.json").read_text())
    return index


def test_every_target_is_covered_and_indexed(corpus_dir: Path) -> None:
    index = json.loads((corpus_dir / "index.json").read_text())
    assert index["uncovered"] == []
    assert list(index["coverage"]) == list(vectors.targets(RULESET))
    # the families the issue names are all there, rule by rule
    for rule in ("BRK-3", "BRK-4", "MM-1", "LIQ-3", "LIQ-4", "LIQ-5", "ORD-3", "XFER-3"):
        assert index["coverage"][rule], rule
    for rule in ("FUND-3", "FILL-3", "ADL-1", "IF-2", "ACT-LEV-3", "REF-43", "event:TAKEOVER"):
        assert index["coverage"][rule], rule
    assert {f"ACT-{i}" for i in range(1, 13)} <= set(index["coverage"])
    assert set(vectors.refusal_rules()) <= set(index["coverage"])
    files = {entry["file"] for entry in index["vectors"]}
    for entry in index["vectors"]:
        document = json.loads((corpus_dir / entry["file"]).read_text())
        assert len(document["steps"]) == entry["steps"]
        assert set(entry["covers"]) <= set(entry["exercises"])
        for rule in entry["exercises"]:
            assert entry["file"] in index["coverage"][rule]
    for rule, listed in index["coverage"].items():
        assert listed and set(listed) <= files, rule
    assert index["excluded"]["ADL-2b"].startswith("ranking option not in force")


def test_the_index_says_what_the_files_do(corpus_dir: Path) -> None:
    """Re-judge every vector from its file alone: the index lists exactly what it exercises."""
    index = json.loads((corpus_dir / "index.json").read_text())
    table = coverage.targets(RULESET)
    for entry in index["vectors"]:
        document = json.loads((corpus_dir / entry["file"]).read_text())
        actions = [step["action"] for step in document["steps"]]
        found = vectors.exercises(RULESET, document["initial"], actions, table)
        assert found == entry["exercises"], entry["file"]


def test_regeneration_is_byte_identical(corpus_dir: Path, tmp_path: Path) -> None:
    _generate(tmp_path, "--seed", "0")
    names = sorted(p.name for p in corpus_dir.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (corpus_dir / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_a_spent_budget_names_the_uncovered_ids_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["vectors", "generate", "--out", str(out), "--budget", "3"])
    assert result.exit_code == 2
    assert "3 runs (the budget) did not cover" in result.output
    left = vectors.generate("aster-pro", RULESET, 0, budget=3, complete=False).index["uncovered"]
    # the one-line error is cut at MAX_MESSAGE characters: the list starts the same way
    assert left and f"did not cover {', '.join(left[:10])}, " in result.output
    assert not out.exists()


def test_every_spec_rule_is_targeted_or_excluded() -> None:
    """A rule added to spec/ without a target or an exclusion fails here."""
    assert coverage.unaccounted(RULESET) == set(), (
        "rules with neither a conformance target nor an exclusion: declare a target in the "
        "area module of model/conformance/coverage/ or add the ID with its reason to EXCLUDED "
        "in model/conformance/coverage/excluded.py (CONTRIBUTING.md, 'Add a formula rule')"
    )
    spec = coverage.spec_rule_ids()
    targeted = {t.rule for t in coverage.targets(RULESET)}
    # no target or exclusion names a rule the spec does not have (stale entries)
    # a branch target "ID:branch" (a discriminating situation of rule ID) names a spec rule
    assert {r.partition(":")[0] for r in targeted if not r.startswith("event:")} <= spec
    assert set(coverage.excluded(RULESET)) <= spec
    assert not targeted & set(coverage.excluded(RULESET))
    # the parser sees rules of every form, and not the digest's example labels
    for rule in ("BRK-3", "ACT-LEV-3", "ACT-ORD-5", "ADL-2c", "REF-43", "LIQP-7"):
        assert rule in spec, rule
    # theorem IDs and the digest's example labels are not spec rules
    assert not {"THM-MM-1", "EX-MM-4", "EX-MM-12"} & spec


def test_option_dependent_rules_follow_the_rule_set() -> None:
    binance = attrs.evolve(
        RULESET, options=attrs.evolve(RULESET.options, adl_ranking=AdlRanking.BINANCE)
    )
    rules = {t.rule for t in coverage.targets(binance)}
    assert "ADL-2b" in rules and "ADL-2a" not in rules
    assert "ADL-2a" in coverage.excluded(binance)
    assert coverage.unaccounted(binance) == set()


def test_targets_are_declared_once_and_aim_at_real_moves() -> None:
    """Each rule is one target, and every move a target names exists (the vectors play it)."""
    names = set(moves.MOVES) | set(moves.AIMED)
    assert set(moves.EMPTY_FUND) <= set(moves.AIMED)
    for ranking in AdlRanking:
        ruleset = attrs.evolve(RULESET, options=attrs.evolve(RULESET.options, adl_ranking=ranking))
        rules = [t.rule for t in coverage.targets(ruleset)]
        assert len(rules) == len(set(rules)), (
            f"rules with two targets: {sorted({r for r in rules if rules.count(r) > 1})}; an "
            "action's target is numbered ACT-<its position in ACTION_NAMES> "
            "(CONTRIBUTING.md, 'Add an action of the account model')"
        )
        for t in coverage.targets(ruleset):
            assert set(t.aims) <= names, (t.rule, t.aims)


def test_a_plain_deposit_exercises_only_its_action_rule() -> None:
    """Predicates are not trivially true: an empty exchange's deposit is ACT-1 and nothing else."""
    model = Model.from_json(initial(A="100"), RULESET)
    before = model.state
    outcome = model.apply_json({"action": "deposit", "account": "A", "amount": "5"})
    step = coverage.Step(
        RULESET, initial(A="100"), before, {"action": "deposit"}, outcome, model.state
    )
    assert coverage.covered(step, coverage.targets(RULESET)) == ["ACT-1"]


def test_boundary_predicate_is_exact() -> None:
    """BRK-3 fires on a notional exactly on a cap and not one tick away."""
    start = initial(A="1000000", B="1000000")
    model = Model.from_json(start, RULESET)
    for action in (
        {
            "action": "placeOrder",
            "account": "A",
            "symbol": "BTCUSDT",
            "side": "BUY",
            "positionSide": "BOTH",
            "type": "LIMIT",
            "price": "80000",
            "quantity": "1",
            "reduceOnly": False,
        },
        {
            "action": "placeOrder",
            "account": "B",
            "symbol": "BTCUSDT",
            "side": "SELL",
            "positionSide": "BOTH",
            "type": "LIMIT",
            "price": "80000",
            "quantity": "1",
            "reduceOnly": False,
        },
        {"action": "fill", "makerOrderId": 1, "takerOrderId": 2},
    ):
        assert model.apply_json(action)["status"] == "accepted"
    brk3 = [t for t in coverage.targets(RULESET) if t.rule in ("BRK-3", "BRK-4")]
    beyond = to_plain(RULESET.markets["BTCUSDT"].brackets[-1].notional_cap + 1)
    for mark, expected in (("50000", ["BRK-3"]), ("50000.1", []), (beyond, ["BRK-4"])):
        before = model.state
        action = {"action": "markPrice", "symbol": "BTCUSDT", "markPrice": mark}
        outcome = model.apply_json(action)
        step = coverage.Step(RULESET, start, before, action, outcome, model.state)
        assert coverage.covered(step, tuple(brk3)) == expected, mark


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
    # the wallet-only example checks only the vectors made of its actions (which ones
    # depends on the corpus: seed 0 now has one, REF-10 by a deposit and a mark)
    assert "nothing was checked" in result.output or " passed, 0 failed" in result.output


def test_the_docs_show_the_code_table() -> None:
    """docs/conformance includes the table rendered from the code, not a copy by hand."""
    docs = REPO / "docs" / "conformance"
    assert (docs / "coverage-table.snippet").read_text(encoding="utf-8") == coverage.markdown(
        RULESET
    ), "regenerate: marginspec vectors targets > docs/conformance/coverage-table.snippet"
    assert '--8<-- "docs/conformance/coverage-table.snippet"' in (docs / "index.md").read_text(
        encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["vectors", "targets"])
    assert result.exit_code == 0 and result.output == coverage.markdown(RULESET)


def test_a_subset_engine_runs_most_of_the_corpus(corpus_dir: Path) -> None:
    """Vectors start from the simplest state that reaches their target (no hedge mode,
    funding or sweeps unless the target needs them): an engine without those runs at
    least 70% of the corpus (CONF-9)."""
    from marginspec.conformance.capabilities import Capabilities

    class Subset(ModelEngine):
        def handshake(self, hello: dict[str, object]) -> Capabilities:
            return Capabilities(hedge_mode=False, funding=False, liquidation_sweep=False)

    result = vectors.check(corpus_dir, Subset(RULESET))
    ran = len(result.passed) + len(result.failed)
    assert result.failed == ()
    assert ran >= 0.7 * (ran + len(result.skipped)), (ran, len(result.skipped))


def test_every_target_has_two_vectors_of_different_shape(corpus_dir: Path) -> None:
    """A target is not left to one fragile vector (CONF-9, ``vectors.SHAPES``): at least
    two vectors exercise it, and their action kinds differ."""
    index = _index(corpus_dir)
    shapes: dict[str, tuple[str, ...]] = {}
    for entry in index["vectors"]:  # type: ignore[attr-defined]
        document = json.loads((corpus_dir / entry["file"]).read_text())
        shapes[entry["file"]] = tuple(step["action"]["action"] for step in document["steps"])
    for rule, files in index["coverage"].items():  # type: ignore[attr-defined]
        assert len({shapes[f] for f in files}) >= vectors.SHAPES, rule
