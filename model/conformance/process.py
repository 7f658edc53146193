"""An engine's process (CONF-4): its own process group, one bounded line per request.

:class:`EngineProcess` starts a command in a new session (so in a process group of its
own, with everything it spawns) and exchanges lines of bytes with it from one thread:
a selector writes the request, reads the answer and drains stderr together, so none of
the three can block the others, and every wait ends at a deadline. What an engine can
make the kit hold is bounded: an answer line up to :data:`MAX_LINE` bytes, the last
:data:`STDERR_TAIL` bytes of stderr. Whatever happens, :meth:`EngineProcess.kill` ends
the whole group, and groups still alive when the interpreter exits are ended then.
A process that leaves the group (``setsid`` and a double fork) is still reached on
Linux: the kit is a child subreaper, so such orphans become its children, and ending an
engine ends them too (:func:`end_escaped`).

Faults are :class:`EngineFailure` of the engine's kind: ``crash`` (it exited: exit
status and stderr tail), ``timeout``, ``protocol`` (a line too long or not UTF-8).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import os
import select
import selectors
import signal
import subprocess
import time

from marginspec.conformance.engine import EngineFailure
from marginspec.conformance.report import CRASH, PROTOCOL, TIMEOUT

#: The longest answer line accepted, in bytes (a snapshot of every account is a few KiB).
MAX_LINE = 1 << 20
#: How much of the end of stderr is kept for reports.
STDERR_TAIL = 16 << 10
#: Lines of stderr shown in a report, and characters of each.
STDERR_LINES = 40
STDERR_WIDTH = 300
#: How long an exiting engine is given to finish writing (its stderr, an answer).
_GRACE = 0.25
#: How long ending a group waits for its processes to be gone (SIGKILL is asynchronous).
_GONE = 1.0
_CHUNK = 1 << 16

#: Process groups started and not yet ended: ended at interpreter exit whatever happens.
_GROUPS: set[int] = set()


#: ``prctl`` option making a process the reaper of its orphaned descendants (Linux).
_PR_SET_CHILD_SUBREAPER = 36
_subreaper = False


def become_subreaper() -> bool:
    """Make the kit a child subreaper (Linux ``prctl``), once: a process an engine
    spawned that escaped its group and was orphaned is then re-parented to the kit, not
    to init, so the kit can still end it. A no-op (False) where that is unavailable."""
    global _subreaper
    if not _subreaper and os.uname().sysname == "Linux":
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            _subreaper = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    return _subreaper


def _escaped() -> list[int]:
    """The kit's children that are escaped engine descendants: re-parented to the kit
    (a subreaper), in a process group that is neither the kit's own (where its
    legitimate helpers live) nor a live engine's (Linux ``/proc``)."""
    me, mine = os.getpid(), os.getpgrp()
    found = []
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                parent, group = int(fields[1]), int(fields[2])
            except (OSError, IndexError, ValueError):
                continue
            if parent == me and group != mine and group not in _GROUPS:
                found.append(int(name))
    return found


def end_escaped(seconds: float = _GONE) -> None:
    """SIGKILL and reap every escaped engine descendant, again as the ones they spawned
    are re-parented in turn, for at most ``seconds`` (only when the kit is a subreaper:
    otherwise its children are its own)."""
    if not _subreaper:
        return
    deadline = time.monotonic() + seconds
    while (pids := _escaped()) and time.monotonic() < deadline:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def end_groups() -> None:
    """End every engine group still alive (at exit, or on a signal that ends the kit),
    and what escaped them."""
    for group in list(_GROUPS):
        _kill_group(group)
    end_escaped()


atexit.register(end_groups)


def _kill_group(group: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
    _GROUPS.discard(group)


def _await_group_end(group: int, seconds: float = _GONE) -> None:
    """Wait until every process of ``group`` has died (SIGKILL takes effect
    asynchronously), so that none outlives the command; at most ``seconds``. A dead
    orphan stays a zombie until init reaps it, which may take seconds: on Linux the
    wait is for the zombies, elsewhere for the group to be gone."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except (ProcessLookupError, PermissionError):
            return
        if _only_zombies(group):
            return
        time.sleep(0.01)


def _only_zombies(group: int) -> bool:
    """Whether every process of ``group`` is dead (Linux ``/proc``; False elsewhere)."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return False
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(group) and fields[0] not in ("Z", "X"):
            return False
    return True


def exit_status(code: int | None) -> str:
    """``status 3``, or ``killed by SIGSEGV`` for a signal."""
    if code is None:
        return "status unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"status {code}"


def shown(line: bytes, width: int = 200) -> str:
    """An offending line as a report shows it: at most ``width`` bytes, escaped."""
    more = f"... ({len(line)} bytes)" if len(line) > width else ""
    return repr(line[:width].decode("utf-8", "backslashreplace")) + more


class EngineProcess:
    """One run of an engine's command in a process group of its own."""

    def __init__(self, argv: list[str], command: str) -> None:
        self.command = command
        become_subreaper()
        try:
            self.popen = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own group: killpg ends what it spawns too
            )
        except OSError as error:
            raise EngineFailure(CRASH, f"cannot start {command!r}: {error.strerror}") from None
        self.group = self.popen.pid
        _GROUPS.add(self.group)
        assert self.popen.stdin and self.popen.stdout and self.popen.stderr
        self._stdin: int | None = self.popen.stdin.fileno()
        self._stdout: int | None = self.popen.stdout.fileno()
        self._stderr: int | None = self.popen.stderr.fileno()
        for fd in (self._stdin, self._stdout, self._stderr):
            os.set_blocking(fd, False)
        self._out = bytearray()
        self._err = bytearray()
        self._owing = False  # a request went out and its answer did not come back
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._stdout, selectors.EVENT_READ)
        self._selector.register(self._stderr, selectors.EVENT_READ)

    # ------------------------------------------------------------------ state

    def running(self) -> bool:
        return self.popen.poll() is None

    def status(self) -> str:
        return exit_status(self.popen.poll())

    def stderr(self) -> str:
        """The last lines of stderr, decoded leniently (an engine may write any bytes)."""
        text = bytes(self._err).decode("utf-8", "replace")
        if len(self._err) >= STDERR_TAIL:
            text = text.split("\n", 1)[-1]  # the first line is cut
        lines = [
            line if len(line) <= STDERR_WIDTH else line[:STDERR_WIDTH] + "..."
            for line in text.rstrip("\n").split("\n")
        ]
        return "\n".join(lines[-STDERR_LINES:]) if text.strip() else ""

    # ------------------------------------------------------------------ pipes

    def _read(self, fd: int) -> bool:
        """Read what is there on stdout or stderr; False at end of file."""
        if fd not in (self._stdout, self._stderr):
            return True
        try:
            chunk = os.read(fd, _CHUNK)
        except BlockingIOError:
            return True
        except OSError:
            chunk = b""
        if not chunk:
            self._selector.unregister(fd)
            if fd == self._stdout:
                self._stdout = None
            else:
                self._stderr = None
            return False
        if fd == self._stdout:
            self._out += chunk
        else:
            self._err += chunk
            if len(self._err) > STDERR_TAIL:
                del self._err[:-STDERR_TAIL]
        return True

    def drain_stderr(self, seconds: float = _GRACE) -> None:
        """Read stderr until it ends or ``seconds`` pass (what a dying engine said last)."""
        deadline = time.monotonic() + seconds
        while self._stderr is not None and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self._stderr], [], [], left)
            if ready and not self._read(self._stderr):
                break

    def exchange(self, request: bytes, kind: str, timeout: float) -> bytes:
        """Write ``request`` (one line), return the next line the engine writes (without
        its newline), reading stderr meanwhile. Raises :class:`EngineFailure` on a crash,
        a timeout, or a line longer than :data:`MAX_LINE`."""
        deadline = time.monotonic() + timeout
        pending = memoryview(request)
        if self._stdin is None:
            raise EngineFailure(CRASH, f"the implementation is not running (on {kind!r})")
        self._selector.register(self._stdin, selectors.EVENT_WRITE)
        self._owing = True
        try:
            while True:
                line = self._line()
                if line is not None:
                    self._owing = False
                    return line
                if self._stdout is None:
                    raise self._ended(kind)
                if not self.running():
                    line = self._last_line(kind)
                    self._owing = False
                    return line
                left = deadline - time.monotonic()
                if left <= 0:
                    if pending:
                        raise EngineFailure(
                            TIMEOUT,
                            f"the implementation did not read the {kind!r} request "
                            f"within {timeout:g} s",
                        )
                    raise EngineFailure(TIMEOUT, f"no answer to {kind!r} within {timeout:g} s")
                # Wake at least every 0.1 s: a leader that exits while a child it left
                # holds stdout open ends no pipe, only its own life.
                for key, _ in self._selector.select(min(left, 0.1)):
                    if key.fd != self._stdin:
                        self._read(key.fd)
                        continue
                    try:
                        written = os.write(key.fd, pending[:_CHUNK])
                    except BlockingIOError:
                        continue
                    except OSError:  # EPIPE: it closed its input
                        raise EngineFailure(
                            CRASH,
                            f"the implementation closed its input (on {kind!r}; "
                            f"{self._exit_note()})",
                            self.stderr(),
                        ) from None
                    pending = pending[written:]
                    if not pending:
                        self._selector.unregister(key.fd)
        finally:
            if self._stdin is not None and self._stdin in self._selector.get_map():
                self._selector.unregister(self._stdin)

    def _line(self) -> bytes | None:
        end = self._out.find(b"\n", 0, MAX_LINE + 1)
        if end >= 0:
            line = bytes(self._out[:end])
            del self._out[: end + 1]
            return line
        if len(self._out) > MAX_LINE:
            raise EngineFailure(
                PROTOCOL, f"a line longer than {MAX_LINE} bytes: {shown(bytes(self._out))}"
            )
        return None

    def _exit_note(self) -> str:
        try:
            self.popen.wait(_GRACE)
        except subprocess.TimeoutExpired:
            return "it is still running"
        return f"it exited with {self.status()}"

    def _last_line(self, kind: str) -> bytes:
        """The leader exited: an answer it wrote first is still an answer, else it crashed
        (even if a child it left holds its output open)."""
        if self._stdin is not None and self._stdin in self._selector.get_map():
            self._selector.unregister(self._stdin)
        deadline = time.monotonic() + _GRACE
        while self._stdout is not None and (left := deadline - time.monotonic()) > 0:
            for key, _ in self._selector.select(left):
                self._read(key.fd)
            line = self._line()
            if line is not None:
                return line
        raise self._ended(kind)

    def _ended(self, kind: str) -> EngineFailure:
        """Its output ended: it exited (a crash), or it closed stdout and lives on."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(_GRACE)
        self.drain_stderr()
        if self.running():
            return EngineFailure(
                CRASH, f"the implementation closed its output on {kind!r}", self.stderr()
            )
        return EngineFailure(
            CRASH, f"the implementation exited ({self.status()}) on {kind!r}", self.stderr()
        )

    # ------------------------------------------------------------------ ending

    def close(self, bye: bytes, wait: float = 2.0) -> None:
        """Say goodbye, give the engine ``wait`` seconds to exit, then end its group (at
        once if it still owes an answer: interrupted while it hangs, it would not listen)."""
        if self.running() and self._stdin is not None and not self._owing:
            with contextlib.suppress(OSError):
                os.write(self._stdin, bye)
            assert self.popen.stdin is not None
            with contextlib.suppress(OSError):
                self.popen.stdin.close()  # an engine may wait for the end of its input
            self._stdin = None
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(wait)
        self.kill()

    def kill(self) -> None:
        """End the process group (the engine and all it spawned), reap the engine, close
        the pipes. A running engine is signalled before it is reaped: until then its
        id, the group's, cannot be given to another process."""
        _kill_group(self.group)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)
        _await_group_end(self.group)
        end_escaped()
        self._selector.close()
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._stdin = self._stdout = self._stderr = None
