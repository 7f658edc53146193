"""A correct engine that writes to stderr without pause from a thread of its own."""

import sys
import threading

from _engine import serve


def flood() -> None:
    line = b"debug: " + b"y" * 1000 + b"\n"
    while True:
        sys.stderr.buffer.write(line)


threading.Thread(target=flood, daemon=True).start()
serve()
