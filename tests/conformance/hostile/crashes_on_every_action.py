"""Exits with status 4 on its first action, on every process."""

import sys

from _engine import serve


def hook(message: dict, applies: int) -> None:
    if applies == 1 and message.get("type") == "apply":
        sys.exit(4)


serve(hook)
