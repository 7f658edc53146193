"""The figures kit: conformance for tools that compute margin figures from a snapshot (FIG-*).

Calculators, trading bots and risk dashboards run no exchange: they take an account
snapshot and compute a liquidation price, margins or an available balance. The kit sends
them snapshots in the ``evaluate`` input schema and compares the figures they declare
with the model's (docs/conformance/figures.md).
"""

from marginspec.conformance.figures.engine import (
    FiguresCapabilities,
    FiguresEngine,
    ModelFiguresEngine,
    model_figures,
)
from marginspec.conformance.figures.search import SearchResult, search

__all__ = [
    "FiguresCapabilities",
    "FiguresEngine",
    "ModelFiguresEngine",
    "SearchResult",
    "model_figures",
    "search",
]
