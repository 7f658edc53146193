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

The kit never hangs: every answer is awaited at most ``timeout`` seconds (a reader
thread feeds a queue), after which the process is killed. A crash (exit, broken
pipe), a timeout, an ``{"type": "error"}`` answer or a line that is not the protocol
raises :class:`EngineFailure` with the implementation's last stderr lines; the next
``reset`` starts a fresh process.
"""

from __future__ import annotations

import collections
import contextlib
import json
import queue
import shlex
import subprocess
import threading
from decimal import Decimal
from typing import IO, Any

from marginspec.conformance.capabilities import Capabilities, parse_capabilities
from marginspec.conformance.engine import Engine, EngineFailure
from marginspec.conformance.report import CRASH, PROTOCOL, TIMEOUT
from marginspec.errors import InputError

_EOF = object()
#: Lines up to this many bytes are written directly (POSIX pipes hold at least 4 KiB).
_DIRECT_WRITE = 4096


class SubprocessEngine(Engine):
    """A command speaking the JSON-lines protocol."""

    def __init__(self, command: str | list[str], timeout: float = 10.0) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise InputError("--cmd", "empty command")
        self.command = command if isinstance(command, str) else shlex.join(command)
        self.timeout = timeout
        self.process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[object] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=40)
        self._hello: dict[str, Any] | None = None
        self.capabilities: Capabilities | None = None

    # ------------------------------------------------------------ process

    def _start(self) -> None:
        try:
            self.process = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        except OSError as error:
            raise EngineFailure(CRASH, f"cannot start {self.command!r}: {error.strerror}") from None
        self._lines = queue.Queue()
        self._stderr.clear()
        assert self.process.stdout is not None and self.process.stderr is not None
        threading.Thread(
            target=self._pump, args=(self.process.stdout, self._lines), daemon=True
        ).start()
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()

    @staticmethod
    def _pump(stream: IO[str], lines: queue.Queue[object]) -> None:
        try:
            for line in stream:
                lines.put(line)
        except (OSError, ValueError):
            pass
        lines.put(_EOF)

    def _drain(self, stream: IO[str]) -> None:
        try:
            for line in stream:
                self._stderr.append(line.rstrip("\n"))
        except (OSError, ValueError):
            pass

    def stderr(self) -> str:
        return "\n".join(self._stderr)

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        self.process = None

    def _fail(self, kind: str, message: str) -> EngineFailure:
        self._kill()
        return EngineFailure(kind, message, self.stderr())

    def _write(self, line: str, kind: str) -> None:
        """Send one line. A line longer than a pipe surely holds (the hello carries the
        whole rule set, megabytes for an imported table) is written by a thread and
        awaited ``timeout`` seconds: an implementation that does not read its input
        would otherwise block the kit forever (CONF-4). Shorter lines are written
        directly: every earlier line was answered, so the pipe is empty."""
        assert self.process is not None and self.process.stdin is not None
        stdin = self.process.stdin
        if len(line) <= _DIRECT_WRITE:  # json.dumps escapes non-ASCII: chars = bytes
            stdin.write(line)
            stdin.flush()
            return
        errors: list[BaseException] = []

        def write() -> None:
            try:
                stdin.write(line)
                stdin.flush()
            except (OSError, ValueError) as error:
                errors.append(error)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(self.timeout)
        if writer.is_alive():
            raise self._fail(
                TIMEOUT,
                f"the implementation did not read the {kind!r} request within {self.timeout:g} s",
            )
        if errors:
            raise BrokenPipeError(str(errors[0]))

    def request(self, message: dict[str, Any], answer: str) -> dict[str, Any]:
        """Send one line, wait for one line of type ``answer`` (or fail)."""
        if self.process is None or self.process.poll() is not None:
            code = None if self.process is None else self.process.returncode
            raise self._fail(CRASH, f"the implementation is not running (exit status {code})")
        try:
            self._write(json.dumps(message, separators=(",", ":")) + "\n", message["type"])
        except (BrokenPipeError, OSError, ValueError):
            raise self._fail(
                CRASH, f"the implementation closed its input (on {message['type']!r})"
            ) from None
        try:
            line = self._lines.get(timeout=self.timeout)
        except queue.Empty:
            raise self._fail(
                TIMEOUT, f"no answer to {message['type']!r} within {self.timeout:g} s"
            ) from None
        if line is _EOF:
            try:
                code = self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
            raise self._fail(
                CRASH, f"the implementation exited (status {code}) on {message['type']!r}"
            )
        assert isinstance(line, str)
        try:
            reply = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError:
            raise self._fail(PROTOCOL, f"not a JSON line: {line.strip()[:200]!r}") from None
        if not isinstance(reply, dict):
            raise self._fail(PROTOCOL, f"not a JSON object: {line.strip()[:200]!r}")
        if reply.get("type") == "error":
            raise self._fail(CRASH, f"the implementation reported an error: {reply.get('message')}")
        if reply.get("type") != answer:
            raise self._fail(PROTOCOL, f"expected a {answer!r} message, got {line.strip()[:200]!r}")
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
        if self.process is None or self.process.poll() is not None:
            self._kill()
            self._start()
            if self._hello is not None:
                self.request(self._hello, "hello")
        self.request({"type": "reset", "state": initial}, "ok")

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
        if self.process is not None and self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write('{"type":"bye"}\n')
                self.process.stdin.flush()
                self.process.stdin.close()
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()
