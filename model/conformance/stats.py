"""What a campaign actually played (CONF-5): moves drawn, actions sent, refusals.

A generator that spends its steps on refusals, or never plays a move, finds few bugs
whatever its targets say; ``marginspec conform --stats`` prints this measured
distribution so the weights (:mod:`marginspec.conformance.moves.weights`) can be judged
on numbers. Counted on the model's outcomes, so the figures do not depend on the engine.
"""

from __future__ import annotations

import collections
from typing import Any


class Stats:
    """Counts of one campaign: moves by name, actions by name, refusals by action."""

    def __init__(self) -> None:
        self.moves: collections.Counter[str] = collections.Counter()
        self.actions: collections.Counter[str] = collections.Counter()
        self.refused: collections.Counter[str] = collections.Counter()

    def move(self, name: str) -> None:
        self.moves[name] += 1

    def step(self, action: dict[str, Any], outcome: dict[str, Any]) -> None:
        name = str(action.get("action"))
        self.actions[name] += 1
        if outcome.get("status") == "refused":
            self.refused[name] += 1

    @property
    def refusal_share(self) -> float:
        total = sum(self.actions.values())
        return sum(self.refused.values()) / total if total else 0.0

    def text(self) -> str:
        """The distribution as a plain-text table (what ``--stats`` prints)."""
        lines = []
        total = sum(self.moves.values()) or 1
        lines.append(f"moves drawn ({sum(self.moves.values())}):")
        for name, count in self.moves.most_common():
            lines.append(f"  {name:<26} {count:>6}  {100 * count / total:5.1f}%")
        steps = sum(self.actions.values()) or 1
        lines.append(
            f"actions sent ({sum(self.actions.values())}; refused {100 * self.refusal_share:.1f}%):"
        )
        for name, count in self.actions.most_common():
            refused = self.refused[name]
            lines.append(
                f"  {name:<26} {count:>6}  {100 * count / steps:5.1f}%"
                f"  refused {refused:>5} ({100 * refused / count:.0f}%)"
            )
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "moves": dict(self.moves),
            "actions": dict(self.actions),
            "refused": dict(self.refused),
        }
