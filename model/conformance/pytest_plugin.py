"""pytest plugin (CONF-10): ``pytest --marginspec-impl=module:factory`` (or ``--marginspec-cmd``)
adds conformance items to an implementation's own test run.

The campaign is split into ``--marginspec-shards`` items (default 1 for the quick
profile, 8 for thorough), each with its own seed and share of the examples, so
pytest-xdist (``-n auto``) spreads a long campaign over cores and machines. A failing
item prints the failure report and saves its minimal trace under
``--marginspec-out`` (default ``marginspec-failures/``). Registered through the
``pytest11`` entry point ``marginspec``; without the options it adds nothing.

``--marginspec-shard i/n`` keeps only this CI job's items (item ``k`` belongs to job
``k mod n + 1``), so ``n`` jobs split one campaign with distinct seeds; each job ends with
one ``summary: {json}`` line per item, merged by ``marginspec.conformance.shards.merge``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the plugin loads in every pytest run: it imports the kit only to run it
    from marginspec.ruleset import RuleSet


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("marginspec", "marginspec conformance kit")
    group.addoption("--marginspec-impl", metavar="MODULE:FACTORY", help="Python engine under test.")
    group.addoption("--marginspec-cmd", metavar="COMMAND", help="Protocol engine under test.")
    group.addoption(
        "--marginspec-profile",
        choices=("quick", "thorough"),
        default="quick",
        help="quick (CI) or thorough (nightly).",
    )
    group.addoption(
        "--marginspec-seed", type=int, default=0, help="Base seed; shard i uses seed + i."
    )
    group.addoption("--marginspec-examples", type=int, default=None, help="Total generated runs.")
    group.addoption(
        "--marginspec-shards", type=int, default=None, help="Items to split the campaign into."
    )
    group.addoption(
        "--marginspec-shard",
        metavar="I/N",
        default=None,
        help="Run only part I of the campaign's items, split over N CI jobs.",
    )
    group.addoption(
        "--marginspec-ruleset", default="aster-pro", help="Bundled rule set or TOML path."
    )
    group.addoption(
        "--marginspec-timeout",
        type=float,
        default=10.0,
        help="Seconds per answer (--marginspec-cmd).",
    )
    group.addoption(
        "--marginspec-out", default="marginspec-failures", help="Directory for failing traces."
    )
    group.addoption(
        "--marginspec-figures",
        action="store_true",
        help="Run the figures kit (snapshots -> figures) instead of the action kit.",
    )
    group.addoption(
        "--marginspec-failures", type=int, default=1, help="Figures kit: distinct failures."
    )


#: The summaries of the items this process ran (printed at the end of the session).
_SUMMARIES: list[dict[str, Any]] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    import json

    for line in _SUMMARIES:
        terminalreporter.write_line("summary: " + json.dumps(line, sort_keys=True))


class ConformanceFailed(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class ShardItem(pytest.Item):
    """One shard of a campaign, of either kit: its own seed and share of the examples;
    a failure prints the kit's report (:class:`ConformanceFailed`)."""

    def __init__(self, *, shard: int, shards: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shard = shard
        self.shards = shards

    @property
    def seed(self) -> int:
        return int(self.config.getoption("--marginspec-seed")) + self.shard

    def share(self, total: int) -> int:
        """This shard's part of ``total`` examples (the first ``total mod shards`` get one more)."""
        return max(1, total // self.shards + (1 if self.shard < total % self.shards else 0))

    def ruleset(self) -> tuple[str, RuleSet]:
        """``--marginspec-ruleset``: its reference and the rule set."""
        from marginspec.exchange.trace import resolve_ruleset

        ref: str = self.config.getoption("--marginspec-ruleset")
        return ref, resolve_ruleset(ref, Path.cwd(), "--marginspec-ruleset")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ConformanceFailed):
            return excinfo.value.text
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path | str, int | None, str]:
        return self.path, None, self.name


class ConformanceItem(ShardItem):
    """One shard of the action kit's campaign."""

    def runtest(self) -> None:
        from marginspec.conformance import driver
        from marginspec.conformance.runner import engine_factory, running
        from marginspec.conformance.shards import Shard, summary

        opt = self.config.getoption
        profile = driver.PROFILES[opt("--marginspec-profile")]
        examples = self.share(opt("--marginspec-examples") or profile.max_examples)
        ref, ruleset = self.ruleset()
        seed = self.seed
        factory = engine_factory(
            opt("--marginspec-impl"), opt("--marginspec-cmd"), opt("--marginspec-timeout")
        )
        with running(factory) as engine:
            result = driver.run(engine, ref, ruleset, profile, seed, examples, fresh=factory)
        report = result.report
        _SUMMARIES.append(
            summary(
                Shard(self.shard + 1, self.shards),
                seed,
                profile.name,
                result.capabilities.name,
                result.runs,
                result.steps,
                result.seconds,
                report.headline() if report is not None else None,
                report.rules if report is not None else (),
            )
        )
        if result.report is not None:
            text = result.report.text()
            if result.report.steps and result.report.fresh is not False:
                out = Path(opt("--marginspec-out")) / f"failure-seed{seed}.json"
                result.report.save(out, ruleset)
                text += f"\nminimal trace saved to {out}"
            raise ConformanceFailed(text)


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not (config.getoption("--marginspec-impl") or config.getoption("--marginspec-cmd")):
        return
    from marginspec.conformance.shards import Shard, parse_shard

    profile = config.getoption("--marginspec-profile")
    job_text = config.getoption("--marginspec-shard")
    job = parse_shard(job_text, "--marginspec-shard") if job_text else Shard()
    shards = config.getoption("--marginspec-shards") or (1 if profile == "quick" else 8)
    seed = config.getoption("--marginspec-seed")
    kind: type[ShardItem] = ConformanceItem
    name = f"marginspec-conformance[{profile}-seed{{}}]"
    if config.getoption("--marginspec-figures"):
        from marginspec.conformance.figures.pytest_item import FiguresItem

        kind, name = FiguresItem, "marginspec-figures[seed{}]"
        shards = config.getoption("--marginspec-shards") or 1
    shards = max(shards, job.count)  # every job gets at least one item, each its own seed
    for shard in range(shards):
        if not job.owns(shard):
            continue  # CONF-7: another CI job's part of the campaign
        items.append(
            kind.from_parent(session, name=name.format(seed + shard), shard=shard, shards=shards)
        )
