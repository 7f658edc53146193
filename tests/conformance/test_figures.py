"""The figures kit (FIG-*): no false alarm on the model or on a float calculator within its
declared decimals; a wrong engine caught on a small snapshot with the rules behind it;
reports saved and replayed; the generator aims where it says; the pytest entry."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import given, settings

from marginspec.account import parse_account
from marginspec.cli import main
from marginspec.conformance.figures.check import FigureDifference
from marginspec.conformance.figures.engine import FiguresCapabilities, ModelFiguresEngine
from marginspec.conformance.figures.explain import explain
from marginspec.conformance.figures.protocol import SubprocessFiguresEngine
from marginspec.conformance.figures.search import search
from marginspec.conformance.figures.shrink import shrink
from marginspec.conformance.figures.strategies import (
    RandomChooser,
    draw_snapshot,
    snapshots,
)
from marginspec.evaluate import evaluate
from tests.conformance.figures_engines import (
    BinaryFloats,
    NoCum,
    ZeroForNone,
    ZeroForNoneUndeclared,
)
from tests.conformance.helpers import REPO, RULESET, script
from tests.conformance.test_cli_and_plugin import _pytest

CALCULATOR = f"{sys.executable} {REPO / 'docs' / 'conformance' / 'example_figures_adapter.py'}"
ENGINES = "tests.conformance.figures_engines"


def test_the_model_is_no_false_alarm() -> None:
    result = search(ModelFiguresEngine(RULESET), "aster-pro", RULESET, seed=0, examples=400)
    assert result.failures == ()
    assert result.snapshots == 400
    assert result.skipped == ()  # the model declares nothing: every figure is compared


def test_the_model_behind_the_protocol_is_no_false_alarm() -> None:
    serve = (
        f'{sys.executable} -c "from marginspec.cli import main; main()" serve-protocol --figures'
    )
    engine = SubprocessFiguresEngine(serve)
    try:
        result = search(engine, "aster-pro", RULESET, seed=1, examples=200)
    finally:
        engine.close()
    assert result.failures == (), result.failures[0].text()
    assert result.capabilities.name == "marginspec-model"


def test_a_float_calculator_within_its_declared_decimals_is_no_false_alarm() -> None:
    engine = SubprocessFiguresEngine(CALCULATOR)
    try:
        result = search(engine, "aster-pro", RULESET, seed=3, examples=400)
    finally:
        engine.close()
    assert result.failures == (), result.failures[0].text()
    assert "position.liquidationPrice" not in result.skipped
    assert "account.availableBalance" in result.skipped


def test_a_float_engine_declaring_every_figure_within_tolerances_is_no_false_alarm() -> None:
    """FIG-4, CONF-2: every figure of the evaluate output in binary floats, each declared
    within 8 decimals or one part in 10^12: nothing is flagged, though the floats differ."""
    engine = BinaryFloats()
    result = search(engine, "aster-pro", RULESET, seed=0, examples=400)
    assert result.failures == (), result.failures[0].text()
    assert result.skipped == ()  # every figure was compared
    assert engine.inexact > 1000


def test_a_missing_maintenance_amount_is_found_on_one_position() -> None:
    result = search(NoCum(), "aster-pro", RULESET, seed=0, examples=2000, failures=4)
    assert len(result.failures) == 4
    for failure in result.failures:
        assert failure.positions == 1
        assert failure.explanation is not None
        # A bracket above the first, at the mark (cum in MM-1) or at the price (LIQ-3).
        in_play = failure.explanation.features
        assert "cum" in in_play or "lp-bracket" in in_play
        assert "MM-1" in failure.rules or "LIQ-3" in failure.rules
        d = failure.difference
        assert d is not None and d.field in ("maintMargin", "liquidationPrice")
        # Without cum the maintenance margin is higher (cum > 0 above the first bracket).
        if d.field == "maintMargin":
            assert float(d.impl) > float(d.model)
    fields = {f.difference.field for f in result.failures if f.difference}
    assert fields == {"maintMargin", "liquidationPrice"}


def test_no_price_said_as_zero_is_declared_not_flagged() -> None:
    declared = search(ZeroForNone(), "aster-pro", RULESET, seed=0, examples=600)
    assert declared.failures == ()
    undeclared = search(ZeroForNoneUndeclared(), "aster-pro", RULESET, seed=0, examples=600)
    (failure,) = undeclared.failures
    assert failure.difference is not None and failure.difference.model is None
    assert failure.explanation is not None and "no-lp" in failure.explanation.features
    assert "LIQ-5" in failure.rules


def test_conform_figures_saves_the_smallest_snapshot_and_replays_it(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    runner = CliRunner()
    args = ["conform", "--figures", "--impl", f"{ENGINES}:NoCum", "--examples", "1000"]
    result = runner.invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "FAIL (divergence): NoCum diverges" in result.output
    assert "rules: " in result.output and "MM-1" in result.output
    saved = json.loads(out.read_text())
    assert saved["format"] == "marginspec-figures/1"
    assert saved["difference"]["field"] in ("maintMargin", "liquidationPrice")
    parse_account(saved["snapshot"], RULESET)  # plain `marginspec evaluate` input
    again = runner.invoke(
        main, ["conform", "--figures", "--replay", str(out), "--impl", f"{ENGINES}:NoCum"]
    )
    assert again.exit_code == 1 and "figure(s) differ" in again.output
    model = "marginspec.conformance.figures.engine:ModelFiguresEngine"
    fixed = runner.invoke(main, ["conform", "--figures", "--replay", str(out), "--impl", model])
    assert fixed.exit_code == 0, fixed.output
    assert "agrees with the model on every declared figure" in fixed.output


def test_a_crashing_tool_is_a_report_not_a_traceback(tmp_path: Path) -> None:
    body = (
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    m = json.loads(line)\n"
        "    if m['type'] == 'hello':\n"
        "        print(json.dumps({'type': 'hello', 'capabilities': {}}), flush=True)\n"
        "    elif len(m['snapshot']['positions']) > 1:\n"
        "        sys.exit(3)\n"
        "    else:\n"
        "        print(json.dumps({'type': 'error', 'message': 'boom'}), flush=True)\n"
    )
    engine = SubprocessFiguresEngine(script(tmp_path, "crash.py", body), timeout=5)
    try:
        result = search(engine, "aster-pro", RULESET, seed=0, examples=50)
    finally:
        engine.close()
    (failure,) = result.failures
    assert failure.kind == "crash"
    assert failure.positions == 1  # shrunk to the one-position snapshot
    assert "boom" in failure.text()


def test_bad_figures_capabilities_are_a_protocol_failure(tmp_path: Path) -> None:
    body = (
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    print(json.dumps({'type': 'hello', 'figures': {'marginTypes': ['cross', 'x']}}),"
        " flush=True)\n"
    )
    engine = SubprocessFiguresEngine(script(tmp_path, "bad.py", body), timeout=5)
    result = search(engine, "aster-pro", RULESET, examples=5)
    engine.close()
    (failure,) = result.failures
    assert failure.kind == "protocol" and "marginTypes" in failure.message


def test_the_generator_aims_where_calculators_go_wrong() -> None:
    import random

    seen: set[str] = set()
    rng = random.Random(0)
    for _ in range(600):
        snapshot = draw_snapshot(RandomChooser(rng), RULESET, FiguresCapabilities())
        figures = evaluate(parse_account(snapshot, RULESET), RULESET)
        if snapshot.get("openOrders"):
            seen.add("orders-drawn")
        for i in range(len(figures.positions)):
            diff = FigureDifference(f"/positions/{i}/x", "liquidationPrice", None, None, position=i)
            seen |= explain(diff, figures, RULESET).features
    for feature in (
        "cross",
        "isolated",
        "cum",
        "on-boundary",
        "entry-bracket",
        "margin-bracket",
        "lp-bracket",
        "hedge",
        "no-lp",
        "others-long",
        "others-short",
        "others-cum",
        "near-zero",
        "orders",
        "orders-drawn",
    ):
        assert feature in seen, feature


def test_the_shrinker_reaches_a_local_minimum() -> None:
    def attempt(sequence: Any) -> tuple[int | None, list[int], list[tuple[int, int]]]:
        return (sum(sequence) if sum(sequence) >= 10 else None), list(sequence), []

    best, total, calls = shrink(attempt, [3, 4, 5, 6, 7], 25, budget=500)
    assert total == 10 and sum(best) == 10 and calls < 500
    # 1-minimal: no single choice can be deleted or lowered and still fail.
    for i in range(len(best)):
        assert attempt(best[:i] + best[i + 1 :])[0] is None
        assert attempt([*best[:i], best[i] - 1, *best[i + 1 :]])[0] is None


@settings(max_examples=25, deadline=None)
@given(snapshots(RULESET, FiguresCapabilities()))
def test_the_hypothesis_strategy_draws_valid_snapshots(snapshot: dict[str, Any]) -> None:
    account = parse_account(snapshot, RULESET)
    assert account.positions


def test_the_pytest_entry_runs_the_figures_kit(tmp_path: Path) -> None:
    out = tmp_path / "failures"
    run = _pytest(
        tmp_path,
        "--marginspec-figures",
        f"--marginspec-impl={ENGINES}:NoCum",
        "--marginspec-examples=500",
        f"--marginspec-out={out}",
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed" in run.stdout
    assert "NoCum diverges" in run.stdout
    assert list(out.glob("figures-seed0*.json"))


def test_the_pytest_entry_keeps_one_ci_jobs_shards(tmp_path: Path) -> None:
    """FIG-7, CONF-7: ``--marginspec-shard 2/2`` of four shards runs shards 1 and 3 (seeds
    1 and 3), each failing on its own seed."""
    out = tmp_path / "failures"
    run = _pytest(
        tmp_path,
        "--marginspec-figures",
        f"--marginspec-impl={ENGINES}:NoCum",
        "--marginspec-shards=4",
        "--marginspec-shard=2/2",
        "--marginspec-examples=800",
        f"--marginspec-out={out}",
    )
    assert "2 failed, 1 passed" in run.stdout, run.stdout + run.stderr
    assert sorted(p.name for p in out.glob("figures-seed*.json")) == [
        "figures-seed1.json",
        "figures-seed3.json",
    ]


def test_bad_figures_input_is_one_line_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    neither = runner.invoke(main, ["conform", "--figures"])
    assert neither.exit_code == 2 and "exactly one of --impl" in neither.output
    not_figures = runner.invoke(
        main, ["conform", "--figures", "--impl", "tests.mutants:FundingSignInverted"]
    )
    assert not_figures.exit_code == 2 and "not a FiguresEngine" in not_figures.output
    missing = runner.invoke(
        main,
        [
            "conform",
            "--figures",
            "--replay",
            str(tmp_path / "none.json"),
            "--impl",
            f"{ENGINES}:NoCum",
        ],
    )
    assert missing.exit_code == 2 and "cannot read" in missing.output
    assert "Traceback" not in neither.output + not_figures.output + missing.output
