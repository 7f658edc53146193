"""Correct engines that report binary floats: no false alarm (issue 12, CONF-2).

The binary-float engine of ``tests/conformance/test_float_engines.py`` (the model's
decisions, every figure sent as a Python float carrying rounding noise, or as its
``repr()`` text such as ``"3.2e-07"``, each field declaring 8 decimals or one part in
10^12) runs the generated profiles and the whole static vector corpus of each seed; a
subset engine (the model declaring no hedge mode, no funding, no sweeps) runs the same
corpus, and its share of vectors run is printed (issue 12: at least 70%). Any failure
is a false alarm of the kit. Prints one line per run: verdict, runs or vectors, steps,
CPU seconds, and the fields that matched only within their tolerance.

    nice .venv/bin/python benchmarks/bench_float_engines.py [--seeds 0-4] [--jobs 2]
        [--profiles quick,thorough] [--variants floats,texts] [--no-vectors]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: variant name -> ``as_text`` of the binary-float engine
VARIANTS = {"floats": False, "texts": True}


def seeds(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def _tolerated(fields: tuple[str, ...]) -> str:
    return f"{len(fields)} fields within tolerance: {', '.join(fields) or '-'}"


def conform(job: tuple[str, str, int]) -> list[str]:
    """One generated campaign of the binary-float engine: its line."""
    from marginspec.conformance import driver
    from tests.conformance.helpers import RULESET
    from tests.conformance.test_float_engines import BinaryFloatEngine

    variant, profile, seed = job
    cpu = time.process_time()
    result = driver.run(BinaryFloatEngine(VARIANTS[variant]), "aster-pro", RULESET, profile, seed)
    cpu = time.process_time() - cpu
    verdict = "PASS" if result.report is None else "FAIL (false alarm)"
    line = (
        f"{profile:8s} {variant:6s} seed {seed}: {verdict}, {result.runs} runs, "
        f"{result.steps} steps, {cpu:.1f} s CPU; {_tolerated(result.tolerated)}"
    )
    if result.report is not None:
        line += "\n" + result.report.text()
    return [line]


def corpus(job: tuple[str, str, int]) -> list[str]:
    """The whole vector corpus of one seed: each float variant and the subset engine."""
    from marginspec.conformance import vectors
    from marginspec.conformance.capabilities import Capabilities
    from marginspec.conformance.engine import ModelEngine
    from tests.conformance.helpers import RULESET
    from tests.conformance.test_float_engines import BinaryFloatEngine

    class Subset(ModelEngine):
        """The model declaring no hedge mode, no funding and no liquidation sweeps."""

        def handshake(self, hello: dict[str, Any]) -> Capabilities:
            return Capabilities(hedge_mode=False, funding=False, liquidation_sweep=False)

    _, variants, seed = job
    lines = []
    made = vectors.generate("aster-pro", RULESET, seed)
    steps = sum(e["steps"] for e in made.index["vectors"])
    with tempfile.TemporaryDirectory() as folder:
        vectors.write(made, Path(folder), RULESET)
        engines: list[tuple[str, Any]] = [
            (v, BinaryFloatEngine(VARIANTS[v])) for v in variants.split(",")
        ]
        engines.append(("subset", Subset(RULESET)))
        for name, engine in engines:
            cpu = time.process_time()
            result = vectors.check(Path(folder), engine)
            cpu = time.process_time() - cpu
            ran = len(result.passed) + len(result.failed)
            total = ran + len(result.skipped) + len(result.not_run)
            verdict = "PASS" if not result.failed and not result.not_run else "FAIL"
            line = (
                f"vectors  {name:6s} seed {seed}: {verdict}, {ran}/{total} vectors run "
                f"({100 * ran / total:.0f}%) of {steps} steps, {cpu:.1f} s CPU"
            )
            if name != "subset":
                line += f"; {_tolerated(result.tolerated)}"
            lines.append(line)
            lines += [f"  {file}: {report.text()}" for file, report in result.failed]
    return lines


def _one(job: tuple[str, str, int]) -> list[str]:
    return corpus(job) if job[0] == "vectors" else conform(job)


def _longest_first(job: tuple[str, str, int]) -> int:
    kind = "vectors" if job[0] == "vectors" else job[1]
    return {"thorough": 0, "vectors": 1}.get(kind, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--profiles", default="quick,thorough")
    parser.add_argument("--variants", default="floats,texts")
    parser.add_argument("--no-vectors", action="store_true")
    args = parser.parse_args()
    jobs: list[tuple[str, str, int]] = []
    for seed in seeds(args.seeds):
        if not args.no_vectors:
            jobs.append(("vectors", args.variants, seed))
        for profile in args.profiles.split(","):
            jobs += [(v, profile, seed) for v in args.variants.split(",")]
    jobs.sort(key=_longest_first)  # so that the workers end together
    with ProcessPoolExecutor(args.jobs) as pool:
        for lines in pool.map(_one, jobs):
            print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
