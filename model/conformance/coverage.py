"""What the static vectors must exercise: one table from rule ID to a step predicate (CONF-9).

Every rule ID of ``spec/rules.md`` and ``spec/account-model.md`` is either a **target**
here, with a predicate over one recorded step (state before, action, outcome and events,
state after) saying that the step exercises the rule in a way an implementation can get
wrong, or **excluded**, with the reason it is not a behaviour of one step (a theorem, an
invariant, the trace format, a rule-set loader, an option not in force).
``tests/conformance/test_coverage.py`` reads both spec files and checks that no ID is in
neither list, so a new rule cannot be missed silently.

Predicates decide from the model's own figures (:func:`marginspec.evaluate.evaluate`
through :mod:`marginspec.exchange.view`, the model's outcome and events) and the rule
set's tables; they compute no margin formula of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cached_property
from importlib import resources
from typing import Any

import attrs

from marginspec import brackets
from marginspec.account import MarginType, PositionSide
from marginspec.evaluate import AccountFigures, PositionFigures
from marginspec.exchange import ACTION_NAMES, INSURANCE_FUND, refusals
from marginspec.exchange.state import AccountState, ExchangeState
from marginspec.exchange.view import account_figures, position_figures
from marginspec.numbers import Exact, Rounding, exact, round_to
from marginspec.ruleset import AdlRanking, RuleSet

#: Event types of TRACE-3; each is a target ``event:TYPE`` too.
EVENT_TYPES = (
    "TRADE",
    "FUNDING_FEE",
    "LIQUIDATION",
    "TAKEOVER",
    "INSURANCE_CLEAR",
    "ADL",
    "INSURANCE_COVER",
)


class Step:
    """One recorded step with lazily computed figures (the model's, never recomputed)."""

    def __init__(
        self,
        ruleset: RuleSet,
        initial: dict[str, Any],
        before: ExchangeState,
        action: dict[str, Any],
        outcome: dict[str, Any],
        after: ExchangeState,
    ) -> None:
        self.ruleset = ruleset
        self.initial = initial
        self.before = before
        self.action = action
        self.outcome = outcome
        self.after = after
        self._figures: dict[tuple[bool, str, bool], AccountFigures] = {}

    # -------------------------------------------------------------- basics

    @property
    def name(self) -> str:
        return str(self.action.get("action"))

    @property
    def accepted(self) -> bool:
        return self.outcome.get("status") == refusals.ACCEPTED

    def refused(self, *rules: str) -> bool:
        return self.outcome.get("status") == refusals.REFUSED and self.outcome.get("rule") in rules

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.outcome.get("events", [])
        return [e for e in found if kind is None or e.get("type") == kind]

    def figures(self, name: str, after: bool = True, prices: bool = True) -> AccountFigures:
        """``evaluate`` of one account before or after the step (LP and BP with ``prices``)."""
        key = (after, name, prices)
        hit = self._figures.get(key)
        if hit is None:
            state = self.after if after else self.before
            hit = account_figures(state.accounts[name], state, self.ruleset, prices)
            self._figures[key] = hit
        return hit

    def position(
        self, name: str, symbol: str, side: PositionSide, after: bool = True
    ) -> PositionFigures | None:
        state = self.after if after else self.before
        if name not in state.accounts:
            return None
        return position_figures(self.figures(name, after, prices=False), symbol, side)

    @cached_property
    def open_after(self) -> list[tuple[str, PositionFigures]]:
        """Every open position after the step, with its figures (LP and BP included)."""
        found = []
        for name, acct in sorted(self.after.accounts.items()):
            if acct.has_position():
                for p in self.figures(name).positions:
                    if p.position.position_amt != 0:
                        found.append((name, p))
        return found

    def amount(self, name: str, symbol: str, side: str, after: bool) -> Exact:
        state = self.after if after else self.before
        acct = state.accounts.get(name)
        return acct.position(symbol, PositionSide(side)).position_amt if acct else Exact(0)

    def isolated(self, name: str, symbol: str) -> bool:
        acct = self.before.accounts[name]
        return acct.setting(symbol, self.ruleset).margin_type is MarginType.ISOLATED

    def trades(self) -> Iterator[tuple[dict[str, Any], Exact, Exact]]:
        """Each party of a fill: (event, amount before, amount after) of its position side."""
        for e in self.events("TRADE"):
            args = (e["account"], e["symbol"], e["positionSide"])
            yield e, self.amount(*args, after=False), self.amount(*args, after=True)

    def table(self, symbol: str) -> brackets.Table:
        return self.ruleset.markets[symbol].brackets


Predicate = Callable[[Step], bool]


@attrs.frozen
class Target:
    rule: str
    what: str  # what a covering step does, in words (rendered in the docs)
    predicate: Predicate = attrs.field(repr=False)
    aims: tuple[str, ...] = ()  # generator moves that tend to reach it


# ---------------------------------------------------------------------- helpers


def _dec8(value: Exact) -> bool:
    """``value`` needs more than 8 decimals."""
    return bool(round_to(value, 8, Rounding.DOWN) != value)


def _mark(s: Step, symbol: str) -> Exact:
    return s.after.mark_prices[symbol]


def _size(p: PositionFigures) -> Exact:
    return abs(p.notional)


def _caps(s: Step, symbol: str) -> list[Exact]:
    return [b.notional_cap for b in s.table(symbol)]


def _on_boundary(s: Step) -> bool:
    """A position whose notional at mark is exactly a bracket cap below the last (BRK-3)."""
    return any(_size(p) in _caps(s, p.position.symbol)[:-1] for _, p in s.open_after)


def _beyond_last_cap(s: Step) -> bool:
    return any(_size(p) > _caps(s, p.position.symbol)[-1] for _, p in s.open_after)


def _bracket_at_least(k: int) -> Predicate:
    return lambda s: any(p.bracket >= k for _, p in s.open_after)


def _legs(s: Step, name: str, symbol: str) -> list[PositionFigures]:
    return [p for n, p in s.open_after if n == name and p.position.symbol == symbol]


def _lp_bracket_differs(one_leg: bool) -> Predicate:
    """LIQ-3 / LIQ-6: the bracket owning the notional at the LP is not the mark's."""

    def check(s: Step) -> bool:
        boundary = s.ruleset.options.bracket_boundary
        for name, p in s.open_after:
            if p.liquidation_price is None:
                continue
            if one_leg and len(_legs(s, name, p.position.symbol)) != 1:
                continue
            size = abs(p.position.position_amt) * Exact(p.liquidation_price)
            owner = brackets.owning_bracket(s.table(p.position.symbol), size, boundary)
            if owner.bracket != p.bracket:
                return True
        return False

    return check


def _hedged_pair_with_lp(s: Step) -> bool:
    for name, p in s.open_after:
        if p.position.position_side is PositionSide.LONG and p.liquidation_price is not None:
            legs = _legs(s, name, p.position.symbol)
            if len(legs) == 2 and p.position.margin_type is MarginType.CROSS:
                return True
    return False


def _cross_lp_several_symbols(s: Step) -> bool:
    for name, p in s.open_after:
        if p.position.margin_type is MarginType.CROSS and p.liquidation_price is not None:
            symbols = {
                q.position.symbol
                for n, q in s.open_after
                if n == name and q.position.margin_type is MarginType.CROSS
            }
            if len(symbols) > 1:
                return True
    return False


def _at_maintenance(s: Step) -> bool:
    """LIQ-1's edge: margin balance exactly equal to maintenance margin."""
    for name, acct in s.after.accounts.items():
        if name == INSURANCE_FUND or not acct.has_position():
            continue
        f = s.figures(name, prices=False)
        cross = [p for p in f.positions if p.isolated_margin is None and p.position.position_amt]
        if cross and f.total_cross_wallet_balance + f.total_cross_unrealized_pnl == (
            f.cross_maint_margin
        ):
            return True
        for p in f.positions:
            if p.position.position_amt and p.isolated_margin == p.maint_margin:
                return True
    return False


def _margin_ratio_undefined(s: Step) -> bool:
    """MR-1 is null when the margin balance is not positive (cross totals or isolated)."""
    for name, acct in s.after.accounts.items():
        if name == INSURANCE_FUND or not acct.has_position():
            continue
        f = s.figures(name, prices=False)
        for p in f.positions:
            if p.position.position_amt == 0:
                continue
            if p.isolated_margin is not None and p.margin_ratio is None:
                return True
            if p.isolated_margin is None and f.margin_ratio is None:
                return True
    return False


def _available_clamped(s: Step) -> bool:
    for name, acct in s.after.accounts.items():
        if name != INSURANCE_FUND and acct.has_position():
            f = s.figures(name, prices=False)
            if f.available_balance == 0 and f.total_cross_wallet_balance > 0:
                return True
    return False


def _display_rounds(half: bool) -> Predicate:
    """DISP-1 / DISP-2: a reported figure needs rounding (and DOWN differs from HALF_UP)."""
    decimals = 8

    def check(s: Step) -> bool:
        for _, p in s.open_after:
            values = (p.position.entry_price, p.unrealized_pnl, p.maint_margin, p.initial_margin)
            extra = tuple(v for v in (p.liquidation_price, p.margin_ratio) if v is not None)
            for value in values + extra:
                down = round_to(Exact(value), decimals, Rounding.DOWN)
                if down != value and (
                    not half or down != round_to(Exact(value), decimals, Rounding.HALF_UP)
                ):
                    return True
        return False

    return check


# ------------------------------------------------------------------- orders


def _placed(s: Step) -> bool:
    return s.name == "placeOrder" and s.accepted


def _reducing(action: dict[str, Any]) -> bool:
    side, position_side = action.get("side"), action.get("positionSide")
    return bool(action.get("reduceOnly")) or (side, position_side) in (
        ("SELL", "LONG"),
        ("BUY", "SHORT"),
    )


def _reducing_below_min_notional(s: Step) -> bool:
    a = s.action
    if not _placed(s) or not _reducing(a):
        return False
    market = s.ruleset.markets[a["symbol"]]
    return bool(exact(a["price"]) * exact(a["quantity"]) < market.min_notional)


def _open_loss(s: Step) -> bool:
    """COST-2: an accepted opening order priced worse than the mark."""
    a = s.action
    if not _placed(s) or _reducing(a):
        return False
    price, mark = exact(a["price"]), s.before.mark_prices[a["symbol"]]
    return bool(price > mark if a["side"] == "BUY" else price < mark)


def _opens_from_flat(s: Step) -> bool:
    a = s.action
    return (
        _placed(s)
        and not _reducing(a)
        and s.amount(a["account"], a["symbol"], a["positionSide"], after=False) == 0
    )


def _leverage_change(s: Step) -> tuple[AccountState, int, int] | None:
    a = s.action
    if s.name != "setLeverage" or a.get("account") not in s.before.accounts:
        return None
    if a.get("symbol") not in s.ruleset.markets:
        return None
    acct = s.before.accounts[a["account"]]
    return acct, acct.setting(a["symbol"], s.ruleset).leverage, int(a["leverage"])


def _same_leverage(s: Step) -> bool:
    change = _leverage_change(s)
    return s.accepted and change is not None and change[1] == change[2]


def _raise_isolated(s: Step) -> bool:
    change = _leverage_change(s)
    if not s.accepted or change is None:
        return False
    acct, old, new = change
    return (
        new > old
        and s.isolated(s.action["account"], s.action["symbol"])
        and (acct.has_position(s.action["symbol"]))
    )


def _cap_with_orders(s: Step) -> bool:
    """ACT-LEV-3: -2027 on a leverage change of a symbol with open orders."""
    change = _leverage_change(s)
    return s.refused("REF-4") and change is not None and change[0].has_orders(s.action["symbol"])


def _max_leverage(s: Step) -> bool:
    change = _leverage_change(s)
    return (
        s.accepted
        and change is not None
        and change[2] == s.ruleset.markets[s.action["symbol"]].max_leverage
    )


def _leverage_at_bracket_limit(s: Step) -> bool:
    """LEV-2: leverage set to the limit of the bracket that owns the current notional (> 1)."""
    change = _leverage_change(s)
    if not s.accepted or change is None:
        return False
    acct, _, new = change
    symbol = s.action["symbol"]
    mark = s.before.mark_prices[symbol]
    exposure = max(
        (abs(p.position_amt) * mark for (sym, _), p in acct.positions.items() if sym == symbol),
        default=Exact(0),
    )
    table = s.table(symbol)
    boundary = s.ruleset.options.bracket_boundary
    return brackets.owning_bracket(table, exposure, boundary).bracket > 1 and new == int(
        brackets.max_leverage(table, exposure, boundary)
    )


def _leverage_dependent_cap(s: Step) -> bool:
    """LEV-3: a -2027 at a leverage whose maxNotionalValue is below the last cap."""
    if not s.refused("REF-4"):
        return False
    a = s.action
    acct = s.before.accounts[a["account"]]
    leverage = (
        int(a["leverage"])
        if s.name == "setLeverage"
        else acct.setting(a["symbol"], s.ruleset).leverage
    )
    table = s.table(a["symbol"])
    return bool(brackets.max_notional(table, Exact(leverage)) < table[-1].notional_cap)


def _side_with_both_books(s: Step) -> bool:
    """ORD-1: a position side holding a position and resting bids and asks."""
    for acct in s.after.accounts.values():
        for (symbol, side), pos in acct.positions.items():
            if pos.position_amt == 0:
                continue
            mine = [o for o in acct.orders if o.symbol == symbol and o.position_side is side]
            if {o.side.value for o in mine} == {"BUY", "SELL"}:
                return True
    return False


def _open_order_margin(s: Step) -> bool:
    for name, acct in s.after.accounts.items():
        if acct.orders and any(
            p.open_order_initial_margin > 0 for p in s.figures(name, prices=False).positions
        ):
            return True
    return False


def _partly_filled_order_margined(s: Step) -> bool:
    """ORD-3: a partly filled order rests and its remaining quantity is margined."""
    for name, acct in s.after.accounts.items():
        for o in acct.orders:
            if o.executed_qty > 0:
                p = s.position(name, o.symbol, o.position_side)
                if p is not None and p.open_order_initial_margin > 0:
                    return True
    return False


# -------------------------------------------------------------------- fills


def _partial_fill(s: Step) -> bool:
    if s.name != "fill" or not s.accepted:
        return False
    ids = {s.action.get("makerOrderId"), s.action.get("takerOrderId")}
    return any(
        o.order_id in ids and o.executed_qty > 0
        for acct in s.after.accounts.values()
        for o in acct.orders
    )


def _adds(s: Step) -> bool:
    return any(b != 0 and b * a > 0 and abs(a) > abs(b) for _, b, a in s.trades())


def _flip(s: Step) -> bool:
    return any(b * a < 0 for _, b, a in s.trades())


def _close_with_pnl(s: Step) -> bool:
    return any(
        b != 0 and b * a >= 0 and abs(a) < abs(b) and exact(e["realizedPnl"]) != 0
        for e, b, a in s.trades()
    )


def _isolated_close(s: Step) -> bool:
    return any(
        b != 0 and (b * a < 0 or abs(a) < abs(b)) and s.isolated(e["account"], e["symbol"])
        for e, b, a in s.trades()
    )


def _isolated_open(s: Step) -> bool:
    return any(
        (b * a < 0 or (b * a >= 0 and abs(a) > abs(b))) and s.isolated(e["account"], e["symbol"])
        for e, b, a in s.trades()
    )


def _inexact_entry(s: Step) -> bool:
    for e, _, _ in s.trades():
        pos = s.after.accounts[e["account"]].position(e["symbol"], PositionSide(e["positionSide"]))
        if pos.position_amt != 0 and _dec8(pos.entry_price):
            return True
    return False


def _fee_charged(s: Step) -> bool:
    return any(exact(e["commission"]) != 0 for e in s.events("TRADE"))


def _default_leverage_open(s: Step) -> bool:
    """ACT-LEV-1: a position opened on a symbol the initial state left at the defaults."""
    for e, b, a in s.trades():
        name, symbol = e["account"], e["symbol"]
        if b != 0 or a == 0 or name == INSURANCE_FUND:
            continue
        given = s.initial.get("accounts", {}).get(name, {}).get("symbols", {})
        acct = s.before.accounts[name]
        default = s.ruleset.markets[symbol].max_leverage
        if symbol not in given and acct.setting(symbol, s.ruleset).leverage == min(20, default):
            return True
    return False


# ------------------------------------------------------------------ funding


def _funding_paid(s: Step) -> bool:
    return any(exact(e["amount"]) != 0 for e in s.events("FUNDING_FEE"))


def _funding_several(s: Step) -> bool:
    return len({e["account"] for e in s.events("FUNDING_FEE")}) > 1


def _funding_isolated(s: Step) -> bool:
    return any(
        exact(e["amount"]) != 0 and s.isolated(e["account"], e["symbol"])
        for e in s.events("FUNDING_FEE")
    )


# -------------------------------------------------------------- liquidation


def _liquidated(s: Step) -> set[str]:
    return {e["account"] for e in s.events("LIQUIDATION")}


def _scope_rule(s: Step) -> bool:
    """LIQP-1: an isolated position liquidated alone (the account keeps another
    position), or a cross scope spanning several symbols."""
    for name in _liquidated(s):
        liq = [e for e in s.events("LIQUIDATION") if e["account"] == name]
        cross = {e["symbol"] for e in liq if not s.isolated(name, e["symbol"])}
        if len(cross) > 1:
            return True
        if (
            any(s.isolated(name, e["symbol"]) for e in liq)
            and s.after.accounts[name].has_position()
        ):
            return True
    return False


def _orders_cancelled(s: Step) -> bool:
    return any(
        len(s.after.accounts[n].orders) < len(s.before.accounts[n].orders) for n in _liquidated(s)
    )


def _at_bankruptcy(s: Step) -> bool:
    return any(exact(e["price"]) != _mark(s, e["symbol"]) for e in s.events("LIQUIDATION"))


def _cross_wallet_emptied(s: Step) -> bool:
    """LIQP-7: a cross liquidation leaves the account's cross wallet at exactly zero."""
    for e in s.events("LIQUIDATION"):
        name = e["account"]
        if not s.isolated(name, e["symbol"]) and s.before.accounts[name].cross_wallet != 0:
            return bool(s.after.accounts[name].cross_wallet == 0)
    return False


def _cover(s: Step, after_passes: bool) -> bool:
    """IF-2 (a cross scope's negative remainder) or IF-3 (a reset after the passes).

    A cover naming a symbol is an isolated reset (IF-3). One naming none is IF-2 when the
    account lost a cross scope in this step (its cross wallet then ends at 0, so no
    reset can follow), else the IF-3 reset of a cross wallet without positions."""
    cross_scopes = {
        e["account"] for e in s.events("LIQUIDATION") if not s.isolated(e["account"], e["symbol"])
    }
    for e in s.events("INSURANCE_COVER"):
        late = "symbol" in e or e["account"] not in cross_scopes
        if late == after_passes:
            return True
    return False


def _fund_negative(s: Step) -> bool:
    return s.name == "liquidationSweep" and s.after.insurance_fund < 0


def _fund_trades(s: Step) -> bool:
    return any(e["account"] == INSURANCE_FUND for e in s.events("TRADE"))


def _adl_candidates(s: Step) -> int:
    """How many positions the ADL ranking of this step chose among."""
    best = 0
    liquidated = _liquidated(s) | {INSURANCE_FUND}
    for e in s.events("ADL"):
        symbol, account = e["symbol"], e["account"]
        held = s.amount(account, symbol, e["positionSide"], after=False)
        count = sum(
            1
            for name, acct in s.before.accounts.items()
            if name not in liquidated
            for (sym, _), pos in acct.positions.items()
            if sym == symbol and pos.position_amt * held > 0
        )
        best = max(best, count)
    return best


def _adl_ranked(s: Step) -> bool:
    return _adl_candidates(s) > 1


def _adl_nonpositive_equity(s: Step) -> bool:
    """ADL-2c: a ranked counterparty whose balance + uPnL is not positive."""
    liquidated = _liquidated(s) | {INSURANCE_FUND}
    for e in s.events("ADL"):
        symbol = e["symbol"]
        held = s.amount(e["account"], symbol, e["positionSide"], after=False)
        for name, acct in s.before.accounts.items():
            if name in liquidated:
                continue
            for (sym, side), pos in acct.positions.items():
                if sym != symbol or pos.position_amt * held <= 0:
                    continue
                p = s.position(name, symbol, side, after=False)
                isolated = s.isolated(name, symbol)
                balance = pos.isolated_wallet if isolated else acct.cross_wallet
                if p is not None and balance + p.unrealized_pnl <= 0:
                    return True
    return False


# ------------------------------------------------------------------ transfers


def _before_position(s: Step) -> PositionFigures | None:
    a = s.action
    try:
        return s.position(a["account"], a["symbol"], PositionSide(a["positionSide"]), after=False)
    except (KeyError, ValueError):
        return None


def _add_at_cap(s: Step) -> bool:
    p = _before_position(s) if s.name == "positionMargin" else None
    if p is None or p.max_add_margin is None or s.action.get("type") != 1 or not s.accepted:
        return False
    cap = round_to(p.max_add_margin, 8, Rounding.DOWN)
    return bool(cap > 0 and exact(s.action["amount"]) == cap)


def _remove_capped_by_im(s: Step) -> bool:
    """XFER-3: a removal where the initial-margin term binds (below the MM-based cap)."""
    p = _before_position(s) if s.name == "positionMargin" else None
    if p is None or p.max_remove_margin is None or s.action.get("type") != 2:
        return False
    mm_cap = p.position.isolated_wallet - p.maint_margin
    if not p.max_remove_margin < mm_cap:
        return False
    amount = exact(s.action["amount"])
    if s.refused("REF-32"):
        return bool(amount <= mm_cap)
    return s.accepted and amount == round_to(p.max_remove_margin, 8, Rounding.DOWN)


def _withdraw_at_cap(s: Step) -> bool:
    a = s.action
    if s.name != "withdraw" or not s.accepted:
        return False
    acct = s.before.accounts[a["account"]]
    if not (acct.has_position() or acct.orders):
        return False
    most = s.figures(a["account"], after=False, prices=False).max_withdraw
    return bool(exact(a["amount"]) == round_to(most, 8, Rounding.DOWN) and most < acct.cross_wallet)


# ---------------------------------------------------------------- the table


def _action(name: str) -> Predicate:
    return lambda s: s.name == name


def _refusal(rule: str) -> Predicate:
    return lambda s: s.refused(rule)


def _event(kind: str) -> Predicate:
    return lambda s: bool(s.events(kind))


def _any_position(test: Callable[[str, PositionFigures], bool]) -> Predicate:
    return lambda s: any(test(n, p) for n, p in s.open_after)


def _isolated_pos(_: str, p: PositionFigures) -> bool:
    return p.position.margin_type is MarginType.ISOLATED


def refusal_rules() -> tuple[str, ...]:
    """Every REF-n the model can answer."""
    found = {value.rule for value in vars(refusals).values() if isinstance(value, refusals.Refusal)}
    return tuple(sorted(found, key=lambda r: int(r.split("-")[1])))


_ACTION_AIMS = {
    "deposit": ("deposit",),
    "withdraw": ("withdraw",),
    "setLeverage": ("set_leverage",),
    "setMarginType": ("set_margin_type",),
    "setPositionMode": ("set_position_mode",),
    "placeOrder": ("place_order",),
    "cancelOrder": ("cancel_order",),
    "fill": ("trade",),
    "markPrice": ("mark_price",),
    "funding": ("funding",),
    "positionMargin": ("position_margin",),
    "liquidationSweep": ("sweep",),
}

_REFUSAL_AIMS: dict[str, tuple[str, ...]] = {
    "REF-1": ("trade", "place_order", "full_isolated_fill"),
    "REF-2": ("cancel_order", "fill_resting"),
    "REF-3": ("reducing_order",),
    "REF-4": ("order_then_leverage", "place_order"),
    "REF-8": ("place_order", "position_margin"),
    "REF-9": ("hedge_trade", "place_order"),
    "REF-11": ("fill_resting",),
    "REF-12": ("fill_resting",),
    "REF-13": ("fill_resting",),
    "REF-14": ("fill_resting",),
    "REF-20": ("set_leverage",),
    "REF-21": ("set_leverage", "trade_then_change"),
    "REF-22": ("isolated_trade", "trade_then_change"),
    "REF-23": ("set_margin_type",),
    "REF-24": ("order_then_change",),
    "REF-25": ("trade_then_change",),
    "REF-26": ("set_position_mode",),
    "REF-27": ("order_then_change",),
    "REF-28": ("trade_then_change",),
    "REF-30": ("position_margin",),
    "REF-31": ("isolated_trade",),
    "REF-32": ("isolated_trade",),
    "REF-33": ("position_margin", "isolated_trade"),
    "REF-34": ("deposit", "withdraw", "position_margin"),
    "REF-35": ("position_margin",),
    "REF-36": ("withdraw",),
    "REF-42": ("funding",),
    "REF-43": ("withdraw", "set_leverage"),
}

CRASH = ("crash",)
ISOLATED = ("isolated_trade",)


def targets(ruleset: RuleSet) -> tuple[Target, ...]:
    """Every target for ``ruleset`` (option-dependent rules only when their option is in force)."""
    t: list[Target] = [
        Target(f"ACT-{i}", f"a `{name}` action", _action(name), _ACTION_AIMS[name])
        for i, name in enumerate(ACTION_NAMES, start=1)
    ]
    t += [
        Target(
            "ACT-13",
            "an unknown account or symbol, or the insurance fund where it may not act",
            lambda s: s.refused("REF-40", "REF-41", "REF-43"),
            ("place_order",),
        ),
        Target(
            "ACT-LEV-1",
            "a position opened on a symbol whose leverage the initial state left at the default",
            _default_leverage_open,
            ("trade",),
        ),
        Target("ACT-LEV-2", "setting the leverage already in force", _same_leverage, ("leverage",)),
        Target(
            "ACT-LEV-3",
            "-2027 on a leverage change of a symbol with open orders (orders count)",
            _cap_with_orders,
            ("order_then_leverage",),
        ),
        Target(
            "ACT-LEV-4",
            "raising the leverage of an isolated symbol with a position",
            _raise_isolated,
            ISOLATED,
        ),
        Target(
            "ACT-ORD-3",
            "an accepted reducing order (no margin check)",
            lambda s: _placed(s) and _reducing(s.action),
            ("reducing_order",),
        ),
        Target(
            "ACT-ORD-4",
            "an accepted reducing order below the minimum notional",
            _reducing_below_min_notional,
            ("reducing_order",),
        ),
        Target(
            "ACT-ORD-5",
            "-2027 on placing an order",
            lambda s: s.name == "placeOrder" and s.refused("REF-4"),
            ("place_order",),
        ),
        Target(
            "REF-0",
            "a refusal that leaves the state unchanged",
            lambda s: s.outcome.get("status") == refusals.REFUSED and s.after is s.before,
            ("place_order",),
        ),
    ]
    t += [
        Target(rule, f"refusal {rule}", _refusal(rule), _REFUSAL_AIMS.get(rule, ("place_order",)))
        for rule in refusal_rules()
    ]
    t += [
        Target(f"event:{kind}", f"an event `{kind}`", _event(kind), _EVENT_AIMS[kind])
        for kind in EVENT_TYPES
    ]
    t += [
        # FILL, PNL-3, FEE-1
        Target("FILL-1", "a partial fill (an order keeps resting)", _partial_fill, ("trade",)),
        Target("FILL-2", "a fill adding to a position (weighted entry)", _adds, ("trade_twice",)),
        Target("FILL-3", "a one-way fill that closes and flips a position", _flip, ("flip",)),
        Target("PNL-3", "a flip: the remainder enters at the trade price", _flip, ("flip",)),
        Target(
            "FILL-4", "a partial close realising non-zero PnL", _close_with_pnl, ("trade_twice",)
        ),
        Target(
            "FILL-5",
            "a fill refused because a reducing order would open",
            lambda s: s.name == "fill" and s.refused("REF-3"),
            ("reducing_fill",),
        ),
        Target(
            "FILL-6", "a fill closing (part of) an isolated position", _isolated_close, ISOLATED
        ),
        Target("FILL-7", "a fill opening an isolated position", _isolated_open, ISOLATED),
        Target(
            "FILL-8",
            "a fill refused for a negative cross wallet",
            lambda s: s.name == "fill" and s.refused("REF-1"),
            ("full_isolated_fill",),
        ),
        Target(
            "FILL-9",
            "a fill leaving an entry price with more than 8 decimals (exact ledger)",
            _inexact_entry,
            ("trade_twice",),
        ),
        Target("FEE-1", "a fill charging a non-zero fee", _fee_charged, ("trade",)),
        # FUND
        Target("FUND-1", "a non-zero funding payment", _funding_paid, ("funding",)),
        Target(
            "FUND-2", "funding paid to several accounts at once", _funding_several, ("funding",)
        ),
        Target("FUND-3", "funding on an isolated position", _funding_isolated, ISOLATED),
        # LIQP, IF, ADL
        Target(
            "LIQP-1",
            "an isolated position liquidated alone, or a cross scope over several symbols",
            _scope_rule,
            CRASH,
        ),
        Target(
            "LIQP-2",
            "a liquidation that cancels the account's open orders",
            _orders_cancelled,
            ("crash",),
        ),
        Target("LIQP-3", "a whole position liquidated", _event("LIQUIDATION"), CRASH),
        Target("LIQP-4", "a clearance fee charged", _event("INSURANCE_CLEAR"), CRASH),
        Target("LIQP-5", "a position closed at its bankruptcy price", _at_bankruptcy, CRASH),
        Target("LIQP-6", "the insurance fund takes a position over", _event("TAKEOVER"), CRASH),
        Target(
            "LIQP-7",
            "a cross liquidation leaving the cross wallet at zero",
            _cross_wallet_emptied,
            CRASH,
        ),
        Target("IF-1", "the insurance fund trades", _fund_trades, ("trade",)),
        Target(
            "IF-2",
            "the fund covers a liquidated scope's negative remainder",
            lambda s: _cover(s, after_passes=False),
            ("crash_shorts",),
        ),
        Target(
            "IF-3",
            "the fund resets a negative wallet without a position after the passes",
            lambda s: _cover(s, after_passes=True),
            ("close_beyond_bankruptcy",),
        ),
        Target(
            "IF-4",
            "the fund's balance left negative by a remainder it cannot cover",
            _fund_negative,
            ("crash_shorts_empty_fund",),
        ),
        Target("ADL-1", "a position auto-deleveraged", _event("ADL"), ("crash_small_fund",)),
        Target(
            "ADL-2",
            "ADL choosing among several counterparties",
            _adl_ranked,
            ("crash_small_fund",),
        ),
        # Formula rules on the state after the step
        Target("BRK-2", "a position beyond bracket 1 (cum in use)", _bracket_at_least(2), ()),
        Target(
            "BRK-3",
            "a notional at mark exactly on a bracket cap (owned by the lower bracket)",
            _on_boundary,
            ("mark_on_boundary",),
        ),
        Target(
            "BRK-4",
            "a notional beyond the last bracket's cap",
            _beyond_last_cap,
            ("mark_beyond_cap",),
        ),
        Target("MM-1", "MM with a non-zero maintenance amount (bracket > 1)", _bracket_at_least(2)),
        Target("MM-2", "a notional spanning three brackets or more", _bracket_at_least(3)),
        Target(
            "MM-3",
            "a notional exactly on a boundary (both forms meet)",
            _on_boundary,
            ("mark_on_boundary",),
        ),
        Target("LEV-1", "leverage set to the market's maximum", _max_leverage, ("leverage",)),
        Target(
            "LEV-2",
            "leverage set to the limit of the bracket owning the notional (bracket > 1)",
            _leverage_at_bracket_limit,
            ("leverage",),
        ),
        Target(
            "LEV-3",
            "-2027 at a leverage whose maxNotionalValue is below the last cap",
            _leverage_dependent_cap,
            ("order_then_leverage", "place_order"),
        ),
        Target(
            "NTL-1",
            "a short position (negative notional)",
            _any_position(lambda _, p: p.notional < 0),
        ),
        Target(
            "IM-1",
            "a position whose mark differs from its entry (IM at mark)",
            _any_position(lambda _, p: p.position.mark_price != p.position.entry_price),
        ),
        Target(
            "PNL-1", "a non-zero unrealised PnL", _any_position(lambda _, p: p.unrealized_pnl != 0)
        ),
        Target(
            "MB-1",
            "an isolated position with non-zero uPnL (isolatedMargin = wallet + uPnL)",
            _any_position(lambda n, p: _isolated_pos(n, p) and p.unrealized_pnl != 0),
            ISOLATED,
        ),
        Target(
            "MR-1",
            "a margin ratio undefined (margin balance not positive)",
            _margin_ratio_undefined,
            ("crash",),
        ),
        Target("COST-1", "an accepted order opening from a flat side", _opens_from_flat),
        Target("COST-2", "an accepted order priced worse than the mark", _open_loss),
        Target(
            "ORD-1",
            "a position side with a position and resting bids and asks",
            _side_with_both_books,
            ("both_books",),
        ),
        Target("ORD-2", "non-zero open-order initial margin", _open_order_margin),
        Target(
            "ORD-3",
            "a partly filled order whose remaining quantity is margined",
            _partly_filled_order_margined,
            ("trade",),
        ),
        Target(
            "AVB-1",
            "an available balance clamped at zero with a positive wallet",
            _available_clamped,
            ("crash",),
        ),
        Target(
            "XFER-1",
            "a withdrawal of exactly maxWithdrawAmount while positions hold margin",
            _withdraw_at_cap,
            ("withdraw",),
        ),
        Target(
            "XFER-2",
            "an isolated margin addition of exactly maxAddableMargin",
            _add_at_cap,
            ISOLATED,
        ),
        Target(
            "XFER-3",
            "an isolated removal where the IM term binds (below iw - MM)",
            _remove_capped_by_im,
            ISOLATED,
        ),
        Target(
            "LIQ-1",
            "margin balance exactly equal to maintenance margin",
            _at_maintenance,
            ("mark_price",),
        ),
        Target(
            "LIQ-2",
            "a cross liquidation price with positions in several symbols",
            _cross_lp_several_symbols,
            ("trade",),
        ),
        Target(
            "LIQ-3",
            "a liquidation price in another bracket than the mark notional",
            _lp_bracket_differs(one_leg=False),
        ),
        Target(
            "LIQ-4", "a hedged pair sharing a liquidation price", _hedged_pair_with_lp, ("hedge",)
        ),
        Target(
            "LIQ-5",
            "a position without a liquidation price",
            _any_position(lambda _, p: p.liquidation_price is None),
        ),
        Target(
            "LIQ-6",
            "a one-leg liquidation price found in another bracket than the mark's (the walk moves)",
            _lp_bracket_differs(one_leg=True),
        ),
        Target(
            "BKR-1",
            "an isolated position with a bankruptcy price",
            _any_position(lambda n, p: _isolated_pos(n, p) and p.bankruptcy_price is not None),
            ISOLATED,
        ),
        Target("DISP-1", "a reported figure rounded to 8 decimals", _display_rounds(half=False)),
        Target(
            "DISP-2",
            "a reported figure where rounding down differs from half-up",
            _display_rounds(half=True),
        ),
    ]
    ranking = ruleset.options.adl_ranking
    rule = "ADL-2a" if ranking is AdlRanking.ASTER else "ADL-2b"
    t.append(Target(rule, f"ADL ranking ({ranking.value}) among several", _adl_ranked, ("crash",)))
    t.append(
        Target(
            "ADL-2c",
            "ADL with a counterparty whose balance + uPnL is not positive",
            _adl_nonpositive_equity,
            ("crash_pair",),
        )
    )
    return tuple(t)


_EVENT_AIMS = {
    "TRADE": ("trade",),
    "FUNDING_FEE": ("funding",),
    "LIQUIDATION": CRASH,
    "TAKEOVER": CRASH,
    "INSURANCE_CLEAR": CRASH,
    "ADL": ("crash_small_fund",),
    "INSURANCE_COVER": ("close_beyond_bankruptcy", "crash_shorts"),
}


def excluded(ruleset: RuleSet) -> dict[str, str]:
    """Rule IDs that are not a behaviour of one step, with the reason."""
    out = dict(EXCLUDED)
    ranking = ruleset.options.adl_ranking
    other = "ADL-2b" if ranking is AdlRanking.ASTER else "ADL-2a"
    out[other] = f"ranking option not in force (the rule set uses adl_ranking={ranking.value})"
    return out


#: Whole families that are never a step's behaviour.
EXCLUDED_FAMILIES = {
    "THM": "a theorem proved for all inputs by `marginspec prove`, not a step",
    "INV": "an invariant checked after every step of every trace by the model's tests",
    "TRACE": "the trace format itself: every vector is a trace",
    "RS": "rule-set data and loading, not a step",
    "CONF": "a rule of the conformance kit itself (docs/conformance)",
}

EXCLUDED = {
    "ACT-0": "the state every step reads and writes; no step exercises it more than another",
    "NUM-1": "input parsing: a vector's numbers are decimal strings by construction",
    "NUM-2": "input bounds: a vector's numbers are within them by construction (the hostile-input suite tests the refusals)",
    "BRK-1": "the bracket row itself (data), read by every MM figure",
    "BRK-5": "table well-formedness, checked when the rule set is loaded",
    "BRK-6": "notionalCoef is an input of imported tables; the rule sets have none",
    "SNAP-1": "evaluate's input form; the vectors' snapshots are the output form",
    "SNAP-2": "evaluate's input consistency checks; states in a trace are consistent by construction",
    "SNAP-3": "the output field set: every step's snapshot is compared field by field",
    "ADL-3": "equal ADL scores: a tie needs two counterparties with exactly equal ratios, "
    "which the generated states do not reach; not targeted",
}

# ---------------------------------------------------------------- spec IDs

_TOKEN = re.compile(r"(?<![\w/:.\-])([A-Z]{2,5}(?:-[A-Z]{2,5})?-\d+[a-z]?)(?![\w\-])")
SPEC_FILES = ("rules.md", "account-model.md")


def spec_rule_ids() -> set[str]:
    """Every rule ID written in the two spec files, worked-example labels aside
    (a line opening ``**Examples.**`` names the digest's example labels, not rules)."""
    found: set[str] = set()
    for name in SPEC_FILES:
        text = resources.files("marginspec.spec").joinpath(name).read_text(encoding="utf-8")
        for line in text.splitlines():
            if not line.startswith("**Examples.**"):
                found.update(_TOKEN.findall(line))
    return found


def family(rule: str) -> str:
    return rule.rsplit("-", 1)[0].split("-")[0]


def unaccounted(ruleset: RuleSet) -> set[str]:
    """Spec IDs neither targeted nor excluded (must be empty)."""
    targeted = {t.rule for t in targets(ruleset)}
    skip = excluded(ruleset)
    return {
        r
        for r in spec_rule_ids()
        if r not in targeted and r not in skip and family(r) not in EXCLUDED_FAMILIES
    }


def covered(step: Step, wanted: tuple[Target, ...]) -> list[str]:
    """The rules of ``wanted`` this step exercises."""
    return [t.rule for t in wanted if t.predicate(step)]


def markdown(ruleset: RuleSet) -> str:
    """The table as Markdown (``marginspec vectors targets``; docs/conformance includes it)."""
    lines = [
        f"Targets for the rule set `{ruleset.name}` ({len(targets(ruleset))}):",
        "",
        "| target | a step that covers it | moves aimed at it |",
        "|---|---|---|",
    ]
    for t in targets(ruleset):
        aims = ", ".join(f"`{a}`" for a in t.aims) or "(random moves)"
        lines.append(f"| {t.rule} | {t.what} | {aims} |")
    lines += ["", "Excluded rule IDs and families:", "", "| rule | why no step targets it |"]
    lines.append("|---|---|")
    for rule, why in sorted(excluded(ruleset).items()):
        lines.append(f"| {rule} | {why} |")
    for fam, why in EXCLUDED_FAMILIES.items():
        lines.append(f"| {fam}-* | {why} |")
    return "\n".join(lines) + "\n"
