"""Answers its first action with a line that never ends."""

import sys

from _engine import serve


def hook(message: dict, applies: int) -> None:
    if applies == 1:
        chunk = b"x" * 65536
        while True:
            sys.stdout.buffer.write(chunk)


serve(hook)
