"""A correct engine that leaves a sleeping background worker behind on every reset."""

import subprocess

from _engine import serve, spawn_sleeper


def hook(message: dict, applies: int) -> None:
    if message.get("type") == "reset":
        spawn_sleeper(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


serve(hook)
