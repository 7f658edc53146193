"""An implementation in any language, driven over JSON lines on stdin/stdout (CONF-4).

One request per line, one answer per line (docs/conformance/protocol.md, schema
``marginspec/schemas/protocol.schema.json``)::

    kit -> {"type": "hello", "protocol": "marginspec/1", "ruleset": {"name", "toml"}}
    impl <- {"type": "hello", "capabilities": {...}}
    kit -> {"type": "reset", "state": {...initial...}}          impl <- {"type": "ok"}
    kit -> {"type": "apply", "action": {...}}                   impl <- {"type": "outcome", "outcome": {...}}
    kit -> {"type": "snapshot", "accounts": ["A", "B"]}         impl <- {"type": "snapshots", "snapshots": {...}}
    kit -> {"type": "snapshot", "account": "A"}                 impl <- {"type": "snapshot", "snapshot": {...}}
    kit -> {"type": "bye"}                                      (the implementation exits)

The kit never hangs and holds little (:mod:`marginspec.conformance.process`): each answer
is awaited at most ``timeout`` seconds, answer lines are bounded, and the engine runs in a
process group of its own that is ended with everything it spawned. A crash (exit, broken
pipe, closed output), a timeout, an ``{"type": "error"}`` answer, or a line that is not
the protocol (too long, not UTF-8, not JSON, nested deeper than :data:`MAX_DEPTH`, the
wrong message) raises :class:`EngineFailure` with the implementation's last stderr
lines; the next ``reset`` starts a fresh process.
"""

from __future__ import annotations

import json
import shlex
from decimal import Decimal
from typing import Any

from marginspec.conformance.capabilities import Capabilities, parse_capabilities
from marginspec.conformance.engine import Engine, EngineFailure
from marginspec.conformance.process import EngineProcess, shown
from marginspec.conformance.report import CRASH, PROTOCOL
from marginspec.errors import InputError

#: The deepest JSON nesting accepted in an answer (the protocol's messages need 6).
MAX_DEPTH = 32
_BYE = b'{"type":"bye"}\n'


def split_command(command: str) -> list[str]:
    """``--cmd`` as words, split like a POSIX shell (no shell runs it)."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise InputError("--cmd", f"cannot split {command!r} into words: {error}") from None
    if not argv:
        raise InputError("--cmd", "empty command")
    return argv


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON ``value`` nests objects and arrays more than ``limit`` deep."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if not isinstance(item, dict | list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class SubprocessEngine(Engine):
    """A command speaking the JSON-lines protocol."""

    def __init__(self, command: str | list[str], timeout: float = 10.0) -> None:
        self.argv = split_command(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise InputError("--cmd", "empty command")
        self.command = command if isinstance(command, str) else shlex.join(command)
        self.timeout = timeout
        self.process: EngineProcess | None = None
        self._last_stderr = ""
        self._hello: dict[str, Any] | None = None
        self._resets = 0  # resets the current process has seen
        self.capabilities: Capabilities | None = None

    # ------------------------------------------------------------ process

    def _start(self) -> None:
        self._last_stderr = ""
        self._resets = 0
        self.process = EngineProcess(self.argv, self.command)

    def stderr(self) -> str:
        return self.process.stderr() if self.process is not None else self._last_stderr

    def _kill(self) -> None:
        if self.process is not None:
            self._last_stderr = self.process.stderr()
            self.process.kill()
            self.process = None

    def _fail(self, kind: str, message: str) -> EngineFailure:
        """End the engine's process group; the failure, with its last stderr lines."""
        stderr = self.stderr()
        self._kill()
        return EngineFailure(kind, message, stderr)

    def request(self, message: dict[str, Any], answer: str) -> dict[str, Any]:
        """Send one line, wait for one line of type ``answer`` (or fail)."""
        kind = str(message["type"])
        if self.process is None or not self.process.running():
            status = "never started" if self.process is None else self.process.status()
            raise self._fail(CRASH, f"the implementation is not running ({status}) on {kind!r}")
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        try:
            line = self.process.exchange(data, kind, self.timeout)
        except EngineFailure as failure:
            raise self._fail(failure.kind, failure.message) from None
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise self._fail(
                PROTOCOL, f"not UTF-8 (byte {line[error.start]:#04x}): {shown(line)}"
            ) from None
        try:
            reply = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError:
            raise self._fail(PROTOCOL, f"not a JSON line: {shown(line)}") from None
        except RecursionError:
            raise self._fail(PROTOCOL, f"JSON nested too deep: {shown(line)}") from None
        if too_deep(reply):
            raise self._fail(PROTOCOL, f"JSON nested deeper than {MAX_DEPTH}: {shown(line)}")
        if not isinstance(reply, dict):
            raise self._fail(PROTOCOL, f"not a JSON object: {shown(line)}")
        if reply.get("type") == "error":
            raise self._fail(
                CRASH, f"the implementation reported an error: {str(reply.get('message'))[:500]}"
            )
        if reply.get("type") != answer:
            raise self._fail(PROTOCOL, f"expected a {answer!r} message, got {shown(line)}")
        return reply

    # ------------------------------------------------------------ Engine

    def handshake(self, hello: dict[str, Any]) -> Capabilities:
        self._hello = hello
        if self.process is None:
            self._start()
        reply = self.request(hello, "hello")
        try:
            self.capabilities = parse_capabilities(reply.get("capabilities", {}))
        except InputError as error:
            raise self._fail(
                PROTOCOL, f"bad capabilities at {error.where}: {error.message}"
            ) from None
        return self.capabilities

    def reset(self, initial: dict[str, Any]) -> None:
        if self.process is None or not self.process.running():
            self._kill()
            self._start()
            if self._hello is not None:
                self.request(self._hello, "hello")
        self._resets += 1
        self.request({"type": "reset", "state": initial}, "ok")

    @property
    def pristine(self) -> bool:
        return self._resets == 1

    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        outcome = self.request({"type": "apply", "action": action}, "outcome").get("outcome")
        if not isinstance(outcome, dict):
            raise self._fail(PROTOCOL, "an outcome message needs an 'outcome' object")
        return outcome

    def snapshot(self, account: str) -> dict[str, Any]:
        snap = self.request({"type": "snapshot", "account": account}, "snapshot").get("snapshot")
        if not isinstance(snap, dict):
            raise self._fail(PROTOCOL, "a snapshot message needs a 'snapshot' object")
        return snap

    def snapshots(self, accounts: Any) -> dict[str, dict[str, Any]]:
        names = list(accounts)
        reply = self.request({"type": "snapshot", "accounts": names}, "snapshots")
        snaps = reply.get("snapshots")
        if not isinstance(snaps, dict):
            raise self._fail(PROTOCOL, "a snapshots message needs a 'snapshots' object")
        return snaps

    def close(self) -> None:
        """Say ``bye``, then end the process group whatever the engine does."""
        if self.process is not None:
            self._last_stderr = self.process.stderr()
            self.process.close(_BYE)
            self.process = None
