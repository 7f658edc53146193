"""The reference protocol server (CONF-4): the model behind the JSON-lines protocol.

``marginspec serve-protocol`` runs it on stdin/stdout. It is what the kit tests its
own protocol path with, and what an implementer compares their adapter against. It
serves the rule set the kit sends in its hello (TOML text), so any rule set works.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any, TypeVar

from marginspec import inputs
from marginspec.conformance.engine import PROTOCOL, ModelEngine
from marginspec.errors import MarginspecError
from marginspec.rulefile import load_bundled, parse_ruleset

E = TypeVar("E")
#: One request -> (engine, answer); answer None for ``bye``.
Handler = Callable[[E | None, Any], tuple[E | None, dict[str, Any] | None]]


def _reply(out: IO[str], message: dict[str, Any]) -> None:
    out.write(json.dumps(message, separators=(",", ":"), ensure_ascii=False) + "\n")
    out.flush()


def request(message: Any) -> dict[str, Any]:
    """A request: a JSON object."""
    if not isinstance(message, dict):
        raise MarginspecError("a request must be a JSON object")
    return message


def hello_toml(message: dict[str, Any], protocol: str) -> str | None:
    """A hello of ``protocol``: its rule set's TOML text (None where it has none)."""
    if message.get("protocol") != protocol:
        raise MarginspecError(
            f"unsupported protocol {message.get('protocol')!r} (this is {protocol})"
        )
    ruleset_doc = message.get("ruleset") or {}
    toml = ruleset_doc.get("toml") if isinstance(ruleset_doc, dict) else None
    return toml if isinstance(toml, str) else None


def handle(
    engine: ModelEngine | None, line: Any
) -> tuple[ModelEngine | None, dict[str, Any] | None]:
    """One request -> (engine, answer); answer None for ``bye``."""
    message = request(line)
    kind = message.get("type")
    if kind == "hello":
        toml = hello_toml(message, PROTOCOL)
        ruleset = parse_ruleset(toml, "/ruleset/toml") if toml is not None else load_bundled()
        engine = ModelEngine(ruleset)
        return engine, {"type": "hello", "capabilities": engine.capabilities().to_json()}
    if kind == "bye":
        return engine, None
    if engine is None:
        raise MarginspecError("the first request must be 'hello'")
    if kind == "reset":
        state = message.get("state")
        if not isinstance(state, dict):
            raise MarginspecError("a reset needs a 'state' object (the initial state)")
        engine.reset(state)
        return engine, {"type": "ok"}
    if kind == "apply":
        return engine, {"type": "outcome", "outcome": engine.apply(message.get("action"))}  # type: ignore[arg-type]
    if kind == "snapshot":
        if "accounts" in message:
            names = message["accounts"]
            if not isinstance(names, list):
                raise MarginspecError("'accounts' must be a list of account names")
            return engine, {"type": "snapshots", "snapshots": engine.snapshots(names)}
        return engine, {
            "type": "snapshot",
            "snapshot": engine.snapshot(str(message.get("account"))),
        }
    raise MarginspecError(f"unknown request type {kind!r}")


def serve_with(handler: Handler[E], stdin: IO[str], stdout: IO[str]) -> int:
    """Answer requests with ``handler`` until ``bye`` or end of input; bad requests get
    ``{"type": "error"}`` (the action and the figures protocols share this loop)."""
    engine: E | None = None
    for line in stdin:
        if not line.strip():
            continue
        try:
            # the one bounded reader (depth, NUM-2, duplicate keys): a hostile line is an
            # error answer, never a traceback; numbers are decimal strings, as in a trace
            engine, answer = handler(engine, inputs.parse_json(line, "request"))
        except MarginspecError as error:
            answer = {"type": "error", "message": str(error)}
        if answer is None:
            return 0
        _reply(stdout, answer)
    return 0


def serve(stdin: IO[str], stdout: IO[str]) -> int:
    """The action protocol (CONF-4) with the model behind it."""
    return serve_with(handle, stdin, stdout)
