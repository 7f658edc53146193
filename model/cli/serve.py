"""``marginspec serve-protocol``: the model behind the JSON-lines protocol (CONF-4)."""

from __future__ import annotations

import sys

from marginspec.cli.app import main


@main.command("serve-protocol")
def serve_protocol() -> None:
    """Answer the conformance protocol on stdin/stdout with the model (reference adapter)."""
    from marginspec.conformance.server import serve

    sys.exit(serve(sys.stdin, sys.stdout))
