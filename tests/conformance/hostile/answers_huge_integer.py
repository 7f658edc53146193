"""Answers its first action with an integer of 100,000 digits (past Python's int limit)."""

import sys

from _engine import serve


def hook(message: dict, applies: int) -> None:
    if applies == 1:
        sys.stdout.write('{"type": "outcome", "outcome": {"status": ' + "9" * 100_000 + "}}\n")
        sys.stdout.flush()


serve(hook)
