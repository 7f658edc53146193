"""On its first action, leaves a grandchild in a session of its own (``setsid`` and a
double fork: outside the engine's process group) that sleeps ten minutes."""

import os
import time

from _engine import note_pid, serve


def escape() -> None:
    if os.fork() != 0:
        return
    os.setsid()  # out of the engine's group: killpg no longer reaches it
    if os.fork() != 0:
        os._exit(0)  # the grandchild is orphaned
    note_pid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)  # the pipes closed, like a daemon
    time.sleep(600)
    os._exit(0)


def hook(message: dict, applies: int) -> None:
    if applies == 1 and message.get("type") == "apply":
        escape()


serve(hook)
