"""The kit measured on bugs nobody wrote by hand: systematic mutations of the model's rule
code, each run as an engine against the untouched model (issue 12).

For each mutation point of the rule modules (formulas, transitions, fills, the
liquidation engine, refusals) one mutant is made: a comparison made strict or loose or
turned around, an arithmetic operator swapped, a term dropped (``a + b`` -> ``a``), an
integer constant off by one, the branches of a conditional expression swapped, a guard
skipped (``if c: return ...`` -> never), an operand replaced by its sibling (``entry``
for ``mark``). The mutant lives in a private copy of the package (``marginspec_mut``,
made once in a temporary folder, its imports renamed); the one mutated module is loaded
from memory by an import hook, so mutants run side by side on one read-only copy.

**The probe pass.** First, per seed, the unmutated copy runs as the engine with every
mutation point wrapped in a probe (:class:`Probes`) under the vectors, quick and, on the
``--thorough`` seeds, thorough: a point is *reached* when its expression is evaluated and
*infected* when the mutant's expression would have had another value there (``a <= b``
for ``a < b`` only when ``a == b``; a skipped guard only when it would have returned).
The kit's moves read the reference model and the draws depend on the seed alone, so a
mutant behaves exactly as the copy until its first infection: a mutant never infected
survives that campaign without being run ("not reached" or "never infected"; each must be
argued or reached by a new move). The pass also records every call the kit makes to the
copy and a digest of each answer.

**The mutants.** Each infected mutant runs in ONE process (``--jobs`` of them at once)
that imports the copy once, wraps its model engine as an
:class:`~marginspec.conformance.engine.Engine`, runs the static vectors once, then quick
for every seed (stopping at its first failure, shrunk), then thorough on the
``--thorough`` seeds that quick and the vectors missed (not for a mutant argued
equivalent in ``mutation_verdicts.py``: about 40 s of CPU a seed that would only confirm
the argument). Before a campaign it replays the
recorded calls: a mutant that answers every one as the copy did survives it (same
argument), and only one that answers otherwise is run through the kit, which gives the
time to kill and the shrunk trace. A single engine call that takes more than
:data:`HANG_CPU` seconds of CPU is a hang: the engine raises, which the kit reports as a
crash (a protocol engine would time out). The reference model stays the installed
``marginspec``.

Why not mutmut or cosmic-ray: both mutate the files in place and re-run a test command
per mutant; here the reference model must stay intact in the same process as the
mutant and the "test" is the kit itself, so the mutants are made with ``ast`` (the
standard library) on a private copy.

    nice .venv/bin/python benchmarks/bench_mutation.py [--seeds 0-4] [--jobs 2]
        [--thorough 0] [--sample 200 --draw 0 --whole 0] [--modules margin,brackets,...]
        [--only module:index,...] [--no-reach] [--json results.jsonl]

``--sample N`` runs N points drawn with ``--draw`` on every seed, and every point on the
``--whole`` seeds. Prints one line per mutant (per seed: ``q`` killed by quick, ``T`` by
thorough, with CPU seconds and shrunk trace steps; survived: ``-`` not reached, ``=``
never infected, ``S`` infected) and per seed the kill rates, the CPU time of killed and
surviving mutants, and the survivors with their source line.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

#: The rule code mutated: module path under model/ -> short name.
MODULES = {
    "margin": "margin.py",
    "brackets": "brackets.py",
    "liquidation": "liquidation.py",
    "transfers": "transfers.py",
    "fills": "exchange/fills.py",
    "transitions": "exchange/transitions.py",
    "liquidation_engine": "exchange/liquidation_engine.py",
    "adl": "exchange/adl.py",
    "fast_figures": "exchange/fast_figures.py",
}

#: Sibling operands a wrong engine confuses (one replaced by the other).
OPERANDS = {
    "entry_price": "mark_price",
    "mark_price": "entry_price",
    "maker_fee": "taker_fee",
    "taker_fee": "maker_fee",
    "cross_wallet": "isolated_wallet",
    "isolated_wallet": "cross_wallet",
}

#: CPU seconds one engine call may take before it counts as a hang (the model's calls
#: take milliseconds; a mutated loop bound can make one endless).
HANG_CPU = 20

#: Source positions (first line, first column, last line, end column), as ``co_positions``.
Span = tuple[int, int, int, int]

_COMPARE = {
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.GtE),
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
}
_ARITH = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}


class _Mutator(ast.NodeTransformer):
    """Counts the mutation points in function bodies; applies the ``target``-th one.

    ``found`` lists every point as (what, line, span): the span of the expression the
    mutant changes (for a skipped guard or swapped branches: the test), which the engine
    must evaluate for the mutant to differ.
    """

    def __init__(self, target: int = -1) -> None:
        self.target = target
        self.count = 0
        self.done: tuple[str, int] | None = None  # (what, line)
        self.found: list[tuple[str, int, Span]] = []
        self.depth = 0

    def _point(self, node: ast.AST, what: str, where: ast.AST | None = None) -> bool:
        if self.depth == 0:
            return False
        hit = self.count == self.target
        self.count += 1
        line = getattr(node, "lineno", 0)
        s = where or node
        end = getattr(s, "end_lineno", None) or s.lineno  # type: ignore[attr-defined]
        span = (s.lineno, s.col_offset, end, getattr(s, "end_col_offset", None) or 10**6)  # type: ignore[attr-defined]
        self.found.append((what, line, span))
        if hit:
            self.done = (what, line)
        return hit

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        self.depth += 1
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            node.body = [body[0], *[self.visit(n) for n in body[1:]]]  # not the docstring
        else:
            node.body = [self.visit(n) for n in body]
        self.depth -= 1
        return node

    def visit_Compare(self, node: ast.Compare) -> Any:
        self.generic_visit(node)
        if len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
            for other in _COMPARE[type(node.ops[0])]:
                if self._point(node, f"{type(node.ops[0]).__name__} -> {other.__name__}"):
                    node.ops = [other()]
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        self.generic_visit(node)
        if type(node.op) in _ARITH:
            swapped = _ARITH[type(node.op)]
            if self._point(node, f"{type(node.op).__name__} -> {swapped.__name__}"):
                node.op = swapped()
            if isinstance(node.op, ast.Add | ast.Sub) and self._point(node, "term dropped"):
                return node.left
        return node

    def visit_Constant(self, node: ast.Constant) -> Any:
        if type(node.value) is int and self._point(node, f"{node.value} -> {node.value + 1}"):
            return ast.copy_location(ast.Constant(node.value + 1), node)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        self.generic_visit(node)
        if self._point(node, "branches swapped", node.test):
            node.body, node.orelse = node.orelse, node.body
        return node

    def visit_If(self, node: ast.If) -> Any:
        self.generic_visit(node)
        guards = node.body and isinstance(node.body[-1], ast.Return) and not node.orelse
        if guards and self._point(node, "guard skipped", node.test):
            node.test = ast.copy_location(ast.Constant(False), node.test)
        return node

    def visit_Name(self, node: ast.Name) -> Any:
        wrong = OPERANDS.get(node.id)
        if wrong and isinstance(node.ctx, ast.Load) and self._point(node, f"{node.id} -> {wrong}"):
            return ast.copy_location(ast.Name(wrong, ast.Load()), node)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        self.generic_visit(node)
        wrong = OPERANDS.get(node.attr)
        if (
            wrong
            and isinstance(node.ctx, ast.Load)
            and self._point(node, f".{node.attr} -> .{wrong}")
        ):
            node.attr = wrong
        return node


def points(source: str) -> int:
    mutator = _Mutator()
    mutator.visit(ast.parse(source))
    return mutator.count


def catalogue(source: str) -> list[tuple[str, int, Span]]:
    """Every mutation point: (what, line, span of the changed expression)."""
    mutator = _Mutator()
    mutator.visit(ast.parse(source))
    return mutator.found


def mutate(source: str, index: int) -> tuple[str, str, int]:
    """(mutated source, what was changed, line)."""
    mutator = _Mutator(index)
    tree = mutator.visit(ast.parse(source))
    assert mutator.done is not None
    return ast.unparse(ast.fix_missing_locations(tree)), *mutator.done


class _Probe(_Mutator):
    """The module with every mutation point wrapped in a call that records, while the
    original runs, whether the point was evaluated (reached) and whether its mutant's
    value would have differed there (infected): ``_ms_compare``, ``_ms_arith``,
    ``_ms_guard`` and ``_ms_seen`` (:class:`Probes`). Numbered as :class:`_Mutator` counts.
    """

    def __init__(self, module: str) -> None:
        super().__init__()
        self.module = module

    def _take(self, n: int) -> int | None:
        if self.depth == 0:
            return None
        first = self.count
        self.count += n
        return first

    def _call(self, probe: str, k: int, node: ast.AST, *args: ast.expr) -> ast.expr:
        call = ast.Call(
            ast.Name(probe, ast.Load()), [ast.Constant(self.module), ast.Constant(k), *args], []
        )
        return ast.copy_location(call, node)

    def visit_Compare(self, node: ast.Compare) -> Any:
        self.generic_visit(node)
        if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
            return node
        others = _COMPARE[type(node.ops[0])]
        k = self._take(len(others))
        if k is None:
            return node
        names = ast.Constant(tuple(o.__name__ for o in (type(node.ops[0]), *others)))
        return self._call("_ms_compare", k, node, names, node.left, node.comparators[0])

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        self.generic_visit(node)
        if type(node.op) not in _ARITH:
            return node
        k = self._take(2 if isinstance(node.op, ast.Add | ast.Sub) else 1)
        if k is None:
            return node
        name = ast.Constant(type(node.op).__name__)
        return self._call("_ms_arith", k, node, name, node.left, node.right)

    def visit_Constant(self, node: ast.Constant) -> Any:
        k = self._take(1) if type(node.value) is int else None
        return node if k is None else self._call("_ms_seen", k, node, node)

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        self.generic_visit(node)
        k = self._take(1)
        return node if k is None else self._call("_ms_seen", k, node, node)

    def visit_If(self, node: ast.If) -> Any:
        self.generic_visit(node)
        guards = node.body and isinstance(node.body[-1], ast.Return) and not node.orelse
        k = self._take(1) if guards else None
        if k is not None:
            node.test = self._call("_ms_guard", k, node.test, node.test)
        return node

    def visit_Name(self, node: ast.Name) -> Any:
        k = self._take(1) if node.id in OPERANDS and isinstance(node.ctx, ast.Load) else None
        return node if k is None else self._call("_ms_seen", k, node, node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        self.generic_visit(node)
        load = node.attr in OPERANDS and isinstance(node.ctx, ast.Load)
        k = self._take(1) if load else None
        return node if k is None else self._call("_ms_seen", k, node, node)


def probed(source: str, module: str, origin: str) -> types.CodeType:
    """The module compiled with its mutation points probed (:class:`_Probe`)."""
    probe = _Probe(module)
    tree = probe.visit(ast.parse(source))
    assert probe.count == points(source)
    return compile(ast.fix_missing_locations(tree), origin, "exec")  # type: ignore[no-any-return]


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "Lt": lambda a, b: a < b,
    "LtE": lambda a, b: a <= b,
    "Gt": lambda a, b: a > b,
    "GtE": lambda a, b: a >= b,
    "Eq": lambda a, b: a == b,
    "NotEq": lambda a, b: a != b,
    "Add": lambda a, b: a + b,
    "Sub": lambda a, b: a - b,
    "Mult": lambda a, b: a * b,
    "Div": lambda a, b: a / b,
}
_SWAP = {"Add": "Sub", "Sub": "Add", "Mult": "Div", "Div": "Mult"}


class Probes:
    """What the probes of :func:`probed` record: (module, point) reached, and infected
    (the mutant's value there would differ from the original's). A mutant that is never
    infected behaves as the original all along, so it survives without being run."""

    def __init__(self) -> None:
        self.reached: set[tuple[str, int]] = set()
        self.infected: set[tuple[str, int]] = set()

    def install(self) -> None:
        import builtins

        for name in ("_ms_compare", "_ms_arith", "_ms_guard", "_ms_seen"):
            setattr(builtins, name, getattr(self, name.removeprefix("_ms_")))

    def _differs(self, module: str, k: int, value: Any, other: Callable[[], Any]) -> None:
        try:
            differs = bool(other() != value)
        except Exception:  # the mutant raises here: it differs
            differs = True
        if differs:
            self.infected.add((module, k))

    def compare(self, module: str, k: int, ops: tuple[str, ...], left: Any, right: Any) -> Any:
        value = _OPS[ops[0]](left, right)
        for j, other in enumerate(ops[1:]):
            self.reached.add((module, k + j))
            self._differs(module, k + j, value, lambda o=other: _OPS[o](left, right))
        return value

    def arith(self, module: str, k: int, op: str, left: Any, right: Any) -> Any:
        value = _OPS[op](left, right)
        self.reached.add((module, k))
        self._differs(module, k, value, lambda: _OPS[_SWAP[op]](left, right))
        if op in ("Add", "Sub"):  # the term dropped: ``left`` alone
            self.reached.add((module, k + 1))
            self._differs(module, k + 1, value, lambda: left)
        return value

    def guard(self, module: str, k: int, test: Any) -> Any:
        self.reached.add((module, k))
        if test:  # the mutant skips a guard that would have returned
            self.infected.add((module, k))
        return test

    def seen(self, module: str, k: int, value: Any) -> Any:
        # a constant off by one, branches swapped, a sibling operand: taken as differing
        self.reached.add((module, k))
        self.infected.add((module, k))
        return value

    def snapshot(self) -> dict[str, dict[str, list[int]]]:
        out: dict[str, dict[str, list[int]]] = {}
        for key, found in (("reached", self.reached), ("infected", self.infected)):
            out[key] = {name: sorted(k for m, k in found if m == name) for name in MODULES}
        return out


_IMPORT = re.compile(r"(?<![\w-])marginspec(?=\.[a-z_]|\s+import|$)", re.MULTILINE)


def private_copy(folder: Path) -> Path:
    """``marginspec_mut``: the package and its spec data, imports renamed."""
    root = folder / "marginspec_mut"
    shutil.copytree(REPO / "model", root, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "spec", root / "spec", ignore=shutil.ignore_patterns("__pycache__"))
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(_IMPORT.sub("marginspec_mut", text), encoding="utf-8")
    return root


def dotted(module: str) -> str:
    """``fills`` -> ``marginspec_mut.exchange.fills``."""
    return "marginspec_mut." + MODULES[module].removesuffix(".py").replace("/", ".")


def seed_list(text: str) -> list[int]:
    """``0-4`` or ``0,2,3`` -> the seeds."""
    out: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        out += range(int(low), int(high or low) + 1)
    return out


# ------------------------------------------------------------------ the child process


class _Hang(Exception):
    """An engine call took more than HANG_CPU seconds of CPU."""


def _on_hang(signum: int, frame: types.FrameType | None) -> None:
    raise _Hang(f"no answer after {HANG_CPU} s of CPU")


class _Hook(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Loads one module of the copy from the mutated source (or probed code) instead of
    its file."""

    def __init__(self, name: str, source: str | types.CodeType, origin: str) -> None:
        self.name, self.source, self.origin = name, source, origin

    def find_spec(
        self, fullname: str, path: Any, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=self.origin)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        module.__file__ = self.origin
        code = self.source
        if isinstance(code, str):
            code = compile(code, self.origin, "exec")
        exec(code, module.__dict__)


def _engine_class() -> Callable[[], Any]:
    """The copy's model engine behind the kit's Engine interface, with the hang alarm."""
    import marginspec_mut.conformance.engine as mut_engine  # type: ignore[import-not-found]
    import marginspec_mut.rulefile as mut_rulefile  # type: ignore[import-not-found]

    from marginspec.conformance.capabilities import Capabilities
    from marginspec.conformance.engine import Engine

    ruleset = mut_rulefile.load_bundled("aster-pro")

    def timed(call: Callable[[], Any]) -> Any:
        signal.setitimer(signal.ITIMER_PROF, HANG_CPU)
        try:
            return call()
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)

    class Mutant(Engine):
        def __init__(self) -> None:
            self.inner = mut_engine.ModelEngine(ruleset)

        def handshake(self, hello: dict[str, Any]) -> Capabilities:
            return Capabilities(name="mutant")

        def reset(self, initial: dict[str, Any]) -> None:
            timed(lambda: self.inner.reset(initial))

        def apply(self, action: dict[str, Any]) -> dict[str, Any]:
            return timed(lambda: self.inner.apply(action))  # type: ignore[no-any-return]

        def snapshot(self, account: str) -> dict[str, Any]:
            return timed(lambda: self.inner.snapshot(account))  # type: ignore[no-any-return]

    signal.signal(signal.SIGPROF, _on_hang)
    return Mutant


def _digest(value: Any) -> str:
    return hashlib.blake2b(json.dumps(value, sort_keys=True).encode(), digest_size=8).hexdigest()


def _recorder(engine: Callable[[], Any], log: list[dict[str, Any]]) -> Callable[[], Any]:
    """The engine class logging every call the kit makes and a digest of each answer:
    per generated run its initial state and ``[kind, argument, digest]`` calls."""

    class Recorded(engine):  # type: ignore[misc, valid-type]
        def reset(self, initial: dict[str, Any]) -> None:
            super().reset(initial)
            log.append({"initial": initial, "calls": []})

        def apply(self, action: dict[str, Any]) -> dict[str, Any]:
            got: dict[str, Any] = super().apply(action)
            log[-1]["calls"].append(["a", action, _digest(got)])
            return got

        def snapshot(self, account: str) -> dict[str, Any]:
            got: dict[str, Any] = super().snapshot(account)
            log[-1]["calls"].append(["s", account, _digest(got)])
            return got

    return Recorded


def replay_differs(engine: Any, log: list[dict[str, Any]]) -> bool:
    """Whether ``engine`` answers any call of a recorded campaign otherwise than the
    unmutated copy did. Until its first different answer a mutant sees exactly the
    traffic the copy saw (the kit's moves read the reference model, the draws depend on
    the seed), so a mutant that answers every call the same survives that campaign."""
    try:
        for run in log:
            engine.reset(run["initial"])
            for kind, argument, digest in run["calls"]:
                got = engine.apply(argument) if kind == "a" else engine.snapshot(argument)
                if _digest(got) != digest:
                    return True
    except Exception:  # a crash or a hang: differs
        return True
    return False


def _profile(engine: Callable[[], Any], profile: str, seed: int) -> dict[str, Any]:
    """One profile on one seed: killed?, CPU and wall seconds, shrunk steps, rules named."""
    from marginspec.conformance import driver
    from marginspec.rulefile import load_bundled

    cpu, wall = time.process_time(), time.perf_counter()
    out: dict[str, Any] = {}
    try:
        result = driver.run(engine(), "aster-pro", load_bundled("aster-pro"), profile, seed=seed)
    except Exception as error:  # the kit itself failed: reported, never counted as a kill
        out = {"killed": False, "kit_error": f"{type(error).__name__}: {error}"[:300]}
    else:
        report = result.report
        out = {"killed": report is not None, "runs": result.runs, "steps_played": result.steps}
        if report is not None:
            out.update(steps=len(report.steps), rules=list(report.rules), kind=report.kind)
    out.update(cpu=time.process_time() - cpu, wall=time.perf_counter() - wall)
    return out


def child_mutant(job: dict[str, Any]) -> dict[str, Any]:
    """Vectors once, quick per seed, thorough per seed quick missed (see the module doc)."""
    from marginspec.conformance import vectors

    cpu = time.process_time()
    sys.path.insert(0, job["copy"])
    origin = str(Path(job["copy"]) / "marginspec_mut" / MODULES[job["module"]])
    sys.meta_path.insert(0, _Hook(dotted(job["module"]), job["source"], origin))
    out: dict[str, Any] = {"quick": {}, "thorough": {}}
    try:
        engine = _engine_class()
    except Exception as error:  # the mutated module does not import: every run fails
        out["import_error"] = f"{type(error).__name__}: {error}"[:300]
        return out
    out["import_cpu"] = time.process_time() - cpu
    out["vectors"] = {"killed": False}
    if job["vectors"] is not None:
        started = time.process_time()
        checked = vectors.check(Path(job["vectors"]), engine())
        out["vectors"] = {"killed": bool(checked.failed), "cpu": time.process_time() - started}
    for profile in ("quick", "thorough"):
        for seed in job[profile]:
            if profile == "thorough" and (
                out["quick"].get(str(seed), {}).get("killed") or out["vectors"]["killed"]
            ):
                continue  # thorough only where quick and the vectors missed
            log = Path(job["copy"]) / f"log-{profile}-{seed}.json"
            if log.exists():
                started = time.process_time()
                if not replay_differs(engine(), json.loads(log.read_text(encoding="utf-8"))):
                    cpu = time.process_time() - started
                    out[profile][str(seed)] = {"killed": False, "replayed": True, "cpu": cpu}
                    continue
            out[profile][str(seed)] = _profile(engine, profile, seed)
    out["cpu"] = time.process_time()  # the whole process, imports included
    return out


def child_reach(job: dict[str, Any]) -> dict[str, Any]:
    """The unmutated copy as the engine with every mutation point probed (:class:`Probes`):
    which points are reached and infected under the vectors (with ``vectors``), quick and
    thorough on one seed. Each includes what runs while the copy is imported and loads its
    rule set (the loader's checks), which every mutant's process runs."""
    from marginspec.conformance import driver, vectors
    from marginspec.rulefile import load_bundled

    sys.path.insert(0, job["copy"])
    probes = Probes()
    probes.install()
    for name, path in MODULES.items():
        origin = str(Path(job["copy"]) / "marginspec_mut" / path)
        code = probed(Path(origin).read_text(encoding="utf-8"), name, origin)
        sys.meta_path.insert(0, _Hook(dotted(name), code, origin))
    log: list[dict[str, Any]] = []
    engine = _recorder(_engine_class(), log)
    at_start = set(probes.reached), set(probes.infected)
    out: dict[str, Any] = {}
    phases: list[tuple[str, Callable[[], Any]]] = []
    if job["vectors"] is not None:
        phases.append(("vectors", lambda: vectors.check(Path(job["vectors"]), engine())))
    ruleset = load_bundled("aster-pro")
    for profile in job["profiles"]:
        phases.append(
            (profile, lambda p=profile: driver.run(engine(), "aster-pro", ruleset, p, job["seed"]))
        )
    for phase, call in phases:
        probes.reached, probes.infected = set(at_start[0]), set(at_start[1])
        log.clear()
        cpu = time.process_time()
        result = call()
        failed = result.failed if phase == "vectors" else result.report
        if failed:
            raise SystemExit(f"the unmutated copy fails {phase} seed {job['seed']}")
        if phase != "vectors":  # the campaign a mutant replays first (replay_differs)
            where = Path(job["copy"]) / f"log-{phase}-{job['seed']}.json"
            where.write_text(json.dumps(log), encoding="utf-8")
        out[phase] = probes.snapshot()
        out[phase + "_cpu"] = time.process_time() - cpu
    return out


# ------------------------------------------------------------------ the parent


def _spawn(job: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run one child (``--child``) with ``job`` on its stdin; its JSON answer."""
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child"],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": True}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"child_error": done.stderr[-400:]}
    return json.loads(lines[-1])  # type: ignore[no-any-return]


def _stage(result: dict[str, Any], profile: str, seed: int) -> dict[str, Any]:
    return result.get(profile, {}).get(str(seed), {})  # type: ignore[no-any-return]


def _killed_by(result: dict[str, Any], seed: int) -> str:
    """'start', 'vectors', 'quick', 'thorough', or '' (survived) on one seed.

    'start': the mutated loader refuses the bundled rule set, so the engine cannot start
    (any run of the kit fails at once; counted as killed by every stage)."""
    if "import_error" in result:
        return "start"
    if _stage(result, "quick", seed).get("killed"):
        return "quick"
    if result.get("vectors", {}).get("killed"):
        return "vectors"
    if _stage(result, "thorough", seed).get("killed"):
        return "thorough"
    return ""


def _fmt(values: list[float]) -> str:
    if not values:
        return "-"
    return f"median {statistics.median(values):.1f}, max {max(values):.1f}"


def main() -> None:
    if sys.argv[1:] == ["--child"]:
        job = json.loads(sys.stdin.read())
        runner = child_reach if job["mode"] == "reach" else child_mutant
        print(json.dumps(runner(job)))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", default="0", help="e.g. 0-4 or 0,2")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once")
    parser.add_argument("--sample", type=int, default=0, help="N points drawn (0: all)")
    parser.add_argument("--draw", type=int, default=0, help="the seed of the sample's draw")
    parser.add_argument("--whole", default="", help="seeds on which every point runs")
    parser.add_argument("--modules", default=",".join(MODULES))
    parser.add_argument(
        "--thorough", default="", help="seeds on which thorough runs on quick's survivors"
    )
    parser.add_argument("--no-reach", action="store_true", help="run every mutant, no reach pass")
    parser.add_argument("--only", default="", help="module:index,... (as listed)")
    parser.add_argument("--timeout", type=float, default=3600, help="wall seconds per mutant")
    parser.add_argument("--json", type=Path, default=None, help="one JSON line per mutant")
    args = parser.parse_args()
    seeds = seed_list(args.seeds)
    whole = set(seed_list(args.whole)) if args.whole else set()

    sys.path.insert(0, str(REPO))
    from marginspec.conformance import vectors
    from marginspec.rulefile import load_bundled

    started = time.perf_counter()
    temp = Path(tempfile.mkdtemp(prefix="marginspec-mutation-"))
    private_copy(temp)
    corpus = temp / "vectors"
    vectors.write(vectors.generate("aster-pro", load_bundled("aster-pro"), seed=0), corpus)
    # The copy's text (imports renamed) is what is mutated: the mutant imports the copy.
    origins = {name: str(temp / "marginspec_mut" / MODULES[name]) for name in MODULES}
    sources = {name: Path(origins[name]).read_text(encoding="utf-8") for name in MODULES}
    every = [
        (name, i, *point)
        for name in args.modules.split(",")
        for i, point in enumerate(catalogue(sources[name]))
    ]
    if args.only:
        wanted = {(m, int(i)) for m, i in (p.split(":") for p in args.only.split(","))}
        every = [p for p in every if (p[0], p[1]) in wanted]
    sampled = set(range(len(every)))
    if args.sample and args.sample < len(every):
        sampled = set(random.Random(args.draw).sample(range(len(every)), args.sample))
    plan = {
        k: [s for s in seeds if s in whole or k in sampled]
        for k in range(len(every))
        if k in sampled or whole
    }
    deep = set(seed_list(args.thorough)) & set(seeds) if args.thorough else set()
    profiles = ["quick", "thorough"] if deep else ["quick"]
    lock = threading.Lock()
    if args.json:
        args.json.write_text("", encoding="utf-8")

    # The reach pass: what the probed copy reaches and infects, per seed and profile.
    reach: dict[str, Any] = {"vectors": None, "quick": {}, "thorough": {}}
    with ThreadPoolExecutor(args.jobs) as pool:
        if not args.no_reach:
            jobs = [
                {
                    "mode": "reach",
                    "copy": str(temp),
                    "seed": seed,
                    "profiles": ["quick", "thorough"] if seed in deep else ["quick"],
                    "vectors": str(corpus) if n == 0 else None,
                }
                for n, seed in enumerate(seeds)
            ]
            answers = pool.map(lambda j: _spawn(j, args.timeout), jobs)
            for seed, got in zip(seeds, answers, strict=True):
                if "child_error" in got or "timeout" in got:
                    raise SystemExit(f"reach pass, seed {seed}: {got}")
                if "vectors" in got:
                    reach["vectors"] = _as_sets(got["vectors"])
                    print(f"reach pass: vectors {got['vectors_cpu']:.1f} s CPU", flush=True)
                for profile in ("quick", "thorough") if seed in deep else ("quick",):
                    reach[profile][seed] = _as_sets(got[profile])
                    print(
                        f"reach pass: {profile} seed {seed} {got[profile + '_cpu']:.1f} s CPU",
                        flush=True,
                    )

        def state(probe: dict[str, set[tuple[str, int]]] | None, point: tuple[str, int]) -> str:
            """'infected' (run it), 'reached' (never infected), 'no' (not reached)."""
            if probe is None or point in probe["infected"]:
                return "infected"
            return "reached" if point in probe["reached"] else "no"

        def one(k: int) -> dict[str, Any]:
            name, index, what, line, _ = every[k]
            mine = plan[k]
            probe = {
                "vectors": state(reach["vectors"], (name, index)),
                "quick": {s: state(reach["quick"].get(s), (name, index)) for s in mine},
                "thorough": {
                    s: state(reach["thorough"].get(s), (name, index)) for s in mine if s in deep
                },
            }
            job = {
                "mode": "mutant",
                "copy": str(temp),
                "module": name,
                "source": mutate(sources[name], index)[0],
                "vectors": str(corpus) if probe["vectors"] == "infected" else None,
                "quick": [s for s, v in probe["quick"].items() if v == "infected"],
                "thorough": [s for s, v in probe["thorough"].items() if v == "infected"],
            }
            if verdict({"module": name, "index": index, "line": line, "what": what}).startswith(
                "equivalent"
            ):
                job["thorough"] = []  # argued equivalent: thorough would only confirm it
            if job["vectors"] is None and not job["quick"] and not job["thorough"]:
                result: dict[str, Any] = {"quick": {}, "thorough": {}}  # infected nowhere
            else:
                result = _spawn(job, args.timeout)
            result.update(module=name, index=index, what=what, line=line, seeds=mine, probe=probe)
            _print_row(result, mine)
            if args.json:
                with lock, args.json.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(result) + "\n")
            return result

        # In a random order: a run cut short still measured a random sample.
        order = sorted(plan)
        random.Random(args.draw).shuffle(order)
        rows = list(pool.map(one, order))
    _summary(rows, seeds, profiles)
    print(f"wall {time.perf_counter() - started:.0f} s")
    shutil.rmtree(temp, ignore_errors=True)


def _as_sets(probe: dict[str, dict[str, list[int]]]) -> dict[str, set[tuple[str, int]]]:
    return {
        key: {(name, k) for name, ks in found.items() for k in ks} for key, found in probe.items()
    }


def _probe(result: dict[str, Any], profile: str, seed: int) -> str:
    """How the probes saw the point on a seed: 'infected', 'reached' or 'no'."""
    return result["probe"][profile].get(str(seed), result["probe"][profile].get(seed, "no"))  # type: ignore[no-any-return]


def _crashed(result: dict[str, Any]) -> str:
    if "child_error" in result:
        return f"child_error: {result['child_error']}"
    return "timeout" if result.get("timeout") else ""


_MARK = {"no": "-", "reached": "=", "infected": "S"}


def _print_row(result: dict[str, Any], seeds: list[int]) -> None:
    """One line: per seed ``q`` killed by quick, ``T`` by thorough (CPU s, shrunk steps);
    survived: ``-`` not reached, ``=`` reached but never infected, ``S`` infected."""
    cells = []
    for seed in seeds:
        quick, thorough = _stage(result, "quick", seed), _stage(result, "thorough", seed)
        if quick.get("killed"):
            cells.append(f"{seed}:q {quick['cpu']:.1f}s {quick['steps']}st")
        elif thorough.get("killed"):
            cells.append(f"{seed}:T {thorough['cpu']:.1f}s {thorough['steps']}st")
        else:
            cells.append(f"{seed}:{_MARK[_probe(result, 'quick', seed)]}")
        if "kit_error" in quick or "kit_error" in thorough:
            cells[-1] += "!kit"
    if "import_error" in result:
        cells = [f"start: {result['import_error'][:80]}"]
    vec = result.get("vectors", {})
    where = f"{result['module']}:{result['index']} {MODULES[result['module']]}:{result['line']}"
    print(
        f"{where} {result['what']:24s} vec:{'K' if vec.get('killed') else '-'} "
        f"{' '.join(cells)} ({result.get('cpu', 0):.0f} s CPU) {_crashed(result)}",
        flush=True,
    )


def _summary(rows: list[dict[str, Any]], seeds: list[int], profiles: list[str]) -> None:
    broken = [r for r in rows if _crashed(r)]
    for r in broken:
        print(f"not measured: {r['module']}:{r['index']} {_crashed(r)}")
    for seed in seeds:
        mine = [r for r in rows if seed in r["seeds"] and not _crashed(r)]
        if not mine:
            continue
        quick = [r for r in mine if _killed_by(r, seed) in ("start", "quick")]
        vec_quick = [r for r in mine if r.get("vectors", {}).get("killed") or r in quick]
        seen = {
            state: [r for r in mine if _probe(r, "quick", seed) == state]
            for state in ("no", "reached", "infected")
        }
        ran = [r for r in quick if "import_error" not in r]
        killed_cpu = [_stage(r, "quick", seed)["cpu"] for r in ran]
        missed_cpu = [
            _stage(r, "quick", seed)["cpu"]
            for r in seen["infected"]
            if r not in quick and "cpu" in _stage(r, "quick", seed)
        ]
        steps = [float(_stage(r, "quick", seed)["steps"]) for r in ran]
        line = (
            f"seed {seed}: {len(mine)} mutants; quick: not reached {len(seen['no'])}, "
            f"reached never infected {len(seen['reached'])}, infected {len(seen['infected'])}; "
            f"quick kills {len(quick)} ({100 * len(quick) / len(mine):.1f}%); vectors or quick "
            f"{len(vec_quick)}"
        )
        if "thorough" in profiles:
            total = [r for r in mine if _killed_by(r, seed)]
            line += f"; with thorough {len(total)} ({100 * len(total) / len(mine):.1f}%)"
        print(line)
        print(
            f"  quick CPU s: killed {_fmt(killed_cpu)}; survived (infected) {_fmt(missed_cpu)};"
            f" shrunk steps {_fmt(steps)}"
        )
        if "thorough" in profiles:
            t_killed = [
                _stage(r, "thorough", seed)["cpu"]
                for r in mine
                if _stage(r, "thorough", seed).get("killed")
            ]
            t_missed = [
                _stage(r, "thorough", seed)["cpu"]
                for r in mine
                if "cpu" in _stage(r, "thorough", seed)
                and not _stage(r, "thorough", seed).get("killed")
            ]
            print(f"  thorough CPU s: killed {_fmt(t_killed)}; survived {_fmt(t_missed)}")
        kit = [r for r in mine if "kit_error" in _stage(r, "quick", seed)]
        kit += [r for r in mine if "kit_error" in _stage(r, "thorough", seed)]
        for r in kit:
            print(f"  kit error: {r['module']}:{r['index']}")
        _non_equivalent(mine, seed, "thorough" in profiles)
    cpus = [r["cpu"] for r in rows if "cpu" in r]
    print(f"CPU per mutant process: {_fmt(cpus)}, total {sum(cpus):.0f} s")
    for r in rows:
        survived = [s for s in r["seeds"] if not _killed_by(r, s) and not _crashed(r)]
        if survived:
            where = f"{r['module']}:{r['index']} {MODULES[r['module']]}:{r['line']}"
            how = " ".join(f"{s}{_MARK[_probe(r, 'quick', s)]}" for s in survived)
            print(f"survivor: {where} {r['what']} ({how}) {verdict(r)}")


def verdict(result: dict[str, Any]) -> str:
    """'equivalent: REASON' for a mutant argued equivalent (mutation_verdicts.py),
    'stale verdict' when the point at its index is no longer the one argued, else 'OPEN'."""
    from mutation_verdicts import EQUIVALENT

    argued = EQUIVALENT.get((result["module"], result["index"]))
    if argued is None:
        return "OPEN"
    reason, line, what = argued
    if (line, what) != (result["line"], result["what"]):
        return f"stale verdict (argued for line {line}, {what})"
    return f"equivalent: {reason}"


def _non_equivalent(mine: list[dict[str, Any]], seed: int, thorough: bool) -> None:
    """Issue 12's figures: the kill rates over the mutants not argued equivalent."""
    counted = [r for r in mine if not verdict(r).startswith("equivalent")]
    if not counted:
        return
    by = [_killed_by(r, seed) for r in counted]
    quick = sum(k in ("start", "quick") for k in by)
    either = sum(
        k in ("start", "quick") or bool(r.get("vectors", {}).get("killed"))
        for k, r in zip(by, counted, strict=True)
    )
    line = (
        f"  non-equivalent {len(counted)} (argued equivalent {len(mine) - len(counted)}): "
        f"quick {quick} ({100 * quick / len(counted):.1f}%), vectors or quick {either} "
        f"({100 * either / len(counted):.1f}%)"
    )
    if thorough:
        total = sum(bool(k) for k in by)
        line += f", with thorough {total} ({100 * total / len(counted):.1f}%)"
    print(line)


if __name__ == "__main__":
    main()
