"""Generated docs are regenerated and diffed: the rule index and the theorem tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from marginspec import ruleindex
from marginspec.proofs.concrete import CONCRETE
from marginspec.proofs.generic import GENERIC

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return ruleindex.generated()


@pytest.mark.parametrize(
    "path", [ruleindex.INDEX, ruleindex.GENERIC_TABLE, ruleindex.CONCRETE_TABLE]
)
def test_generated_file_is_current(generated: dict[str, str], path: str) -> None:
    on_disk = (REPO / path).read_text(encoding="utf-8")
    assert on_disk == generated[path], f"{path} is stale: run `{ruleindex.COMMAND}`"


def test_theorem_tables_are_the_records(generated: dict[str, str]) -> None:
    """Every theorem's statement appears once, as its record words it, and the Proofs page
    includes the tables rather than restating them."""
    tables = generated[ruleindex.GENERIC_TABLE] + generated[ruleindex.CONCRETE_TABLE]
    for theorem in GENERIC + CONCRETE:
        row = f"| {theorem.id} | {', '.join(theorem.cites)} | {theorem.statement} |"
        assert tables.count(row) == 1, theorem.id
    proofs = (REPO / "docs" / "proofs.md").read_text(encoding="utf-8")
    assert f'--8<-- "{ruleindex.GENERIC_TABLE}"' in proofs
    assert f'--8<-- "{ruleindex.CONCRETE_TABLE}"' in proofs
    assert "| THM-" not in proofs


def test_index_links_each_rule_to_code_proof_and_tests(generated: dict[str, str]) -> None:
    index = generated[ruleindex.INDEX]
    section = index[index.index("### [MM-1]") : index.index("### [MM-2]")]
    assert "`marginspec.brackets.maint_margin` (`model/brackets.py:" in section
    assert '--8<-- "model/brackets.py:' in section
    assert "[THM-MM-1](proofs.md#generic-theorems-every-well-formed-table-of-k-brackets)" in section
    assert "tests/test_formulas.py::test_mm1_ex_mm4" in section
    ref = index[index.index("### [REF-4]") : index.index("### [REF-5]")]
    assert "account-rules.md#ref-refusals" in ref and "Conformance target" in ref


def test_stale_finds_a_hand_edited_file(generated: dict[str, str], tmp_path: Path) -> None:
    for path, text in generated.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    assert ruleindex.stale(tmp_path, generated) == []
    (tmp_path / ruleindex.CONCRETE_TABLE).write_text("edited by hand\n", encoding="utf-8")
    assert ruleindex.stale(tmp_path, generated) == [ruleindex.CONCRETE_TABLE]
