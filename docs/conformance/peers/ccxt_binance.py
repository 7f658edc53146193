"""Figures-kit adapter for ccxt's Binance position parsing (FIG-1).

ccxt turns Binance's account and position-risk answers into unified positions, and in
doing so computes two figures of its own:

* ``binance.parse_account_positions`` (``GET /fapi/v2/account``) computes each position's
  ``liquidationPrice`` from the wallet, the entry price and the maintenance margin rate;
* ``binance.parse_position_risk`` (``GET /fapi/v2/positionRisk``) computes
  ``maintenanceMargin`` as rate × notional.

The adapter gives ccxt what the exchange would answer for the snapshot: the account
answer (``assets`` with the cross wallet and cross uPnL, ``positions`` with notional,
uPnL, margins) and the position-risk answer, both built from the model's figures (the
exchange's own), with the rule set's brackets as ccxt's ``leverageBrackets`` and each
market's price precision at 8 places (so that ccxt's rounding hides nothing). It compares
the two figures ccxt computes: ``liquidationPrice`` from the account parser and
``maintMargin`` from the position-risk parser. ccxt is MIT-licensed; nothing is copied.
Run it in process, or as a JSON-lines server started by the Python that has ccxt (and
marginspec)::

    marginspec conform --figures --impl docs.conformance.peers.ccxt_binance:factory
    marginspec conform --figures --cmd "python docs/conformance/peers/ccxt_binance.py"
"""

from __future__ import annotations

from typing import Any

from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.figures.engine import (
    FiguresCapabilities,
    FiguresEngine,
    model_figures,
)
from marginspec.numbers import to_plain
from marginspec.rulefile import parse_ruleset


def _unified(symbol: str) -> str:
    base = symbol.removesuffix("USDT")
    return f"{base}/USDT:USDT"


class CcxtBinance(FiguresEngine):
    def handshake(self, hello: dict[str, Any]) -> FiguresCapabilities:
        import ccxt

        self.ruleset = parse_ruleset(hello["ruleset"]["toml"], "<hello>")
        self.exchange = ccxt.binance()
        markets = []
        brackets = {}
        for symbol, market in self.ruleset.markets.items():
            base = symbol.removesuffix("USDT")
            markets.append(
                {
                    "id": symbol,
                    "symbol": _unified(symbol),
                    "base": base,
                    "quote": "USDT",
                    "settle": "USDT",
                    "baseId": base,
                    "quoteId": "USDT",
                    "settleId": "USDT",
                    "type": "swap",
                    "spot": False,
                    "margin": False,
                    "swap": True,
                    "future": False,
                    "option": False,
                    "contract": True,
                    "linear": True,
                    "inverse": False,
                    "contractSize": 1,
                    "active": True,
                    "precision": {"price": 1e-8, "amount": float(market.step_size)},
                    "limits": {},
                    "info": {},
                }
            )
            # ccxt's form of GET /fapi/v1/leverageBracket: [floor, maintMarginRatio] rows.
            brackets[_unified(symbol)] = [
                [to_plain(b.notional_floor), to_plain(b.maint_margin_ratio)] for b in market.brackets
            ]
        self.exchange.set_markets(markets)
        self.exchange.options["leverageBrackets"] = brackets
        return FiguresCapabilities(
            Capabilities(
                name=f"ccxt {ccxt.__version__} binance position parsing",
                version=ccxt.__version__,
                fields={"account": {}, "position": {"liquidationPrice": 8, "maintMargin": 8}},
            ),
            no_price=frozenset({"null", "0"}),
        )

    def figures(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        exchange = model_figures(snapshot, self.ruleset)  # what the exchange answers
        account = {
            "assets": [
                {
                    "asset": "USDT",
                    "crossWalletBalance": exchange["totalCrossWalletBalance"],
                    "crossUnPnl": exchange["totalCrossUnPnl"],
                }
            ],
            "positions": [
                {
                    "symbol": p["symbol"],
                    "positionSide": p["positionSide"],
                    "positionAmt": p["positionAmt"],
                    "unrealizedProfit": p["unRealizedProfit"],
                    "notional": p["notional"],
                    "isolatedMargin": p["isolatedMargin"] or "0",
                    "isolatedWallet": p["isolatedWallet"],
                    "initialMargin": p["initialMargin"],
                    "maintMargin": p["maintMargin"],
                    "leverage": str(p["leverage"]),
                    "entryPrice": p["entryPrice"],
                    "isolated": p["marginType"] == "isolated",
                    "updateTime": "0",
                }
                for p in exchange["positions"]
            ],
        }
        parsed = self.exchange.parse_account_positions(account)
        answers = []
        for p, unified in zip(exchange["positions"], parsed, strict=True):
            risk = self.exchange.parse_position_risk(
                {
                    "symbol": p["symbol"],
                    "positionAmt": p["positionAmt"],
                    "entryPrice": p["entryPrice"],
                    "markPrice": p["markPrice"],
                    "unRealizedProfit": p["unRealizedProfit"],
                    "liquidationPrice": p["liquidationPrice"] or "0",
                    "leverage": str(p["leverage"]),
                    "maxNotionalValue": p["maxNotionalValue"],
                    "marginType": p["marginType"],
                    "isolatedMargin": p["isolatedMargin"] or "0",
                    "isAutoAddMargin": "false",
                    "positionSide": p["positionSide"],
                    "notional": p["notional"],
                    "isolatedWallet": p["isolatedWallet"],
                    "updateTime": 0,
                }
            )
            answers.append(
                {
                    "symbol": p["symbol"],
                    "positionSide": p["positionSide"],
                    "liquidationPrice": unified["liquidationPrice"],
                    "maintMargin": risk["maintenanceMargin"],
                }
            )
        return {"positions": answers}


def factory() -> CcxtBinance:
    return CcxtBinance()


if __name__ == "__main__":
    # A JSON-lines server for `marginspec conform --figures --cmd` (FIG-2): run it with the
    # Python of the environment where the tool is installed.
    import sys

    from marginspec.conformance.figures.server import serve_engine

    sys.exit(serve_engine(factory, sys.stdin, sys.stdout))
