"""Carry the mutation verdicts over a change of the rule code.

A verdict in ``mutation_verdicts.py`` names its point by ``module:index`` and records the
line and mutation it was argued for. An edit of a mutated module shifts the indices and
lines after it, and ``bench_mutation.py`` then reports those verdicts as stale. This
script finds each verdict's point in the new source: the point of the same mutation on a
line of the same text (its n-th such point, as in the old source), and prints the
verdicts renumbered, or rewrites the file with ``--write``. A point whose line is gone or
changed is reported and its verdict dropped: it has to be argued again.

    python benchmarks/rebase_verdicts.py --since a340021 [--write]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench_mutation import MODULES, REPO, catalogue
from mutation_verdicts import EQUIVALENT

VERDICTS = Path(__file__).with_name("mutation_verdicts.py")
_ENTRY = re.compile(r'^(\s*)\("(\w+)", (\d+)\): \("(\w+)", (\d+), "([^"]*)"\),$')


def keyed(source: str) -> list[tuple[str, str, int]]:
    """Each point as (mutation, its line's text, occurrence of that pair so far)."""
    lines = source.splitlines()
    seen: Counter[tuple[str, str]] = Counter()
    out = []
    for what, line, _span in catalogue(source):
        key = (what, lines[line - 1].strip())
        out.append((*key, seen[key]))
        seen[key] += 1
    return out


def moved(since: str) -> dict[tuple[str, int], tuple[int, int] | None]:
    """(module, old index) of every verdict -> (new index, new line), or None if gone."""
    out: dict[tuple[str, int], tuple[int, int] | None] = {}
    for module, path in MODULES.items():
        mine = [k for k in EQUIVALENT if k[0] == module]
        if not mine:
            continue
        rel = f"model/{path}"
        old = subprocess.run(
            ["git", "show", f"{since}:{rel}"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
        new = (REPO / rel).read_text(encoding="utf-8")
        new_points = catalogue(new)
        where = {key: i for i, key in enumerate(keyed(new))}
        old_keys = keyed(old)
        for key in mine:
            index = where.get(old_keys[key[1]])
            out[key] = None if index is None else (index, new_points[index][1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--since", required=True, help="the commit the verdicts were argued on")
    parser.add_argument("--write", action="store_true", help="rewrite mutation_verdicts.py")
    args = parser.parse_args()
    table = moved(args.since)
    text = VERDICTS.read_text(encoding="utf-8").splitlines()
    out, changed = [], 0
    for row in text:
        m = _ENTRY.match(row)
        if m is None:
            out.append(row)
            continue
        indent, module, index, reason, _line, what = m.groups()
        new = table.get((module, int(index)))
        if new is None:
            print(f"dropped: {module}:{index} ({what}): its line changed", file=sys.stderr)
            changed += 1
            continue
        fresh = f'{indent}("{module}", {new[0]}): ("{reason}", {new[1]}, "{what}"),'
        changed += fresh != row
        out.append(fresh)
    print(f"{changed} verdicts renumbered or dropped", file=sys.stderr)
    if args.write:
        VERDICTS.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
