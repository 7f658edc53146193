"""Reading an engine's numbers (CONF-2): every form an engine may send, converted exactly.

The model never takes a binary float (NUM-1); an engine under test may send one, and the
kit must compare its amount, not refuse its format. Accepted, each read exactly:

* a decimal string, with or without an exponent (``"0.00000032"``, ``"3.2e-07"``), within
  the bounds of NUM-2;
* a JSON integer, or a JSON number with a fraction or exponent: the protocol reader
  (``subprocess_engine``) decodes those as :class:`~decimal.Decimal` from their text;
* from a Python engine (``--impl``): ``int``, :class:`~decimal.Decimal`,
  :class:`~fractions.Fraction`, and ``float``, read as the shortest decimal that gives
  back the same float (``repr``), which is the text ``json.dumps`` would have sent over
  ``--cmd``: the same engine answers the same amount through either door.

NaN and infinities are not amounts. :func:`read` says why a value is not a number, so a
report can tell a format problem from a wrong amount.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from marginspec.errors import InputError
from marginspec.numbers import Exact, exact


def read(value: object) -> tuple[Exact | None, str]:
    """(the exact amount, "") or (None, why it is not a number the kit reads)."""
    if isinstance(value, bool) or value is None:
        return None, f"{value!r} is not a number"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None, f"{value!r} is not a finite number"
        value = Decimal(repr(value))
    if not isinstance(value, (int, str, Decimal, Fraction)):
        return None, f"a {type(value).__name__} is not a number"
    try:
        return exact(value, exponent=True), ""
    except InputError as error:
        return None, error.message


def number(value: object) -> Exact | None:
    """The exact amount of ``value``, or None if it is not a number the kit reads."""
    return read(value)[0]


def looks_binary(value: object) -> bool:
    """A value that carries a binary float's noise: a float, or a text of 16 or more
    significant digits (``0.30000000000000004``). Said in a report, with the advice to
    declare a tolerance."""
    if isinstance(value, float):
        return True
    if isinstance(value, (str, Decimal)):
        digits = str(value).lower().split("e")[0].lstrip("+-").replace(".", "").lstrip("0")
        return len(digits) >= 16
    return False
