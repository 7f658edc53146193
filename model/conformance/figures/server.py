"""The figures protocol with the model behind it (FIG-2): ``marginspec serve-protocol --figures``.

What the kit tests its own protocol path with, and what a tool's author compares an
adapter against: it answers every figure of the ``evaluate`` output, under the rule set
the hello carries.
"""

from __future__ import annotations

from typing import IO, Any

from marginspec.conformance.figures.engine import PROTOCOL, ModelFiguresEngine
from marginspec.conformance.server import serve_with
from marginspec.errors import MarginspecError
from marginspec.rulefile import parse_ruleset


def handle(
    engine: ModelFiguresEngine | None, message: Any
) -> tuple[ModelFiguresEngine | None, dict[str, Any] | None]:
    """One request -> (engine, answer); answer None for ``bye``."""
    if not isinstance(message, dict):
        raise MarginspecError("a request must be a JSON object")
    kind = message.get("type")
    if kind == "hello":
        if message.get("protocol") != PROTOCOL:
            raise MarginspecError(
                f"unsupported protocol {message.get('protocol')!r} (this is {PROTOCOL})"
            )
        ruleset_doc = message.get("ruleset")
        toml = ruleset_doc.get("toml") if isinstance(ruleset_doc, dict) else None
        if not isinstance(toml, str):
            raise MarginspecError("the hello needs the rule set's TOML text at /ruleset/toml")
        engine = ModelFiguresEngine(parse_ruleset(toml, "/ruleset/toml"))
        return engine, {"type": "hello", **engine.handshake(message).to_json()}
    if kind == "bye":
        return engine, None
    if engine is None:
        raise MarginspecError("the first request must be 'hello'")
    if kind == "evaluate":
        snapshot = message.get("snapshot")
        if not isinstance(snapshot, dict):
            raise MarginspecError("an evaluate request needs a 'snapshot' object")
        return engine, {"type": "figures", "figures": engine.figures(snapshot)}
    raise MarginspecError(f"unknown request type {kind!r}")


def serve(stdin: IO[str], stdout: IO[str]) -> int:
    """The figures protocol (FIG-2) with the model behind it."""
    return serve_with(handle, stdin, stdout)
