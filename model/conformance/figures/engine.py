"""The figures kit's face of a tool under test (FIG-1): :class:`FiguresEngine`.

A calculator, a trading bot or a risk dashboard runs no exchange: it computes figures
(a liquidation price, margins, an available balance) from one account snapshot. A
figures engine receives snapshots in the ``evaluate`` input schema
(``marginspec/schemas/evaluate-input.schema.json``) and answers the figures it computes,
in the ``evaluate`` output's vocabulary. What it computes, and how precisely, it declares
in its handshake: the action kit's field declarations (:mod:`..capabilities`) plus the
few choices of its own below.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

import attrs

from marginspec.account import parse_account
from marginspec.api_profile import VENUES
from marginspec.conformance.capabilities import Capabilities, parse_capabilities
from marginspec.conformance.engine import factory_of_kind
from marginspec.conformance.engine import hello_json as action_hello
from marginspec.errors import InputError
from marginspec.evaluate import evaluate
from marginspec.report import account_json
from marginspec.ruleset import RuleSet

#: The protocol name of the figures kit's handshake (FIG-2).
PROTOCOL = "marginspec-figures/1"

MARGIN_TYPES = ("cross", "isolated")
#: The keys of the hello answer's ``figures`` object (FIG-1, FIG-8).
FIGURES_KEYS = (
    "marginTypes",
    "openOrders",
    "multiSymbol",
    "noLiquidationPrice",
    "breakEvenPrice",
    "api",
)
#: How a tool may say "no liquidation price" (LIQ-5): JSON null or the string "0".
NO_PRICE_TOKENS = ("null", "0")


@attrs.frozen
class FiguresCapabilities:
    """A tool's declared support (FIG-1): fields and decimals as in CONF-1, and what it models.

    ``fields`` of ``base`` lists the figures compared (groups ``account`` and ``position``);
    ``no_price`` the ways the tool says "no liquidation price", accepted as the model's
    ``null`` wherever the model has none (LIQ-5); a real price answered that way is
    still a divergence. ``break_even_flag`` and ``api`` declare the API-profile figures
    (FIG-8): ``breakEvenPrice`` in each position (FEE-2), and the whole answer of one
    venue's API as ``evaluate --api`` writes it (SNAP-4).
    """

    base: Capabilities = Capabilities()
    margin_types: frozenset[str] = frozenset(MARGIN_TYPES)
    open_orders: bool = True
    multi_symbol: bool = True
    no_price: frozenset[str] = frozenset()
    break_even_flag: bool = False
    api: str | None = None

    @property
    def break_even(self) -> bool:
        """``breakEvenPrice`` is compared: declared by the flag or listed in the ``position``
        group's fields (FIG-8)."""
        return self.break_even_flag or "breakEvenPrice" in self.base.fields.get("position", {})

    @property
    def name(self) -> str:
        return self.base.name

    def to_json(self) -> dict[str, Any]:
        return {
            "capabilities": self.base.to_json(),
            "figures": {
                "marginTypes": sorted(self.margin_types),
                "openOrders": self.open_orders,
                "multiSymbol": self.multi_symbol,
                "noLiquidationPrice": sorted(self.no_price),
                "breakEvenPrice": self.break_even_flag,
                **({"api": self.api} if self.api is not None else {}),
            },
        }


def parse_figures_capabilities(
    capabilities: Any, figures: Any, where: str = "/figures"
) -> FiguresCapabilities:
    """The hello answer's ``capabilities`` (CONF-1) and ``figures`` objects (FIG-1)."""
    base = parse_capabilities(capabilities if capabilities is not None else {})
    if figures is None:
        figures = {}
    if not isinstance(figures, Mapping):
        raise InputError(where, "expected a JSON object")
    for key in figures:
        if key not in FIGURES_KEYS:
            raise InputError(f"{where}/{key}", "unknown figures capability")
    margin_types = figures.get("marginTypes", list(MARGIN_TYPES))
    if (
        not isinstance(margin_types, list)
        or not margin_types
        or any(m not in MARGIN_TYPES for m in margin_types)
    ):
        raise InputError(f"{where}/marginTypes", "expected a non-empty list of cross, isolated")
    no_price = figures.get("noLiquidationPrice", [])
    if isinstance(no_price, str):
        no_price = [no_price]
    if not isinstance(no_price, list) or any(t not in NO_PRICE_TOKENS for t in no_price):
        raise InputError(f"{where}/noLiquidationPrice", 'expected "null", "0" or a list of them')
    api = figures.get("api")
    if api is not None and api not in VENUES:
        raise InputError(f"{where}/api", f"expected one of {', '.join(VENUES)} (evaluate --api)")
    flags = {}
    for key in ("openOrders", "multiSymbol", "breakEvenPrice"):
        value = figures.get(key, key != "breakEvenPrice")
        if not isinstance(value, bool):
            raise InputError(f"{where}/{key}", "expected true or false")
        flags[key] = value
    return FiguresCapabilities(
        base,
        frozenset(margin_types),
        flags["openOrders"],
        flags["multiSymbol"],
        frozenset(no_price),
        flags["breakEvenPrice"],
        api,
    )


def hello_json(ruleset_ref: str, ruleset: RuleSet) -> dict[str, Any]:
    """The figures kit's handshake: the action kit's (the rule set by name and in full)
    under the figures protocol's name."""
    return {**action_hello(ruleset_ref, ruleset), "protocol": PROTOCOL}


class FiguresEngine(abc.ABC):
    """A tool under test (FIG-1): :meth:`handshake` once, then :meth:`figures` per snapshot."""

    @abc.abstractmethod
    def handshake(self, hello: dict[str, Any]) -> FiguresCapabilities:
        """Receive the hello (protocol, rule set); declare the figures computed."""

    @abc.abstractmethod
    def figures(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        """The figures of one snapshot (``evaluate`` input -> the ``evaluate`` output's
        fields: account fields at the top, ``positions`` matched by symbol and side)."""

    def close(self) -> None:  # noqa: B027  (optional hook: most tools hold nothing)
        """Release resources (a subprocess); the default does nothing."""


def model_figures(snapshot: Mapping[str, Any], ruleset: RuleSet) -> dict[str, Any]:
    """What ``marginspec evaluate`` answers for ``snapshot``: the reference figures."""
    account = parse_account(snapshot, ruleset)
    return account_json(evaluate(account, ruleset), ruleset.options)


class ModelFiguresEngine(FiguresEngine):
    """The reference model as a figures engine (what ``serve-protocol --figures`` runs)."""

    name = "marginspec-model"

    def __init__(
        self, ruleset: RuleSet | None = None, break_even: bool = False, api: str | None = None
    ) -> None:
        self.ruleset = ruleset
        self.caps = FiguresCapabilities(break_even_flag=break_even, api=api)

    def handshake(self, hello: dict[str, Any]) -> FiguresCapabilities:
        from marginspec import __version__
        from marginspec.rulefile import parse_ruleset

        if self.ruleset is None:
            self.ruleset = parse_ruleset(hello["ruleset"]["toml"], "/ruleset/toml")
        base = Capabilities(name=self.name, version=__version__)
        self.caps = attrs.evolve(self.caps, base=base)
        return self.caps

    def figures(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        if self.ruleset is None:
            raise InputError("/", "handshake must come before figures")
        if not (self.caps.break_even or self.caps.api):
            return model_figures(snapshot, self.ruleset)
        from marginspec.conformance.figures.api_form import model_answer

        return model_answer(snapshot, self.ruleset, self.caps)[1]


def load_figures_factory(spec: str) -> FiguresEngine:
    """``module:factory`` called without arguments -> a :class:`FiguresEngine`, loaded as
    the action kit loads its engines (:func:`~marginspec.conformance.engine.factory_of_kind`)."""
    engine: FiguresEngine = factory_of_kind(spec, FiguresEngine)()
    return engine
