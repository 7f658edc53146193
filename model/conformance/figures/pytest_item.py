"""The figures kit in a tool's own test suite (FIG-7): ``pytest --marginspec-figures``.

With ``--marginspec-figures`` the plugin of :mod:`marginspec.conformance.pytest_plugin`
adds these items instead of the action kit's, sharded alike (``--marginspec-shards``,
``--marginspec-shard i/n``): each its own seed and share of ``--marginspec-examples``
(default 2,000), collecting up to ``--marginspec-failures`` distinct failures and saving
each smallest snapshot under ``--marginspec-out``.
"""

from __future__ import annotations

from pathlib import Path

from marginspec.conformance.pytest_plugin import ConformanceFailed, ShardItem

#: Snapshots of a campaign when ``--marginspec-examples`` is not given.
DEFAULT_EXAMPLES = 2000


class FiguresItem(ShardItem):
    """One shard of a figures campaign."""

    def runtest(self) -> None:
        from marginspec.conformance.figures.cli import open_figures_engine, saved_path
        from marginspec.conformance.figures.search import search

        opt = self.config.getoption
        examples = self.share(opt("--marginspec-examples") or DEFAULT_EXAMPLES)
        ref, ruleset = self.ruleset()
        engine = open_figures_engine(
            opt("--marginspec-impl"), opt("--marginspec-cmd"), opt("--marginspec-timeout")
        )
        try:
            result = search(engine, ref, ruleset, self.seed, examples, opt("--marginspec-failures"))
        finally:
            engine.close()
        if result.failures:
            texts = []
            for index, failure in enumerate(result.failures):
                text = failure.text()
                if failure.snapshot:
                    out = Path(opt("--marginspec-out")) / f"figures-seed{self.seed}.json"
                    path = saved_path(out, index)
                    failure.save(path)
                    text += f"\nsmallest snapshot saved to {path}"
                texts.append(text)
            raise ConformanceFailed("\n\n".join(texts))
