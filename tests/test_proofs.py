"""The Z3 theorems: generic ones proved for small K in CI, concrete ones per symbol, and the
deliberately broken tables each caught with the right counterexample."""

from __future__ import annotations

import json

import attrs
import pytest
import z3

from marginspec import brackets
from marginspec.brackets import Bracket
from marginspec.numbers import exact
from marginspec.proofs.concrete import prove_market
from marginspec.proofs.generic import GENERIC
from marginspec.proofs.theorem import Status, decide, decide_by_cases, exact_value
from marginspec.rulefile import load_bundled
from marginspec.ruleset import Market
from tests.cli_helpers import assert_one_line_error, run_cli

RULES = load_bundled()
BTC = RULES.markets["BTCUSDT"]
CAP = brackets.Boundary.CAP_INCLUSIVE


@pytest.mark.parametrize("theorem", GENERIC, ids=lambda t: t.id)
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 6])
def test_generic_theorems_are_proved(theorem: object, size: int) -> None:
    result = theorem.check(size, 60000)  # type: ignore[attr-defined]
    assert result.status is Status.PROVED, result


def test_default_rule_set_concrete_theorems() -> None:
    for market in RULES.markets.values():
        assert all(r.ok for r in prove_market(RULES, market)), market.symbol


def _broken(index: int, **change: object) -> Market:
    rows = list(BTC.brackets)
    rows[index] = attrs.evolve(rows[index], **change)
    return attrs.evolve(BTC, brackets=tuple(rows))


def _result(market: Market, theorem: str):  # type: ignore[no-untyped-def]
    return next(r for r in prove_market(RULES, market) if r.theorem == theorem)


def test_wrong_cum_shows_the_mm_jump_at_its_floor() -> None:
    r = _result(_broken(2, cum=exact("1301")), "THM-TAB-1")
    assert r.status is Status.FAILED and r.counterexample is not None
    values = r.counterexample.values
    assert values["notional"] == "250000" and values["MM by bracket below"] == "1200"
    assert values["MM by this bracket"] == "1199"


def test_gap_and_decreasing_rate() -> None:
    gap = _result(_broken(2, notional_floor=exact("260000")), "THM-TAB-1")
    assert gap.status is Status.FAILED and "contiguous" in gap.detail
    falling = _broken(3, maint_margin_ratio=exact("0.009"))
    assert "rate non-decreasing" in _result(falling, "THM-TAB-1").detail
    assert _result(falling, "THM-TAB-3").status is Status.FAILED


def test_leverage_too_high_for_its_rate_is_confirmed_by_the_model() -> None:
    """100x → 375x in bracket 1: IM 1/375 < MMR 0.4 %, a position opened there is liquidatable."""
    r = _result(_broken(0, initial_leverage=exact("375")), "THM-TAB-2")
    assert r.status is Status.FAILED and r.counterexample is not None
    assert r.counterexample.confirmed is True
    assert r.counterexample.snapshot is not None


def test_rate_of_one() -> None:
    r = _result(
        _broken(
            9,
            maint_margin_ratio=exact("1"),
            cum=exact("100016300") + exact("300000000") * exact("0.5"),
        ),
        "THM-TAB-4",
    )
    assert r.status is Status.FAILED and r.counterexample is not None and r.counterexample.confirmed


def _table(*cums: str) -> tuple[Bracket, ...]:
    """Brackets of 10 notional each, rates 1 %, 2 %, 3 % …, with the given cum."""
    return tuple(
        Bracket(
            k + 1, exact(10 * k), exact(10 * k + 10), exact(10 - k), exact(k + 1) / 100, exact(c)
        )
        for k, c in enumerate(cums)
    )


def _mm_forms(table: tuple[Bracket, ...]) -> tuple[z3.BoolRef, z3.ArithRef]:
    """THM-MM-1's claim on one table: the cum form equals the portion-by-portion form."""
    n = z3.Real("N")
    claim = brackets.maint_margin(table, n, CAP) == brackets.maint_margin_by_portions(table, n)
    return claim, n


def test_generic_counterexample_without_well_formedness() -> None:
    """A generic claim checked on a table whose cum breaks BRK-2 fails with values."""
    claim, n = _mm_forms(_table("0", "0"))
    assert decide(claim, [n >= 0], 10000).status is Status.FAILED


def test_case_split_counterexample_is_a_real_one() -> None:
    """decide_by_cases: a sat case gives a model that violates the claim (BRK-2 broken)."""
    table = _table("0", "0", "0")
    claim, n = _mm_forms(table)
    verdict = decide_by_cases(claim, [n >= 0], 10000)
    assert verdict.status is Status.FAILED and verdict.model is not None
    notional = exact_value(verdict.model, n)
    assert brackets.maint_margin(table, notional, CAP) != (
        brackets.maint_margin_by_portions(table, notional)
    )


def test_case_split_proves_what_one_query_proves() -> None:
    claim, n = _mm_forms(_table("0", "0.1", "0.3"))
    assert decide(claim, [n >= 0], 10000).status is Status.PROVED
    assert decide_by_cases(claim, [n >= 0], 10000).status is Status.PROVED


@pytest.mark.parametrize("size", [2, 4])
def test_split_cases_give_real_counterexamples(size: int) -> None:
    """A false claim whose counterexamples lie in cases that go through the candidates'
    split (a candidate chosen for one wallet, none for the other): the model found
    violates it when the model's own functions evaluate it on exact numbers."""
    from marginspec import liquidation
    from marginspec.proofs.tables import symbolic_table, well_formed
    from marginspec.symbolic import lift

    table = symbolic_table(size)
    qty, entry, w1, w2 = z3.Reals("qty entry w1 w2")

    def lp(t: brackets.Table, q: object, e: object, w: object) -> liquidation.PriceResult:
        leg = liquidation.Leg(q, e, t)  # type: ignore[arg-type]
        return liquidation.liquidation_price([leg], w, 0, 0, e, CAP)  # type: ignore[arg-type]

    more, less = lp(table, qty, entry, w2), lp(table, qty, entry, w1)
    # False: a wallet large enough has no liquidation price while a smaller one has.
    claim = z3.Implies(lift(less.exists), lift(more.exists))
    assumptions = [well_formed(table), qty > 0, entry > 0, w1 > 0, w2 > w1]
    verdict = decide_by_cases(claim, assumptions, 60000)
    assert verdict.status is Status.FAILED and verdict.model is not None
    value = lambda term: exact_value(verdict.model, term)  # noqa: E731
    concrete = tuple(
        Bracket(
            b.bracket,
            value(b.notional_floor),
            value(b.notional_cap),
            value(b.initial_leverage),
            value(b.maint_margin_ratio),
            value(b.cum),
        )
        for b in table
    )
    assert all(r.holds for r in brackets.well_formedness(concrete))
    q, e = value(qty), value(entry)
    assert value(w2) > value(w1) > 0
    assert lp(concrete, q, e, value(w1)).exists and not lp(concrete, q, e, value(w2)).exists


@pytest.mark.parametrize("side", [1, -1])
def test_generic_counterexample_is_confirmed_on_the_exact_model(side: int) -> None:
    """A false generic claim (the negation of THM-LIQ-7/-8: adding isolated margin does
    not move the liquidation price away), checked through the generic theorems' own
    machinery: the counterexample's table and position, evaluated by the model's
    formulas on exact numbers, violate it."""
    from marginspec.proofs import generic
    from marginspec.symbolic import negate

    true_claim = generic._further(side, "wallet")

    def wrong(t: brackets.Table, var: generic.Var) -> generic.Goal:
        claim, assumptions, names = true_claim(t, var)
        return negate(claim), assumptions, names

    result = generic._checker(wrong, "THM-TEST", True)(3, 60000)
    assert result.status is Status.FAILED and result.counterexample is not None
    assert result.counterexample.confirmed is True, result.counterexample


def test_mirror_images_only_for_a_symmetric_formula() -> None:
    """THM-MM-4 is symmetric in its two notionals (chains a and b trade places), THM-MM-3
    is not (it assumes N1 <= N2): only the first may skip mirrored cases."""
    from marginspec.proofs import generic
    from marginspec.proofs.tables import symbolic_table, well_formed
    from marginspec.proofs.theorem import _guard_chains, _mirror

    table = symbolic_table(4)
    pair = (z3.Real("N1"), z3.Real("N2"))
    for build, expected in ((generic._mm_convex, [1, 0, 2]), (generic._mm_monotone, None)):
        claim, assumptions, _ = build(table, z3.Real)
        formula = z3.And(well_formed(table), *assumptions, z3.Not(claim))
        assert _mirror(formula, _guard_chains(formula), pair) == expected


def test_a_false_symmetric_claim_still_fails() -> None:
    """Skipping mirror images never hides a counterexample: MM concave (false) fails."""
    from marginspec.proofs import generic
    from marginspec.symbolic import negate

    def concave(t: brackets.Table, var: generic.Var) -> generic.Goal:
        claim, assumptions, names = generic._mm_convex(t, var)
        return negate(claim), assumptions, names

    result = generic._checker(concave, "THM-TEST", False, ("N1", "N2"))(3, 60000)
    assert result.status is Status.FAILED and result.counterexample is not None
    assert result.counterexample.confirmed is True


def test_prove_cli_exit_status(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ok = run_cli("prove", "--generic-size", "1", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    text = run_cli("rules", "show", "--format", "toml").stdout.replace(
        'cum = "1300"', 'cum = "1301"'
    )
    broken = tmp_path / "broken.toml"
    broken.write_text(text)
    # one loader, one validation: prove refuses what evaluate refuses (exit 2, one line)
    assert_one_line_error(
        run_cli("prove", "--rules", broken, "--generic-size", "0"),
        "broken.toml",
        "BTCUSDT bracket 3",
        "cum",
    )
    loose = tmp_path / "loose.toml"
    loose.write_text(
        run_cli("rules", "show", "--format", "toml").stdout.replace(
            "initial_leverage = 100", "initial_leverage = 375", 1
        )
    )
    bad = run_cli("prove", "--rules", loose, "--generic-size", "0", "--format", "json")
    assert bad.returncode == 1
    (failed,) = [r for r in json.loads(bad.stdout) if r["status"] != "proved"]
    assert (failed["theorem"], failed["subject"]) == ("THM-TAB-2", "BTCUSDT")
    # the witness wallet 400/3 has no decimal form: written rounded, and said so
    example = failed["counterexample"]
    assert example["evaluateInput"]["positions"][0]["isolatedWallet"] == "133.333333333333333333"
    assert "400/3 has no finite decimal form" in example["explanation"]
    snapshot = tmp_path / "witness.json"
    snapshot.write_text(json.dumps(example["evaluateInput"]))
    assert run_cli("evaluate", snapshot, "--rules", loose).returncode == 0
