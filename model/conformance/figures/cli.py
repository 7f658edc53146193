"""``marginspec conform --figures``: the figures kit at the command line (FIG-*).

Called by :mod:`marginspec.cli.conform` with its options; prints the reports, saves each
failure's smallest snapshot, and returns the exit status (0 no divergence, 1 a failure;
bad input raises :class:`~marginspec.errors.InputError`, exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from marginspec.conformance.figures.engine import FiguresEngine, load_figures_factory
from marginspec.conformance.figures.report import FiguresFailure
from marginspec.conformance.figures.search import search
from marginspec.errors import InputError
from marginspec.ruleset import RuleSet


def open_figures_engine(impl: str | None, cmd: str | None, timeout: float) -> FiguresEngine:
    """``--impl module:factory`` or ``--cmd "command"`` (exactly one)."""
    if (impl is None) == (cmd is None):
        raise InputError(
            "--impl/--cmd", "give exactly one of --impl module:factory or --cmd COMMAND"
        )
    if impl is not None:
        return load_figures_factory(impl)
    from marginspec.conformance.figures.protocol import SubprocessFiguresEngine

    assert cmd is not None
    return SubprocessFiguresEngine(cmd, timeout)


def saved_path(out: Path, index: int) -> Path:
    """Where failure ``index`` (0-based) is saved: ``out``, then ``out-2.json``, …"""
    return out if index == 0 else out.with_name(f"{out.stem}-{index + 1}{out.suffix}")


def run(
    engine: FiguresEngine,
    ruleset_ref: str,
    ruleset: RuleSet,
    seed: int,
    examples: int,
    failures: int,
    out: Path,
) -> int:
    result = search(engine, ruleset_ref, ruleset, seed, examples, failures)
    rate = result.snapshots / result.seconds if result.seconds else 0.0
    summary = (
        f"{result.capabilities.name}: {result.snapshots} snapshots in {result.seconds:.1f} s "
        f"({rate:.0f} snapshots/s), seed {seed}"
    )
    if not result.failures:
        click.echo(f"PASS {summary}")
        if result.reached:
            compared = ", ".join(f"{r} on {n} snapshots" for r, n in result.reached.items())
            click.echo(f"API-profile targets compared (FIG-8): {compared}")
        if result.skipped:
            click.echo(
                f"not compared (outside the declared capabilities): {', '.join(result.skipped)}"
            )
        return 0
    for index, failure in enumerate(result.failures):
        if index:
            click.echo("")
        click.echo(failure.text())
        if failure.snapshot:
            path = saved_path(out, index)
            failure.save(path)
            click.echo(
                f"found after {failure.seconds:.2f} s; smallest snapshot saved to {path} "
                f"(re-run: marginspec conform --figures --replay {path} --impl/--cmd ...)"
            )
    click.echo(f"{len(result.failures)} failure(s); {summary}")
    return 1


def replay(engine: FiguresEngine, path: Path) -> int:
    """Re-run a saved snapshot (a figures failure file, or a bare ``evaluate`` input) on the
    tool and compare with the model's figures, computed afresh under the file's rule set."""
    from marginspec.conformance.figures.api_form import model_answer
    from marginspec.conformance.figures.check import differences
    from marginspec.conformance.figures.explain import explain
    from marginspec.conformance.figures.report import read_saved
    from marginspec.conformance.figures.search import handshake
    from marginspec.exchange.trace import resolve_ruleset

    document = read_saved(path)
    ref = str(document.get("ruleset") or "aster-pro")
    ruleset = resolve_ruleset(ref, path.parent)
    caps, failed = handshake(engine, ref, ruleset)
    if failed is not None:
        click.echo(failed.text())
        return 1
    snapshot = document["snapshot"]
    figures, model = model_answer(snapshot, ruleset, caps)
    skipped: set[str] = set()
    try:
        answer = engine.figures(json.loads(json.dumps(snapshot)))
    except Exception as error:
        click.echo(f"FAIL (crash): {caps.name}: {type(error).__name__}: {error}")
        return 1
    diffs = differences(model, answer, caps, skipped)
    if not diffs:
        click.echo(f"{path}: {caps.name} agrees with the model on every declared figure")
        return 0
    for diff in diffs:
        failure = FiguresFailure(
            "divergence",
            caps.name,
            ref,
            snapshot,
            model,
            answer,
            diff,
            explain(diff, figures, ruleset),
            skipped=tuple(sorted(skipped)),
        )
        click.echo(failure.text())
        click.echo("")
    click.echo(f"{len(diffs)} figure(s) differ")
    return 1


def main(
    impl: str | None,
    cmd: str | None,
    timeout: float,
    seed: int,
    examples: int | None,
    ruleset_ref: str,
    out: Path,
    replay_path: Path | None,
    failures: int,
) -> int:
    """``conform --figures``: open the tool, then search (or ``--replay`` one snapshot)."""
    from marginspec.exchange.trace import resolve_ruleset
    from marginspec.rulefile import bundled_rulesets

    engine = open_figures_engine(impl, cmd, timeout)
    try:
        if replay_path is not None:
            return replay(engine, replay_path)
        ruleset = resolve_ruleset(ruleset_ref, Path.cwd(), "--ruleset")
        if ruleset_ref not in bundled_rulesets():
            ruleset_ref = str(Path(ruleset_ref).resolve())
        if failures < 1:
            raise InputError("--failures", "must be at least 1")
        return run(engine, ruleset_ref, ruleset, seed, examples or 2000, failures, out)
    finally:
        engine.close()
