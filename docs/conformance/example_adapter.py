#!/usr/bin/env python3
"""A complete, tiny engine speaking the marginspec conformance protocol (JSON lines).

Written the way an adapter in any language would be: read one JSON object per line on
stdin, answer one per line on stdout, flush after each. It does not import marginspec.
It implements only wallets: deposits, withdrawals and mark prices (no orders, no
positions), and says so in its handshake, so the kit generates only those actions and
compares only the fields it declares.

    marginspec conform --cmd "python3 docs/conformance/example_adapter.py"
"""

import json
import sys
from decimal import Decimal

CAPABILITIES = {
    "name": "example-wallet-engine",
    "version": "1.0",
    "hedgeMode": False,
    "funding": False,
    "liquidationSweep": False,
    "actions": ["deposit", "withdraw", "markPrice"],
    "outcome": ["status", "code"],
    "fields": {
        # field -> decimals it reports (null: exact)
        "account": {
            "totalWalletBalance": None,
            "totalCrossWalletBalance": None,
            "availableBalance": 8,
            "maxWithdrawAmount": 8,
        },
        "position": {},
        "order": {},
    },
}


class Exchange:
    def __init__(self, state):
        self.marks = {s: Decimal(p) for s, p in state["markPrices"].items()}
        self.wallets = {
            name: Decimal(acct.get("crossWalletBalance", "0"))
            for name, acct in state.get("accounts", {}).items()
        }
        self.wallets["insuranceFund"] = Decimal(state.get("insuranceFund", "0"))

    def apply(self, action):
        kind = action["action"]
        if kind == "markPrice":
            if action["symbol"] not in self.marks:
                return refused(-1121, "Invalid symbol.")
            price = Decimal(action["markPrice"])
            if price <= 0:
                return refused(None, "Mark price must be positive.")
            self.marks[action["symbol"]] = price
            return {"status": "accepted"}
        name = action["account"]
        if name not in self.wallets:
            return refused(None, f"Unknown account {name}.")
        amount = Decimal(action["amount"])
        if kind == "withdraw" and name == "insuranceFund":
            return refused(None, "The insurance fund does not transfer.")
        if amount <= 0:
            return refused(-4055, "Amount must be positive.")
        if kind == "deposit":
            self.wallets[name] += amount
            return {"status": "accepted"}
        if kind == "withdraw":
            if amount > self.wallets[name]:  # no positions: everything is withdrawable
                return refused(None, "Amount exceeds maxWithdrawAmount.")
            self.wallets[name] -= amount
            return {"status": "accepted"}
        return refused(None, f"unsupported action {kind}")

    def snapshot(self, name):
        wallet = str(self.wallets[name])
        return {
            "totalWalletBalance": wallet,
            "totalCrossWalletBalance": wallet,
            "availableBalance": wallet,
            "maxWithdrawAmount": wallet,
            "positions": [],
            "openOrders": [],
        }


def refused(code, msg):
    return {"status": "refused", "code": code, "msg": msg}


def main():
    exchange = None
    for line in sys.stdin:
        request = json.loads(line)
        kind = request["type"]
        if kind == "hello":
            reply = {"type": "hello", "capabilities": CAPABILITIES}
        elif kind == "reset":
            exchange = Exchange(request["state"])
            reply = {"type": "ok"}
        elif kind == "apply":
            reply = {"type": "outcome", "outcome": exchange.apply(request["action"])}
        elif kind == "snapshot" and "accounts" in request:
            reply = {
                "type": "snapshots",
                "snapshots": {a: exchange.snapshot(a) for a in request["accounts"]},
            }
        elif kind == "snapshot":
            reply = {"type": "snapshot", "snapshot": exchange.snapshot(request["account"])}
        elif kind == "bye":
            return
        else:
            reply = {"type": "error", "message": f"unknown request {kind!r}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
