"""The documentation's figures: the mkdocs hook draws all three, from the model, into pages
that show them (docs/hooks/plots.py)."""

from __future__ import annotations

import importlib.util
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

from marginspec import brackets
from marginspec.numbers import exact
from marginspec.rulefile import load_bundled

REPO = Path(__file__).resolve().parents[2]
HOOK = REPO / "docs" / "hooks" / "plots.py"
SVG = "{http://www.w3.org/2000/svg}"


def _hook() -> ModuleType:
    pytest.importorskip("matplotlib", reason="the docs extra is not installed: pip install .[docs]")
    spec = importlib.util.spec_from_file_location("docs_hooks_plots", HOOK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _texts(path: Path) -> str:
    """The figure's words (the SVGs keep text as text: svg.fonttype = none)."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg", f"{path.name} is not an SVG"
    return "\n".join("".join(node.itertext()) for node in root.iter(f"{SVG}text"))


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("figures")
    return {path.name: path for path in _hook().generate(folder)}


def test_the_hook_draws_three_labelled_figures(drawn: dict[str, Path]) -> None:
    assert sorted(drawn) == ["diff-btcusdt.svg", "liquidation-btcusdt.svg", "mm-btcusdt.svg"], (
        "docs/hooks/plots.py FIGURES changed: embed a new figure in a page and name it here"
    )
    mm = _texts(drawn["mm-btcusdt.svg"])
    assert "maintenance margin (USDT)" in mm and "position notional at mark" in mm
    assert "MM (MM-1)" in mm and "10" in mm.splitlines()  # legend, bracket 10 labelled on top
    liquidation = _texts(drawn["liquidation-btcusdt.svg"])
    assert liquidation.count("liquidation price (USDT)") == 2
    assert "long 1 BTC (none at 1x: LIQ-5)" in liquidation and "short" in liquidation
    assert "up to 125 BTC" in liquidation  # LEV-3 at 20x: the 10,000,000 cap at 80,000


def test_the_diff_figure_marks_witnesses_the_model_confirms(drawn: dict[str, Path]) -> None:
    """The two witnesses in the picture are what THM-DIFF promises, checked by the formulas:
    a wallet covering OLD's MM and not NEW's (MM-1), a notional within OLD's cap for the
    leverage and beyond NEW's (LEV-3). Z3 may pick another valid witness in another process,
    so the test checks the property, not one particular witness."""
    old = load_bundled()
    new = _hook().proposed_change(old)
    t_old, t_new = old.markets["BTCUSDT"].brackets, new.markets["BTCUSDT"].brackets
    boundary = new.options.bracket_boundary
    words = _texts(drawn["diff-btcusdt.svg"])
    liquidated = re.search(r"witness: notional ([\d.]+), isolated wallet ([\d.]+)", words)
    assert liquidated is not None, words
    notional, wallet = (exact(v) for v in liquidated.groups())
    assert brackets.maint_margin(t_old, notional, boundary) <= wallet
    assert wallet < brackets.maint_margin(t_new, notional, boundary)
    refused = re.search(r"witness: ([\d.]+) USDT at (\d+)x, refused under new", words)
    assert refused is not None, words
    notional, leverage = exact(refused.group(1)), exact(refused.group(2))
    assert brackets.max_notional(t_new, leverage) < notional
    assert notional <= brackets.max_notional(t_old, leverage)
    assert "MM stricter on (50000, ∞]" in words
    assert "maximum leverage dropped on (50000, 250000]" in words


def test_a_figure_is_the_same_bytes_each_build(drawn: dict[str, Path]) -> None:
    again = _hook().draw("mm-btcusdt.svg", load_bundled())
    assert again == drawn["mm-btcusdt.svg"].read_bytes(), (
        "set svg.hashsalt and metadata Date None in docs/hooks/plots.py"
    )
    assert b"<dc:date>" not in again


def test_every_figure_is_shown_and_every_shown_figure_is_drawn() -> None:
    shown = {
        match
        for page in (REPO / "docs").rglob("*.md")
        for match in re.findall(r"\]\((?:\.\./)*img/([\w.-]+)\)", page.read_text(encoding="utf-8"))
    }
    names = set(_hook().FIGURES)
    assert shown == names, (
        f"pages show {sorted(shown)}, docs/hooks/plots.py draws {sorted(names)}: "
        "embed each figure as ![...](img/NAME.svg) and draw each embedded one in FIGURES"
    )
    assert "docs/hooks/plots.py" in (REPO / "mkdocs.yml").read_text(encoding="utf-8"), (
        "mkdocs.yml must list docs/hooks/plots.py under hooks: or the figures are never drawn"
    )
