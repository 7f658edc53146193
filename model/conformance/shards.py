"""One campaign split across machines (CONF-7): ``--shard i/n``.

``n`` CI jobs run the same command with ``--shard 1/n`` … ``--shard n/n``. Job ``i`` runs
its share of the profile's generated runs under its own seed (``seed + i − 1``), so the
jobs explore distinct runs and together cost what one campaign costs. Each prints one
summary line (``summary: {json}``); :func:`merge` adds the lines of every job into the
campaign's verdict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import attrs

from marginspec.errors import InputError


@attrs.frozen
class Shard:
    """Part ``index`` (1-based) of ``count``."""

    index: int = 1
    count: int = 1

    def seed(self, base: int) -> int:
        return base + self.index - 1

    def share(self, total: int) -> int:
        """This shard's part of ``total`` generated runs (the first ones take the rest)."""
        extra = 1 if self.index - 1 < total % self.count else 0
        return max(1, total // self.count + extra)

    def owns(self, item: int) -> bool:
        """Whether item ``item`` (0-based) of a campaign split in items is this shard's."""
        return item % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str, where: str = "--shard") -> Shard:
    """``"i/n"`` with ``1 ≤ i ≤ n``."""
    index, sep, count = text.partition("/")
    if not sep or not index.isdigit() or not count.isdigit():
        raise InputError(where, f"expected i/n such as 1/4, got {text!r}")
    shard = Shard(int(index), int(count))
    if not 1 <= shard.index <= shard.count:
        raise InputError(where, f"expected 1 <= i <= n, got {text!r}")
    return shard


def summary(
    shard: Shard,
    seed: int,
    profile: str,
    engine: str,
    runs: int,
    steps: int,
    seconds: float,
    failure: str | None = None,
    rules: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One job's summary (what ``summary:`` prints, as JSON)."""
    return {
        "shard": str(shard),
        "seed": seed,
        "profile": profile,
        "engine": engine,
        "runs": runs,
        "steps": steps,
        "seconds": round(seconds, 3),
        "failure": failure,
        "rules": list(rules),
    }


def merge(summaries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The campaign from its jobs' summaries: totals, failures by seed, missing shards."""
    items = list(summaries)
    counts = {int(str(s["shard"]).split("/")[1]) for s in items}
    if len(counts) > 1:
        raise InputError("summaries", f"jobs of different splits: n = {sorted(counts)}")
    count = counts.pop() if counts else 0
    seen = {int(str(s["shard"]).split("/")[0]) for s in items}
    return {
        "shards": count,
        "missing": [i for i in range(1, count + 1) if i not in seen],
        "runs": sum(int(s["runs"]) for s in items),
        "steps": sum(int(s["steps"]) for s in items),
        "seconds": round(sum(float(s["seconds"]) for s in items), 3),
        "failures": [
            {"seed": s["seed"], "failure": s["failure"], "rules": s["rules"]}
            for s in items
            if s.get("failure")
        ],
    }


def read_lines(lines: Iterable[str]) -> list[dict[str, Any]]:
    """The ``summary: {json}`` lines among a job log's lines."""
    out = []
    for line in lines:
        if line.startswith("summary: "):
            out.append(json.loads(line[len("summary: ") :]))
    return out
