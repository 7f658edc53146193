"""Figures-kit adapter for freqtrade's Binance liquidation price (FIG-1).

Calls ``freqtrade.exchange.Binance.get_liquidation_price`` as freqtrade's bot does in
dry-run mode (freqtrade is GPL-3.0: this file imports it and copies none of its code):

* the leverage tiers are the kit's rule set, set as freqtrade's ``_leverage_tiers``
  (``minNotional``, ``maintenanceMarginRate``, ``maintAmt`` = the bracket's cum);
* ``stake_amount`` is what freqtrade stakes, ``amount × open_rate / leverage``;
  ``wallet_balance`` the isolated wallet, or the cross wallet in cross margin;
* in cross margin the other cross positions are freqtrade ``LocalTrade`` objects, and
  their mark prices come back from ``fetch_funding_rates`` (what freqtrade reads in
  dry-run mode) as the snapshot's marks;
* ``liquidation_buffer`` is 0, so the figure is freqtrade's own liquidation price.

freqtrade supports one-way mode only (no hedge pairs) and answers 0 for "no liquidation
price" (``max(price, 0)``): both are declared. Run it with freqtrade installed::

    marginspec conform --figures --impl docs.conformance.peers.freqtrade_binance:factory
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.figures.engine import FiguresCapabilities, FiguresEngine
from marginspec.rulefile import parse_ruleset


class FreqtradeBinance(FiguresEngine):
    def handshake(self, hello: dict[str, Any]) -> FiguresCapabilities:
        import freqtrade
        from freqtrade.enums import RunMode
        from freqtrade.exchange import Binance

        logging.getLogger("freqtrade").setLevel(logging.ERROR)
        ruleset = parse_ruleset(hello["ruleset"]["toml"], "<hello>")
        tiers = {
            symbol: [
                {
                    "minNotional": float(b.notional_floor),
                    "maxNotional": float(b.notional_cap),
                    "maintenanceMarginRate": float(b.maint_margin_ratio),
                    "maxLeverage": float(b.initial_leverage),
                    "maintAmt": float(b.cum),
                }
                for b in market.brackets
            ]
            for symbol, market in ruleset.markets.items()
        }
        self.marks: dict[str, float] = {}
        self.exchanges = {}
        for mode in ("isolated", "cross"):
            config = {
                "dry_run": True,
                "runmode": RunMode.DRY_RUN,
                "trading_mode": "futures",
                "margin_mode": mode,
                "liquidation_buffer": 0.0,
                "stake_currency": "USDT",
                "exchange": {"name": "binance", "key": "", "secret": "", "pair_whitelist": []},
            }
            exchange = Binance(config, validate=False, load_leverage_tiers=False)
            exchange._leverage_tiers.update(tiers)
            # Dry-run freqtrade reads the other positions' marks from the funding rates.
            exchange.fetch_funding_rates = self._funding_rates  # type: ignore[method-assign]
            self.exchanges[mode] = exchange
        return FiguresCapabilities(
            Capabilities(
                name=f"freqtrade {freqtrade.__version__} Binance.get_liquidation_price",
                version=freqtrade.__version__,
                hedge_mode=False,
                fields={"account": {}, "position": {"liquidationPrice": 8}},
            ),
            no_price=frozenset({"0"}),
        )

    def _funding_rates(self, pairs: list[str]) -> dict[str, dict[str, float]]:
        return {pair: {"markPrice": self.marks[pair]} for pair in pairs}

    def figures(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        from freqtrade.persistence import LocalTrade

        positions = [p for p in snapshot.get("positions", []) if Decimal(p["positionAmt"]) != 0]
        self.marks = {p["symbol"]: float(p["markPrice"]) for p in positions}
        now = datetime.now(timezone.utc)

        def trade(p: dict[str, Any]) -> Any:
            amount = abs(float(p["positionAmt"]))
            rate = float(p["entryPrice"])
            return LocalTrade(
                pair=p["symbol"],
                amount=amount,
                open_rate=rate,
                stake_amount=amount * rate / float(p["leverage"]),
                is_short=float(p["positionAmt"]) < 0,
                leverage=float(p["leverage"]),
                exchange="binance",
                fee_open=0.0,
                fee_close=0.0,
                open_date=now,
            )

        cross = [trade(p) for p in positions if p.get("marginType", "cross") == "cross"]
        answers = []
        for p in positions:
            mode = "cross" if p.get("marginType", "cross") == "cross" else "isolated"
            t = trade(p)
            wallet = snapshot["crossWalletBalance"] if mode == "cross" else p["isolatedWallet"]
            price = self.exchanges[mode].get_liquidation_price(
                pair=t.pair,
                open_rate=t.open_rate,
                is_short=t.is_short,
                amount=t.amount,
                stake_amount=t.stake_amount,
                leverage=t.leverage,
                wallet_balance=float(wallet),
                open_trades=cross if mode == "cross" else [],
            )
            answers.append(
                {
                    "symbol": p["symbol"],
                    "positionSide": p.get("positionSide", "BOTH"),
                    "liquidationPrice": price,
                }
            )
        return {"positions": answers}


def factory() -> FreqtradeBinance:
    return FreqtradeBinance()


if __name__ == "__main__":
    # A JSON-lines server for `marginspec conform --figures --cmd` (FIG-2): run it with the
    # Python of the environment where the tool is installed.
    import sys

    from marginspec.conformance.figures.server import serve_engine

    sys.exit(serve_engine(factory, sys.stdin, sys.stdout))
