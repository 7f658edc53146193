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

Each mutant runs in ONE process (``--jobs`` of them at once) that imports the copy once,
wraps its model engine as an :class:`~marginspec.conformance.engine.Engine`, runs the
static vectors once and the quick profile for every seed (a seed stops at its first
failure, shrunk), then, with ``--thorough``, the thorough profile on each seed that
quick missed. The reference model stays the installed ``marginspec``. A single engine
call that takes more than :data:`HANG_CPU` seconds of CPU is a hang: the engine raises,
which the kit reports as a crash (a protocol engine would time out).

**Not reached.** First, a pass runs the unmutated copy as the engine under the vectors,
quick and (with ``--thorough``) thorough for every seed, tracing which lines of the
mutated modules the engine executes (``sys.settrace``). A mutant whose mutated
expression lies on no executed line behaves exactly as the model under that traffic (the
draws depend on the seed and the model alone), so it survives it without being run; it
is counted as a survivor of class "not reached" and must be argued (code the exchange
never calls, loader checks of well-formed tables) or reached by a new move.

Why not mutmut or cosmic-ray: both mutate the files in place and re-run a test command
per mutant; here the reference model must stay intact in the same process as the
mutant and the "test" is the kit itself, so the mutants are made with ``ast`` (the
standard library) on a private copy.

    nice .venv/bin/python benchmarks/bench_mutation.py [--seeds 0-4] [--jobs 2]
        [--thorough] [--sample 200 --draw 0 --whole 0] [--modules margin,brackets,...]
        [--only module:index,...] [--json results.json]

``--sample N`` runs N points drawn with ``--draw`` on every seed, and every point on the
``--whole`` seeds. Prints one line per mutant (per seed: killed by quick or thorough,
CPU seconds, shrunk trace steps; "-" not reached) and per seed the kill rates, the CPU
time of killed and surviving mutants, and the survivors with their source line.
"""

from __future__ import annotations

import argparse
import ast
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
    """Loads one module of the copy from the mutated source instead of its file."""

    def __init__(self, name: str, source: str, origin: str) -> None:
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
        exec(compile(self.source, self.origin, "exec"), module.__dict__)


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
    if job["vectors"] is not None:
        started = time.process_time()
        checked = vectors.check(Path(job["vectors"]), engine())
        out["vectors"] = {"killed": bool(checked.failed), "cpu": time.process_time() - started}
    for seed in job["quick"]:
        out["quick"][str(seed)] = _profile(engine, "quick", seed)
    for seed in job["thorough"]:
        if not out["quick"].get(str(seed), {}).get("killed"):
            out["thorough"][str(seed)] = _profile(engine, "thorough", seed)
    out["cpu"] = time.process_time()  # the whole process, imports included
    return out


class Reach:
    """Which instructions of some files run (by their source positions), with
    ``sys.settrace`` opcode events in those files' frames only."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files  # file name -> module short name
        self.codes: dict[int, types.CodeType] = {}
        self.executed: set[tuple[int, int]] = set()  # (id of a code object, offset)

    def _local(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if event == "opcode":
            self.executed.add((id(frame.f_code), frame.f_lasti))
        return self._local

    def _calls(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename in self.files:
            self.codes[id(frame.f_code)] = frame.f_code
            frame.f_trace_opcodes = True
            return self._local
        return None

    def traced(self, call: Callable[[], Any]) -> Any:
        sys.settrace(self._calls)
        try:
            return call()
        finally:
            sys.settrace(None)

    def positions(self) -> dict[str, list[Span]]:
        found: dict[str, set[Span]] = {name: set() for name in self.files.values()}
        table = {key: list(code.co_positions()) for key, code in self.codes.items()}
        for key, offset in self.executed:
            position = table[key][offset // 2]  # one position per 2-byte code unit
            if None not in position:
                found[self.files[self.codes[key].co_filename]].add(position)  # type: ignore[arg-type]
        return {name: sorted(spans) for name, spans in found.items()}


def child_reach(job: dict[str, Any]) -> dict[str, Any]:
    """The instructions of the mutated modules the unmutated copy executes as the engine
    (their source positions): under the vectors (with ``vectors``), quick and thorough on
    one seed. Each includes what runs while the copy is imported and loads its rule set
    (the loader's checks), which every mutant's process runs."""
    from marginspec.conformance import driver, vectors
    from marginspec.rulefile import load_bundled

    sys.path.insert(0, job["copy"])
    reach = Reach(
        {str(Path(job["copy"]) / "marginspec_mut" / path): name for name, path in MODULES.items()}
    )
    engine = reach.traced(_engine_class)
    at_start = set(reach.executed)
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
        reach.executed = set(at_start)
        cpu = time.process_time()
        result = reach.traced(call)
        if phase != "vectors" and result.report is not None:
            raise SystemExit(f"the unmutated copy fails {phase} seed {job['seed']}")
        out[phase] = reach.positions()
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


def instructions(source: str, origin: str) -> list[Span]:
    """The source positions of every instruction of a module's functions."""
    found: set[Span] = set()
    stack = [compile(source, origin, "exec")]
    while stack:
        code = stack.pop()
        found.update(p for p in code.co_positions() if None not in p)  # type: ignore[misc]
        stack += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return sorted(found)


def _inside(p: Span, span: Span) -> bool:
    return (p[0], p[2]) >= (span[0], span[1]) and (p[1], p[3]) <= (span[2], span[3])


def _reached(executed: set[Span] | None, compiled: list[Span], span: Span) -> bool:
    """Whether the engine evaluated the expression at ``span``: one of the instructions
    compiled inside it ran; for an expression with none of its own (a constant folded
    into a larger one), one that starts on its lines ran."""
    if executed is None:
        return True  # no reach pass: assume reached, run it
    own = [p for p in compiled if _inside(p, span)]
    if own:
        return any(p in executed for p in own)
    return any(span[0] <= p[0] <= span[2] for p in executed)


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
    parser.add_argument("--thorough", action="store_true")
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
    compiled = {name: instructions(sources[name], origins[name]) for name in MODULES}
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
    profiles = ["quick", "thorough"] if args.thorough else ["quick"]
    lock = threading.Lock()
    if args.json:
        args.json.write_text("", encoding="utf-8")

    # The reach pass: what the unmutated copy executes, per seed and profile.
    reach: dict[str, Any] = {"vectors": None, "quick": {}, "thorough": {}}
    with ThreadPoolExecutor(args.jobs) as pool:
        if not args.no_reach:
            jobs = [
                {
                    "mode": "reach",
                    "copy": str(temp),
                    "seed": seed,
                    "profiles": profiles,
                    "vectors": str(corpus) if n == 0 else None,
                }
                for n, seed in enumerate(seeds)
            ]
            answers = pool.map(lambda j: _spawn(j, args.timeout), jobs)
            for seed, got in zip(seeds, answers, strict=True):
                if "child_error" in got or "timeout" in got:
                    raise SystemExit(f"reach pass, seed {seed}: {got}")
                if "vectors" in got:
                    print(f"reach pass: vectors {got['vectors_cpu']:.1f} s CPU", flush=True)
                for profile in profiles:
                    reach[profile][str(seed)] = got[profile]
                    if "vectors" in got:
                        reach["vectors"] = got["vectors"]
                    print(
                        f"reach pass: {profile} seed {seed} {got[profile + '_cpu']:.1f} s CPU",
                        flush=True,
                    )

        as_sets: dict[int, set[Span]] = {}

        def hit(executed: dict[str, Any] | None, name: str, span: Span) -> bool:
            if executed is None:
                return True
            key = id(executed[name])
            if key not in as_sets:
                as_sets[key] = {tuple(p) for p in executed[name]}  # type: ignore[misc]
            return _reached(as_sets[key], compiled[name], span)

        def job_of(k: int) -> dict[str, Any]:
            name, index, _, _, span = every[k]
            mine = plan[k]
            quick = [s for s in mine if hit(reach["quick"].get(str(s)), name, span)]
            thorough = [
                s for s in mine if args.thorough and hit(reach["thorough"].get(str(s)), name, span)
            ]
            hit_vectors = hit(reach["vectors"], name, span)
            return {
                "mode": "mutant",
                "copy": str(temp),
                "module": name,
                "source": mutate(sources[name], index)[0],
                "vectors": str(corpus) if hit_vectors else None,
                "quick": quick,
                "thorough": thorough,
            }

        def one(k: int) -> dict[str, Any]:
            job = job_of(k)
            if job["vectors"] is None and not job["quick"] and not job["thorough"]:
                result: dict[str, Any] = {"quick": {}, "thorough": {}}  # reached nowhere
            else:
                result = _spawn(job, args.timeout)
            name, index, what, line, _ = every[k]
            result.update(module=name, index=index, what=what, line=line, seeds=plan[k])
            result["reached"] = {
                "vectors": job["vectors"] is not None,
                "quick": job["quick"],
                "thorough": job["thorough"],
            }
            _print_row(result, plan[k])
            if args.json:
                with lock, args.json.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(result) + "\n")
            return result

        rows = list(pool.map(one, sorted(plan)))
    _summary(rows, seeds, profiles)
    print(f"wall {time.perf_counter() - started:.0f} s")
    shutil.rmtree(temp, ignore_errors=True)


def _crashed(result: dict[str, Any]) -> str:
    if "child_error" in result:
        return f"child_error: {result['child_error']}"
    return "timeout" if result.get("timeout") else ""


def _print_row(result: dict[str, Any], seeds: list[int]) -> None:
    cells = []
    for seed in seeds:
        quick, thorough = _stage(result, "quick", seed), _stage(result, "thorough", seed)
        if quick.get("killed"):
            cells.append(f"{seed}:q {quick['cpu']:.1f}s {quick['steps']}st")
        elif thorough.get("killed"):
            cells.append(f"{seed}:T {thorough['cpu']:.1f}s {thorough['steps']}st")
        elif seed not in result["reached"]["quick"]:
            cells.append(f"{seed}:-")
        else:
            cells.append(f"{seed}:S")
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
        reached = [r for r in mine if seed in r["reached"]["quick"]]
        ran = [r for r in quick if "import_error" not in r]
        killed_cpu = [_stage(r, "quick", seed)["cpu"] for r in ran]
        missed_cpu = [_stage(r, "quick", seed)["cpu"] for r in reached if r not in quick]
        steps = [float(_stage(r, "quick", seed)["steps"]) for r in ran]
        line = (
            f"seed {seed}: {len(mine)} mutants, quick reaches {len(reached)}, kills "
            f"{len(quick)} ({100 * len(quick) / len(mine):.1f}%); vectors or quick "
            f"{len(vec_quick)}"
        )
        if "thorough" in profiles:
            total = [r for r in mine if _killed_by(r, seed)]
            line += f"; with thorough {len(total)} ({100 * len(total) / len(mine):.1f}%)"
        print(line)
        print(
            f"  quick CPU s: killed {_fmt(killed_cpu)}; survived (reached) {_fmt(missed_cpu)};"
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
    cpus = [r["cpu"] for r in rows if "cpu" in r]
    print(f"CPU per mutant process: {_fmt(cpus)}, total {sum(cpus):.0f} s")
    for r in rows:
        survived = [s for s in r["seeds"] if not _killed_by(r, s) and not _crashed(r)]
        if survived:
            where = f"{r['module']}:{r['index']} {MODULES[r['module']]}:{r['line']}"
            missed = [s for s in survived if s in r["reached"]["quick"]]
            print(
                f"survivor: {where} {r['what']} on seeds {survived}"
                f" (reached by quick on {missed or 'none'})"
            )


if __name__ == "__main__":
    main()
