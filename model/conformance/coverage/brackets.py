"""Coverage targets of brackets and leverage: BRK, MM and LEV on the state after a step,
and the leverage actions' own rules (ACT-LEV-*)."""

from __future__ import annotations

from marginspec import brackets
from marginspec.conformance.coverage.step import Predicate, Step
from marginspec.conformance.coverage.target import ISOLATED, Area, Section
from marginspec.evaluate import PositionFigures
from marginspec.exchange import INSURANCE_FUND
from marginspec.exchange.fast_figures import side_requirement
from marginspec.exchange.state import AccountState
from marginspec.numbers import Exact

BRACKETS = Area(Section.FIGURE)


# ------------------------------------------------------------------ leverage actions


@BRACKETS.target(
    "ACT-LEV-1",
    "a position opened on a symbol whose leverage the initial state left at the default",
    ("trade",),
    section=Section.ACTION,
)
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


def _leverage_change(s: Step) -> tuple[AccountState, int, int] | None:
    a = s.action
    if s.name != "setLeverage" or a.get("account") not in s.before.accounts:
        return None
    if a.get("symbol") not in s.ruleset.markets:
        return None
    acct = s.before.accounts[a["account"]]
    return acct, acct.setting(a["symbol"], s.ruleset).leverage, int(a["leverage"])


@BRACKETS.target(
    "ACT-LEV-2",
    "setting the leverage already in force while the exposure is above its cap",
    ("leverage", "same_leverage_over_cap"),
    section=Section.ACTION,
)
def _same_leverage(s: Step) -> bool:
    """Accepted at once: an engine running ACT-LEV-3's checks on an unchanged leverage
    refuses it (-2027) only where the exposure (LEV-3, at the mark) is above the cap."""
    change = _leverage_change(s)
    if not s.accepted or change is None or change[1] != change[2]:
        return False
    acct, leverage, _ = change
    symbol = s.action["symbol"]
    market = s.ruleset.markets[symbol]
    cap = Exact(brackets.max_notional(market.brackets, Exact(leverage)))
    return any(
        side_requirement(acct, s.before, s.ruleset, symbol, side) * leverage > cap
        for side in acct.sides()
    )


@BRACKETS.target(
    "ACT-LEV-3",
    "-2027 on a leverage change of a symbol with open orders (orders count)",
    ("order_then_leverage",),
    section=Section.ACTION,
)
def _cap_with_orders(s: Step) -> bool:
    """ACT-LEV-3: -2027 on a leverage change of a symbol with open orders."""
    change = _leverage_change(s)
    return s.refused("REF-4") and change is not None and change[0].has_orders(s.action["symbol"])


@BRACKETS.target(
    "ACT-LEV-4",
    "raising the leverage of an isolated symbol with a position",
    ISOLATED,
    section=Section.ACTION,
)
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


# ------------------------------------------------------------------ brackets (BRK, MM)


def _size(p: PositionFigures) -> Exact:
    return abs(p.notional)


def _caps(s: Step, symbol: str) -> list[Exact]:
    return [b.notional_cap for b in s.table(symbol)]


def _bracket_at_least(k: int) -> Predicate:
    return lambda s: any(p.bracket >= k for _, p in s.open_after)


BRACKETS.target("BRK-2", "a position beyond bracket 1 (cum in use)", ())(_bracket_at_least(2))


@BRACKETS.target(
    "BRK-3",
    "a notional at mark exactly on a bracket cap (owned by the lower bracket)",
    ("mark_on_boundary",),
)
def _on_boundary(s: Step) -> bool:
    """A position whose notional at mark is exactly a bracket cap below the last (BRK-3)."""
    return any(_size(p) in _caps(s, p.position.symbol)[:-1] for _, p in s.open_after)


@BRACKETS.target("BRK-4", "a notional beyond the last bracket's cap", ("mark_beyond_cap",))
def _beyond_last_cap(s: Step) -> bool:
    return any(_size(p) > _caps(s, p.position.symbol)[-1] for _, p in s.open_after)


BRACKETS.target("MM-1", "MM with a non-zero maintenance amount (bracket > 1)")(_bracket_at_least(2))
BRACKETS.target("MM-2", "a notional spanning three brackets or more")(_bracket_at_least(3))
BRACKETS.target(
    "MM-3", "a notional exactly on a boundary (both forms meet)", ("mark_on_boundary",)
)(_on_boundary)


# ------------------------------------------------------------------ leverage (LEV)


@BRACKETS.target("LEV-1", "leverage set to the market's maximum", ("leverage",))
def _max_leverage(s: Step) -> bool:
    change = _leverage_change(s)
    return (
        s.accepted
        and change is not None
        and change[2] == s.ruleset.markets[s.action["symbol"]].max_leverage
    )


@BRACKETS.target(
    "LEV-2",
    "leverage set to the limit of the bracket owning the notional (bracket > 1)",
    ("leverage",),
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


@BRACKETS.target(
    "LEV-3",
    "-2027 at a leverage whose maxNotionalValue is below the last cap",
    ("order_then_leverage", "place_order"),
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
