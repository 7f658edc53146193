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
) -> None:
    """Generate action sequences, run them on the implementation and the model, report the first divergence."""
    from marginspec.conformance import driver
    from marginspec.conformance.runner import open_engine, replay_against
    from marginspec.ruleset import RuleSet

    engine = open_engine(impl, cmd, timeout)
    try:
        if replay is not None:
            report, caps = replay_against(replay, engine)
            if report is None:
                click.echo(f"{replay}: the implementation {caps.name} agrees with every step")
                return
            click.echo(report.text())
            sys.exit(1)
        ref, ruleset = _ruleset(ruleset_ref)
        assert isinstance(ruleset, RuleSet)
        result = driver.run(engine, ref, ruleset, profile, seed, examples)
    finally:
        engine.close()
    rate = result.steps / result.seconds if result.seconds else 0.0
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
    if result.report.steps:
        result.report.save(out, ruleset)
        click.echo(
            f"minimal trace saved to {out} (re-run: marginspec replay {out} --impl/--cmd ...)"
        )
    click.echo(summary)
    sys.exit(1)
