"""The generated pages about the rules: the rule index and the theorem tables of the docs.

``python -m marginspec.ruleindex --write`` (from the repository) writes
``docs/rule-index.md`` (every rule ID of both spec files: its statement, the function that
computes it, the theorems and tests that cite it, its conformance targets and the static
vectors that exercise it) and the two theorem tables that ``docs/proofs.md`` includes;
``--check`` exits 1 naming the stale files. ``tests/whole_repo/test_generated_docs.py``
regenerates and diffs. Nothing here is edited by hand.

The computing function of a rule is the one whose docstring opens with ``ID:`` (the
convention of ``spec/rules.md``'s preamble), found by reading the sources of ``model/``
and ``proofs/``; the conformance kit's target predicates are left out (they name the
rule they target and compute nothing). A row of the account model's refusal table
(REF-n) is computed by the check that raises it: its constant
``NAME = Refusal("REF-n", code, message)`` and the functions that return
``refused(NAME, ...)``, found by reading the syntax of ``model/`` (:func:`refusals`).
"""

from __future__ import annotations

import ast
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from marginspec import rule_registry
from marginspec.rule_registry import Kind, Rule

if TYPE_CHECKING:  # the proofs are imported when a page is generated, not with this module
    from marginspec.proofs.theorem import Theorem

#: The command that regenerates every file of :func:`generated`.
COMMAND = "python -m marginspec.ruleindex --write"
INDEX = "docs/rule-index.md"
GENERIC_TABLE = "docs/theorems-generic.snippet"
CONCRETE_TABLE = "docs/theorems-concrete.snippet"

_OPENER = re.compile(rf"^({rule_registry.ID}(?:, {rule_registry.ID})*):")
#: Source folders scanned for computing functions; the conformance kit is left out.
_SOURCES = ("model", "proofs")
_NOT_COMPUTING = ("model/conformance/",)
_TESTS_SHOWN = 8
#: The headings of ``docs/proofs.md`` above each theorem table.
THEOREM_SECTIONS = {
    "generic": "Generic theorems (every well-formed table of K brackets)",
    "concrete": "Concrete theorems (per symbol of a rule set)",
}


@attrs.frozen
class Function:
    """A function (or method) in the repository, by its repo-relative file and line."""

    name: str  # dotted: module path and qualified name (``marginspec.margin.notional``)
    path: str  # repo-relative (``model/margin.py``)
    line: int
    end: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def repository() -> Path:
    """The repository this package was installed from in editable mode (the generated
    pages need its ``docs/`` and ``tests/``)."""
    root = Path(__file__).resolve().parents[1]
    if not (root / "spec" / "rules.md").is_file() or not (root / "docs").is_dir():
        raise SystemExit("marginspec.ruleindex: run it from an editable install of the repository")
    return root


def _module(path: str) -> str:
    parts = Path(path).with_suffix("").parts
    head = ("marginspec",) if parts[0] == "model" else ("marginspec", parts[0])
    tail = parts[1:-1] if parts[-1] == "__init__" else parts[1:]
    return ".".join(head + tail)


def _modules(root: Path, folders: Sequence[str]) -> Iterator[tuple[str, ast.Module]]:
    """Every ``.py`` file under ``folders`` (repo-relative path) with its syntax tree; the
    conformance kit is left out."""
    for folder in folders:
        for file in sorted((root / folder).rglob("*.py")):
            path = file.relative_to(root).as_posix()
            if not path.startswith(_NOT_COMPUTING):
                yield path, ast.parse(file.read_text(encoding="utf-8"))


def _functions(root: Path, folders: Sequence[str]) -> Iterator[tuple[Function, _Def]]:
    """Every function of the ``.py`` files under ``folders``, with its syntax node."""
    for path, tree in _modules(root, folders):
        yield from _walk(tree, path, _module(path))


_Def = ast.FunctionDef | ast.AsyncFunctionDef


def _walk(node: ast.AST, path: str, prefix: str) -> Iterator[tuple[Function, _Def]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            yield from _walk(child, path, f"{prefix}.{child.name}")
        elif isinstance(child, _Def):
            name = f"{prefix}.{child.name}"
            end = child.end_lineno or child.lineno
            yield Function(name, path, child.lineno, end), child
            yield from _walk(child, path, name)


def computing_functions(root: Path | None = None) -> dict[str, list[Function]]:
    """Per rule ID, the functions whose docstring opens with it (``ID:`` or ``ID, ID:``)."""
    found: dict[str, list[Function]] = {}
    for function, node in _functions(root or repository(), _SOURCES):
        opener = _OPENER.match(ast.get_docstring(node) or "")
        if opener:
            for rule_id in opener.group(1).split(", "):
                found.setdefault(rule_id, []).append(function)
    return found


@attrs.frozen
class Constant:
    """A refusal constant ``NAME = Refusal("REF-n", code, "message")`` of ``model/``."""

    name: str  # dotted (``marginspec.exchange.refusals.UNKNOWN_ORDER``)
    path: str
    line: int
    rule: str
    code: int | None
    msg: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@attrs.frozen
class Refusals:
    """How the code raises the refusals of the account model's table (the convention of
    ``spec/rules.md``'s preamble): per REF ID, its constants and the functions that return
    ``refused(CONSTANT, ...)``; and the ``refused(...)`` calls whose first argument names
    no constant (``where``: ``path:line``), which the convention forbids."""

    constants: dict[str, list[Constant]]
    raised_by: dict[str, list[Function]]
    unresolved: list[str]


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError):
        return None


def _constants(tree: ast.Module, path: str) -> Iterator[Constant]:
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "Refusal"
            and isinstance(target, ast.Name)
            and len(value.args) == 3
        ):
            rule, code, msg = (_literal(a) for a in value.args)
            if (
                isinstance(rule, str)
                and isinstance(msg, str)
                and (code is None or isinstance(code, int))
            ):
                yield Constant(f"{_module(path)}.{target.id}", path, node.lineno, rule, code, msg)


def _own_calls(node: ast.AST) -> Iterator[ast.Call]:
    """The calls in a function's body, not in the functions or classes it defines."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        if isinstance(child, _Def | ast.ClassDef):
            continue
        if isinstance(child, ast.Call):
            yield child
        stack.extend(ast.iter_child_nodes(child))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def refusals(root: Path | None = None) -> Refusals:
    """The refusal constants of ``model/`` and the functions that raise each one."""
    root = root or repository()
    constants: dict[str, list[Constant]] = {}
    by_name: dict[str, Constant] = {}
    for path, tree in _modules(root, ("model",)):
        for constant in _constants(tree, path):
            constants.setdefault(constant.rule, []).append(constant)
            by_name[constant.name.rsplit(".", 1)[1]] = constant
    raised_by: dict[str, list[Function]] = {}
    unresolved = []
    for function, node in _functions(root, ("model",)):
        for call in _own_calls(node):
            if _callee(call) != "refused":
                continue
            first = call.args[0] if call.args else None
            name = first.id if isinstance(first, ast.Name) else getattr(first, "attr", "")
            if name not in by_name:
                unresolved.append(f"{function.path}:{call.lineno}")
                continue
            raisers = raised_by.setdefault(by_name[name].rule, [])
            if function not in raisers:
                raisers.append(function)
    return Refusals(constants, raised_by, unresolved)


def tests_citing(root: Path | None = None) -> dict[str, list[str]]:
    """Per rule ID, the tests (``path::name``) whose source cites it; the whole-repository
    checks (``tests/whole_repo/``) test the spec and docs, not a rule, and are left out."""
    root = root or repository()
    found: dict[str, list[str]] = {}
    for file in sorted((root / "tests").rglob("test_*.py")):
        text = file.read_text(encoding="utf-8")
        path = file.relative_to(root).as_posix()
        if path.startswith("tests/whole_repo/"):
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                segment = ast.get_source_segment(text, node) or ""
                for rule_id in dict.fromkeys(rule_registry.cited(segment)):
                    found.setdefault(rule_id, []).append(f"{path}::{node.name}")
    return found


def theorems() -> tuple[tuple[str, Theorem], ...]:
    """Every theorem record with its kind, ``generic`` or ``concrete``."""
    from marginspec.proofs.concrete import CONCRETE
    from marginspec.proofs.generic import GENERIC

    return tuple(("generic", t) for t in GENERIC) + tuple(("concrete", t) for t in CONCRETE)


def conformance() -> tuple[dict[str, list[str]], dict[str, str], dict[str, list[str]]]:
    """The conformance kit's view of the bundled rule set: per rule ID its targets (what a
    covering step does), the excluded IDs and families (``FAM-*``) with their reasons, and
    the static vectors (seed 0) that exercise each target. The one place this module
    reads the kit: re-point it here when the kit's modules move."""
    from marginspec.conformance import coverage, vectors
    from marginspec.rulefile import DEFAULT_RULESET, load_bundled

    ruleset = load_bundled()
    targets: dict[str, list[str]] = {}
    for target in coverage.targets(ruleset):
        targets.setdefault(target.rule, []).append(target.what)
    excluded = dict(coverage.excluded(ruleset))
    excluded |= {f"{fam}-*": why for fam, why in coverage.EXCLUDED_FAMILIES.items()}
    corpus = vectors.generate(DEFAULT_RULESET, ruleset)
    return targets, excluded, dict(corpus.index["coverage"])


def slug(heading: str) -> str:
    """The anchor mkdocs (Python-Markdown's ``toc``) gives a heading."""
    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _spec_link(rule: Rule) -> str:
    page = "rules.md" if rule.spec == "rules.md" else "account-rules.md"
    anchor = "ref-refusals" if rule.kind is Kind.REFUSAL and rule.id != "REF-0" else None
    return f"{page}#{anchor or slug(f'{rule.id} · {rule.title}')}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _code(function: Function) -> list[str]:
    return [
        "",
        "    ```python",
        f'    --8<-- "{function.path}:{function.line}:{function.end}"',
        "    ```",
    ]


def rule_index() -> str:
    """The text of ``docs/rule-index.md``."""
    rules = rule_registry.all_rules()
    computing = computing_functions()
    tests = tests_citing()
    cites: dict[str, list[str]] = {}
    for kind, theorem in theorems():
        for rule_id in theorem.cites:
            anchor = slug(THEOREM_SECTIONS[kind])
            cites.setdefault(rule_id, []).append(f"[{theorem.id}](proofs.md#{anchor})")
    targets, excluded, vectors = conformance()
    raising = refusals()
    out = [
        "# Rule index",
        "",
        f"<!-- Generated by `{COMMAND}`: do not edit. -->",
        "",
        "Every rule ID of `spec/rules.md` and `spec/account-model.md`: its statement, the function",
        "that computes it (its docstring opens with the ID; its source is shown) or why none does,",
        "for a refusal its constant and the functions that return it, the theorems and tests that",
        "cite it, its conformance targets and the static vectors (`marginspec vectors generate`,",
        "seed 0) that exercise them. The heading links to the rule in the spec.",
        "",
    ]
    family = ""
    for rule in rules.values():
        if rule.family != family:
            family = rule.family
            out += [f"## {family}", ""]
        out += [f"### [{rule.id}]({_spec_link(rule)}) · {rule.title}", ""]
        out += [f"{_cell(rule.summary)} *({rule.kind.value})*", ""]
        functions = computing.get(rule.id, [])
        if functions:
            for f in functions:
                out.append(f"- **Computed by** `{f.name}` (`{f.where}`)")
                out += _code(f)
        elif rule.computed_by:
            out.append(f"- **No single function:** {_cell(rule.computed_by)}")
        for c in raising.constants.get(rule.id, []):
            out.append(f"- **Refusal** `{c.name}` (`{c.where}`)")
        raisers = raising.raised_by.get(rule.id, [])
        if raisers:
            shown = ", ".join(f"`{f.name}` (`{f.where}`)" for f in raisers)
            out.append(f"- **Refused by** {shown}")
        proofs = cites.get(rule.id, [])
        if proofs:
            out.append(f"- **Theorems:** {', '.join(proofs)}")
        cited_by = tests.get(rule.id, [])
        if cited_by:
            shown = ", ".join(f"`{t}`" for t in cited_by[:_TESTS_SHOWN])
            more = len(cited_by) - _TESTS_SHOWN
            out.append(f"- **Tests:** {shown}" + (f" and {more} more" if more > 0 else ""))
        if rule.id in targets:
            whats = "; ".join(_cell(w) for w in targets[rule.id])
            out.append(f"- **Conformance target:** {whats}")
            files = vectors.get(rule.id, [])
            if files:
                out.append(f"- **Vectors:** {', '.join(f'`{v}`' for v in files)}")
        else:
            why = excluded.get(rule.id) or excluded.get(f"{rule.family}-*")
            if why:
                out.append(f"- **Not a conformance target:** {_cell(why)}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def theorem_table(kind: str) -> str:
    """The theorem table of ``docs/proofs.md`` for ``generic`` or ``concrete`` theorems."""
    lines = ["| ID | rules | statement |", "|---|---|---|"]
    for k, theorem in theorems():
        if k == kind:
            lines.append(f"| {theorem.id} | {', '.join(theorem.cites)} | {theorem.statement} |")
    return "\n".join(lines) + "\n"


def generated() -> dict[str, str]:
    """Every generated file: repo-relative path → text."""
    return {
        INDEX: rule_index(),
        GENERIC_TABLE: theorem_table("generic"),
        CONCRETE_TABLE: theorem_table("concrete"),
    }


def stale(root: Path | None = None, texts: dict[str, str] | None = None) -> list[str]:
    """The generated files whose text differs from ``texts`` (default: :func:`generated`)."""
    root = root or repository()
    out = []
    for path, text in (texts or generated()).items():
        file = root / path
        if not file.is_file() or file.read_text(encoding="utf-8") != text:
            out.append(path)
    return out


def main(argv: Sequence[str]) -> int:
    if list(argv) == ["--write"]:
        root = repository()
        for path, text in generated().items():
            (root / path).write_text(text, encoding="utf-8")
        return 0
    if list(argv) == ["--check"]:
        old = stale()
        for path in old:
            print(f"{path} is stale: run `{COMMAND}`", file=sys.stderr)
        return 1 if old else 0
    if not argv:
        sys.stdout.write(rule_index())
        return 0
    print("usage: python -m marginspec.ruleindex [--write | --check]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
