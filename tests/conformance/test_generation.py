"""What the driver plays (CONF-5): every weighted move drawn, refusals a minority, the
distribution measured and printed (``--stats``)."""

from __future__ import annotations

from click.testing import CliRunner

from marginspec.cli import main
from marginspec.conformance import driver
from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.engine import ModelEngine
from marginspec.conformance.moves.weights import WEIGHTS, weighted
from tests.conformance.helpers import RULESET

#: The most of the steps that may be refusals (it was 58% with one rule per move).
REFUSAL_CEILING = 0.4


def test_moves_follow_their_weights_and_refusals_stay_a_minority() -> None:
    result = driver.run(ModelEngine(RULESET), "aster-pro", RULESET, "quick", seed=0)
    assert result.report is None and result.stats is not None
    stats = result.stats
    moves, actions = stats.moves, stats.actions
    # every move of positive weight, aimed scenarios included (weight 0: vectors only)
    assert set(moves) == {name for name, weight in WEIGHTS.items() if weight}
    assert stats.refusal_share <= REFUSAL_CEILING, stats.text()
    trades = moves["trade"] + moves["trade_then_change"]
    assert trades > 3 * moves["cancel_order"]
    assert actions.get("fill", 0) > actions.get("cancelOrder", 0)


def test_every_move_has_a_weight() -> None:
    from marginspec.conformance import moves

    functions = {f.__name__ for f, _ in (*moves.MOVES.values(), *moves.AIMED.values())}
    assert functions == set(WEIGHTS)


def test_a_subset_engine_is_never_sent_what_it_did_not_declare() -> None:
    caps = Capabilities(hedge_mode=False, funding=False, liquidation_sweep=False)
    names = {name for name, _, _ in weighted(caps)}
    assert {"hedge", "funding", "sweep", "crash", "set_position_mode"}.isdisjoint(names)
    assert {"trade", "reducing_order", "isolated_trade"} <= names or "isolated_trade" not in names


def test_stats_are_printed_on_request() -> None:
    result = CliRunner().invoke(
        main,
        ["conform", "--impl", "tests.mutants:FundingSignInverted", "--stats", "--examples", "20"],
    )
    assert "moves drawn" in result.output and "refused" in result.output
