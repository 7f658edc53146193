"""Answers the hello, then never answers again."""

import time

from _engine import serve


def hook(message: dict, applies: int) -> None:
    if message.get("type") != "hello":
        time.sleep(600)


serve(hook)
