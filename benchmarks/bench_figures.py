"""Figures-kit speed and reach (not a timed test): docs/performance.md, section "Figures kit".

1. Snapshots per second in-process against the model (``ModelFiguresEngine``): drawing,
   the model's figures, the engine's figures, the comparison.
2. For each peer adapter of docs/conformance/peers/ whose tool is installed (freqtrade,
   ccxt; install them in a separate environment, see docs/conformance/figures.md), the
   time until the search has found a failure of each known cause, and that failure's
   smallest snapshot. A cause is recognised from the features the model puts in play
   (:mod:`marginspec.conformance.figures.explain`): "the tier of the stake" is a failure
   whose smallest snapshot is above the first bracket and has nothing else in play, and
   so on (``CAUSES`` below).

    python benchmarks/bench_figures.py [--examples 20000] [--seed 0] [--markdown] [--ruleset TOML]
        [--save docs/conformance/peers/found] [--cmd-python PYTHON]

With ``--cmd-python PYTHON`` each adapter runs as a JSON-lines server (``PYTHON
docs/conformance/peers/NAME.py``, what ``conform --figures --cmd`` runs): the tools need
to be installed for that Python only. The CPU figure then adds the tool's process's
(read from ``/proc``, Linux) to the kit's.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from marginspec.conformance.figures.engine import FiguresEngine, ModelFiguresEngine
from marginspec.conformance.figures.protocol import SubprocessFiguresEngine
from marginspec.conformance.figures.report import FiguresFailure
from marginspec.conformance.figures.search import search
from marginspec.rulefile import load_bundled

REPO = Path(__file__).resolve().parents[1]
RULES: list[Any] = ["aster-pro", load_bundled("aster-pro")]  # reference, rule set (--ruleset)
_OTHERS = frozenset({"others-long", "others-short", "others-cum"})


@attrs.frozen
class Cause:
    """A known cause: the figure, features that must be in play, features that must not."""

    name: str
    field: str
    needs: frozenset[str]
    excludes: frozenset[str]

    def matches(self, failure: FiguresFailure) -> bool:
        e = failure.explanation
        return (
            e is not None
            and e.field == self.field
            and self.needs <= e.features
            and not (self.excludes & e.features)
            and failure.positions <= 2
        )


def _cause(name: str, field: str, needs: set[str], excludes: set[str]) -> Cause:
    return Cause(name, field, frozenset(needs), frozenset(excludes | {"on-boundary"}))


LP = "liquidationPrice"
CAUSES = {
    "freqtrade_binance": (
        _cause(
            "tier looked up by the stake (margin), not the notional",
            LP,
            {"cum"},
            {"lp-bracket", "no-lp", "near-zero", "hedge"} | _OTHERS,
        ),
        _cause(
            "no tier re-check at the liquidation notional",
            LP,
            {"lp-bracket"},
            {"cum", "near-zero"} | _OTHERS,
        ),
        _cause("float cancellation near zero", LP, {"no-lp"}, {"cum", "lp-bracket"} | _OTHERS),
        _cause(
            "cross: a short elsewhere has its uPnL added with the long sign",
            LP,
            {"cross", "others-short"},
            {"cum", "lp-bracket", "others-cum", "others-long"},
        ),
        _cause(
            "cross: other positions' MM in the tier of their stake",
            LP,
            {"cross", "others-cum"},
            {"cum", "lp-bracket", "others-short"},
        ),
    ),
    "ccxt_binance": (
        _cause(
            "parse_position_risk: MM without the maintenance amount (cum)",
            "maintMargin",
            {"cum"},
            {"near-zero"} | _OTHERS,
        ),
        _cause(
            "parse_account_position: LP without the maintenance amount (cum)",
            LP,
            {"cum"},
            {"lp-bracket", "near-zero", "hedge"} | _OTHERS,
        ),
        _cause(
            "parse_account_position: cross LP without the other positions",
            LP,
            {"cross", "others-long"},
            {"cum", "lp-bracket", "others-cum", "others-short"},
        ),
    ),
}
PEERS = {"freqtrade_binance": "freqtrade", "ccxt_binance": "ccxt"}


def model_rate(examples: int, seed: int) -> tuple[int, float, int]:
    engine = ModelFiguresEngine(RULES[1])
    result = search(engine, RULES[0], RULES[1], seed=seed, examples=examples)
    return result.snapshots, result.seconds, len(result.failures)


def _tool_cpu(engine: FiguresEngine) -> float:
    """CPU seconds of a ``--cmd`` tool's process so far (Linux ``/proc``; 0 in process)."""
    running = getattr(getattr(engine, "process", None), "process", None)
    if running is None:
        return 0.0
    try:
        fields = Path(f"/proc/{running.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def peer(
    name: str, examples: int, seed: int, python: str | None = None
) -> list[tuple[Cause, FiguresFailure | None, float]]:
    engine: FiguresEngine
    if python is not None:
        script = REPO / "docs" / "conformance" / "peers" / f"{name}.py"
        engine = SubprocessFiguresEngine([python, str(script)], timeout=60.0)
    else:
        sys.path.insert(0, str(REPO))
        engine = importlib.import_module(f"docs.conformance.peers.{name}").factory()
    causes = CAUSES[name]

    cpu: list[float] = []  # CPU seconds (kit and tool) when each failure was kept
    started = time.process_time()

    def done(found: Sequence[FiguresFailure]) -> bool:
        cpu.append(time.process_time() - started + _tool_cpu(engine))
        return all(any(c.matches(f) for f in found) for c in causes)

    result = search(
        engine, RULES[0], RULES[1], seed=seed, examples=examples, failures=200, until=done
    )
    engine.close()
    found = []
    for cause in causes:
        index = next((i for i, f in enumerate(result.failures) if cause.matches(f)), None)
        found.append(
            (
                cause,
                None if index is None else result.failures[index],
                cpu[index] if index is not None else 0.0,
            )
        )
    return found


def causes_index(name: str, cause: Cause) -> int:
    return CAUSES[name].index(cause) + 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true", help="Minimal snapshots as Markdown.")
    parser.add_argument(
        "--save", type=Path, help="Save each cause's failure here (docs/conformance/peers/found)."
    )
    parser.add_argument("--ruleset", help="A rule-set TOML instead of aster-pro.")
    parser.add_argument(
        "--cmd-python", help="Run each adapter as a JSON-lines server with this Python."
    )
    args = parser.parse_args()
    if args.ruleset:
        from marginspec.exchange.trace import resolve_ruleset

        RULES[:] = [str(Path(args.ruleset).resolve()), resolve_ruleset(args.ruleset, Path.cwd())]
    started = time.process_time()
    count, seconds, failures = model_rate(min(args.examples, 10000), args.seed)
    cpu = time.process_time() - started
    print(
        f"model: {count} snapshots in {seconds:.2f} s wall, {cpu:.2f} s CPU: "
        f"{count / seconds:.0f} snapshots/s wall, {count / cpu:.0f}/s CPU; false alarms: {failures}"
    )
    for name, tool in PEERS.items():
        if args.cmd_python is None and importlib.util.find_spec(tool) is None:
            print(f"{name}: skipped ({tool} is not installed)")
            continue
        for cause, failure, cpu_seconds in peer(name, args.examples, args.seed, args.cmd_python):
            if failure is None:
                print(f"{name}: NOT FOUND: {cause.name}")
                continue
            d = failure.difference
            assert d is not None
            print(
                f"{name}: {cause.name}: found after {failure.seconds:.2f} s wall, "
                f"{cpu_seconds:.2f} s CPU "
                f"({failure.snapshots} snapshots), {failure.positions} position(s); "
                f"{d.field} model {json.dumps(d.model)} vs {json.dumps(d.impl, default=str)}; "
                f"rules {', '.join(failure.rules)}"
            )
            if args.save:
                failure.save(args.save / f"{name}-{causes_index(name, cause)}.json")
            if args.markdown:
                print(f"```json\n{json.dumps(failure.snapshot)}\n```")


if __name__ == "__main__":
    main()
