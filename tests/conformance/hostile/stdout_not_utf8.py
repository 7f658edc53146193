"""Answers its first action with a line that is not UTF-8."""

import sys

from _engine import serve


def hook(message: dict, applies: int) -> None:
    if applies == 1:
        sys.stdout.buffer.write(b'{"type": "outcome", "outcome": {"status": "caf\xe9"}}\n')
        sys.stdout.buffer.flush()


serve(hook)
