"""Reading what commands are given: JSON documents and rule sets (shared by every command)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from marginspec.errors import InputError
from marginspec.importers import load_brackets
from marginspec.rulefile import load_bundled, load_named
from marginspec.ruleset import RuleSet


class _Float:
    """A JSON number with a fraction or exponent, kept as text until it is located."""

    def __init__(self, text: str) -> None:
        self.text = text


def _find_float(value: Any, pointer: str) -> tuple[str, str] | None:
    if isinstance(value, _Float):
        return pointer or "/", value.text
    if isinstance(value, dict):
        for key, item in value.items():
            found = _find_float(item, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_float(item, f"{pointer}/{index}")
            if found:
                return found
    return None


def read_json(source: str, what: str = "input") -> Any:
    """A JSON document from a path or ``-`` (stdin) in which every number is exact.

    Non-integer JSON numbers are refused, naming the JSON pointer: snapshots write
    exact numbers as decimal strings (SNAP-1), so that no tool on the way turns them
    into binary floats.
    """
    name = "<stdin>" if source == "-" else source
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(name, f"cannot read {what} ({error.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(name, f"{what} is not UTF-8 text") from None
    try:
        data = json.loads(text, parse_float=_Float)
    except json.JSONDecodeError as error:
        raise InputError(
            name, f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    found = _find_float(data, "")
    if found:
        pointer, number = found
        raise InputError(
            f"{name}: {pointer}",
            f'JSON number {number} refused: write exact numbers as decimal strings ("{number}")',
        )
    return data


def load_rules(rules: str | None, brackets: str | None, check: bool = True) -> RuleSet:
    """The rule set a command works on: ``--rules`` TOML, ``--brackets`` JSON, or the default."""
    if rules and brackets:
        raise click.UsageError("give either --rules or --brackets, not both")
    if rules:
        return load_named(rules, check)
    default = load_bundled()
    if brackets:
        return load_brackets(brackets, base=default, check=check)
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
