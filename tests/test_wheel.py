"""The wheel, installed where nothing else is, runs every command (packaging).

What ``pip install marginspec`` gives a user, checked without the network: the wheel is
built from a copy of the sources (``pip wheel --no-deps --no-build-isolation``: the
setuptools of the test extra) and installed with ``--no-deps`` into a new virtual
environment that sees no other site-packages. Its dependencies come from this
environment, but only those the wheel declares (``Requires-Dist``, followed
transitively): each one's files are linked into a folder that a ``.pth`` file adds to
the new environment's path. A command importing an undeclared package (hypothesis was a
test extra while ``conform`` needed it) fails here, as do package data left out of the
wheel and a missing entry point. Every command of the CLI runs once; the pytest plugin
runs with pytest added for it alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import click
import pytest
from packaging.requirements import Requirement

from marginspec.cli import main

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "model", "proofs", "spec")


def _dependencies(requires: list[str], extras: tuple[str, ...] = ("",)) -> set[str]:
    """The distributions ``requires`` names, with everything they need in turn (as
    installed here: their markers evaluated for this interpreter)."""
    found: set[str] = set()
    todo = [(r, extras) for r in requires]
    while todo:
        text, wanted = todo.pop()
        requirement = Requirement(text)
        if requirement.marker and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in wanted
        ):
            continue
        name = metadata.distribution(requirement.name).metadata["Name"]
        key = name.lower().replace("_", "-")
        if key in found and not requirement.extras:
            continue
        found.add(key)
        needs = metadata.requires(name) or []
        todo += [(r, ("", *requirement.extras)) for r in needs]
    return found


def _link_distributions(names: set[str], folder: Path) -> None:
    """Link every top-level file or folder of each distribution into ``folder``."""
    folder.mkdir()
    for name in names:
        dist = metadata.distribution(name)
        for file in dist.files or ():
            top = file.parts[0]
            if top == ".." or (folder / top).exists():
                continue
            source = Path(str(dist.locate_file(top)))
            if source.exists():
                (folder / top).symlink_to(source)


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> set[str]:
    """Every leaf command of the CLI, as it is typed (``vectors check``)."""
    found: set[str] = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= _commands(command, (*prefix, name))
        else:
            found.add(" ".join((*prefix, name)))
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new environment with only the wheel and its declared dependencies; its bin/."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", root / "dist", source],
        check=True,
        cwd=root,
    )
    (wheel,) = (root / "dist").glob("marginspec-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", python, "install", "--no-deps", "--no-index", wheel], check=True
    )
    with zipfile.ZipFile(wheel) as archive:
        meta = archive.read("marginspec-0.1.0.dist-info/METADATA").decode()
    requires = [
        line.split(":", 1)[1].strip()
        for line in meta.splitlines()
        if line.startswith("Requires-Dist:")
    ]
    _link_distributions(_dependencies(requires), root / "dependencies")
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "marginspec-test-dependencies.pth").write_text(f"{root / 'dependencies'}\n")
    return venv / "bin"


def _run(
    bin_: Path,
    cwd: Path,
    *args: str | Path,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        input=input,
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PATH": f"{bin_}:{os.environ['PATH']}", "HOME": str(cwd), **(env or {})},
        timeout=120,
    )
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result.stdout


def test_the_installed_wheel_runs_every_command(installed: Path, tmp_path: Path) -> None:
    python = installed / "python"
    where = _run(installed, tmp_path, python, "-c", "import marginspec; print(marginspec.__file__)")
    assert where.startswith(str(installed.parent)), where  # the wheel, not this checkout
    marginspec = installed / "marginspec"
    serve = f"{marginspec} serve-protocol"
    bundled = Path(where).parent / "spec" / "rulesets" / "aster-pro.toml"
    sample = Path(where).parent / "examples" / "sample-account.json"
    answers = Path(where).parent / "examples" / "aster-answers.json"
    shutil.copy(REPO / "docs" / "traces" / "src" / "cross-two-symbols.json", tmp_path / "run.json")
    shutil.copy(REPO / "docs" / "guides" / "example-book.csv", tmp_path / "book.csv")
    hello = {"type": "hello", "protocol": "marginspec/1", "ruleset": {"name": "aster-pro"}}
    runs: list[tuple[str, list[str | Path], str | None]] = [
        ("rules list", ["rules", "list"], None),
        ("rules show", ["rules", "show", "BTCUSDT"], None),
        ("schema", ["schema", "trace"], None),
        ("evaluate", ["evaluate", sample], None),
        ("audit", ["audit", answers], None),
        ("demo", ["demo"], None),
        ("prove", ["prove", "--generic-size", "1", "--jobs", "1"], None),
        ("diff", ["diff", bundled, bundled], None),
        (
            "impact",
            ["impact", "binance-usdm", "aster-pro", "--book", "book.csv", "--out", "rows.parquet"],
            None,
        ),
        ("trace run", ["trace", "run", "run.json", "-o", "trace.json"], None),
        ("replay", ["replay", "trace.json"], None),
        ("serve-protocol", ["serve-protocol"], json.dumps(hello) + "\n"),
        ("vectors targets", ["vectors", "targets"], None),
        ("vectors generate", ["vectors", "generate", "--out", "vectors"], None),
        ("vectors check", ["vectors", "check", "vectors", "--cmd", serve], None),
        ("conform", ["conform", "--cmd", serve, "--examples", "10"], None),
        ("conform", ["conform", "--replay", "trace.json", "--cmd", serve], None),
    ]
    assert {name for name, _, _ in runs} == _commands(main), "a command this test does not run"
    out = [_run(installed, tmp_path, marginspec, *args, input=given) for _, args, given in runs]
    said = dict(zip((" ".join(map(str, args[:2])) for _, args, _ in runs), out, strict=True))
    assert "aster-pro" in said["rules list"] and "40 of 40 theorems proved" in said["demo"]
    assert json.loads(said["schema trace"])["$id"].endswith("trace.schema.json")
    assert json.loads(said["serve-protocol"])["type"] == "hello"
    assert "agree with the model" in said["replay trace.json"]
    assert "every figure agrees" in said[f"audit {answers}"]
    assert "0 failed" in said["vectors check"]
    assert "PASS marginspec-model:" in said["conform --cmd"]
    assert "agrees with every step" in said["conform --replay"]
    assert "become liquidatable" in said["impact binance-usdm"]
    # matplotlib is an extra (docs/dependencies.md): --plot without it is one line, exit 2
    plot = subprocess.run(
        [marginspec, "impact", "aster-pro", "aster-pro", "--book", "book.csv", "--plot", "p.png"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert plot.returncode == 2 and plot.stderr == (
        "marginspec: error: --plot: needs matplotlib: pip install 'marginspec[plot]'\n"
    ), plot.stderr


def test_the_installed_pytest_plugin_runs_the_kit(installed: Path, tmp_path: Path) -> None:
    """The ``pytest11`` entry point, with pytest (and only it) added to the environment."""
    tools = tmp_path / "pytest-only"
    _link_distributions(_dependencies(["pytest"]) - {"marginspec"}, tools)
    out = _run(
        installed,
        tmp_path,
        installed / "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--marginspec-cmd={installed / 'marginspec'} serve-protocol",
        "--marginspec-examples=10",
        env={"PYTHONPATH": str(tools)},
    )
    assert "1 passed" in out
