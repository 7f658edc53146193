"""The README's and the home page's example commands name files that exist in the repository."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", REPO / "docs" / "index.md"]
FENCE = re.compile(r"^```(?:bash|console|sh)\n(.*?)^```", re.MULTILINE | re.DOTALL)
OUTPUTS = {"-o", "--output", "--out"}  # what follows names a file the command writes
FILE_LIKE = re.compile(r"/|\.(json|toml|py|md)$")


def _commands(page: Path) -> list[str]:
    lines = []
    for block in FENCE.findall(page.read_text(encoding="utf-8")):
        for line in block.splitlines():
            command = line.removeprefix("$ ").split("#", 1)[0].strip()
            if "marginspec" in command or command.startswith("./dev"):
                lines.append(command)
    return lines


def _named_files(command: str) -> list[str]:
    """The paths a command reads: file-like words, quoted sub-commands included."""
    words = shlex.split(command)
    named = []
    for previous, word in zip(["", *words], words, strict=False):
        if previous in OUTPUTS or word.startswith("-") or "&&" in word:
            continue
        for part in word.split() if " " in word else [word]:
            if FILE_LIKE.search(part) and not part.startswith(("venv/", ".venv/")):
                named.append(part)
    return named


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_example_commands_name_files_that_exist(page: Path) -> None:
    commands = _commands(page)
    assert commands, f"{page.name} shows no example command any more: update this test"
    missing = [
        f"{command!r} names {name}"
        for command in commands
        for name in _named_files(command)
        if not (REPO / name).exists()
    ]
    assert not missing, (
        f"{page.relative_to(REPO)}: use a file that is in the repository "
        "(model/examples/sample-account.json, benchmarks/three-markets.toml, docs/traces/...):\n"
        + "\n".join(missing)
    )


def test_the_check_reads_quoted_commands_and_skips_outputs() -> None:
    command = 'marginspec conform --cmd "python3 docs/x.py" a.json -o out.json --out v/'
    assert _named_files(command) == ["docs/x.py", "a.json"]
