"""Reading what commands are given: JSON documents and rule sets (shared by every command)."""

from __future__ import annotations

from typing import Any

import click

from marginspec import inputs
from marginspec.bracket_cache import load_brackets
from marginspec.rulefile import load_bundled, load_named
from marginspec.ruleset import RuleSet


def read_json(source: str, what: str = "input") -> Any:
    """A JSON document from a path or ``-`` (stdin), within the bounds of
    :mod:`marginspec.inputs`; every number exact (SNAP-1, NUM-2)."""
    return inputs.read_json(source, what)


def load_rules(rules: str | None, brackets: str | None) -> RuleSet:
    """The rule set a command works on: ``--rules`` TOML, ``--brackets`` JSON, or the default.

    One loader and one validation (RS-3, BRK-5) for every command, ``prove`` included."""
    # ``is not None``: an empty value (``--rules ""``) is refused, never read as "no option"
    if rules is not None and brackets is not None:
        raise click.UsageError("give either --rules or --brackets, not both")
    if rules is not None:
        return load_named(rules)
    default = load_bundled()
    if brackets is not None:
        return load_brackets(brackets, base=default)
    return default


rules_option = click.option(
    "--rules",
    "rules",
    metavar="NAME|FILE.toml",
    help="Rule set: a bundled one by name (marginspec rules list) or a TOML file. "
    "Default: aster-pro.",
)
brackets_option = click.option(
    "--brackets",
    "brackets",
    metavar="FILE.json",
    help="Bracket tables from GET /fapi/v1/leverageBracket or ccxt fetch_leverage_tiers JSON.",
)
