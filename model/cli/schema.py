"""``marginspec schema``: print the published JSON Schemas."""

from __future__ import annotations

from importlib import resources

import click

from marginspec.cli.app import guarded, main

SCHEMAS = {
    "audit": "audit-output.schema.json",
    "input": "evaluate-input.schema.json",
    "output": "evaluate-output.schema.json",
    "trace": "trace.schema.json",
    "protocol": "protocol.schema.json",
    "figures-protocol": "figures-protocol.schema.json",
}


@main.command()
@click.argument("which", type=click.Choice(sorted(SCHEMAS)))
@guarded
def schema(which: str) -> None:
    """Print a JSON Schema: the evaluate input or output, the audit output, the trace format,
    or the action or the figures kit's protocol."""
    path = resources.files("marginspec") / "schemas" / SCHEMAS[which]
    click.echo(path.read_text(encoding="utf-8"), nl=False)
