"""Figures failure reports (FIG-6): the figure, both values, the rules behind it and the
smallest snapshot, saved as a ``marginspec-figures/1`` file that ``marginspec conform
--figures --replay`` re-runs on a tool (and whose ``snapshot`` is ``marginspec evaluate``
input as it stands).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from marginspec.conformance.figures.check import FigureDifference
from marginspec.conformance.figures.explain import Explanation
from marginspec.conformance.report import DIVERGENCE
from marginspec.errors import InputError

#: The format of a saved figures failure.
FORMAT = "marginspec-figures/1"


@attrs.frozen
class FiguresFailure:
    """One failure of a tool on one snapshot (a divergence, or a crash, timeout, protocol error)."""

    kind: str
    engine: str
    ruleset_ref: str
    snapshot: dict[str, Any]
    model: dict[str, Any] | None = None  # the model's figures (evaluate output)
    impl: Any = None  # the tool's answer
    difference: FigureDifference | None = None
    explanation: Explanation | None = None
    message: str = ""
    stderr: str = ""
    skipped: tuple[str, ...] = ()
    seed: int | None = None
    seconds: float = 0.0  # from the start of the search to this report, shrinking included
    snapshots: int = 0  # snapshots the search had sent by then

    @property
    def rules(self) -> tuple[str, ...]:
        return self.explanation.rules if self.explanation is not None else ()

    @property
    def positions(self) -> int:
        return len(self.snapshot.get("positions", []))

    def headline(self) -> str:
        if self.kind == DIVERGENCE and self.difference is not None:
            d = self.difference
            return (
                f"{self.engine} diverges from the model at {d.pointer} "
                f"(model {_show(d.model)}, implementation {_show(d.impl)})"
            )
        return f"{self.engine}: {self.kind}: {self.message}"

    def text(self) -> str:
        """The report as plain text (what ``marginspec conform --figures`` prints)."""
        lines = [f"FAIL ({self.kind}): {self.headline()}", ""]
        lines.append(f"smallest snapshot ({self.positions} positions):")
        lines.append("  " + json.dumps(self.snapshot, separators=(",", ":")))
        d = self.difference
        if d is not None:
            lines.append(f"figure: {d.field} at {d.pointer}")
            lines.append(f"  model:          {_show(d.model)}")
            lines.append(f"  implementation: {_show(d.impl)}")
            if d.decimals is not None:
                lines.append(f"  compared within {d.decimals} decimals")
            if d.note:
                lines.append(f"  note: {d.note}")
        if self.explanation is not None and self.explanation.features:
            lines.append("in play: " + "; ".join(self.explanation.lines()))
        if self.stderr:
            lines.append("implementation stderr (last lines):")
            lines += ["  " + line for line in self.stderr.splitlines()[-10:]]
        lines.append(f"rules: {', '.join(self.rules) or '-'}")
        if self.skipped:
            lines.append(
                f"not compared (outside the declared capabilities): {len(self.skipped)} figures"
                f" ({', '.join(self.skipped[:4])}{', …' if len(self.skipped) > 4 else ''})"
            )
        if self.seed is not None:
            lines.append(f"seed: {self.seed}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The saved file: the snapshot, the model's figures and what the tool answered."""
        d = self.difference
        return {
            "format": FORMAT,
            "ruleset": self.ruleset_ref,
            "description": self.headline(),
            "kind": self.kind,
            "snapshot": self.snapshot,
            "expected": self.model,
            "implementation": _plain(self.impl),
            "difference": None
            if d is None
            else {"pointer": d.pointer, "field": d.field, "model": d.model, "impl": _plain(d.impl)},
            "rules": list(self.rules),
            "inPlay": [] if self.explanation is None else sorted(self.explanation.features),
            "notCompared": list(self.skipped),
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False, default=str) + "\n"
        path.write_text(text, encoding="utf-8")


def _plain(value: Any) -> Any:
    """JSON-ready: a Decimal (a tool's JSON number) as the float JSON would carry."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _show(value: Any) -> str:
    """A value as JSON; a number the tool sent as a JSON number (read as Decimal) bare."""
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, default=str)


def read_saved(path: Path) -> dict[str, Any]:
    """A saved figures failure, or a bare ``evaluate`` input snapshot (``format`` absent)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(str(path), f"cannot read ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise InputError(str(path), f"malformed JSON: {error}") from None
    if not isinstance(document, dict):
        raise InputError(str(path), "expected a JSON object")
    if "format" not in document:
        return {"format": FORMAT, "snapshot": document}
    if document.get("format") != FORMAT:
        raise InputError(f"{path}: /format", f"expected {FORMAT!r}")
    if not isinstance(document.get("snapshot"), dict):
        raise InputError(f"{path}: /snapshot", "expected a JSON object")
    return document
