"""The public face of the account model: :class:`Model` (TRACE-*).

model = Model.from_json(initial, load_bundled())
outcome = model.apply_json({"action": "deposit", "account": "A", "amount": "100"})
model.snapshot("A")          # the account's evaluate output + orders and mode
"""

from __future__ import annotations

from typing import Any

from marginspec.errors import MarginspecError
from marginspec.exchange import invariant_plan
from marginspec.exchange.actions import Action, parse_action
from marginspec.exchange.initial import parse_initial
from marginspec.exchange.refusals import Outcome, outcome_json
from marginspec.exchange.snapshot import account_snapshot, api_snapshot, exchange_snapshot
from marginspec.exchange.state import ExchangeState
from marginspec.exchange.transitions import apply
from marginspec.ruleset import RuleSet


class InvariantViolation(MarginspecError):
    """An invariant (INV-*) failed after a transition: a bug in the model."""

    def __init__(self, action: Action, violations: list[str]) -> None:
        super().__init__(f"after {action!r}: " + "; ".join(violations))
        self.violations = violations


class Model:
    """A running exchange: a rule set and the current :class:`ExchangeState`.

    ``check=True`` checks every invariant (INV-*, as planned by INV-0) after every action and raises
    :class:`InvariantViolation` on the first failure.
    """

    def __init__(self, state: ExchangeState, ruleset: RuleSet, check: bool = False) -> None:
        self.state = state
        self.ruleset = ruleset
        self.check = check

    @classmethod
    def from_json(cls, initial: Any, ruleset: RuleSet, check: bool = False) -> Model:
        return cls(parse_initial(initial, ruleset), ruleset, check)

    def apply(self, action: Action) -> Outcome:
        before = self.state
        after, outcome = apply(before, action, self.ruleset)
        if self.check:
            violations = invariant_plan.check(before, action, after, outcome, self.ruleset)
            if violations:
                raise InvariantViolation(action, violations)
        self.state = after
        return outcome

    def apply_json(self, action: Any, where: str = "") -> dict[str, Any]:
        """Parse an action's JSON, apply it, return the outcome's JSON."""
        return self.outcome_json(self.apply(parse_action(action, where)))

    def outcome_json(self, outcome: Outcome) -> dict[str, Any]:
        return outcome_json(outcome, self.ruleset.options)

    def snapshot(self, account: str | None = None, api: str | None = None) -> dict[str, Any]:
        """One account's snapshot, or the whole exchange's when ``account`` is None; with
        ``api``, the whole exchange's in that venue's API form (SNAP-4)."""
        if api is not None:
            return api_snapshot(self.state, self.ruleset, api)
        if account is None:
            return exchange_snapshot(self.state, self.ruleset)
        return account_snapshot(self.state.accounts[account], self.state, self.ruleset)
