"""``marginspec conform`` (failure report, saved trace, --replay) and the pytest plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from marginspec.cli import main
from tests.conformance.helpers import REPO, SERVE


def test_conform_reports_saves_and_replays_a_failure(tmp_path: Path) -> None:
    out = tmp_path / "failure.json"
    args = ["conform", "--impl", "tests.mutants:FundingSignInverted", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "first differing field: /outcome/events/0/amount" in result.output
    assert "rules: " in result.output and "ACT-10" in result.output
    trace = json.loads(out.read_text())
    assert trace["format"] == "marginspec-trace/1" and 1 <= len(trace["steps"]) <= 6
    # the model agrees with its own record; the mutant fails it again
    assert CliRunner().invoke(main, ["replay", str(out)]).exit_code == 0
    again = CliRunner().invoke(
        main, ["conform", "--replay", str(out), "--impl", "tests.mutants:FundingSignInverted"]
    )
    assert again.exit_code == 1 and "/outcome/events/0/amount" in again.output
    fine = CliRunner().invoke(main, ["conform", "--replay", str(out), "--cmd", SERVE])
    assert fine.exit_code == 0, fine.output


def test_bad_impl_is_one_line_exit_2() -> None:
    result = CliRunner().invoke(main, ["conform", "--impl", "no_such_module:factory"])
    assert result.exit_code == 2
    assert "cannot import 'no_such_module'" in result.output
    both = CliRunner().invoke(main, ["conform", "--impl", "a:b", "--cmd", "x"])
    assert both.exit_code == 2


def _pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_own.py").write_text("def test_own_suite():\n    pass\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(tmp_path / "test_own.py"),
            *args,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_pytest_plugin_runs_the_kit_in_an_implementations_suite(tmp_path: Path) -> None:
    out = tmp_path / "failures"
    run = _pytest(
        tmp_path,
        "--marginspec-impl=tests.mutants:FundingSignInverted",
        f"--marginspec-out={out}",
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed" in run.stdout
    assert "first differing field" in run.stdout
    assert list(out.glob("failure-seed*.json"))


def test_pytest_plugin_shards_under_xdist(tmp_path: Path) -> None:
    pytest.importorskip("xdist")
    run = _pytest(
        tmp_path,
        "-n",
        "2",
        f"--marginspec-cmd={SERVE}",
        "--marginspec-shards=2",
        "--marginspec-examples=20",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


def test_pytest_plugin_keeps_one_ci_jobs_share_and_prints_its_summary(tmp_path: Path) -> None:
    """CONF-7: ``--marginspec-shard 2/3`` runs item 1 of three (seed + 1) and prints its
    mergeable summary line."""
    run = _pytest(
        tmp_path,
        "--marginspec-impl=tests.mutants:FundingSignInverted",
        "--marginspec-shard=2/3",
        "--marginspec-examples=30",
        f"--marginspec-out={tmp_path / 'failures'}",
        "-vv",  # -q is among _pytest's arguments: this makes one -v, naming each item
    )
    # its share only: item 1 of three (whether 30 runs catch the mutant is beside the point)
    assert "marginspec-conformance[quick-seed1]" in run.stdout, run.stdout
    assert "quick-seed0" not in run.stdout and "quick-seed2" not in run.stdout
    lines = [line for line in run.stdout.splitlines() if line.startswith("summary: ")]
    assert len(lines) == 1, run.stdout
    assert '"shard": "2/3"' in lines[0] and '"seed": 1' in lines[0]


def test_a_failure_needing_set_up_is_saved_in_six_steps_and_replays(tmp_path: Path) -> None:
    """CONF-6: a liquidation with its fee needs a wallet and leverage its drawn start
    lacks; shrinking folds that set-up into the initial state, so the saved failure has
    at most 6 steps (issue 12), and it replays: the model agrees with its own record and
    the mutant fails it again at the same step."""
    out = tmp_path / "failure.json"
    impl = "tests.mutants:LiquidationFeeIgnored"
    result = CliRunner().invoke(main, ["conform", "--impl", impl, "--seed", "0", "--out", str(out)])
    assert result.exit_code == 1, result.output
    trace = json.loads(out.read_text())
    steps = [step["action"]["action"] for step in trace["steps"]]
    assert 1 <= len(steps) <= 6, steps
    assert steps[-1] == "liquidationSweep"
    # the set-up is in the initial state, not among the actions
    assert not {"deposit", "withdraw", "setLeverage", "setMarginType"} & set(steps)
    assert CliRunner().invoke(main, ["replay", str(out)]).exit_code == 0
    again = CliRunner().invoke(main, ["replay", str(out), "--impl", impl])
    assert again.exit_code == 1 and f"step {len(steps)}" in again.output, again.output
