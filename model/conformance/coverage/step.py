"""The view of one recorded step that coverage predicates read (CONF-9).

A :class:`Step` holds the state before, the action, the outcome and its events, and the
state after; its figures are the model's own (:func:`marginspec.evaluate.evaluate`
through :mod:`marginspec.exchange.view`), computed lazily and never recomputed here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

from marginspec import brackets
from marginspec.account import MarginType, PositionSide
from marginspec.evaluate import AccountFigures, PositionFigures
from marginspec.exchange import refusals
from marginspec.exchange.state import ExchangeState
from marginspec.exchange.view import account_figures, position_figures
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet


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


#: Whether a step exercises a target's rule.
Predicate = Callable[[Step], bool]


def event(kind: str) -> Predicate:
    """The step emits an event of type ``kind`` (TRACE-3)."""
    return lambda s: bool(s.events(kind))


def any_position(test: Callable[[str, PositionFigures], bool]) -> Predicate:
    """Some open position after the step passes ``test`` (account name, figures)."""
    return lambda s: any(test(n, p) for n, p in s.open_after)


def isolated_position(_: str, p: PositionFigures) -> bool:
    return p.position.margin_type is MarginType.ISOLATED
