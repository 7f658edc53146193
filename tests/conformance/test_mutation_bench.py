"""The mutation benchmark's machinery (benchmarks/bench_mutation.py): every mutation point
gives a valid, different module, and the private copy imports beside the real package
without touching it."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conformance.helpers import REPO, RULESET, initial

_SPEC = importlib.util.spec_from_file_location(
    "bench_mutation", REPO / "benchmarks" / "bench_mutation.py"
)
assert _SPEC is not None and _SPEC.loader is not None
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)


def test_every_mutation_point_gives_a_different_valid_module() -> None:
    source = (REPO / "model" / "margin.py").read_text(encoding="utf-8")
    original = ast.unparse(ast.parse(source))
    count = bench.points(source)
    assert count >= 20
    kinds = set()
    for index in range(count):
        mutated, what, line = bench.mutate(source, index)
        assert mutated != original and line > 0
        compile(mutated, "margin.py", "exec")
        kinds.add(what.split(" ")[0])
    assert {"Lt", "Add", "term", "mark_price"} <= kinds


def test_the_private_copy_imports_beside_the_package(tmp_path: Path) -> None:
    bench.private_copy(tmp_path)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import marginspec, marginspec_mut.exchange as e, marginspec_mut.rulefile as r;"
        "assert 'marginspec_mut.margin' in sys.modules;"
        "print(r.load_bundled('aster-pro').name, e.Model.__module__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["aster-pro", "marginspec_mut.exchange.model"]


def test_a_mutant_is_made_from_the_copy_and_imports_only_the_copy(tmp_path: Path) -> None:
    # A mutant that imported the real package's modules beside the copy's would mix two
    # sets of classes and "fail" for that alone (a false kill).
    root = bench.private_copy(tmp_path)
    source = (root / bench.MODULES["transitions"]).read_text(encoding="utf-8")
    mutated, _, _ = bench.mutate(source, 0)
    imports = re.findall(r"^\s*(?:from|import) (marginspec\w*)", mutated, re.MULTILINE)
    assert imports and set(imports) == {"marginspec_mut"}


def test_the_probes_tell_reached_from_infected() -> None:
    # One line, two comparisons: line coverage would call both reached. With 1 < 2 the
    # mutant "<=" computes the same value (reached, not infected), ">" does not.
    source = (
        "def trigger(balance, maint, strict):\n"
        "    return balance < maint if strict else balance <= maint\n"
    )
    points = bench.catalogue(source)
    assert [what for what, _, _ in points] == [
        "Lt -> LtE",
        "Lt -> Gt",
        "LtE -> Lt",
        "LtE -> GtE",
        "branches swapped",
    ]
    probes = bench.Probes()
    probes.install()
    namespace: dict[str, Any] = {}
    exec(bench.probed(source, "margin", "trigger.py"), namespace)
    assert namespace["trigger"](1, 2, True) is True
    assert sorted(probes.reached) == [("margin", k) for k in (0, 1, 4)]
    assert sorted(probes.infected) == [("margin", 1), ("margin", 4)]
    assert namespace["trigger"](2, 2, True) is False  # on the boundary: "<=" differs
    assert ("margin", 0) in probes.infected


def test_a_guard_is_infected_only_when_it_would_have_returned() -> None:
    source = "def fee(x):\n    if x > 10:\n        return 0\n    return x - 1\n"
    probes = bench.Probes()
    probes.install()
    namespace: dict[str, Any] = {}
    exec(bench.probed(source, "fills", "fee.py"), namespace)
    whats = [what for what, _, _ in bench.catalogue(source)]
    guard = whats.index("guard skipped")
    assert namespace["fee"](3) == 2
    assert ("fills", guard) in probes.reached and ("fills", guard) not in probes.infected
    assert namespace["fee"](11) == 0
    assert ("fills", guard) in probes.infected


def test_a_replay_tells_an_engine_that_answers_otherwise() -> None:
    from marginspec.conformance.engine import ModelEngine

    class Model(ModelEngine):
        def __init__(self) -> None:
            super().__init__(RULESET)

    log: list[dict[str, Any]] = []
    recorded = bench._recorder(Model, log)()
    recorded.reset(initial(A="1000"))
    recorded.apply({"action": "deposit", "account": "A", "amount": "250"})
    recorded.snapshot("A")
    assert [kind for kind, _, _ in log[0]["calls"]] == ["a", "s"]
    assert not bench.replay_differs(Model(), log)

    class DepositsTwice(Model):
        def apply(self, action: dict[str, Any]) -> dict[str, Any]:
            super().apply(action)
            return super().apply(action)

    assert bench.replay_differs(DepositsTwice(), log)


def test_every_verdict_names_the_point_it_was_argued_for() -> None:
    """A rule-code edit shifts mutation points; ``benchmarks/rebase_verdicts.py`` carries
    the verdicts over. A verdict left on another point would count a live mutant as
    equivalent."""
    spec = importlib.util.spec_from_file_location(
        "mutation_verdicts", REPO / "benchmarks" / "mutation_verdicts.py"
    )
    assert spec is not None and spec.loader is not None
    verdicts = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(verdicts)
    points = {
        name: bench.catalogue((REPO / "model" / path).read_text(encoding="utf-8"))
        for name, path in bench.MODULES.items()
    }
    stale = [
        (key, line, what)
        for key, (reason, line, what) in verdicts.EQUIVALENT.items()
        if reason not in verdicts.REASONS
        or key[1] >= len(points[key[0]])
        or points[key[0]][key[1]][:2] != (what, line)
    ]
    assert stale == []
