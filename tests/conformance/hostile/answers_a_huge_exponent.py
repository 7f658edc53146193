"""Answers its first action with the status 1e999999999: a bare JSON number, read as an
exact decimal, that the report and the saved trace must still be able to write."""

import sys

from _engine import serve


def hook(message: dict, applies: int) -> None:
    if applies == 1:
        sys.stdout.write('{"type": "outcome", "outcome": {"status": 1e999999999}}\n')
        sys.stdout.flush()


serve(hook)
