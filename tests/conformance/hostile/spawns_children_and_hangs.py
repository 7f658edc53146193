"""Spawns three sleeping children on its first action, then never answers."""

import time

from _engine import serve, spawn_sleeper


def hook(message: dict, applies: int) -> None:
    if applies == 1:
        for _ in range(3):
            spawn_sleeper()
        time.sleep(600)


serve(hook)
