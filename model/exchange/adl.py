"""Auto-deleveraging ranking scores (ADL-2, rule-set option ``adl_ranking``).

Higher score = deleveraged first. Formulas over :data:`~marginspec.symbolic.Real`.
``balance`` is the wallet the position is margined from (cross wallet, or the
isolated wallet), ``unrealized`` and ``maint`` the position's uPnL and MM at mark.
"""

from __future__ import annotations

from marginspec.numbers import Exact
from marginspec.ruleset import AdlRanking
from marginspec.symbolic import Real, div_or, maximum, select

# Exact constants (gmpy2 rationals coerce into Z3 terms): an int/int division would
# give a binary float at run time.
_ZERO = Exact(0)
_ONE = Exact(1)


def aster_score(unrealized: Real, abs_notional: Real, balance: Real) -> Real:
    """ADL-2a, ADL-2c: the ``aster`` score (A-ADL): ``PNL% = uPnL/|notional|``,
    ``effLev = |notional|/(balance + uPnL)``; ``PNL% × effLev`` if PNL% ≥ 0 else ``PNL% / effLev``.

    A position whose margin balance is not positive has no effective leverage: its
    score is 0 (the page does not say; ADL-2c).
    """
    pnl_pct = div_or(unrealized, abs_notional, _ZERO)
    equity = balance + unrealized
    eff_lev = select(equity > 0, div_or(abs_notional, equity, _ZERO), _ZERO)
    return select(pnl_pct >= 0, pnl_pct * eff_lev, div_or(pnl_pct, eff_lev, _ZERO))


def binance_score(unrealized: Real, maint: Real, balance: Real) -> Real:
    """ADL-2b: the ``binance`` score (B-ADL, older Aster Pro page):
    ``max(0, uPnL)/max(1, WB) × MM/(WB + uPnL)`` (margin ratio 0 when WB + uPnL ≤ 0)."""
    pnl_pct = maximum(_ZERO, unrealized) / maximum(_ONE, balance)
    equity = balance + unrealized
    ratio = select(equity > 0, div_or(maint, equity, _ZERO), _ZERO)
    return pnl_pct * ratio


def score(
    ranking: AdlRanking, unrealized: Real, abs_notional: Real, maint: Real, balance: Real
) -> Real:
    if ranking is AdlRanking.BINANCE:
        return binance_score(unrealized, maint, balance)
    return aster_score(unrealized, abs_notional, balance)
