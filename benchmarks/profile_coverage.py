"""Which coverage targets a driver profile's generated runs reach (CONF-5, CONF-9).

The model is driven as an engine that records every run (initial state and actions);
each run is then judged with the static vectors' coverage predicates. Prints the count
and the targets not reached.

    .venv/bin/python benchmarks/profile_coverage.py [--profile quick|thorough] [--seed S]
"""

from __future__ import annotations

import argparse
from typing import Any

from marginspec.conformance import driver, vectors
from marginspec.conformance.coverage import targets
from marginspec.conformance.engine import ModelEngine
from marginspec.rulefile import DEFAULT_RULESET, load_bundled


class RecordingEngine(ModelEngine):
    """The model as an engine, keeping every run it is given."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.runs: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []

    def reset(self, initial: dict[str, Any]) -> None:
        super().reset(initial)
        self.runs.append((initial, []))

    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        self.runs[-1][1].append(action)
        return super().apply(action)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick", choices=sorted(driver.PROFILES))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    ruleset = load_bundled()
    engine = RecordingEngine(ruleset)
    result = driver.run(engine, DEFAULT_RULESET, ruleset, args.profile, seed=args.seed)
    table = targets(ruleset)
    reached: set[str] = set()
    steps = 0
    for initial, actions in engine.runs:
        steps += len(actions)
        reached.update(vectors.exercises(ruleset, initial, actions, table))
    missing = [t.rule for t in table if t.rule not in reached]
    verdict = "PASS" if result.report is None else "FAIL"
    print(
        f"{verdict}: profile {args.profile}, seed {args.seed}: {len(engine.runs)} runs, "
        f"{steps} steps reach {len(table) - len(missing)} of {len(table)} targets"
    )
    print("not reached:", ", ".join(missing) or "none")


if __name__ == "__main__":
    main()
