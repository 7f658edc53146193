"""What an implementation under test declares in its handshake (CONF-1).

The handshake answer (``{"type": "hello", "capabilities": {...}}``) is::

    {"name": "my-engine", "version": "1.2",
     "hedgeMode": true, "funding": true, "liquidationSweep": true,
     "actions": ["deposit", ...],                 # optional: the actions it accepts
     "orderTypes": ["LIMIT"], "timeInForce": ["GTC"],  # optional: what placeOrder takes
     "selfTradePrevention": ["NONE"],             # optional: the modes placeOrder may name
     "outcome": ["status", "code", "orderId", "events"],   # optional: outcome fields compared
     "fields": {"account":  {"availableBalance": 8, ...},  # optional: field -> decimals
                "position": {"liquidationPrice": 2, ...},  #   (null: exact)
                "order":    {"price": null, ...},
                "event":    {"amount": {"decimals": 8, "relative": "1e-12"}}}}

A field's tolerance is ``null`` (exact), an integer ``d`` (absolute: within ``10^-d``) or
an object with ``decimals`` and/or ``relative`` (``|impl - model| <= relative * |model|``,
a decimal string): a binary-float engine's error grows with the magnitude (a mark of
2e11 has no 6th decimal in a double), so a relative bound is the one it can meet.

Everything omitted means "all of it, exactly": an implementation that declares nothing
is compared on every field of the model's snapshot, exactly (CONF-2). A field group
that is declared lists the only fields compared; the others are skipped and named in
the report (CONF-3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from marginspec.conformance.reading import read
from marginspec.errors import InputError
from marginspec.exchange import ACTION_NAMES
from marginspec.exchange.actions import PLACEABLE_TYPES, STP_MODES, TIME_IN_FORCE
from marginspec.numbers import MAX_EXPONENT, Exact, to_plain

#: The outcome fields compared unless the implementation declares its own list.
DEFAULT_OUTCOME_FIELDS = ("status", "code", "orderId", "events")
OUTCOME_FIELDS = ("status", "code", "msg", "rule", "orderId", "events")
#: Snapshot groups, and ``event`` (the fields of ``outcome.events``, compared exactly
#: unless declared: an undeclared event field is still compared, see :meth:`Capabilities.policy`).
GROUPS = ("account", "position", "order", "event")


@attrs.frozen
class Tolerance:
    """How far a field may be from the model's exact value (CONF-2).

    ``decimals``: absolute, ``|impl - model| <= 10^-decimals``; ``relative``:
    ``|impl - model| <= relative * |model|``. A value within either bound matches."""

    decimals: int | None = None
    relative: Exact | None = None

    def admits(self, model: Exact, impl: Exact) -> bool:
        error = abs(impl - model)
        if self.decimals is not None and error * 10**self.decimals <= 1:
            return True
        return self.relative is not None and error <= self.relative * abs(model)

    def describe(self) -> str:
        parts = []
        if self.decimals is not None:
            parts.append(f"{self.decimals} decimals")
        if self.relative is not None:
            parts.append(f"a relative {to_plain(self.relative)}")
        return " or ".join(parts) or "exactly"

    def to_json(self) -> int | dict[str, Any] | None:
        if self.relative is None:
            return self.decimals
        out: dict[str, Any] = {"relative": to_plain(self.relative)}
        if self.decimals is not None:
            out["decimals"] = self.decimals
        return out


#: Per field: None (exact), an int (decimals) or a :class:`Tolerance`.
FieldPolicy = Mapping[str, "int | Tolerance | None"]


def tolerance(declared: int | Tolerance | None) -> Tolerance | None:
    """A declared field policy as a :class:`Tolerance` (None: exact)."""
    if declared is None or isinstance(declared, Tolerance):
        return declared
    return Tolerance(decimals=declared)


@attrs.frozen
class Capabilities:
    """An implementation's declared support (CONF-1)."""

    name: str = "implementation"
    version: str = ""
    hedge_mode: bool = True
    funding: bool = True
    liquidation_sweep: bool = True
    actions: frozenset[str] = frozenset(ACTION_NAMES)
    #: The order types and times in force ``placeOrder`` may use (ACT-6, ACT-ORD-6): the kit
    #: generates only these, and skips a static vector that uses others.
    order_types: frozenset[str] = frozenset(PLACEABLE_TYPES)
    time_in_force: frozenset[str] = frozenset(TIME_IN_FORCE)
    #: STP-1: the ``selfTradePreventionMode`` values ``placeOrder`` may name; the kit names
    #: only these (an order naming none takes the rule set's default).
    self_trade_prevention: frozenset[str] = frozenset(STP_MODES)
    outcome: tuple[str, ...] = DEFAULT_OUTCOME_FIELDS
    #: group -> field -> decimals; a group absent from the mapping is compared in full.
    fields: Mapping[str, FieldPolicy] = attrs.field(factory=dict)

    def supports(self, action: str) -> bool:
        if action == "funding" and not self.funding:
            return False
        if action == "liquidationSweep" and not self.liquidation_sweep:
            return False
        return action in self.actions

    def supports_action(self, action: Mapping[str, Any]) -> bool:
        """An action's JSON form: its name, and for ``placeOrder`` its type and time in force."""
        if not self.supports(str(action.get("action"))):
            return False
        if action.get("action") != "placeOrder":
            return True
        stp = action.get("selfTradePreventionMode")
        return (
            action.get("type", "LIMIT") in self.order_types
            and action.get("timeInForce", "GTC") in self.time_in_force
            and (stp is None or stp in self.self_trade_prevention)
        )

    def policy(self, group: str, field: str) -> tuple[bool, Tolerance | None]:
        """(compared?, tolerance) for one field of a group (CONF-2, CONF-3).

        An event field left out of a declared ``event`` group is still compared, exactly:
        an engine skips events as a whole (its ``outcome`` list), not field by field."""
        declared = self.fields.get(group)
        if declared is None:
            return True, None
        if field not in declared:
            return group == "event", None
        return True, tolerance(declared[field])

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "hedgeMode": self.hedge_mode,
            "funding": self.funding,
            "liquidationSweep": self.liquidation_sweep,
            "actions": sorted(self.actions),
            "orderTypes": sorted(self.order_types),
            "timeInForce": sorted(self.time_in_force),
            "selfTradePrevention": sorted(self.self_trade_prevention),
            "outcome": list(self.outcome),
        }
        if self.fields:
            out["fields"] = {
                g: {k: (v.to_json() if isinstance(v, Tolerance) else v) for k, v in f.items()}
                for g, f in self.fields.items()
            }
        return out


def _bool(data: Mapping[str, Any], key: str, where: str) -> bool:
    value = data.get(key, True)
    if not isinstance(value, bool):
        raise InputError(f"{where}/{key}", "expected true or false")
    return value


def _decimals(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EXPONENT:
        # NUM-2: 10^-d stays bounded
        raise InputError(where, f"decimals must be an integer from 0 to {MAX_EXPONENT}, or null")
    return value


def _tolerance(value: Any, where: str) -> int | Tolerance | None:
    """One field's declared tolerance: null, decimals, or {"decimals", "relative"}."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return _decimals(value, where)
    for key in value:
        if key not in ("decimals", "relative"):
            raise InputError(f"{where}/{key}", "unknown tolerance (expected decimals, relative)")
    decimals = value.get("decimals")
    relative = value.get("relative")
    rel: Exact | None = None
    if relative is not None:
        rel, why = read(relative)
        if rel is None:
            raise InputError(f"{where}/relative", why)
        if not 0 <= rel < 1:
            raise InputError(f"{where}/relative", "a relative tolerance is at least 0, below 1")
    return Tolerance(
        decimals=None if decimals is None else _decimals(decimals, f"{where}/decimals"),
        relative=rel,
    )


def _subset(
    data: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: str
) -> frozenset[str]:
    value = data.get(key, list(allowed))
    if not isinstance(value, list) or any(v not in allowed for v in value):
        raise InputError(f"{where}/{key}", f"expected a list of {', '.join(allowed)}")
    return frozenset(value)


def parse_capabilities(data: Any, where: str = "/capabilities") -> Capabilities:
    """Capabilities from the handshake JSON; errors name the JSON pointer."""
    if not isinstance(data, dict):
        raise InputError(where, "expected a JSON object")
    known = {
        "name",
        "version",
        "hedgeMode",
        "funding",
        "liquidationSweep",
        "actions",
        "orderTypes",
        "timeInForce",
        "selfTradePrevention",
        "outcome",
        "fields",
    }
    for key in data:
        if key not in known:
            raise InputError(f"{where}/{key}", "unknown capability")
    name = data.get("name", "implementation")
    version = data.get("version", "")
    if not isinstance(name, str) or not isinstance(version, str):
        raise InputError(f"{where}/name", "name and version must be strings")
    actions = data.get("actions", list(ACTION_NAMES))
    if not isinstance(actions, list) or any(a not in ACTION_NAMES for a in actions):
        raise InputError(
            f"{where}/actions", f"expected a list of action names ({', '.join(ACTION_NAMES)})"
        )
    order_types = _subset(data, "orderTypes", PLACEABLE_TYPES, where)
    if "LIMIT" not in order_types:
        raise InputError(f"{where}/orderTypes", "'LIMIT' is always supported")
    time_in_force = _subset(data, "timeInForce", TIME_IN_FORCE, where)
    if "GTC" not in time_in_force:
        raise InputError(f"{where}/timeInForce", "'GTC' is always supported")
    self_trade_prevention = _subset(data, "selfTradePrevention", STP_MODES, where)
    outcome = data.get("outcome", list(DEFAULT_OUTCOME_FIELDS))
    if not isinstance(outcome, list) or any(o not in OUTCOME_FIELDS for o in outcome):
        raise InputError(f"{where}/outcome", f"expected a list of {', '.join(OUTCOME_FIELDS)}")
    if "status" not in outcome:
        raise InputError(f"{where}/outcome", "'status' is always compared")
    fields_obj = data.get("fields", {})
    if not isinstance(fields_obj, dict):
        raise InputError(f"{where}/fields", "expected a JSON object")
    fields: dict[str, dict[str, int | Tolerance | None]] = {}
    for group, spec in fields_obj.items():
        here = f"{where}/fields/{group}"
        if group not in GROUPS:
            raise InputError(here, f"unknown field group (expected {', '.join(GROUPS)})")
        if not isinstance(spec, dict):
            raise InputError(here, "expected an object of field -> decimals (or null)")
        fields[group] = {f: _tolerance(v, f"{here}/{f}") for f, v in spec.items()}
    return Capabilities(
        name=name,
        version=version,
        hedge_mode=_bool(data, "hedgeMode", where),
        funding=_bool(data, "funding", where),
        liquidation_sweep=_bool(data, "liquidationSweep", where),
        actions=frozenset(actions),
        order_types=order_types,
        time_in_force=time_in_force,
        self_trade_prevention=self_trade_prevention,
        outcome=tuple(outcome),
        fields=fields,
    )
