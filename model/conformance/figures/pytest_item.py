"""The figures kit in a tool's own test suite (FIG-7): ``pytest --marginspec-figures``.

With ``--marginspec-figures`` the plugin of :mod:`marginspec.conformance.pytest_plugin`
adds these items instead of the action kit's: one per shard, each its own seed and share
of ``--marginspec-examples`` (default 2,000), collecting up to ``--marginspec-failures``
distinct failures and saving each smallest snapshot under ``--marginspec-out``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

#: Snapshots of a campaign when ``--marginspec-examples`` is not given.
DEFAULT_EXAMPLES = 2000


class FiguresFailed(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class FiguresItem(pytest.Item):
    """One shard of a figures campaign."""

    def __init__(self, *, shard: int, shards: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shard = shard
        self.shards = shards

    def runtest(self) -> None:
        from marginspec.conformance.figures.cli import open_figures_engine, saved_path
        from marginspec.conformance.figures.search import search
        from marginspec.exchange.trace import resolve_ruleset

        opt = self.config.getoption
        total = opt("--marginspec-examples") or DEFAULT_EXAMPLES
        examples = max(1, total // self.shards + (1 if self.shard < total % self.shards else 0))
        ref = opt("--marginspec-ruleset")
        ruleset = resolve_ruleset(ref, Path.cwd(), "--marginspec-ruleset")
        seed = opt("--marginspec-seed") + self.shard
        engine = open_figures_engine(
            opt("--marginspec-impl"), opt("--marginspec-cmd"), opt("--marginspec-timeout")
        )
        try:
            result = search(engine, ref, ruleset, seed, examples, opt("--marginspec-failures"))
        finally:
            engine.close()
        if result.failures:
            texts = []
            for index, failure in enumerate(result.failures):
                text = failure.text()
                if failure.snapshot:
                    path = saved_path(
                        Path(opt("--marginspec-out")) / f"figures-seed{seed}.json", index
                    )
                    failure.save(path)
                    text += f"\nsmallest snapshot saved to {path}"
                texts.append(text)
            raise FiguresFailed("\n\n".join(texts))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, FiguresFailed):
            return excinfo.value.text
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path | str, int | None, str]:
        return self.path, None, self.name


def figures_items(session: pytest.Session, config: pytest.Config) -> list[pytest.Item]:
    shards = config.getoption("--marginspec-shards") or 1
    seed = config.getoption("--marginspec-seed")
    return [
        FiguresItem.from_parent(
            session,
            name=f"marginspec-figures[seed{seed + shard}]",
            shard=shard,
            shards=shards,
        )
        for shard in range(shards)
    ]
