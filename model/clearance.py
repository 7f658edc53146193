"""The clearance (liquidation) fee's rate: one per market, or one per bracket (LIQP-9)."""

from __future__ import annotations

from marginspec.numbers import Exact
from marginspec.ruleset import LiquidationFeeBy, Market, Options


def liquidation_fee_rate(market: Market, bracket: int, options: Options) -> Exact:
    """LIQP-9: the rate LIQP-4 charges a position in bracket ``bracket`` (1-based, BRK-3 at
    the mark): its bracket's rate under ``liquidation_fee_by = "bracket"`` when the market
    lists one per bracket, else the market's ``liquidation_fee``."""
    fees = market.liquidation_fee_brackets
    if options.liquidation_fee_by is LiquidationFeeBy.BRACKET and fees:
        return fees[bracket - 1]
    return market.liquidation_fee
