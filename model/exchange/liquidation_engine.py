"""The liquidation sweep: clearance fee, takeover at the bankruptcy price, ADL, cover (LIQP-*).

One sweep (ACT-12) repeats passes over the accounts (sorted by name) until no account
is below maintenance (LIQ-1, read from ``evaluate``):

- LIQP-1 scope: a cross account below maintenance loses all its cross positions; an
  isolated position below maintenance is liquidated alone.
- LIQP-2 its open orders are cancelled first (cross: every order of the account;
  isolated: every order on that symbol).
- LIQP-3 the whole scope is liquidated (no partial IOC step: the model has no book),
  unless option LIQP-8 first steps a lone position down bracket by bracket.
- LIQP-4 clearance fee = liquidationFee × |notional at mark| (FEE-1 form), charged
  from the scope's margin balance and never more than what is left of it, to the
  insurance fund (``INSURANCE_CLEAR``).
- LIQP-5 each symbol of the scope closes at its bankruptcy price (BKR-1 with the
  scope's wallet after the fee and the other scope positions' uPnL at mark); symbols
  in name order, so the first one with a bankruptcy price brings the scope's margin
  balance to zero and the later ones close at their mark. No bankruptcy price (a
  hedged pair, or none above 0): the mark.
- LIQP-6 the insurance fund takes the position over at that price when it may hold
  it afterwards (IF-5: margin balance ≥ 0 and net notional within
  ``fund_max_net_notional`` × its margin balance); otherwise ADL-1 closes it against the
  top-ranked opposite positions of other accounts at that price, without fee (B-ADL),
  and the fund takes whatever they cannot absorb.
- LIQP-7 what is left in the scope's wallet goes to the fund if positive, or is
  covered by it if negative (IF-2): the scope's wallet ends at exactly 0.
- IF-3 after the passes, an account without any open position whose cross wallet is
  negative, and an empty isolated position side with a negative wallet, are reset to
  0 by the fund (Aster's auto-settlement, without its 5,000 USDT limit).
"""

from __future__ import annotations

from marginspec import liquidation, margin
from marginspec.account import MarginType, PositionSide
from marginspec.clearance import liquidation_fee_rate
from marginspec.evaluate import AccountFigures
from marginspec.exchange import adl
from marginspec.exchange.events import Event
from marginspec.exchange.fast_figures import below_maintenance
from marginspec.exchange.fills import realized_pnl, trade
from marginspec.exchange.state import (
    INSURANCE_FUND,
    ZERO,
    AccountState,
    ExchangeState,
    Order,
    PositionKey,
    PositionState,
    evolve,
    with_position,
)
from marginspec.exchange.view import account_figures, figures, position_figures
from marginspec.numbers import Exact
from marginspec.ruleset import PartialLiquidation, RuleSet


def sweep(state: ExchangeState, ruleset: RuleSet) -> tuple[ExchangeState, tuple[Event, ...]]:
    """ACT-12, LIQP-1: liquidate each scope below maintenance until none is left, then IF-3.

    Passes over the accounts by name repeat until one liquidates nothing (LIQP-1's decision): an
    ADL at a bankruptcy price can put an account already passed below maintenance. The
    loop ends: every productive pass closes a position or steps one down a bracket, and
    a sweep opens no position except the fund's, which it never liquidates.
    """
    events: list[Event] = []
    names = sorted(n for n in state.accounts if n != INSURANCE_FUND)
    progress = True
    while progress:
        progress = False
        for name in names:
            if not below_maintenance(state.accounts[name], state, ruleset):
                continue
            f = figures(state, name, ruleset)
            if f.liquidatable:
                acct = state.accounts[name]
                scope = [
                    k
                    for k, p in acct.positions.items()
                    if p.position_amt != 0
                    and acct.setting(k[0], ruleset).margin_type is MarginType.CROSS
                ]
                state = _step_down(state, name, scope, ruleset, events)
                f = figures(state, name, ruleset)
                if f.liquidatable:
                    state = _liquidate(state, name, scope, None, f, ruleset, events)
                    f = figures(state, name, ruleset)
                progress = True
            for p in f.positions:
                if p.liquidatable:
                    key = (p.position.symbol, p.position.position_side)
                    state = _step_down(state, name, [key], ruleset, events)
                    f = figures(state, name, ruleset)
                    still = position_figures(f, *key)
                    if still is not None and still.liquidatable:
                        state = _liquidate(state, name, [key], key, f, ruleset, events)
                    progress = True
    state = _cover_negative(state, names, ruleset, events)
    return state, tuple(events)


def _step_down(
    state: ExchangeState,
    name: str,
    scope: list[PositionKey],
    ruleset: RuleSet,
    events: list[Event],
) -> ExchangeState:
    """LIQP-8: reduce a lone position bracket by bracket while it is below maintenance.

    Option ``partial_liquidation = "bracket-step"`` (BY-PROC): a scope of one position
    whose notional at mark is beyond the first bracket is reduced to its bracket's floor
    (the next lower bracket's cap; the kept quantity rounded down to the step), closed
    at the mark, clearance fee on the reduced notional (LIQP-4), taken over by the fund
    (LIQP-6, IF-5); then LIQ-1 again. Within the first bracket LIQP-3 follows.
    """
    if ruleset.options.partial_liquidation is not PartialLiquidation.BRACKET_STEP:
        return state
    if len(scope) != 1:
        return state
    key = scope[0]
    symbol = key[0]
    market = ruleset.markets[symbol]
    isolated = state.accounts[name].setting(symbol, ruleset).margin_type is MarginType.ISOLATED
    for _ in market.brackets:
        f = figures(state, name, ruleset)
        p = position_figures(f, *key)
        if p is None or not (p.liquidatable if isolated else f.liquidatable) or p.bracket <= 1:
            break
        mark = state.mark_prices[symbol]
        floor = market.brackets[p.bracket - 1].notional_floor
        keep = Exact(int(floor / mark / market.step_size)) * market.step_size
        amt = p.position.position_amt
        reduce = abs(amt) - keep
        if keep <= 0 or reduce <= 0:
            break
        acct = state.accounts[name]
        direction = -1 if amt > 0 else 1
        result = trade(acct, symbol, key[1], direction, reduce, mark, ZERO, ruleset)
        acct = result.account
        after = account_figures(acct, state, ruleset)
        if isolated:
            left = position_figures(after, *key)
            assert left is not None and left.isolated_margin is not None
            balance = left.isolated_margin
        else:
            balance = margin.margin_balance(
                after.total_cross_wallet_balance, after.total_cross_unrealized_pnl
            )
        rate = liquidation_fee_rate(market, p.bracket, ruleset.options)  # LIQP-9
        fee = margin.trading_fee(reduce, mark, rate)
        charged = min(fee, max(ZERO, balance))
        if isolated:
            pos = acct.position(*key)
            acct = with_position(
                acct, key, evolve(pos, isolated_wallet=pos.isolated_wallet - charged)
            )
        else:
            acct = evolve(acct, cross_wallet=acct.cross_wallet - charged)
        fund = state.accounts[INSURANCE_FUND]
        fund = evolve(fund, cross_wallet=fund.cross_wallet + charged)
        events.append(
            Event(
                "LIQUIDATION",
                name,
                symbol=symbol,
                position_side=key[1].value,
                side="SELL" if amt > 0 else "BUY",
                quantity=reduce,
                price=mark,
                realized_pnl=result.realized_pnl,
            )
        )
        if charged:
            events.append(Event("INSURANCE_CLEAR", name, amount=charged))
        state = state.with_accounts({name: acct, INSURANCE_FUND: fund})
        state = _hand_over(state, name, key, -direction * reduce, mark, ruleset, events)
    return state


def _bracket(f: AccountFigures, key: PositionKey) -> int:
    """The bracket of a position of the scope at the mark (BRK-3), for LIQP-9's rate."""
    p = position_figures(f, *key)
    return p.bracket if p is not None else 1


def _liquidate(
    state: ExchangeState,
    name: str,
    scope: list[PositionKey],
    isolated: PositionKey | None,
    f: AccountFigures,
    ruleset: RuleSet,
    events: list[Event],
) -> ExchangeState:
    """LIQP-2, LIQP-3, LIQP-4, LIQP-5, LIQP-7, IF-2: liquidate one whole scope."""
    acct = state.accounts[name]
    marks = state.mark_prices
    # LIQP-2: a cross liquidation cancels every open order of the account (B-LIQP, A-LIQ:
    # "all open orders"), isolated symbols' too; an isolated one only its symbol's (INV-4).
    if isolated is None:
        keep: tuple[Order, ...] = ()
        balance = margin.margin_balance(f.total_cross_wallet_balance, f.total_cross_unrealized_pnl)
        wallet = acct.cross_wallet
    else:
        keep = tuple(o for o in acct.orders if o.symbol != isolated[0])
        p = position_figures(f, *isolated)
        assert p is not None and p.isolated_margin is not None
        balance = p.isolated_margin
        wallet = acct.position(*isolated).isolated_wallet
    acct = evolve(acct, orders=keep)
    # LIQP-4: clearance fee from what is left of the scope's margin balance, each
    # position at its market's rate or its bracket's (LIQP-9)
    fee = sum(
        (
            margin.trading_fee(
                abs(acct.position(*k).position_amt),
                marks[k[0]],
                liquidation_fee_rate(ruleset.markets[k[0]], _bracket(f, k), ruleset.options),
            )
            for k in scope
        ),
        ZERO,
    )
    charged = min(fee, max(ZERO, balance))
    wallet -= charged
    fund = state.accounts[INSURANCE_FUND]
    fund = evolve(fund, cross_wallet=fund.cross_wallet + charged)
    if charged:
        events.append(Event("INSURANCE_CLEAR", name, amount=charged))
    state = state.with_accounts({name: acct, INSURANCE_FUND: fund})
    # LIQP-5/6: close each symbol at its bankruptcy price
    symbols = sorted({k[0] for k in scope})
    positions = {k: acct.position(*k) for k in scope}
    for index, symbol in enumerate(symbols):
        legs_keys = [k for k in scope if k[0] == symbol]
        later = [k for k in scope if k[0] in symbols[index + 1 :]]
        other_upnl = sum(
            (
                margin.unrealized_pnl(
                    positions[k].position_amt, positions[k].entry_price, marks[k[0]]
                )
                for k in later
            ),
            ZERO,
        )
        table = ruleset.markets[symbol].brackets
        legs = [
            liquidation.Leg(positions[k].position_amt, positions[k].entry_price, table)
            for k in legs_keys
        ]
        bkr = liquidation.bankruptcy_price(legs, wallet, other_upnl)
        price = Exact(bkr.price) if bkr.exists else marks[symbol]
        for key in legs_keys:
            pos = positions[key]
            pnl = realized_pnl(pos.position_amt, pos.entry_price, price)
            wallet += pnl
            events.append(
                Event(
                    "LIQUIDATION",
                    name,
                    symbol=symbol,
                    position_side=key[1].value,
                    side="SELL" if pos.position_amt > 0 else "BUY",
                    quantity=abs(pos.position_amt),
                    price=price,
                    realized_pnl=pnl,
                )
            )
            state = _hand_over(state, name, key, pos.position_amt, price, ruleset, events)
    # LIQP-7: the scope's wallet ends at zero; the fund takes or gives the rest
    acct = state.accounts[name]
    for key in scope:
        acct = with_position(
            acct,
            key,
            PositionState(
                ZERO, ZERO, acct.position(*key).isolated_wallet if isolated is None else ZERO
            ),
        )
    if isolated is None:
        acct = evolve(acct, cross_wallet=ZERO)
    fund = state.accounts[INSURANCE_FUND]
    fund = evolve(fund, cross_wallet=fund.cross_wallet + wallet)
    if wallet < 0:
        events.append(Event("INSURANCE_COVER", name, amount=-wallet))
    return state.with_accounts({name: acct, INSURANCE_FUND: fund})


def _hand_over(
    state: ExchangeState,
    name: str,
    key: PositionKey,
    amt: Exact,
    price: Exact,
    ruleset: RuleSet,
    events: list[Event],
) -> ExchangeState:
    """LIQP-6, ADL-1: the fund takes ``amt`` at ``price`` if it may (IF-5), else ADL first."""
    symbol = key[0]
    direction = 1 if amt > 0 else -1
    fund = state.accounts[INSURANCE_FUND]
    taken = trade(fund, symbol, PositionSide.BOTH, direction, abs(amt), price, ZERO, ruleset)
    if not fund_may_hold(account_figures(taken.account, state, ruleset), ruleset):
        remaining = abs(amt)
        for other, side in _ranked(state, name, symbol, direction, ruleset):
            if remaining == 0:
                break
            acct = state.accounts[other]
            held = acct.position(symbol, side).position_amt
            qty = min(remaining, abs(held))
            result = trade(acct, symbol, side, direction, qty, price, ZERO, ruleset)
            state = state.with_account(other, result.account)
            remaining -= qty
            events.append(
                Event(
                    "ADL",
                    other,
                    symbol=symbol,
                    position_side=side.value,
                    side="BUY" if direction > 0 else "SELL",
                    quantity=qty,
                    price=price,
                    realized_pnl=result.realized_pnl,
                )
            )
        if remaining == 0:
            return state
        fund = state.accounts[INSURANCE_FUND]
        taken = trade(fund, symbol, PositionSide.BOTH, direction, remaining, price, ZERO, ruleset)
        amt = remaining * direction
    events.append(
        Event(
            "TAKEOVER",
            INSURANCE_FUND,
            symbol=symbol,
            position_side=PositionSide.BOTH.value,
            side="BUY" if direction > 0 else "SELL",
            quantity=abs(amt),
            price=price,
            realized_pnl=taken.realized_pnl,
        )
    )
    return state.with_account(INSURANCE_FUND, taken.account)


def fund_may_hold(fund: AccountFigures, ruleset: RuleSet) -> bool:
    """IF-5: the fund's margin balance stays ≥ 0 and its net notional within its limit.

    Net notional: Σ |notional at mark| of the fund's positions (one-way, so one net
    position per symbol); the limit is ``fund_max_net_notional`` × its margin balance.
    """
    balance = fund.total_margin_balance
    if balance < 0:
        return False
    limit = ruleset.options.fund_max_net_notional
    if limit is None:
        return True
    net = sum((abs(p.notional) for p in fund.positions), ZERO)
    return bool(net <= limit * balance)


def _ranked(
    state: ExchangeState, bankrupt: str, symbol: str, direction: int, ruleset: RuleSet
) -> list[tuple[str, PositionSide]]:
    """ADL-2, ADL-3: opposite positions of other accounts (not the fund), best score first.

    Ties: account name, then position side (ADL-3).
    """
    scored: list[tuple[Exact, str, str, PositionSide]] = []
    for other, acct in state.accounts.items():
        if other in (bankrupt, INSURANCE_FUND):
            continue
        for (s, side), pos in acct.positions.items():
            if s != symbol or pos.position_amt * direction >= 0:
                continue
            f = account_figures(acct, state, ruleset)
            p = position_figures(f, s, side)
            assert p is not None
            isolated = p.position.margin_type is MarginType.ISOLATED
            balance = pos.isolated_wallet if isolated else acct.cross_wallet
            value = Exact(
                adl.score(
                    ruleset.options.adl_ranking,
                    p.unrealized_pnl,
                    abs(p.notional),
                    p.maint_margin,
                    balance,
                )
            )
            scored.append((-value, other, side.value, side))
    scored.sort(key=lambda t: (t[0], t[1], t[2]))
    return [(o, side) for _, o, _, side in scored]


def _cover_negative(
    state: ExchangeState, names: list[str], ruleset: RuleSet, events: list[Event]
) -> ExchangeState:
    """IF-3: the fund resets negative wallets that no open position stands behind."""
    fund = state.accounts[INSURANCE_FUND]
    changed: dict[str, AccountState] = {}
    for name in names:
        acct = state.accounts[name]
        new = acct
        for key, pos in acct.positions.items():
            if pos.position_amt == 0 and pos.isolated_wallet < 0:
                events.append(
                    Event(
                        "INSURANCE_COVER",
                        name,
                        symbol=key[0],
                        position_side=key[1].value,
                        amount=-pos.isolated_wallet,
                    )
                )
                fund = evolve(fund, cross_wallet=fund.cross_wallet + pos.isolated_wallet)
                new = with_position(new, key, PositionState())
        if new.cross_wallet < 0 and not new.has_position():
            events.append(Event("INSURANCE_COVER", name, amount=-new.cross_wallet))
            fund = evolve(fund, cross_wallet=fund.cross_wallet + new.cross_wallet)
            new = evolve(new, cross_wallet=ZERO)
        if new is not acct:
            changed[name] = new
    if changed:
        changed[INSURANCE_FUND] = fund
        state = state.with_accounts(changed)
    return state
