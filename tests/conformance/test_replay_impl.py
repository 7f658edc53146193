"""`marginspec replay TRACE --impl/--cmd` re-runs a saved trace on an implementation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TRACE = REPO / "docs" / "traces" / "isolated-funding.json"


def _replay(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "marginspec", "replay", str(TRACE), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_replay_on_the_protocol_server_agrees() -> None:
    result = _replay("--cmd", f"{sys.executable} -m marginspec serve-protocol")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "agrees with every step" in result.stdout


def test_replay_on_a_wrong_implementation_names_the_field() -> None:
    result = _replay("--impl", "tests.mutants:FundingSignInverted")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "/outcome/events/0/amount" in result.stdout and "FUND-1" in result.stdout
