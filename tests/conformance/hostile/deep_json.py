"""Answers its first action with an outcome nested a thousand levels deep."""

import sys

from _engine import serve


def hook(message: dict, applies: int) -> None:
    if applies == 1:
        deep = "[" * 1000 + "]" * 1000
        sys.stdout.write('{"type": "outcome", "outcome": {"status": ' + deep + "}}\n")
        sys.stdout.flush()


serve(hook)
