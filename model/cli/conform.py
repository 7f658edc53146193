"""``marginspec conform``: drive an implementation against the model (CONF-*).

Exit 0 when no divergence is found, 1 on a failure (the report is printed and the
minimal trace saved with ``--out``), 2 on bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from marginspec.cli.app import engine_options, guarded, main
from marginspec.cli.options import COUNT


def _ruleset(reference: str) -> tuple[str, object]:
    """The rule set, and how saved traces name it: a bundled name, or an absolute path
    (a trace resolves a relative path against its own folder, TRACE-1)."""
    from marginspec.exchange.trace import resolve_ruleset
    from marginspec.rulefile import bundled_rulesets

    ruleset = resolve_ruleset(reference, Path.cwd(), "--ruleset")
    if reference not in bundled_rulesets():
        reference = str(Path(reference).resolve())
    return reference, ruleset


def _summary(shard: object, seed: int, profile: str, result: object) -> None:
    """The job's ``summary: {json}`` line (CONF-7), merged by ``shards.merge``."""
    import json

    from marginspec.conformance.driver import RunResult
    from marginspec.conformance.shards import Shard, summary

    assert isinstance(shard, Shard) and isinstance(result, RunResult)
    report = result.report
    line = summary(
        shard,
        seed,
        profile,
        result.capabilities.name,
        result.runs,
        result.steps,
        result.seconds,
        report.headline() if report is not None else None,
        report.rules if report is not None else (),
    )
    click.echo("summary: " + json.dumps(line, sort_keys=True))


@main.command()
@engine_options
@click.option(
    "--profile",
    type=click.Choice(["quick", "thorough"]),
    default="quick",
    show_default=True,
    help="quick for CI, thorough for nightly runs.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated runs.")
@click.option(
    "--examples", type=COUNT, default=None, help="Generated runs (default: the profile's)."
)
@click.option(
    "--ruleset",
    "ruleset_ref",
    default="aster-pro",
    show_default=True,
    help="Bundled name or TOML path.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("marginspec-failure.json"),
    show_default=True,
    help="Where to save the minimal failing trace.",
)
@click.option(
    "--replay",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Re-run a saved trace (a failure report or a vector) on the implementation instead.",
)
@click.option(
    "--stats",
    is_flag=True,
    help="Print the moves drawn, the actions sent and their refusal shares.",
)
@click.option(
    "--shard",
    "shard_text",
    metavar="I/N",
    default=None,
    help="Run part I of a campaign split into N jobs (seed + I - 1, 1/N of the runs); "
    "prints a mergeable summary line.",
)
@click.option(
    "--figures",
    is_flag=True,
    help="Figures kit: send snapshots to a calculator or bot, compare its figures (docs/conformance/figures.md).",
)
@click.option(
    "--failures",
    type=int,
    default=1,
    show_default=True,
    help="--figures: distinct failures to find.",
)
@guarded
def conform(
    impl: str | None,
    cmd: str | None,
    profile: str,
    seed: int,
    examples: int | None,
    ruleset_ref: str,
    timeout: float,
    out: Path,
    replay: Path | None,
    stats: bool,
    shard_text: str | None,
    figures: bool,
    failures: int,
) -> None:
    """Generate action sequences, run them on the implementation and the model, report the first divergence."""
    from marginspec.cli.progress import CampaignProgress
    from marginspec.conformance import driver
    from marginspec.conformance.runner import engine_factory, replay_against, running
    from marginspec.conformance.shards import Shard, parse_shard
    from marginspec.ruleset import RuleSet

    shard = parse_shard(shard_text) if shard_text else Shard()
    if shard.count > 1:
        # CONF-7: the job's own seed and share of the profile's runs
        seed = shard.seed(seed)
        examples = shard.share(examples or driver.PROFILES[profile].max_examples)
    if figures:
        from marginspec.conformance.figures import cli as figures_cli

        sys.exit(
            figures_cli.main(impl, cmd, timeout, seed, examples, ruleset_ref, out, replay, failures)
        )
    factory = engine_factory(impl, cmd, timeout)
    with running(factory) as engine:
        if replay is not None:
            report, caps = replay_against(replay, engine)
            if report is None:
                click.echo(f"{replay}: the implementation {caps.name} agrees with every step")
                return
            click.echo(report.text())
            sys.exit(1)
        ref, ruleset = _ruleset(ruleset_ref)
        assert isinstance(ruleset, RuleSet)
        with CampaignProgress() as progress:
            result = driver.run(
                engine, ref, ruleset, profile, seed, examples, fresh=factory, progress=progress
            )
    rate = result.steps / result.seconds if result.seconds else 0.0
    if stats and result.stats is not None:
        click.echo(result.stats.text())
    if shard_text:
        _summary(shard, seed, profile, result)
    summary = (
        f"{result.capabilities.name}: {result.runs} runs, {result.steps} steps in "
        f"{result.seconds:.1f} s ({rate:.0f} steps/s), profile {profile}, seed {seed}"
    )
    if result.report is None:
        click.echo(f"PASS {summary}")
        if result.skipped:
            click.echo(
                f"not compared (outside the declared capabilities): {', '.join(result.skipped)}"
            )
        if result.tolerated:
            click.echo(f"matched only within the declared tolerance: {', '.join(result.tolerated)}")
        return
    click.echo(result.report.text())
    if result.report.steps and result.report.fresh is not False:
        result.report.save(out, ruleset)
        click.echo(
            f"minimal trace saved to {out} (re-run: marginspec replay {out} --impl/--cmd ...)"
        )
    elif result.report.steps:
        click.echo(f"no trace saved to {out}: replayed on its own, it would not fail")
    click.echo(summary)
    sys.exit(1)
