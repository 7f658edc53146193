"""``marginspec serve-protocol``: the model behind the JSON-lines protocol (CONF-4)."""

from __future__ import annotations

import sys

import click

from marginspec.cli.app import main


@main.command("serve-protocol")
@click.option("--figures", is_flag=True, help="The figures kit's protocol (marginspec-figures/1).")
def serve_protocol(figures: bool) -> None:
    """Answer the conformance protocol on stdin/stdout with the model (reference adapter)."""
    if figures:
        from marginspec.conformance.figures.server import serve as serve_figures

        sys.exit(serve_figures(sys.stdin, sys.stdout))
    from marginspec.conformance.server import serve

    sys.exit(serve(sys.stdin, sys.stdout))
