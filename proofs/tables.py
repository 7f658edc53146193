"""Symbolic bracket tables: every field a Z3 variable (THM generic theorems).

The table is a :class:`marginspec.brackets.Bracket` tuple like any rule set's, so the
model's formula functions evaluate on it unchanged; its well-formedness is
:func:`marginspec.brackets.well_formedness`, the same conditions the loader enforces.
"""

from __future__ import annotations

import z3

from marginspec.brackets import Bracket, Table, well_formedness
from marginspec.symbolic import all_of, lift


def symbolic_table(size: int, prefix: str = "") -> tuple[Bracket, ...]:
    """A table of ``size`` brackets whose floors, caps, rates, leverages and amounts are Z3 reals."""
    return tuple(
        Bracket(
            bracket=k + 1,
            notional_floor=z3.Real(f"{prefix}floor{k + 1}"),
            notional_cap=z3.Real(f"{prefix}cap{k + 1}"),
            initial_leverage=z3.Real(f"{prefix}lev{k + 1}"),
            maint_margin_ratio=z3.Real(f"{prefix}mmr{k + 1}"),
            cum=z3.Real(f"{prefix}cum{k + 1}"),
        )
        for k in range(size)
    )


def well_formed(table: Table) -> z3.BoolRef:
    """The conditions of BRK-2 and BRK-5 on a symbolic table, as one Z3 condition."""
    return lift(all_of(r.holds for r in well_formedness(table)))


def as_terms(table: Table) -> tuple[Bracket, ...]:
    """A concrete table with every field lifted to a Z3 constant (exact)."""
    return tuple(
        Bracket(
            bracket=b.bracket,
            notional_floor=lift(b.notional_floor),
            notional_cap=lift(b.notional_cap),
            initial_leverage=lift(b.initial_leverage),
            maint_margin_ratio=lift(b.maint_margin_ratio),
            cum=lift(b.cum),
        )
        for b in table
    )
