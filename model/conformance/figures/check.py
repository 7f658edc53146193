"""One snapshot through the tool and the model: every declared figure that differs (FIG-4).

Each figure is compared by the action kit's policy (CONF-2, :func:`~marginspec.conformance.
compare.same_value`: exact, or within ``10^-d`` for a field declared with ``d`` decimals)
and skipped unless declared (CONF-3). Unlike a trace step, a snapshot reports every
differing figure, not only the first: a tool wrong in its maintenance margin may be wrong
in its liquidation price for another reason. A price the model does not have (LIQ-5),
answered in a way the tool declared (``"0"``, ``null``), is the same answer. The API form a
tool declares (FIG-8, under the answer's ``api`` key) is compared field for field by
:func:`~marginspec.conformance.figures.api_form.api_fields`; its differences are named
``api.<field>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from marginspec.conformance.compare import same_value
from marginspec.conformance.figures.api_form import API_KEY, api_fields
from marginspec.conformance.figures.engine import FiguresCapabilities

_EXPONENT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+$")
#: The figures that are prices which may not exist (LIQ-5, BKR-1).
PRICE_FIELDS = frozenset({"liquidationPrice", "bankruptcyPrice"})


@attrs.frozen
class FigureDifference:
    """One figure where the tool disagrees with the model."""

    pointer: str  # e.g. /positions/0/liquidationPrice
    field: str
    model: Any
    impl: Any
    decimals: int | None = None
    position: int | None = None  # index into the model's positions, for a position figure
    note: str = ""


def _plain(value: Any) -> Any:
    """A Python float as the decimal its shortest repr is (what JSON would carry), and a
    number string in exponent notation (``"1.4e-05"``, Python's ``repr``) as its decimal."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str) and _EXPONENT.match(value):
        return Decimal(value)
    return value


def _says_none(value: Any, caps: FiguresCapabilities) -> bool:
    if value is None:
        return "null" in caps.no_price
    if "0" not in caps.no_price or isinstance(value, bool):
        return False
    try:
        return Decimal(str(value)) == 0
    except ArithmeticError:
        return False


def _field(
    group: str,
    key: str,
    want: Any,
    impl: Mapping[str, Any],
    caps: FiguresCapabilities,
    pointer: str,
    skipped: set[str],
) -> FigureDifference | None:
    compared, tol = caps.base.policy(group, key)
    decimals = tol.decimals if tol is not None else None
    if not compared:
        skipped.add(f"{group}.{key}")
        return None
    if key not in impl:
        return FigureDifference(pointer, key, want, None, decimals, note="figure missing")
    got = _plain(impl[key])
    if key in PRICE_FIELDS and want is None and _says_none(got, caps):
        return None
    if want is None:
        return None if got is None else FigureDifference(pointer, key, want, impl[key], decimals)
    if not same_value(want, got, tol):
        return FigureDifference(pointer, key, want, impl[key], decimals)
    return None


def _api(model: Mapping[str, Any], impl: Any) -> list[FigureDifference]:
    """The API form's differing fields (FIG-8, SNAP-4), each compared exactly."""
    return [
        FigureDifference(pointer, f"{API_KEY}.{field}", want, got, note=note)
        for pointer, field, want, got, note in api_fields(model, impl)
    ]


def differences(
    model: Mapping[str, Any],
    impl: Any,
    caps: FiguresCapabilities,
    skipped: set[str],
) -> list[FigureDifference]:
    """Every declared figure of ``impl`` that differs from the model's (FIG-4)."""
    if not isinstance(impl, Mapping):
        return [FigureDifference("", "figures", "an object", impl, note="not a JSON object")]
    if not caps.base.fields and impl == model:
        return []  # every figure compared exactly, and every figure equal
    found: list[FigureDifference] = []
    for key, want in model.items():
        if key == API_KEY:
            found += _api(want, impl.get(API_KEY))
        elif key != "positions":
            diff = _field("account", key, want, impl, caps, f"/{key}", skipped)
            if diff is not None:
                found.append(diff)
    listed = impl.get("positions")
    by_key = {
        (p.get("symbol"), p.get("positionSide", "BOTH")): p
        for p in (listed if isinstance(listed, list) else [])
        if isinstance(p, Mapping)
    }
    for index, want in enumerate(model["positions"]):
        here = f"/positions/{index}"
        got = by_key.get((want["symbol"], want["positionSide"]))
        if got is None:
            if Decimal(want["positionAmt"]) != 0:
                found.append(
                    FigureDifference(
                        here,
                        "positions",
                        f"{want['symbol']} {want['positionSide']}",
                        None,
                        position=index,
                        note="position missing from the answer",
                    )
                )
            continue
        for key, value in want.items():
            diff = _field("position", key, value, got, caps, f"{here}/{key}", skipped)
            if diff is not None:
                found.append(attrs.evolve(diff, position=index))
    return found
