"""The correct part of every hostile engine: the reference server, one hook per request.

Each hostile engine is this loop with one fault. Every engine appends its process id to
the file named by ``MARGINSPEC_HOSTILE_PIDS`` (when set), and so does every process it
spawns, so a test can check that none of them outlives the command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from marginspec.conformance.server import handle

Hook = Callable[[dict[str, Any], int], None]


def note_pid(pid: int | None = None) -> None:
    path = os.environ.get("MARGINSPEC_HOSTILE_PIDS")
    if path:
        with open(path, "a", encoding="utf-8") as pids:
            pids.write(f"{os.getpid() if pid is None else pid}\n")


def spawn_sleeper(**kwargs: Any) -> None:
    """A child that sleeps ten minutes (it inherits stdout/stderr unless told otherwise)."""
    child = subprocess.Popen(["sleep", "600"], **kwargs)
    note_pid(child.pid)


def serve(hook: Hook | None = None) -> None:
    """Answer like the model; ``hook(request, applies_so_far)`` runs before each answer."""
    note_pid()
    engine = None
    applies = 0
    for raw in sys.stdin.buffer:
        message = json.loads(raw)
        if message.get("type") == "apply":
            applies += 1
        if hook is not None:
            hook(message, applies)
        engine, answer = handle(engine, message)
        if answer is None:
            return
        sys.stdout.buffer.write(json.dumps(answer).encode() + b"\n")
        sys.stdout.buffer.flush()
