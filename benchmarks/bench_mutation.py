"""The kit measured on bugs nobody wrote by hand: systematic mutations of the model's rule
code, each run as an engine against the untouched model (issue 12).

For each mutation point of the rule modules (formulas, transitions, fills, the
liquidation engine, refusals) one mutant is made: a comparison made strict or loose or
turned around, an arithmetic operator swapped, a term dropped (``a + b`` -> ``a``), an
integer constant off by one, the branches of a conditional expression swapped, a guard
skipped (``if c: return ...`` -> never), an operand replaced by its sibling (``entry``
for ``mark``). The mutant lives in a private copy of the package (``marginspec_mut``,
made once in a temporary folder, its imports renamed); each mutant runs in its own
process that imports the copy with the one mutated module, wraps its model engine as an
:class:`~marginspec.conformance.engine.Engine`, and runs the static vectors and the
quick profile (``--thorough`` adds the thorough profile for quick's survivors) against
the reference model, which stays the installed ``marginspec``.

Why not mutmut or cosmic-ray: both mutate the files in place and re-run a test command
per mutant; here the reference model must stay intact in the same process as the
mutant and the "test" is the kit itself, so the mutants are made with ``ast`` (the
standard library) on a private copy.

    .venv/bin/python benchmarks/bench_mutation.py [--seed 0] [--sample 60] [--jobs 2]
        [--modules margin,brackets,...] [--thorough] [--json results.json]

Prints one line per mutant (killed by vectors / quick / thorough, seconds, trace steps)
and the kill rates; survivors are listed with their source line, to be argued
equivalent in docs/performance.md or given the move or target that kills them.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
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
    """Counts the mutation points in function bodies; applies the ``target``-th one."""

    def __init__(self, target: int = -1) -> None:
        self.target = target
        self.count = 0
        self.done: tuple[str, int] | None = None  # (what, line)
        self.depth = 0

    def _point(self, node: ast.AST, what: str) -> bool:
        if self.depth == 0:
            return False
        hit = self.count == self.target
        self.count += 1
        if hit:
            self.done = (what, getattr(node, "lineno", 0))
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
        if self._point(node, "branches swapped"):
            node.body, node.orelse = node.orelse, node.body
        return node

    def visit_If(self, node: ast.If) -> Any:
        self.generic_visit(node)
        guards = node.body and isinstance(node.body[-1], ast.Return) and not node.orelse
        if guards and self._point(node, "guard skipped"):
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


# ------------------------------------------------------------------ one mutant (child process)

_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from marginspec.conformance import driver, vectors
from marginspec.conformance.engine import Engine
from marginspec.rulefile import load_bundled
import marginspec_mut.conformance.engine as mut_engine
import marginspec_mut.rulefile as mut_rulefile

class Wrapped(Engine):
    def __init__(self):
        self.inner = mut_engine.ModelEngine(mut_rulefile.load_bundled("aster-pro"))
    def handshake(self, hello):
        from marginspec.conformance.capabilities import Capabilities
        return Capabilities(name="mutant")
    def reset(self, initial):
        self.inner.reset(initial)
    def apply(self, action):
        return self.inner.apply(action)
    def snapshot(self, account):
        return self.inner.snapshot(account)

args = json.loads(sys.argv[2])
ruleset = load_bundled("aster-pro")
out = {}
from pathlib import Path
started = time.perf_counter()
try:
    checked = vectors.check(Path(args["vectors"]), Wrapped())
    out["vectors"] = bool(checked.failed)
except Exception as error:
    out["vectors"] = True  # the mutant crashed on import or on a vector: killed
    out["error"] = f"{type(error).__name__}: {error}"[:200]
out["vectors_s"] = time.perf_counter() - started
for profile in args["profiles"]:
    started = time.perf_counter()
    try:
        result = driver.run(Wrapped(), "aster-pro", ruleset, profile, seed=args["seed"])
        report = result.report
    except Exception as error:
        report = None
        out["error"] = f"{type(error).__name__}: {error}"[:200]
        out[profile] = True
    else:
        out[profile] = report is not None
        if report is not None:
            out[profile + "_steps"] = len(report.steps)
            out[profile + "_rules"] = list(report.rules)
    out[profile + "_s"] = time.perf_counter() - started
    if out[profile]:
        break  # killed: a later profile would kill it too
print(json.dumps(out))
"""


def run_mutant(job: dict[str, Any]) -> dict[str, Any]:
    """Write the one mutated module into a fresh copy folder and run the child."""
    work = Path(job["work"])
    module = work / "marginspec_mut" / MODULES[job["module"]]
    original = module.read_text(encoding="utf-8")
    module.write_text(job["source"], encoding="utf-8")
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(work), json.dumps(job["args"])],
            capture_output=True,
            text=True,
            timeout=job["timeout"],
            cwd=REPO,
        )
        lines = done.stdout.strip().splitlines()
        result = json.loads(lines[-1]) if lines else {"error": done.stderr[-300:]}
    except subprocess.TimeoutExpired:
        result = {"timeout": True}
    finally:
        module.write_text(original, encoding="utf-8")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=0, help="random sample of N mutants")
    parser.add_argument("--modules", default=",".join(MODULES))
    parser.add_argument("--thorough", action="store_true")
    parser.add_argument("--only", default="", help="module:index,... (as listed)")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    from marginspec.conformance import vectors
    from marginspec.rulefile import load_bundled

    temp = Path(tempfile.mkdtemp(prefix="marginspec-mutation-"))
    private_copy(temp)
    corpus = temp / "vectors"
    vectors.write(vectors.generate("aster-pro", load_bundled("aster-pro"), seed=0), corpus)
    plan = []
    for name in args.modules.split(","):
        source = (REPO / "model" / MODULES[name]).read_text(encoding="utf-8")
        plan += [(name, i) for i in range(points(source))]
    if args.only:
        plan = [(m, int(i)) for m, i in (p.split(":") for p in args.only.split(","))]
    elif args.sample and args.sample < len(plan):
        plan = sorted(random.Random(args.seed).sample(plan, args.sample))
    profiles = ["quick", "thorough"] if args.thorough else ["quick"]
    rows = []
    for name, index in plan:
        source = (REPO / "model" / MODULES[name]).read_text(encoding="utf-8")
        mutated, what, line = mutate(source, index)
        job = {
            "work": str(temp),
            "module": name,
            "source": mutated,
            "timeout": args.timeout,
            "args": {"vectors": str(corpus), "profiles": profiles, "seed": args.seed},
        }
        started = time.perf_counter()
        result = run_mutant(job)
        result.update(module=name, index=index, what=what, line=line)
        result["seconds"] = time.perf_counter() - started
        rows.append(result)
        killed = [k for k in ("vectors", *profiles) if result.get(k)]
        print(
            f"{name}:{index} {MODULES[name]}:{line} {what:28s} "
            f"{'killed by ' + ','.join(killed) if killed else 'SURVIVED'}"
            f" ({result['seconds']:.0f} s{', ' + result['error'] if 'error' in result else ''})",
            flush=True,
        )
    total = len(rows)
    stages = ("vectors", *profiles)
    for n, key in enumerate(stages):
        # a later profile runs only on the earlier ones' survivors: count cumulatively
        killed = sum(1 for r in rows if any(r.get(k) for k in stages[: n + 1]))
        print(f"killed by {key} (cumulative): {killed}/{total}")
    quick_alone = sum(1 for r in rows if r.get("quick"))
    print(f"quick alone kills {quick_alone}/{total} (seed {args.seed})")
    survivors = [r for r in rows if not any(r.get(k) for k in stages)]
    for r in survivors:
        where = f"{r['module']}:{r['index']} {MODULES[r['module']]}:{r['line']}"
        print(f"survivor: {where} {r['what']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
