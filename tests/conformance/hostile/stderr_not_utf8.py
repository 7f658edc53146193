"""A correct engine that logs a byte that is not UTF-8 to stderr with every answer."""

import sys

from _engine import serve


def hook(message: dict, applies: int) -> None:
    sys.stderr.buffer.write(b"caf\xe9 " + str(message.get("type")).encode() + b"\n")
    sys.stderr.buffer.flush()


serve(hook)
