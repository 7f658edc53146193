"""Deliberately wrong figures engines for the figures kit's tests (no peer installed)."""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from importlib.resources import files
from typing import Any

import attrs

from marginspec.conformance.capabilities import Capabilities, parse_capabilities
from marginspec.conformance.figures.api_form import model_answer
from marginspec.conformance.figures.engine import (
    FiguresCapabilities,
    FiguresEngine,
    ModelFiguresEngine,
    model_figures,
)
from marginspec.numbers import Exact
from marginspec.rulefile import parse_ruleset

LIQ_AND_MM = {"account": {}, "position": {"liquidationPrice": 8, "maintMargin": 8}}


class NoCum(FiguresEngine):
    """Every figure of the model on tables whose maintenance amounts (cum) are 0: ccxt's
    mistake in ``parse_position_risk``."""

    def handshake(self, hello: dict[str, Any]) -> FiguresCapabilities:
        ruleset = parse_ruleset(hello["ruleset"]["toml"], "<hello>")
        markets = {
            symbol: attrs.evolve(
                m, brackets=tuple(attrs.evolve(b, cum=Exact(0)) for b in m.brackets)
            )
            for symbol, m in ruleset.markets.items()
        }
        self.ruleset = attrs.evolve(ruleset, markets=markets)
        return FiguresCapabilities(Capabilities(name="NoCum", fields=LIQ_AND_MM))

    def figures(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        return model_figures(snapshot, self.ruleset)


class ZeroForNone(FiguresEngine):
    """The model's figures, with "no liquidation price" said as 0 (freqtrade's way)."""

    declare = True

    def handshake(self, hello: dict[str, Any]) -> FiguresCapabilities:
        self.ruleset = parse_ruleset(hello["ruleset"]["toml"], "<hello>")
        return FiguresCapabilities(
            Capabilities(name="ZeroForNone", fields=LIQ_AND_MM),
            no_price=frozenset({"0"}) if self.declare else frozenset(),
        )

    def figures(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        figures = model_figures(snapshot, self.ruleset)
        for p in figures["positions"]:
            if p["liquidationPrice"] is None:
                p["liquidationPrice"] = 0.0
        return figures


class ZeroForNoneUndeclared(ZeroForNone):
    declare = False


#: Every figure of the evaluate output within 8 decimals or one part in 10^12 (CONF-2).
TOLERANCE = {"decimals": 8, "relative": "1e-12"}
_TEXTS = frozenset({"symbol", "positionSide", "marginType"})


class BinaryFloats(FiguresEngine):
    """A correct tool that keeps every figure in binary floats, with the error of a little
    float arithmetic, and declares every figure within :data:`TOLERANCE`."""

    def __init__(self) -> None:
        self.inexact = 0  # figures whose float differs from the model's decimal

    def handshake(self, hello: dict[str, Any]) -> FiguresCapabilities:
        self.ruleset = parse_ruleset(hello["ruleset"]["toml"], "<hello>")
        output = json.loads(
            (files("marginspec") / "schemas" / "evaluate-output.schema.json").read_text()
        )
        account = [k for k in output["properties"] if k != "positions"]
        position = list(output["properties"]["positions"]["items"]["properties"])
        fields = {
            "account": dict.fromkeys(account, TOLERANCE),
            "position": dict.fromkeys(position, TOLERANCE),
        }
        return FiguresCapabilities(parse_capabilities({"name": "binary-floats", "fields": fields}))

    def _float(self, key: str, value: Any) -> Any:
        if key in _TEXTS or not isinstance(value, str):
            return value  # names, leverage and bracket (integers), booleans, null
        exact = Fraction(value)
        noisy = (float(exact) * 1.1) / 1.1 + float(exact) * 2.0**-50  # relative ~1e-15
        self.inexact += Fraction(noisy) != exact
        return noisy

    def figures(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        figures = model_figures(snapshot, self.ruleset)
        answer = {k: self._float(k, v) for k, v in figures.items() if k != "positions"}
        answer["positions"] = [
            {k: self._float(k, v) for k, v in p.items()} for p in figures["positions"]
        ]
        return answer


class BreakEvenAtEntry(FiguresEngine):
    """A tool that ignores the fees in the break-even price (FEE-2): it answers the entry
    price, and declares only ``breakEvenPrice``, to 8 decimals."""

    def handshake(self, hello: dict[str, Any]) -> FiguresCapabilities:
        self.ruleset = parse_ruleset(hello["ruleset"]["toml"], "<hello>")
        fields = {"account": {}, "position": {"breakEvenPrice": 8}}
        return FiguresCapabilities(Capabilities(name="BreakEvenAtEntry", fields=fields))

    def figures(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        figures = model_figures(snapshot, self.ruleset)
        for p in figures["positions"]:
            p["breakEvenPrice"] = p["entryPrice"]
        return figures


_EIGHT_PLACES = re.compile(r"-?[0-9]+\.[0-9]{8}")


class TwoPlaceApi(FiguresEngine):
    """A tool answering Binance's API form (SNAP-4) with every number the API writes to 8
    places written to 2 ("12.50" for "12.50000000", "0.76" for "0.76427700")."""

    def handshake(self, hello: dict[str, Any]) -> FiguresCapabilities:
        self.ruleset = parse_ruleset(hello["ruleset"]["toml"], "<hello>")
        self.caps = FiguresCapabilities(
            Capabilities(name="TwoPlaceApi", fields={"account": {}, "position": {}}),
            api="binance",
        )
        return self.caps

    def _two(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self._two(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._two(v) for v in value]
        if isinstance(value, str) and _EIGHT_PLACES.fullmatch(value):
            return str(Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_EVEN))
        return value

    def figures(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        answer = model_answer(snapshot, self.ruleset, self.caps)[1]
        answer["api"] = self._two(answer["api"])
        return answer


def model_with_api() -> FiguresEngine:
    """The model declaring breakEvenPrice and Binance's API form (FIG-8), for ``--impl``."""
    return ModelFiguresEngine(break_even=True, api="binance")
