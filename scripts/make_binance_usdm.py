"""Write spec/rulesets/binance-usdm.toml from Binance's bracket tables (RS-2, RS-4).

Usage: ``python scripts/make_binance_usdm.py TIERS.json > spec/rulesets/binance-usdm.toml``,
where TIERS.json is the ``fetch_leverage_tiers`` JSON of ccxt for Binance USDⓈ-M (the
907-symbol file the project was given holds Binance's ``GET /fapi/v1/leverageBracket``
rows under ``info``). The brackets are taken as they are (RS-4); the market fields the
file does not hold are set as the header of the output says, and nothing else.
"""

from __future__ import annotations

import sys
from pathlib import Path

from marginspec.importers import load_brackets
from marginspec.numbers import Exact, to_plain

HEADER = """\
# Binance USDⓈ-M perpetuals: Binance's own bracket tables (rules RS-1 … RS-4, LEV-1).
#
# Written by scripts/make_binance_usdm.py from ccxt's fetch_leverage_tiers JSON of Binance
# USDⓈ-M ({count} perpetual symbols; the file's {dated} dated delivery contracts are left out,
# the model's markets are perpetual). Every bracket row (floor, cap, initialLeverage,
# maintMarginRatio, cum) is Binance's GET /fapi/v1/leverageBracket row as the file holds it
# (B-BRK); nothing is derived. USDC-settled symbols are listed as data: the model margins
# every account in one asset (single-asset mode, RS-1).
#
# Market fields the file does not hold:
# - tick_size, step_size: Binance's per-symbol PRICE_FILTER / LOT_SIZE are not in the
#   sources we hold; every market gets 1e-8 for both, finer than any real filter, so the
#   model refuses no price or quantity for being off-grid (UNCONFIRMED: Binance's own).
# - min_notional 5: the -4164 message (A-API, copied from Binance).
# - maker 0.02 %, taker 0.05 %: Binance's regular-user rates (not in the digest:
#   UNCONFIRMED; B-FEES gives the formula, not the rates).
# - liquidation_fee: 0.3 % on BTCUSDT, 0.5 % elsewhere (B-LIQP, 2019 version: the only
#   rates published; current rates UNCONFIRMED).
# - funding: 8 h, interest 0.01 % per 8 h, 0 for BNB contracts (B-FUND); cap and floor
#   ±0.75 × the first bracket's maintenance rate (one of the two published versions of
#   B-FUND's cap, UNCONFIRMED).
# Options: Binance's where the venues differ: adl_ranking = "binance" (B-ADL),
# fund_max_net_notional = 1 (B-IF); partial_liquidation = "none" (LIQP-8: Binance
# publishes no sizing for its partial step).
"""


def _n(value: Exact) -> str:
    return f'"{to_plain(value)}"'


def main(path: str) -> str:
    ruleset = load_brackets(path)
    markets = [m for m in ruleset.markets.values() if "_" not in m.symbol]
    dated = len(ruleset.markets) - len(markets)
    lines = [HEADER.format(count=len(markets), dated=dated)]
    lines += [
        "[ruleset]",
        'name = "binance-usdm"',
        'description = "Binance USDⓈ-M perpetuals: Binance\'s bracket tables (RS-2)"',
        "",
        "[options]",
        'bracket_boundary = "cap-inclusive"',
        'liquidation_trigger = "lt"',
        "display_decimals = 8",
        'display_rounding = "down"',
        'no_liquidation_price = "null"',
        'adl_ranking = "binance"',
        'fund_max_net_notional = "1"',
        'partial_liquidation = "none"',
    ]
    for market in sorted(markets, key=lambda m: m.symbol):
        first = market.brackets[0].maint_margin_ratio
        cap = first * Exact(3, 4)
        bnb = market.symbol.startswith("BNB")
        lines += [
            "",
            "[[markets]]",
            f'symbol = "{market.symbol}"',
            'tick_size = "0.00000001"',
            'step_size = "0.00000001"',
            'min_notional = "5"',
            'maker_fee = "0.0002"',
            'taker_fee = "0.0005"',
            f'liquidation_fee = "{"0.003" if market.symbol == "BTCUSDT" else "0.005"}"',
            "funding_interval_hours = 8",
            f'interest_rate = "{"0" if bnb else "0.0001"}"',
            f"funding_cap = {_n(cap)}",
            f"funding_floor = {_n(-cap)}",
            "brackets = [",
        ]
        for b in market.brackets:
            lines.append(
                f"  {{bracket = {b.bracket}, notional_floor = {_n(b.notional_floor)}, "
                f"notional_cap = {_n(b.notional_cap)}, "
                f"initial_leverage = {int(b.initial_leverage)}, "
                f"maint_margin_ratio = {_n(b.maint_margin_ratio)}, cum = {_n(b.cum)}}},"
            )
        lines.append("]")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_file():
        sys.exit("usage: python scripts/make_binance_usdm.py TIERS.json > binance-usdm.toml")
    sys.stdout.write(main(sys.argv[1]))
