"""Shared test set-up: Hypothesis profiles and the path to the workplace's shared data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Profiles: "ci" is quick and runs by default; "nightly" is thorough
# (HYPOTHESIS_PROFILE=nightly ./dev test).
settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile(
    "nightly",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TIERS_FILE = SHARED / "data" / "binance-usdm-leverage-tiers.json"


@pytest.fixture(autouse=True, scope="session")
def _bracket_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Commands run by the tests (in process and as subprocesses) keep their bracket-file
    cache in a folder of this session, not in the user's cache folder."""
    os.environ["MARGINSPEC_CACHE_DIR"] = str(tmp_path_factory.mktemp("bracket-cache"))


@pytest.fixture
def tiers_file() -> Path:
    """The 907 real Binance tables; skipped where ../shared is not present."""
    if not TIERS_FILE.is_file():
        pytest.skip(f"{TIERS_FILE} not present: ../shared exists only in the developers' workplace")
    return TIERS_FILE
