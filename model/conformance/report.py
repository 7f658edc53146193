"""Failure reports (CONF-6): the minimal trace as readable steps, the first differing
field with both values and the rules involved, saved as a trace file that
``marginspec conform --replay`` (and the model's ``marginspec replay``) re-runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from marginspec.conformance.compare import Difference
from marginspec.exchange import parse_action
from marginspec.exchange.trace import record
from marginspec.outputs import make_folder, write_atomic
from marginspec.ruleset import RuleSet

#: Failure kinds: the implementation disagreed, crashed, hung, or broke the protocol.
DIVERGENCE = "divergence"
CRASH = "crash"
TIMEOUT = "timeout"
PROTOCOL = "protocol"


@attrs.frozen
class Step:
    action: dict[str, Any]
    model: dict[str, Any]  # the model's outcome
    impl: Any = None  # the implementation's outcome (None if it gave none)


@attrs.frozen
class FailureReport:
    kind: str
    engine: str
    ruleset_ref: str
    initial: dict[str, Any]
    steps: tuple[Step, ...]
    difference: Difference | None = None
    message: str = ""
    stderr: str = ""
    skipped: tuple[str, ...] = ()
    seed: int | None = None
    #: fields that matched only within their declared tolerance (CONF-2)
    tolerated: tuple[str, ...] = ()
    #: Re-checked on a fresh engine (a new process): True if it failed the same way
    #: there, False if it did not (its trace will not fail on its own), None if not done.
    fresh: bool | None = None
    note: str = ""

    @property
    def rules(self) -> tuple[str, ...]:
        if self.difference is None or not self.steps:
            return ()
        last = self.steps[-1]
        return self.difference.rules(last.action, last.model, last.impl)

    def headline(self) -> str:
        n = len(self.steps)
        if self.kind == DIVERGENCE and self.difference is not None:
            d = self.difference
            return (
                f"{self.engine} diverges from the model at step {n}: {d.pointer} "
                f"(model {_dumps(d.model)}, implementation {_dumps(d.impl)})"
            )
        if n == 0:
            where = "on reset, before any action" if self.initial else "during the handshake"
            return f"{self.engine}: {self.kind} {where}: {self.message}"
        return f"{self.engine}: {self.kind} at step {n}: {self.message}"

    def text(self) -> str:
        """The report as plain text (what ``marginspec conform`` prints)."""
        lines = [f"FAIL ({self.kind}): {self.headline()}", ""]
        if self.initial:
            lines.append("initial state: " + json.dumps(self.initial, separators=(",", ":")))
        if self.steps:
            lines.append(f"minimal trace ({len(self.steps)} steps):")
        for i, step in enumerate(self.steps, start=1):
            lines.append(f"  {i}. {describe(step.action)}  -> model: {_outcome(step.model)}")
            if i == len(self.steps) and step.impl is not None:
                lines.append(f"     -> implementation: {_outcome(step.impl)}")
        if self.initial or self.steps:
            lines.append("")
        if self.difference is not None:
            d = self.difference
            lines.append(f"first differing field: {d.pointer}")
            lines.append(f"  model:          {_dumps(d.model)}")
            lines.append(f"  implementation: {_dumps(d.impl)}")
            if d.tolerance is not None:
                lines.append(f"  compared within {d.tolerance.describe()}")
            if d.note:
                lines.append(f"  note: {d.note}")
        if self.message and self.kind != DIVERGENCE and self.steps:
            lines.append(f"message: {self.message}")
        if self.stderr:
            lines.append("implementation stderr (last lines):")
            lines += ["  " + line for line in self.stderr.splitlines()[-10:]]
        lines.append(f"rules: {', '.join(self.rules) or '-'}")
        if self.skipped:
            lines.append(
                f"not compared (outside the declared capabilities): {', '.join(self.skipped)}"
            )
        if self.tolerated:
            lines.append(f"matched only within the declared tolerance: {', '.join(self.tolerated)}")
        if self.seed is not None:
            lines.append(f"seed: {self.seed}")
        if self.note:
            lines.append(f"note: {self.note}")
        if self.fresh is True:
            lines.append("re-checked on a fresh process: it fails the same way")
        elif self.fresh is False:
            lines.append(
                "NOT reproduced on a fresh process: replayed from the start, the run passes "
                "(the implementation fails nondeterministically, or keeps state across "
                "resets in a way no single run shows)"
            )
        return "\n".join(lines)

    def trace(self, ruleset: RuleSet) -> dict[str, Any]:
        """A ``marginspec-trace/1`` document of the minimal run, recorded from the model."""
        actions = [parse_action(s.action, f"/steps/{i}/action") for i, s in enumerate(self.steps)]
        document = record(self.ruleset_ref, self.initial, actions, ruleset, check=False)
        document["description"] = self.headline()
        if self.steps and document["steps"]:
            last = document["steps"][-1]
            note = f"implementation outcome: {_dumps(self.steps[-1].impl)}"
            if self.difference is not None:
                note += f"; first difference {self.difference.pointer}: implementation {_dumps(self.difference.impl)}"
            last["note"] = note
        return document

    def save(self, path: Path, ruleset: RuleSet) -> None:
        make_folder(path.parent, "the failing trace")
        text = json.dumps(self.trace(ruleset), indent=2, ensure_ascii=False) + "\n"
        write_atomic(path, text, "the failing trace")


def _dumps(value: Any) -> str:
    """A value as JSON; an implementation's bare JSON number (read as an exact Decimal,
    any size) as its decimal string, so that no answer can stop a report or its trace."""
    return json.dumps(value, default=str)


def _outcome(outcome: Any) -> str:
    if not isinstance(outcome, dict):
        return _dumps(outcome)
    if outcome.get("status") == "refused":
        return f"refused {outcome.get('code')} ({outcome.get('rule', '')}) {outcome.get('msg', '')}".rstrip()
    extra = f" orderId {outcome['orderId']}" if "orderId" in outcome else ""
    events = outcome.get("events") or []
    if events:
        extra += (
            f" ({len(events)} events: {', '.join(sorted({str(e.get('type')) for e in events}))})"
        )
    return f"{outcome.get('status')}{extra}"


def describe(action: dict[str, Any]) -> str:
    """One action as a short readable line."""
    a = dict(action)
    name = a.pop("action", "?")
    who = a.pop("account", None)
    prefix = f"{who}: " if who else ""
    if name == "placeOrder":
        ro = " reduceOnly" if a.get("reduceOnly") else ""
        return (
            f"{prefix}placeOrder {a.get('side')} {a.get('quantity')} {a.get('symbol')} "
            f"@ {a.get('price')} [{a.get('positionSide', 'BOTH')}]{ro}"
        )
    if name == "fill":
        qty = f" qty {a['quantity']}" if "quantity" in a else ""
        return f"fill maker #{a.get('makerOrderId')} with taker #{a.get('takerOrderId')}{qty}"
    rest = " ".join(f"{k}={v}" for k, v in a.items())
    return f"{prefix}{name} {rest}".rstrip()
