"""The account model as a Hypothesis state machine: every invariant after every action.

``Model(check=True)`` runs INV-1 … INV-8 after each transition and raises on a
violation; the rules below drive random but plausible traffic (orders near the mark,
matching, mark moves, funding, margin transfers, mode changes, sweeps). The step
count follows the Hypothesis profile ("ci" quick, "nightly" thorough).
"""

from __future__ import annotations

import os
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from marginspec.account import MarginType, OrderSide, PositionSide
from marginspec.exchange import INSURANCE_FUND, Model, fast_figures
from marginspec.exchange.actions import (
    CancelOrder,
    Deposit,
    Fill,
    Funding,
    LastPrice,
    LiquidationSweep,
    MarkPrice,
    PlaceOrder,
    PositionMargin,
    SetLeverage,
    SetMarginType,
    SetPositionMode,
    Withdraw,
)
from marginspec.exchange.view import figures
from marginspec.numbers import Exact, exact
from marginspec.rulefile import load_bundled
from tests.exchange_helpers import initial

RULESET = load_bundled()
ACCOUNTS = ("A", "B", "C")
SYMBOLS = tuple(RULESET.markets)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

accounts = st.sampled_from(ACCOUNTS)
symbols = st.sampled_from(SYMBOLS)
amounts = st.sampled_from(["1", "10", "100", "1000", "10000"]).map(exact)


def _tick(value: Exact, step: Exact) -> Exact:
    return Exact((value // step) * step)


class ExchangeMachine(RuleBasedStateMachine):
    model: Model

    @initialize(
        wallets=st.lists(st.sampled_from(["500", "5000", "50000"]), min_size=3, max_size=3),
        fund=st.sampled_from(["0", "1000", "1000000"]),
    )
    def start(self, wallets: list[str], fund: str) -> None:
        data = initial(**dict(zip(ACCOUNTS, wallets, strict=True)))
        data["insuranceFund"] = fund
        self.model = Model.from_json(data, RULESET, check=True)

    def _side(self, account: str, want_long: bool) -> PositionSide:
        if self.model.state.accounts[account].dual_side_position:
            return PositionSide.LONG if want_long else PositionSide.SHORT
        return PositionSide.BOTH

    @rule(account=accounts, amount=amounts)
    def deposit(self, account: str, amount: Exact) -> None:
        self.model.apply(Deposit(account, amount))

    @rule(account=accounts, share=st.sampled_from([Decimal("0.5"), Decimal("1"), Decimal("1.01")]))
    def withdraw(self, account: str, share: Decimal) -> None:
        most = figures(self.model.state, account, RULESET).max_withdraw
        amount = _tick(most * exact(share), Exact(1, 100))
        outcome = self.model.apply(Withdraw(account, amount))
        if 0 < amount <= most:
            assert outcome.accepted, outcome

    @rule(
        account=accounts, symbol=symbols, leverage=st.sampled_from([1, 2, 5, 10, 20, 50, 100, 125])
    )
    def leverage(self, account: str, symbol: str, leverage: int) -> None:
        self.model.apply(SetLeverage(account, symbol, leverage))

    @rule(account=accounts, symbol=symbols, isolated=st.booleans())
    def margin_type(self, account: str, symbol: str, isolated: bool) -> None:
        kind = MarginType.ISOLATED if isolated else MarginType.CROSS
        self.model.apply(SetMarginType(account, symbol, kind))

    @rule(account=accounts, dual=st.booleans())
    def position_mode(self, account: str, dual: bool) -> None:
        self.model.apply(SetPositionMode(account, dual))

    @rule(
        account=accounts,
        symbol=symbols,
        buy=st.booleans(),
        opening=st.booleans(),
        offset=st.integers(-5, 5),
        notional=st.sampled_from([10, 300, 3000, 30000, 300000]),
        reduce_only=st.sampled_from([False, False, False, True]),
        how=st.sampled_from(["GTC", "GTC", "GTC", "IOC", "FOK", "GTX", "MARKET"]),
    )
    def place(
        self,
        account: str,
        symbol: str,
        buy: bool,
        opening: bool,
        offset: int,
        notional: int,
        reduce_only: bool,
        how: str,
    ) -> None:
        market = RULESET.markets[symbol]
        mark = self.model.state.mark_prices[symbol]
        price = max(market.tick_size, _tick(mark * (1 + Exact(offset, 1000)), market.tick_size))
        quantity = max(market.step_size, _tick(Exact(notional) / price, market.step_size))
        dual = self.model.state.accounts[account].dual_side_position
        side = self._side(account, buy == opening)
        self.model.apply(
            PlaceOrder(
                account,
                symbol,
                OrderSide.BUY if buy else OrderSide.SELL,
                side,
                Exact(0) if how == "MARKET" else price,
                quantity,
                reduce_only and not dual,
                "MARKET" if how == "MARKET" else "LIMIT",
                "GTC" if how == "MARKET" else how,
            )
        )

    @rule(
        pair=st.permutations(ACCOUNTS).map(lambda p: p[:2]),
        symbol=symbols,
        offset=st.integers(-3, 3),
        notional=st.sampled_from([300, 3000, 30000, 300000, 3000000]),
        buyer_opens=st.booleans(),
        seller_opens=st.booleans(),
        part=st.sampled_from([None, Exact(1, 3)]),
    )
    def trade(
        self,
        pair: list[str],
        symbol: str,
        offset: int,
        notional: int,
        buyer_opens: bool,
        seller_opens: bool,
        part: Exact | None,
    ) -> None:
        """A resting SELL of one account taken by a BUY of another (most traffic is this)."""
        buyer, seller = pair
        market = RULESET.markets[symbol]
        mark = self.model.state.mark_prices[symbol]
        price = max(market.tick_size, _tick(mark * (1 + Exact(offset, 1000)), market.tick_size))
        quantity = max(market.step_size, _tick(Exact(notional) / price, market.step_size))
        sell = self.model.apply(
            PlaceOrder(
                seller,
                symbol,
                OrderSide.SELL,
                self._side(seller, not seller_opens),
                price,
                quantity,
            )
        )
        buy = self.model.apply(
            PlaceOrder(
                buyer, symbol, OrderSide.BUY, self._side(buyer, buyer_opens), price, quantity
            )
        )
        if sell.order_id is not None and buy.order_id is not None:
            fill = (
                None
                if part is None
                else max(market.step_size, _tick(quantity * part, market.step_size))
            )
            self.model.apply(Fill(sell.order_id, buy.order_id, fill))

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        orders = [
            (name, o.order_id)
            for name, acct in self.model.state.accounts.items()
            for o in acct.orders
        ]
        if orders:
            name, order_id = data.draw(st.sampled_from(orders))
            self.model.apply(CancelOrder(name, order_id))

    @rule(data=st.data(), part=st.sampled_from([None, Exact(1, 2)]))
    def match(self, data: st.DataObject, part: Exact | None) -> None:
        """Fill a crossing pair: the older order rests (maker), the newer one takes."""
        orders = [
            (name, o) for name, acct in self.model.state.accounts.items() for o in acct.orders
        ]
        pairs = [
            (m, t)
            for mn, m in orders
            for tn, t in orders
            if mn != tn
            and m.symbol == t.symbol
            and m.side is not t.side
            and m.order_id < t.order_id
            and (t.price >= m.price if t.side is OrderSide.BUY else t.price <= m.price)
        ]
        if not pairs:
            return
        maker, taker = data.draw(st.sampled_from(pairs))
        quantity = None
        if part is not None:
            step = RULESET.markets[maker.symbol].step_size
            quantity = max(step, _tick(min(maker.remaining, taker.remaining) * part, step))
        self.model.apply(Fill(maker.order_id, taker.order_id, quantity))

    @rule(
        account=accounts,
        symbol=symbols,
        buy=st.booleans(),
        kind=st.sampled_from(
            ["STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"]
        ),
        offset=st.sampled_from([-30, -5, 5, 30]),
        notional=st.sampled_from([300, 3000, 30000]),
        flags=st.sampled_from(["", "", "reduceOnly", "closePosition", "priceProtect"]),
        working=st.sampled_from(["CONTRACT_PRICE", "MARK_PRICE"]),
    )
    def conditional(
        self,
        account: str,
        symbol: str,
        buy: bool,
        kind: str,
        offset: int,
        notional: int,
        flags: str,
        working: str,
    ) -> None:
        """ACT-COND-*: a conditional order a few ‰ to 3 % from the mark (some would trigger
        at once: -2021), fired later by the mark and last-price rules."""
        market = RULESET.markets[symbol]
        mark = self.model.state.mark_prices[symbol]
        stop = max(market.tick_size, _tick(mark * (1 + Exact(offset, 1000)), market.tick_size))
        quantity = max(market.step_size, _tick(Exact(notional) / stop, market.step_size))
        dual = self.model.state.accounts[account].dual_side_position
        close = flags == "closePosition" and kind in ("STOP_MARKET", "TAKE_PROFIT_MARKET")
        trailing = kind == "TRAILING_STOP_MARKET"
        self.model.apply(
            PlaceOrder(
                account,
                symbol,
                OrderSide.BUY if buy else OrderSide.SELL,
                self._side(account, buy),
                stop if kind in ("STOP", "TAKE_PROFIT") else Exact(0),
                Exact(0) if close else quantity,
                flags == "reduceOnly" and not dual,
                kind,
                stop_price=None if trailing else stop,
                working_type=working,
                price_protect=flags == "priceProtect",
                close_position=close,
                callback_rate=Exact(1) if trailing else None,
            )
        )

    @rule(symbol=symbols, move=st.sampled_from(["0.97", "0.995", "1.005", "1.03"]))
    def last(self, symbol: str, move: str) -> None:
        """ACT-16: the last price moves around the mark (CONTRACT_PRICE triggers)."""
        mark = self.model.state.mark_prices[symbol]
        self.model.apply(
            LastPrice(symbol, max(Exact(1, 10), _tick(mark * exact(move), Exact(1, 100))))
        )

    @rule(symbol=symbols, move=st.sampled_from(["0.9", "0.97", "0.995", "1.005", "1.03", "1.1"]))
    def mark(self, symbol: str, move: str) -> None:
        mark = self.model.state.mark_prices[symbol]
        new = max(Exact(1, 10), _tick(mark * exact(move), Exact(1, 100)))
        self.model.apply(MarkPrice(symbol, new))

    @rule(account=accounts, depth=st.sampled_from(["0.02", "0.05", "0.2"]))
    def crash(self, account: str, depth: str) -> None:
        """Move the mark against the account's largest position, then sweep (LIQP, ADL)."""
        positions = self.model.state.accounts[account].positions
        if not positions:
            return
        (symbol, _), pos = max(
            positions.items(),
            key=lambda kv: abs(kv[1].position_amt) * self.model.state.mark_prices[kv[0][0]],
        )
        if pos.position_amt == 0:
            return
        mark = self.model.state.mark_prices[symbol]
        factor = 1 - exact(depth) if pos.position_amt > 0 else 1 + exact(depth)
        self.model.apply(MarkPrice(symbol, max(Exact(1, 10), _tick(mark * factor, Exact(1, 100)))))
        self.model.apply(LiquidationSweep())

    @rule(symbol=symbols, rate=st.sampled_from(["-0.003", "-0.0001", "0.0001", "0.003"]))
    def funding(self, symbol: str, rate: str) -> None:
        self.model.apply(Funding(symbol, exact(rate)))

    @rule(account=accounts, symbol=symbols, amount=amounts, add=st.booleans(), long=st.booleans())
    def position_margin(
        self, account: str, symbol: str, amount: Exact, add: bool, long: bool
    ) -> None:
        side = self._side(account, long)
        self.model.apply(PositionMargin(account, symbol, side, amount, 1 if add else 2))

    @rule()
    def sweep(self) -> None:
        self.model.apply(LiquidationSweep())

    @invariant()
    def fund_is_an_account(self) -> None:
        if hasattr(self, "model"):
            assert INSURANCE_FUND in self.model.state.accounts

    @invariant()
    def shortcuts_agree_with_evaluate(self) -> None:
        """The model's fast AVB-1 and LIQ-1 (formula functions) equal ``evaluate``'s."""
        if not hasattr(self, "model"):
            return
        state = self.model.state
        for name, acct in state.accounts.items():
            f = figures(state, name, RULESET)
            assert fast_figures.available_balance(acct, state, RULESET) == f.available_balance
            assert fast_figures.max_withdraw(acct, state, RULESET) == f.max_withdraw
            expected = f.liquidatable or any(p.liquidatable for p in f.positions)
            assert fast_figures.below_maintenance(acct, state, RULESET) == expected


TestExchangeMachine = ExchangeMachine.TestCase
TestExchangeMachine.settings = settings(
    settings(),
    max_examples={"ci": 60, "dev": 10}.get(PROFILE, 400),
    stateful_step_count={"ci": 50, "dev": 20}.get(PROFILE, 120),
)
