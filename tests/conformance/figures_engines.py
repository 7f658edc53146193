"""Deliberately wrong figures engines for the figures kit's tests (no peer installed)."""

from __future__ import annotations

from typing import Any

import attrs

from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.figures.engine import (
    FiguresCapabilities,
    FiguresEngine,
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
