"""What an implementation under test declares in its handshake (CONF-1).

The handshake answer (``{"type": "hello", "capabilities": {...}}``) is::

    {"name": "my-engine", "version": "1.2",
     "hedgeMode": true, "funding": true, "liquidationSweep": true,
     "actions": ["deposit", ...],                 # optional: the actions it accepts
     "orderTypes": ["LIMIT"], "timeInForce": ["GTC"],  # optional: what placeOrder takes
     "outcome": ["status", "code", "orderId", "events"],   # optional: outcome fields compared
     "fields": {"account":  {"availableBalance": 8, ...},  # optional: field -> decimals
                "position": {"liquidationPrice": 2, ...},  #   (null: exact)
                "order":    {"price": null, ...}}}

Everything omitted means "all of it, exactly": an implementation that declares nothing
is compared on every field of the model's snapshot, exactly (CONF-2). A field group
that is declared lists the only fields compared; the others are skipped and named in
the report (CONF-3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from marginspec.errors import InputError
from marginspec.exchange import ACTION_NAMES
from marginspec.exchange.actions import PLACEABLE_TYPES, TIME_IN_FORCE
from marginspec.numbers import MAX_EXPONENT

#: The outcome fields compared unless the implementation declares its own list.
DEFAULT_OUTCOME_FIELDS = ("status", "code", "orderId", "events")
OUTCOME_FIELDS = ("status", "code", "msg", "rule", "orderId", "events")
GROUPS = ("account", "position", "order")

#: Decimals per field: an int, or None for an exact comparison.
FieldPolicy = Mapping[str, int | None]


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
        return (
            action.get("type", "LIMIT") in self.order_types
            and action.get("timeInForce", "GTC") in self.time_in_force
        )

    def policy(self, group: str, field: str) -> tuple[bool, int | None]:
        """(compared?, decimals) for one field of a group (CONF-2, CONF-3)."""
        declared = self.fields.get(group)
        if declared is None:
            return True, None
        if field not in declared:
            return False, None
        return True, declared[field]

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
            "outcome": list(self.outcome),
        }
        if self.fields:
            out["fields"] = {g: dict(f) for g, f in self.fields.items()}
        return out


def _bool(data: Mapping[str, Any], key: str, where: str) -> bool:
    value = data.get(key, True)
    if not isinstance(value, bool):
        raise InputError(f"{where}/{key}", "expected true or false")
    return value


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
    outcome = data.get("outcome", list(DEFAULT_OUTCOME_FIELDS))
    if not isinstance(outcome, list) or any(o not in OUTCOME_FIELDS for o in outcome):
        raise InputError(f"{where}/outcome", f"expected a list of {', '.join(OUTCOME_FIELDS)}")
    if "status" not in outcome:
        raise InputError(f"{where}/outcome", "'status' is always compared")
    fields_obj = data.get("fields", {})
    if not isinstance(fields_obj, dict):
        raise InputError(f"{where}/fields", "expected a JSON object")
    fields: dict[str, dict[str, int | None]] = {}
    for group, spec in fields_obj.items():
        here = f"{where}/fields/{group}"
        if group not in GROUPS:
            raise InputError(here, f"unknown field group (expected {', '.join(GROUPS)})")
        if not isinstance(spec, dict):
            raise InputError(here, "expected an object of field -> decimals (or null)")
        for field, decimals in spec.items():
            if decimals is not None and (
                isinstance(decimals, bool)
                or not isinstance(decimals, int)
                or not 0 <= decimals <= MAX_EXPONENT  # NUM-2: 10^-d stays bounded
            ):
                raise InputError(
                    f"{here}/{field}",
                    f"decimals must be an integer from 0 to {MAX_EXPONENT}, or null",
                )
        fields[group] = dict(spec)
    return Capabilities(
        name=name,
        version=version,
        hedge_mode=_bool(data, "hedgeMode", where),
        funding=_bool(data, "funding", where),
        liquidation_sweep=_bool(data, "liquidationSweep", where),
        actions=frozenset(actions),
        order_types=order_types,
        time_in_force=time_in_force,
        outcome=tuple(outcome),
        fields=fields,
    )
