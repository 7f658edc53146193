"""On its first action, leaves a child holding its stdout and exits with status 5."""

import sys

from _engine import serve, spawn_sleeper


def hook(message: dict, applies: int) -> None:
    if applies == 1:
        spawn_sleeper()
        sys.exit(5)


serve(hook)
