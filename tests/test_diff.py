"""`marginspec diff`: stricter/looser ranges, leverage drops, witnesses confirmed by the model."""

from __future__ import annotations

import json
from pathlib import Path

import attrs

from marginspec.brackets import expected_cum
from marginspec.numbers import exact
from marginspec.proofs.diff import diff
from marginspec.rulefile import dump_ruleset, load_bundled
from tests.cli_helpers import run_cli

OLD = load_bundled()


def _stricter_bracket_2() -> object:
    """BTCUSDT bracket 2: rate 0.5 % → 0.6 % and 100x → 75x, every cum recomputed (BRK-2)."""
    market = OLD.markets["BTCUSDT"]
    rows = list(market.brackets)
    rows[1] = attrs.evolve(rows[1], maint_margin_ratio=exact("0.006"), initial_leverage=exact(75))
    for index in range(1, len(rows)):
        rows[index] = attrs.evolve(rows[index], cum=exact(expected_cum(rows, index)))
    return attrs.evolve(
        OLD, markets={**OLD.markets, "BTCUSDT": attrs.evolve(market, brackets=tuple(rows))}
    )


def test_stricter_change_with_witnesses() -> None:
    new = _stricter_bracket_2()
    btc, eth = diff(OLD, new)  # type: ignore[arg-type]
    assert eth.status == "unchanged"
    assert [r.text() for r in btc.stricter] == ["(50000, ∞]"] and not btc.looser
    assert [r.text() for r in btc.leverage_dropped] == ["(50000, 250000]"]
    assert btc.liquidated_witness is not None and btc.liquidated_witness["confirmedByModel"] is True
    assert btc.refused_witness is not None and btc.refused_witness["confirmedByModel"] is True
    assert btc.refused_witness["leverage"] > 75


def test_cli_gates_a_release(tmp_path: Path) -> None:
    old_file, new_file = tmp_path / "old.toml", tmp_path / "new.toml"
    old_file.write_text(dump_ruleset(OLD))
    new_file.write_text(dump_ruleset(_stricter_bracket_2()))  # type: ignore[arg-type]
    assert run_cli("diff", old_file, new_file, "--fail-on", "stricter").returncode == 1
    assert run_cli("diff", old_file, new_file, "--fail-on", "looser").returncode == 0
    result = run_cli("diff", old_file, new_file, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["stricter"] == ["(50000, ∞]"]


def test_real_binance_tables_are_looser_than_the_2021_table(tiers_file: Path) -> None:
    result = run_cli(
        "diff",
        "--symbol",
        "BTCUSDT",
        "--format",
        "json",
        "spec/rulesets/aster-pro.toml",
        tiers_file,
    )
    assert result.returncode == 0, result.stderr
    (btc,) = json.loads(result.stdout)
    assert btc["looser"] and not btc["stricter"]


def test_diff_takes_bundled_rule_sets_by_name() -> None:
    """RS-5: `diff` reads a bundled name like every command that takes a rule set; Binance's
    BTCUSDT allows 150x where Aster's stops at 100x, so no leverage dropped from aster-pro."""
    from tests.cli_helpers import run_cli

    result = run_cli("diff", "aster-pro", "binance-usdm", "--symbol", "BTCUSDT", "--format", "json")
    assert result.returncode == 0, result.stderr
    (btc,) = json.loads(result.stdout)
    assert btc["symbol"] == "BTCUSDT" and btc["leverage_dropped"] == []
