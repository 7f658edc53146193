#!/usr/bin/env python3
"""A complete calculator speaking the figures protocol (JSON lines), in binary floats.

Written the way a bot or a position calculator would be: it does not import marginspec,
reads the rule set's bracket tables from the hello's TOML, and computes with Python
floats the figures a calculator shows: notional, initial and maintenance margin,
unrealized PnL and the liquidation price (isolated, and cross with the other cross
positions held at their marks). It supports one-way mode without open orders and says
so, and declares how many decimals it stands behind: its float rounding stays inside
them, so the kit reports nothing.

    marginspec conform --figures --cmd "python3 docs/conformance/example_figures_adapter.py"
"""

import json
import sys
import tomllib

CAPABILITIES = {
    "name": "example-float-calculator",
    "version": "1.0",
    "hedgeMode": False,
    "fields": {
        # field -> decimals it stands behind (null: exact)
        "account": {"totalMaintMargin": 6, "totalUnrealizedProfit": 6},
        "position": {
            "notional": 6,
            "positionInitialMargin": 6,
            "maintMargin": 6,
            "unRealizedProfit": 6,
            "liquidationPrice": 4,
        },
    },
}
FIGURES = {"openOrders": False, "noLiquidationPrice": ["0"]}


class Calculator:
    def __init__(self, toml_text):
        rules = tomllib.loads(toml_text)
        self.cap_inclusive = rules.get("options", {}).get("bracket_boundary") != "floor-inclusive"
        self.tables = {
            m["symbol"]: [
                (float(b["notional_floor"]), float(b["notional_cap"]),
                 float(b["maint_margin_ratio"]), float(b["cum"]))
                for b in m["brackets"]
            ]
            for m in rules["markets"]
        }

    def bracket(self, symbol, notional):
        table = self.tables[symbol]
        for row in table[:-1]:  # the last bracket owns everything above its floor
            if notional < row[1] or (self.cap_inclusive and notional == row[1]):
                return row
        return table[-1]

    def maint_margin(self, symbol, notional):
        _, _, rate, cum = self.bracket(symbol, notional)
        return notional * rate - cum

    def liquidation_price(self, amount, entry, wallet, symbol):
        """B-LIQ: the price where the margin balance meets the maintenance margin, solved
        in each bracket and kept where the notional at that price falls in it."""
        table = self.tables[symbol]
        for index, (floor, cap, rate, cum) in enumerate(table):
            price = (wallet + cum - amount * entry) / (abs(amount) * rate - amount)
            notional = abs(amount) * price
            last = index == len(table) - 1  # the last bracket has no cap (BRK-4)
            # A price exactly on a bracket boundary (MM is continuous there) can land a
            # rounding error outside both brackets: accept a relative 1e-12 either side.
            slack = 1e-12 * notional
            if price > 1e-9 and floor - slack <= notional and (last or notional <= cap + slack):
                return price
        return 0.0  # no liquidation price

    def figures(self, snapshot):
        positions = []
        for p in snapshot.get("positions", []):
            amount, entry = float(p["positionAmt"]), float(p["entryPrice"])
            mark, leverage = float(p["markPrice"]), float(p["leverage"])
            notional = amount * mark
            positions.append(
                {
                    "p": p,
                    "amount": amount,
                    "entry": entry,
                    "notional": notional,
                    "im": abs(notional) / leverage,
                    "mm": self.maint_margin(p["symbol"], abs(notional)),
                    "upnl": amount * (mark - entry),
                    "cross": p.get("marginType", "cross").lower().startswith("cross"),
                }
            )
        answer = []
        for mine in positions:
            p = mine["p"]
            if mine["cross"]:
                others = [o for o in positions if o["cross"] and o is not mine]
                wallet = float(snapshot["crossWalletBalance"])
                wallet -= sum(o["mm"] for o in others)
                wallet += sum(o["upnl"] for o in others)
            else:
                wallet = float(p["isolatedWallet"])
            price = self.liquidation_price(mine["amount"], mine["entry"], wallet, p["symbol"])
            answer.append(
                {
                    "symbol": p["symbol"],
                    "positionSide": p.get("positionSide", "BOTH"),
                    "notional": mine["notional"],
                    "positionInitialMargin": mine["im"],
                    "maintMargin": mine["mm"],
                    "unRealizedProfit": mine["upnl"],
                    "liquidationPrice": price,
                }
            )
        return {
            "totalMaintMargin": sum(m["mm"] for m in positions),
            "totalUnrealizedProfit": sum(m["upnl"] for m in positions),
            "positions": answer,
        }


def main():
    calculator = None
    for line in sys.stdin:
        message = json.loads(line)
        kind = message["type"]
        if kind == "hello":
            calculator = Calculator(message["ruleset"]["toml"])
            reply = {"type": "hello", "capabilities": CAPABILITIES, "figures": FIGURES}
        elif kind == "evaluate":
            reply = {"type": "figures", "figures": calculator.figures(message["snapshot"])}
        elif kind == "bye":
            return
        else:
            reply = {"type": "error", "message": f"unknown message {kind!r}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
