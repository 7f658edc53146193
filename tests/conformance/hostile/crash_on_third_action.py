"""Exits with status 3 on its third action since it started (whatever the resets)."""

import sys

from _engine import serve


def hook(message: dict, applies: int) -> None:
    if applies == 3:
        sys.stderr.write("assertion failed: book.is_consistent()\n")
        sys.exit(3)


serve(hook)
