"""Shared set-up for the conformance-kit tests."""

from __future__ import annotations

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
