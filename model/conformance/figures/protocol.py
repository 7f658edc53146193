"""A tool in any language, driven over JSON lines (FIG-2): :class:`SubprocessFiguresEngine`.

The action kit's process handling (:class:`~marginspec.conformance.subprocess_engine.
SubprocessEngine`: timeouts, stderr capture, crash and protocol errors as
:class:`~marginspec.conformance.engine.EngineFailure`) with the figures kit's messages
(docs/conformance/figures.md)::

    kit -> {"type": "hello", "protocol": "marginspec-figures/1", "ruleset": {"name", "toml"}}
    tool <- {"type": "hello", "capabilities": {...CONF-1...}, "figures": {...FIG-1...}}
    kit -> {"type": "evaluate", "snapshot": {...evaluate input...}}
    tool <- {"type": "figures", "figures": {...evaluate output fields...}}
    kit -> {"type": "bye"}
"""

from __future__ import annotations

from typing import Any

from marginspec.conformance.engine import EngineFailure
from marginspec.conformance.figures.engine import (
    FiguresCapabilities,
    FiguresEngine,
    parse_figures_capabilities,
)
from marginspec.conformance.report import PROTOCOL as PROTOCOL_ERROR
from marginspec.conformance.subprocess_engine import SubprocessEngine
from marginspec.errors import InputError


class _Process(SubprocessEngine):
    """The action kit's subprocess, keeping the whole hello answer (its ``figures`` part)."""

    hello_reply: dict[str, Any] | None = None

    def request(self, message: dict[str, Any], answer: str) -> dict[str, Any]:
        reply = super().request(message, answer)
        if answer == "hello":
            self.hello_reply = reply
        return reply


class SubprocessFiguresEngine(FiguresEngine):
    """A command speaking the figures protocol (FIG-2); restarted after a crash."""

    def __init__(self, command: str | list[str], timeout: float = 10.0) -> None:
        self.process = _Process(command, timeout)
        self.command = self.process.command
        self._hello: dict[str, Any] | None = None

    def handshake(self, hello: dict[str, Any]) -> FiguresCapabilities:
        self._hello = hello
        self.process.handshake(hello)
        reply = self.process.hello_reply or {}
        try:
            return parse_figures_capabilities(reply.get("capabilities"), reply.get("figures"))
        except InputError as error:
            self.process.close()
            raise EngineFailure(
                PROTOCOL_ERROR, f"bad capabilities at {error.where}: {error.message}"
            ) from None

    def figures(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        running = self.process.process
        if (running is None or not running.running()) and self._hello is not None:
            self.process.close()  # a crash ended it: start afresh, with the same hello
            self.process.handshake(self._hello)
        reply = self.process.request({"type": "evaluate", "snapshot": snapshot}, "figures")
        figures = reply.get("figures")
        if not isinstance(figures, dict):
            self.process.close()
            raise EngineFailure(PROTOCOL_ERROR, "a figures message needs a 'figures' object")
        return figures

    def close(self) -> None:
        self.process.close()
