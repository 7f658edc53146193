"""No tracked text file names a path on one developer's machine: write repo-relative paths."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# An absolute path into a home, work or root folder (POSIX, macOS) or a Windows user folder,
# not preceded by a word character, a dot or a slash (so URLs and relative paths pass).
MACHINE_PATH = re.compile(
    r"(?<![\w./-])(?:/(?:home|Users|work|root|mnt|private/var)/[\w.-]+|[A-Za-z]:\\+Users\\+\w+)"
)


def _tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    return [REPO / name for name in listed.decode("utf-8").split("\0") if name]


def _text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:  # listed but deleted in the work tree
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def machine_paths(files: list[Path], root: Path = REPO) -> list[str]:
    """``file:line: path`` for every machine-specific absolute path in the given files."""
    found = []
    for path in files:
        text = _text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            for match in MACHINE_PATH.finditer(line):
                found.append(f"{path.relative_to(root)}:{number}: {match.group()}")
    return found


def test_no_tracked_file_names_a_machine_path() -> None:
    files = _tracked_files()
    assert len(files) > 50
    found = machine_paths(files)
    assert not found, (
        "machine-specific absolute paths: write a repo-relative path (docs/traces.md, "
        "../shared/data/...) or describe the file instead:\n" + "\n".join(found)
    )


def test_the_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The pattern catches the four kinds of machine path and lets URLs and relative paths be.

    The samples are assembled from pieces so that this file does not trip the check itself.
    """
    paths = ["/" + "work/notes", "/" + "home/alice", "/" + "Users/bob", "C:" + "\\Users\\carol"]
    lines = [
        f"see {paths[0]}/state-api.md",
        f"cd {paths[1]}/marginspec",
        f"({paths[2]}/src)",
        f"{paths[3]}\\repo",
        "https://example.org/home/page",
        "docs/traces.md and ../shared/data/x.json",
        "tests/whole_repo/test_machine_paths.py",
    ]
    sample = tmp_path / "sample.txt"
    sample.write_text("\n".join(lines), encoding="utf-8")
    assert machine_paths([sample], tmp_path) == [
        f"sample.txt:{number}: {path}" for number, path in enumerate(paths, start=1)
    ]
