"""Shared set-up for the conformance-kit tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from marginspec.rulefile import load_bundled

REPO = Path(__file__).resolve().parents[2]
RULESET = load_bundled("aster-pro")
SERVE = f'{sys.executable} -c "from marginspec.cli import main; main()" serve-protocol'
EXAMPLE_ADAPTER = f"{sys.executable} {REPO / 'docs' / 'conformance' / 'example_adapter.py'}"


def initial(**wallets: str) -> dict[str, Any]:
    return {
        "markPrices": {"BTCUSDT": "80000", "ETHUSDT": "3000"},
        "insuranceFund": "1000000",
        "accounts": {name: {"crossWalletBalance": w} for name, w in wallets.items()},
    }


def script(tmp_path: Path, name: str, body: str) -> str:
    """A protocol engine written as a small Python script; returns its command."""
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return f"{sys.executable} {path}"


def in_a_fresh_process(script: str, *args: str) -> str:
    """Run ``script`` (Python, ``sys.argv[1:]`` = ``args``) in a new interpreter at the
    repository root; its standard output.

    The kit's quick runs are checked this way where a test asserts what one seed draws:
    those draws turned out to depend on the process's history (importing
    ``marginspec.book`` first changes quick seed 0 from 407 runs of 11,084 steps to 381 of
    10,436, with the model as the engine; docs/performance.md, issue 12), so a verdict that
    must depend on the seed alone starts from the same fresh process."""
    root = Path(__file__).resolve().parents[2]
    paths = [str(root), *filter(None, [os.environ.get("PYTHONPATH")])]
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        cwd=root,
        check=True,
    )
    return done.stdout
