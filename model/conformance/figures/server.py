"""Any figures engine behind the figures protocol (FIG-2): :func:`serve_engine`.

``marginspec serve-protocol --figures`` serves the model (what the kit tests its own
protocol path with, and what a tool's author compares an adapter against: every figure of
the ``evaluate`` output, under the rule set the hello carries). A Python adapter serves
itself the same way, so that the kit can run it as ``--cmd`` from another environment
(the peers' adapters, docs/conformance/peers/, end with
``serve_engine(factory, sys.stdin, sys.stdout)``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from marginspec.conformance.figures.engine import PROTOCOL, FiguresEngine, ModelFiguresEngine
from marginspec.conformance.server import Handler, hello_toml, request, serve_with
from marginspec.errors import MarginspecError


def _tool(call: Callable[[], Any]) -> Any:
    """The tool's answer; an exception it raises is the error answer (a crash on this
    snapshot for the kit, as when the kit calls the tool in-process), never a traceback."""
    try:
        return call()
    except MarginspecError:
        raise
    except Exception as error:
        raise MarginspecError(f"{type(error).__name__}: {error}") from None


def handler(make: Callable[[], FiguresEngine]) -> Handler[FiguresEngine]:
    """One request -> (engine, answer) for engines made by ``make`` (one per hello)."""

    def handle(
        engine: FiguresEngine | None, line: Any
    ) -> tuple[FiguresEngine | None, dict[str, Any] | None]:
        message = request(line)
        kind = message.get("type")
        if kind == "hello":
            if hello_toml(message, PROTOCOL) is None:
                raise MarginspecError("the hello needs the rule set's TOML text at /ruleset/toml")
            if engine is not None:
                engine.close()
            made: FiguresEngine = _tool(make)
            capabilities = _tool(lambda: made.handshake(message))
            return made, {"type": "hello", **capabilities.to_json()}
        if kind == "bye":
            if engine is not None:
                engine.close()
            return engine, None
        if engine is None:
            raise MarginspecError("the first request must be 'hello'")
        if kind == "evaluate":
            snapshot = message.get("snapshot")
            if not isinstance(snapshot, dict):
                raise MarginspecError("an evaluate request needs a 'snapshot' object")
            tool = engine
            return tool, {"type": "figures", "figures": _tool(lambda: tool.figures(snapshot))}
        raise MarginspecError(f"unknown request type {kind!r}")

    return handle


def serve_engine(make: Callable[[], FiguresEngine], stdin: IO[str], stdout: IO[str]) -> int:
    """The figures protocol (FIG-2) with the engines ``make`` returns behind it."""
    return serve_with(handler(make), stdin, stdout)


def serve(stdin: IO[str], stdout: IO[str]) -> int:
    """The figures protocol (FIG-2) with the model behind it."""
    return serve_engine(ModelFiguresEngine, stdin, stdout)
