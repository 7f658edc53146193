"""How often the Hypothesis driver plays each move (CONF-5): an explicit weight table.

One rule per move let Hypothesis pick among the rules, and its choice leans on the first
rule (the simplest, where shrinking goes): in quick seed 0, ``cancel_order`` (first by
name) was 28% of the moves, most of them naming an order that does not exist, and 58% of
the steps were refusals, while the three trade moves together were 10%. The driver now
plays one rule that draws a move from this table (:func:`weighted`): trades and the
marks that move them first, refusals kept at a minority share, the aimed scenarios of
:mod:`~marginspec.conformance.moves.aimed` (closes beyond bankruptcy, crashing shorts,
reduce-only orders and fills sized against the position) available to the driver as
well as to the vectors. ``marginspec conform --stats`` prints the distribution measured
in a campaign (:mod:`marginspec.conformance.stats`).
"""

from __future__ import annotations

from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.moves.aimed import AIMED
from marginspec.conformance.moves.aiming import Move
from marginspec.conformance.moves.ordinary import MOVES

#: Weight per move (by function name); every move of both tables has one
#: (``tests/conformance/test_generation.py``), so a new move is not silently left out.
#: Trades (open, add, close, flip, partial fills) carry most of the rules, so they and
#: the marks that move their figures come first; each action kind keeps a share so
#: its refusals and rules are still reached.
WEIGHTS: dict[str, int] = {
    # ordinary moves
    "trade": 16,
    "trade_then_change": 8,
    "mark_price": 12,
    "place_order": 6,
    "on_filters": 3,
    "fill_resting": 5,
    "cancel_order": 3,
    "deposit": 3,
    "withdraw": 4,
    "position_margin": 4,
    "set_leverage": 3,
    "set_margin_type": 3,
    "set_position_mode": 2,
    "funding": 3,
    "sweep": 3,
    "opening_against_resting": 3,
    "immediate_order": 3,
    "out_of_range": 2,
    # aimed scenarios (each a short story reaching a rule the ordinary moves reach rarely)
    "isolated_trade": 3,
    "trade_twice": 2,
    "flip": 2,
    "hedge": 1,
    "reducing_order": 3,
    "reducing_fill": 2,
    "order_then_change": 1,
    "order_then_leverage": 1,
    "leverage": 1,
    "both_books": 1,
    "mark_on_boundary": 2,
    "mark_beyond_cap": 1,
    "crash": 2,
    "crash_shorts": 2,
    "close_beyond_bankruptcy": 2,
    "full_isolated_fill": 1,
    "crash_pair": 1,
    "crash_ranked": 2,
    "crash_with_fee": 2,
    "reducing_orders": 3,
    "lp_beyond_cap": 1,
    "exact_entry": 1,
    "premium_funding": 1,
    "tiny_liquidation_price": 1,
    "funding_times": 1,
    "cancel_all": 1,
    # conditional orders (moves/conditional.py)
    "conditional_order": 5,
    "last_price": 2,
    "trigger_story": 4,
    # issue 14: amendment, self-trade prevention, filter bounds (ACT-15, AMEND-*, STP-*,
    # FLT-*). At weight 1, modify_order and self_trade were drawn 5-25 times in a quick
    # run and AMEND-2 or STP-1 went unreached on some seeds: 2 each. (Raising them once
    # moved the draws off LIQP-4's clearance fee; `crash` now also aims strictly between
    # the liquidation and bankruptcy prices, so the fee no longer hangs on the draws.)
    "modify_order": 2,
    "amend_adds": 1,
    "amend_cancels": 2,
    "self_trade": 2,
    "filter_bounds": 1,
    "lot_bounds": 1,
    # issue 12: LIQ-1's trigger from both sides in a story of four actions, so that a
    # strict/inclusive trigger mistake is found on a short run first
    "on_trigger": 3,
    # issue 12, sixth round: the guards the mutation benchmark found never tripped
    # (moves/refusals.py). order_cap sends about 200 actions: at weight 1 (and its turns
    # of the rotation) it took quick seed 0 from 13.5 s to 70 s of CPU, past quick's
    # 60 s, and a trace it fails cannot shrink below 201 steps. Weight 0: the static
    # vectors play it (ACT-ORD-10's target aims at it), generated runs do not.
    "misnamed": 1,
    "order_cap": 0,
    # issue 12, sixth round: rule boundaries reached from both sides (moves/boundaries.py):
    # an order's cost and a leverage cut's IM rise at the available balance (COST-3's
    # market price too), a price in (0, 1], an isolated wallet or cross wallet left at
    # (or just above) 0 by a fill, a negative one an opening fill leaves as it was.
    # cost_at_available at 1 left COST-3's buy-price mutants alive on seed 1 (a market
    # buy that met its edge was not drawn): 2
    "cost_at_available": 2,
    "leverage_rise_at_available": 1,
    "price_floor": 1,
    "isolated_release": 1,
    # These three need an account flat on a symbol (rare late in a run) and left FILL-8's
    # and IF-5's edges unmet on one seed of three at weight 1: 2
    "isolated_open_drains_cross": 2,
    "negative_wallet_opening": 2,
    "fund_at_limit": 2,
    # issue 12, sixth round: the liquidation price's and the sweep's edges (LIQ-4's
    # choice between two consistent prices, ADL-2/ADL-3's ranking, one-unit positions);
    # amend_cancels went from 1 to 2 and on_trigger from 2 to 3 with them: seed 0's quick
    # run had stopped drawing amend_cancels, and found the inclusive trigger first on a
    # longer story (7 steps, tests/conformance/test_mutants.py)
    "two_liquidation_prices": 1,
    "one_unit": 1,
    "adl_tie": 1,
    "adl_thin_equity": 1,
    "adl_negative_wallet": 1,
    "adl_same_side": 1,
    "adl_flat_side": 1,
    # issue 12, seventh round: account figures at the inputs where a wrong engine's
    # answer differs (moves/figure_edges.py): PNL-3's entry added to one unit, XFER-1's
    # cross MM binding maxWithdrawAmount; LIQ-3's bracket floors past the liquidation price
    "unit_then_profit": 1,
    "hedge_past_liquidation": 1,
    # issue 12, seventh round (moves/liquidation_edges.py): the insurance fund's IF-5 at
    # a zero margin balance (a takeover that leaves it flat at exactly 0)
    "fund_emptied": 1,
    # and a cross wallet left negative by a closing loss, paid by the fund (IF-3, LIQP-7)
    "negative_rest": 1,
    # issue 12, seventh round: a leverage cut whose margin rise is in (0, 1] (and
    # leverage 1), an exposure exactly at the new leverage's cap (ACT-LEV-3), a fill
    # between two orders of one account (REF-13)
    "small_leverage_rise": 1,
    "exposure_at_cap": 1,
    "self_trade_fill": 1,
    # issue 12, eighth round: the last two survivors the vectors missed, a removal of
    # exactly maxRemovableMargin (XFER-3) and the leverage in force asked again above
    # its cap (ACT-LEV-2). Weight 0 for now: the static vectors play them (the targets of
    # XFER-3 and ACT-LEV-2 aim at them); drawing them in quick and thorough changes every
    # seed's runs, and the measurements of this round were taken on those runs.
    "remove_at_cap": 0,
    "same_leverage_over_cap": 0,
}


def weighted(caps: Capabilities) -> tuple[tuple[str, Move, int], ...]:
    """(name, move, weight) of every move of positive weight the implementation can play."""
    table = {**MOVES, **AIMED}
    out = []
    for name, weight in WEIGHTS.items():
        function, actions = table[name]
        if weight == 0:  # played by the static vectors only
            continue
        if not all(caps.supports(a) for a in actions):
            continue
        if "setPositionMode" in actions and not caps.hedge_mode:
            continue
        out.append((name, function, weight))
    return tuple(out)
