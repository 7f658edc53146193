"""``marginspec vectors generate|check``: the static conformance vectors (CONF-9)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from marginspec.cli.app import engine_options, guarded, main


@main.group()
def vectors() -> None:
    """Static test vectors: a deterministic corpus of traces for any implementation's CI."""


@vectors.command("generate")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Directory to write.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--budget",
    type=click.IntRange(min=1),
    default=None,
    help="Most generated runs before giving up (default: the kit's BUDGET).",
)
@click.option(
    "--ruleset",
    "ruleset_ref",
    default="aster-pro",
    show_default=True,
    help="Bundled name or TOML path.",
)
@guarded
def generate(out: Path, seed: int, budget: int | None, ruleset_ref: str) -> None:
    """Write traces that together exercise every targeted rule ID, plus index.json.

    Fails (exit 2, nothing written) naming the rule IDs left uncovered when the budget
    runs out."""
    from marginspec.conformance import vectors as v
    from marginspec.exchange.trace import resolve_ruleset
    from marginspec.outputs import make_folder
    from marginspec.rulefile import bundled_rulesets

    ruleset = resolve_ruleset(ruleset_ref, Path.cwd(), "--ruleset")
    bundled = ruleset_ref in bundled_rulesets()
    # A folder that cannot be made fails at once, not after the generation's seconds; the
    # folders made for it are removed again if the generation fails (nothing written).
    made = [p for p in (out, *out.parents) if not p.exists()]
    make_folder(out, "the vectors")
    try:
        corpus = v.generate(
            ruleset_ref if bundled else "ruleset.toml", ruleset, seed, budget or v.BUDGET
        )
    except v.CoverageError:
        for folder in made:  # the deepest first: each is empty once its child is gone
            folder.rmdir()
        raise
    v.write(corpus, out, None if bundled else ruleset)
    index = corpus.index
    steps = sum(e["steps"] for e in index["vectors"])
    click.echo(
        f"{len(corpus.vectors)} vectors ({steps} steps, from {index['runs']} runs) written to "
        f"{out}; covered all {len(index['coverage'])} targets, "
        f"{len(index['excluded'])} rule IDs or families excluded (see index.json)"
    )


@vectors.command("targets")
@click.option(
    "--ruleset",
    "ruleset_ref",
    default="aster-pro",
    show_default=True,
    help="Bundled name or TOML path.",
)
@guarded
def targets(ruleset_ref: str) -> None:
    """Print the coverage table: every target rule ID and every excluded one (Markdown)."""
    from marginspec.conformance import coverage
    from marginspec.exchange.trace import resolve_ruleset

    ruleset = resolve_ruleset(ruleset_ref, Path.cwd(), "--ruleset")
    click.echo(coverage.markdown(ruleset), nl=False)


@vectors.command("check")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@engine_options
@guarded
def check(directory: Path, impl: str | None, cmd: str | None, timeout: float) -> None:
    """Run every vector of DIRECTORY on an implementation; exit 1 if any fails."""
    from marginspec.conformance import vectors as v
    from marginspec.conformance.report import TIMEOUT
    from marginspec.conformance.runner import engine_factory, running

    factory = engine_factory(impl, cmd, timeout)
    with running(factory) as engine:
        result = v.check(directory, engine, fresh=factory)
    for name, report in result.failed:
        click.echo(f"--- {name}")
        click.echo(report.text())
    click.echo(
        f"{len(result.passed)} passed, {len(result.failed)} failed, "
        f"{len(result.skipped)} skipped (unsupported actions)"
    )
    if result.not_run and result.failed[-1][1].kind != TIMEOUT:
        click.echo(
            f"{len(result.not_run)} not run: the implementation crashed on "
            f"{v.CRASHES_IN_A_ROW} vectors in a row, each on a fresh process "
            f"(the last {result.failed[-1][0]})"
        )
    elif result.not_run:
        click.echo(
            f"{len(result.not_run)} not run: the implementation timed out on "
            f"{result.failed[-1][0]}, and each would wait out --timeout again"
        )
    if result.not_compared:
        click.echo(f"not compared: {', '.join(result.not_compared)}")
    if result.tolerated:
        click.echo(f"matched only within the declared tolerance: {', '.join(result.tolerated)}")
    if result.skipped and not result.passed and not result.failed:
        click.echo(
            "note: every vector uses an action or hedge mode the implementation does not "
            "declare: nothing was checked (marginspec conform generates runs within its "
            "capabilities)"
        )
    if result.failed:
        sys.exit(1)
