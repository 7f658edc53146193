"""The ADL quantile, ``positionRisk``'s ``adl`` (0 to 4), estimated over the accounts the
model knows (ADL-4).

B-ADL: traders are ranked by their ADL score, ``LeveragePnlQuantile = rank / total
users``, and the venues show the quantile in five steps (``GET /fapi/v3/adlQuantile``:
"values 0, 1, 2, 3, 4 shows the queue position and possibility of ADL from low to
high"). The score is ADL-2's, under the rule set's ``adl_ranking``.
"""

from __future__ import annotations

from collections.abc import Sequence

from marginspec.account import MarginType, PositionSide
from marginspec.exchange import adl
from marginspec.exchange.state import INSURANCE_FUND, ExchangeState
from marginspec.exchange.view import account_figures, position_figures
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet

#: The venues' indicator has five steps, 0 … 4 (B-ADL's lights, A-API ``adlQuantile``).
STEPS = 5

Key = tuple[str, str, PositionSide]  # account, symbol, position side


def quantile(score: Exact, population: Sequence[Exact]) -> int:
    """ADL-4: the indicator ``⌈5 × rank / total⌉ − 1`` of a position whose ADL score is
    ``score`` among ``population`` (every score on its symbol and side, its own included),
    rank = how many score at most as much; 0 when its score is not positive."""
    if score <= 0 or not population:
        return 0
    rank = sum(1 for other in population if other <= score)
    steps = -(-STEPS * rank // len(population))  # ⌈5 × rank / total⌉, in integers
    return max(0, min(STEPS, steps) - 1)


def quantiles(state: ExchangeState, ruleset: RuleSet) -> dict[Key, int]:
    """The quantile of ADL-4 for every open position of every account but the fund (which ADL never
    closes, ADL-1): its population is the positions of its symbol on its side (long or
    short), each scored by ADL-2 with the wallet it is margined from."""
    scores: dict[Key, Exact] = {}
    for name, acct in sorted(state.accounts.items()):
        if name == INSURANCE_FUND or not acct.has_position():
            continue
        figures = account_figures(acct, state, ruleset)
        for (symbol, side), pos in acct.positions.items():
            if pos.position_amt == 0:
                continue
            p = position_figures(figures, symbol, side)
            assert p is not None
            isolated = p.position.margin_type is MarginType.ISOLATED
            balance = pos.isolated_wallet if isolated else acct.cross_wallet
            scores[(name, symbol, side)] = Exact(
                adl.score(
                    ruleset.options.adl_ranking,
                    p.unrealized_pnl,
                    abs(p.notional),
                    p.maint_margin,
                    balance,
                )
            )
    groups: dict[tuple[str, bool], list[Exact]] = {}
    for (name, symbol, side), value in scores.items():
        long = state.accounts[name].positions[(symbol, side)].position_amt > 0
        groups.setdefault((symbol, long), []).append(value)
    out = {}
    for (name, symbol, side), value in scores.items():
        long = state.accounts[name].positions[(symbol, side)].position_amt > 0
        out[(name, symbol, side)] = quantile(value, groups[(symbol, long)])
    return out
