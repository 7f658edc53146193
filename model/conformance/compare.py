"""Comparing an implementation's answers with the model's (CONF-2, CONF-3).

Policy (CONF-2): numbers are read exactly in whatever form the engine sent them
(:mod:`marginspec.conformance.reading`: decimal strings with or without exponent, JSON
numbers, Python floats and Decimals) and compared as exact amounts (``"1.50"`` equals
``"1.5"``), or, for a field the implementation declared with a tolerance, within it: ``d``
decimals (``|impl − model| ≤ 10^−d``, which admits any rounding mode at ``d`` places
against the model's 8-place display) or a relative bound. Other values (symbols, enums,
booleans, integers, ``null``) must be equal. Fields outside the declared capabilities are
not compared and are listed in the report (CONF-3); fields that matched only within their
tolerance are listed too, and a value that is not a readable number is reported as a
format problem, not as a wrong amount.

Positions are matched by ``(symbol, positionSide)``, open orders by ``orderId``. A
position entry the implementation leaves out is accepted only when it is empty in the
model (no amount, no isolated wallet, no open-order margin).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs
from gmpy2 import mpq

from marginspec.conformance.capabilities import Capabilities, Tolerance, tolerance
from marginspec.conformance.reading import looks_binary, read
from marginspec.exchange import refusals
from marginspec.exchange.actions import ACTION_RULES
from marginspec.exchange.trace import FIELD_RULES
from marginspec.numbers import Exact, to_plain

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")

#: The rules behind each event type (TRACE-3): a differing event names these, not
#: every rule that can emit an event.
EVENT_RULES: dict[str, tuple[str, ...]] = {
    "TRADE": ("FILL-1", "FILL-2", "FILL-3", "FILL-4", "FEE-1"),
    "FUNDING_FEE": ("FUND-1", "FUND-2", "FUND-3"),
    "LIQUIDATION": ("LIQP-1", "LIQP-5"),
    "TAKEOVER": ("LIQP-6",),
    "INSURANCE_CLEAR": ("LIQP-4",),
    "ADL": ("ADL-1", "ADL-2"),
    "INSURANCE_COVER": ("IF-2", "IF-3"),
    "EXPIRED_IN_MATCH": ("STP-1", "STP-2"),
    "CANCELED": ("AMEND-3",),
}

#: The REF-n of each exchange error code that only one refusal uses.
_CODE_RULES: dict[Any, str] = {}
for _refusal in vars(refusals).values():
    if isinstance(_refusal, refusals.Refusal) and _refusal.code is not None:
        _CODE_RULES[_refusal.code] = (
            "" if _refusal.code in _CODE_RULES else _refusal.rule  # shared: no single rule
        )


@attrs.frozen
class Difference:
    """The first field where the implementation disagrees with the model."""

    pointer: str  # JSON pointer, e.g. /snapshot/accounts/A/positions/0/liquidationPrice
    field: str
    model: Any
    impl: Any
    decimals: int | None = None
    note: str = ""
    tolerance: Tolerance | None = None

    def rules(
        self,
        action: Mapping[str, Any],
        model_outcome: Mapping[str, Any],
        impl_outcome: Any = None,
    ) -> tuple[str, ...]:
        """The spec rules involved: the field's (TRACE-6), the action's, the refusal's.

        For an event, the rules of the model's event type rather than every event rule.
        The cause first when the difference itself shows it: an amount off by at most
        one unit of the 8th decimal is display rounding (DISP-2), and a differing order
        list at a step whose outcome liquidates is the cancellation of LIQP-2."""
        found: list[str] = []
        if _last_place(self.model, self.impl):
            found.append("DISP-2")
        events = model_outcome.get("events")
        liquidated = isinstance(events, list) and any(
            isinstance(e, Mapping) and e.get("type") == "LIQUIDATION" for e in events
        )
        if liquidated and "/openOrders" in self.pointer:
            found.append("LIQP-2")
        parts = self.pointer.split("/")
        named = [p for p in parts if p and not p.isdigit()]
        if parts[1:3] == ["outcome", "events"] and len(parts) > 3 and parts[3].isdigit():
            index = int(parts[3])
            if isinstance(events, list) and index < len(events):
                found += EVENT_RULES.get(str(events[index].get("type")), ())
            if found:
                named = named[2:]  # a field of the event: its own rules, if it has any
        for part in reversed(named):
            if part in FIELD_RULES:
                found += FIELD_RULES[part]
                break
        act = ACTION_RULES.get(str(action.get("action")))
        if act:
            found.append(act)
        rule = model_outcome.get("rule")
        if isinstance(rule, str) and rule:
            found.append(rule)
        # The implementation refused where the model did not: the rule of its refusal
        # (by its error code) is the guard it got wrong.
        if isinstance(impl_outcome, Mapping) and impl_outcome.get("status") == "refused":
            own = _CODE_RULES.get(impl_outcome.get("code"))
            if own:
                found.append(own)
        return tuple(dict.fromkeys(found))


#: The model's displayed places (DISP-1): a difference of at most one unit there is rounding.
_DISPLAY_UNIT = mpq(1, 10**8)


def _last_place(model: Any, impl: Any) -> bool:
    """Both amounts, different, by at most one unit of the 8th decimal (DISP-2)."""
    if not isinstance(model, str) or not _DECIMAL.match(model):
        return False
    got = _number(impl)
    return got is not None and 0 < abs(got - mpq(Decimal(model))) <= _DISPLAY_UNIT


def _number(value: Any) -> Exact | None:
    """An engine's number read exactly (:mod:`~marginspec.conformance.reading`); None if
    it is not one."""
    return read(value)[0]


#: How one value compared: equal, equal only within the tolerance, a different amount,
#: or not a number the kit reads (a format problem, the amount unknown).
EQUAL, WITHIN, DIFFERENT, FORMAT = "equal", "within", "different", "format"


def match(model: Any, impl: Any, tol: int | Tolerance | None) -> tuple[str, str]:
    """CONF-2 for one value: (EQUAL / WITHIN / DIFFERENT / FORMAT, a note for the report)."""
    if model is impl or (type(model) is type(impl) and model == impl):
        return EQUAL, ""
    if isinstance(model, str) and _DECIMAL.match(model):
        got, why = read(impl)
        if got is None:
            return FORMAT, (
                f"format, not amount: {why} (send a decimal string, an exponent form or a "
                "JSON number)"
            )
        want = mpq(Decimal(model))
        if got == want:
            return EQUAL, ""
        bound = tolerance(tol)
        if bound is not None and bound.admits(want, got):
            return WITHIN, ""
        return DIFFERENT, _amount_note(impl, got, want, bound)
    if isinstance(model, bool) or isinstance(impl, bool):
        return (EQUAL if model is impl else DIFFERENT), ""
    if isinstance(model, int) and _number(impl) == model:
        return EQUAL, ""  # an integer (leverage) sent as 20.0 or "20"
    return (EQUAL if model == impl and type(model) is type(impl) else DIFFERENT), ""


def _amount_note(impl: Any, got: Exact, want: Exact, bound: Tolerance | None) -> str:
    """Why an amount differs, in the engine's terms: what its text was read as, by how
    much it is off, and whether it looks like a binary float without a tolerance."""
    parts = []
    if not isinstance(impl, str) or impl.strip() != to_plain(got):
        parts.append(f"read {impl!r} as {to_plain(got)}")
    parts.append(f"off by {to_plain(abs(got - want))}")
    if bound is not None:
        parts.append(f"beyond the declared tolerance ({bound.describe()})")
    elif looks_binary(impl):
        parts.append("a binary float's error? declare a tolerance for the field (CONF-2)")
    return "; ".join(parts)


def same_value(model: Any, impl: Any, decimals: int | Tolerance | None) -> bool:
    """CONF-2 for one value: equal, or within the tolerance."""
    return match(model, impl, decimals)[0] in (EQUAL, WITHIN)


#: Fields that are the account's state rather than figures computed from it (compared
#: first, see :meth:`Comparer.account`).
STATE_FIELDS = frozenset(
    {
        "positionAmt",
        "entryPrice",
        "isolatedWallet",
        "marginType",
        "leverage",
        "dualSidePosition",
        "totalCrossWalletBalance",
        "totalWalletBalance",
    }
)


class Comparer:
    """Compares outcomes and account snapshots under one implementation's capabilities."""

    def __init__(self, capabilities: Capabilities) -> None:
        self.caps = capabilities
        #: "group.field" names present in the model's answers but not compared (CONF-3).
        self.skipped: set[str] = set()
        #: "group.field" names that matched only within their declared tolerance.
        self.tolerated: set[str] = set()

    def _value(
        self, group: str, key: str, model: Any, impl: Any, tol: Tolerance | None, pointer: str
    ) -> Difference | None:
        verdict, note = match(model, impl, tol)
        if verdict == WITHIN:
            self.tolerated.add(f"{group}.{key}")
        if verdict in (EQUAL, WITHIN):
            return None
        decimals = tol.decimals if tol is not None else None
        return Difference(pointer, key, model, impl, decimals, note, tol)

    # ------------------------------------------------------------ outcomes

    def outcome(self, model: Mapping[str, Any], impl: Any) -> Difference | None:
        if not isinstance(impl, Mapping):
            return Difference("/outcome", "outcome", dict(model), impl, note="not a JSON object")
        wanted = self.caps.outcome
        for key in ("status", "code", "msg", "rule", "orderId"):
            if key not in model:
                continue
            if key not in wanted:
                self.skipped.add(f"outcome.{key}")
                continue
            found = self._value("outcome", key, model[key], impl.get(key), None, f"/outcome/{key}")
            if found:
                return found
        if model.get("status") == "accepted":
            model_events = model.get("events", [])
            if "events" not in wanted:
                if model_events:
                    self.skipped.add("outcome.events")
                return None
            impl_events = impl.get("events", [])
            if not isinstance(impl_events, list) or len(impl_events) != len(model_events):
                return Difference(
                    "/outcome/events",
                    "events",
                    model_events,
                    impl_events,
                    note="different number of events",
                )
            for i, (m, g) in enumerate(zip(model_events, impl_events, strict=True)):
                if not isinstance(g, Mapping):
                    return Difference(f"/outcome/events/{i}", "events", m, g)
                for key, value in m.items():
                    _, tol = self.caps.policy("event", key)
                    here = f"/outcome/events/{i}/{key}"
                    found = self._value("event", key, value, g.get(key), tol, here)
                    if found:
                        return found
        return None

    # ------------------------------------------------------------ snapshots

    def _fields(
        self,
        group: str,
        model: Mapping[str, Any],
        impl: Mapping[str, Any],
        pointer: str,
        only: frozenset[str] | None = None,
    ) -> Difference | None:
        for key, value in model.items():
            if isinstance(value, list) or (only is not None and key not in only):
                continue
            compared, tol = self.caps.policy(group, key)
            if not compared:
                self.skipped.add(f"{group}.{key}")
                continue
            if key not in impl:
                decimals = tol.decimals if tol is not None else None
                return Difference(
                    f"{pointer}/{key}", key, value, None, decimals, "field missing", tol
                )
            found = self._value(group, key, value, impl[key], tol, f"{pointer}/{key}")
            if found:
                return found
        return None

    def account(self, name: str, model: Mapping[str, Any], impl: Any) -> Difference | None:
        base = f"/snapshot/accounts/{name}"
        if not self.caps.fields and model == impl:
            return None  # everything is compared, and everything is equal
        if not isinstance(impl, Mapping):
            return Difference(base, "snapshot", "an object", impl, note="not a JSON object")
        # The state first (which orders rest, positions, wallets), then the figures derived
        # from it: a report then names the cause, not the first total it feeds.
        orders, held = model.get("openOrders", []), model.get("positions", [])
        return (
            self._orders(orders, impl.get("openOrders"), base, fields=False)
            or self._positions(held, impl.get("positions"), base, STATE_FIELDS)
            or self._fields("account", model, impl, base, STATE_FIELDS)
            or self._fields("account", model, impl, base)
            or self._positions(held, impl.get("positions"), base)
            or self._orders(orders, impl.get("openOrders"), base)
        )

    def _positions(
        self, model: list[Any], impl: Any, base: str, only: frozenset[str] | None = None
    ) -> Difference | None:
        if not isinstance(impl, list):
            impl = []
        by_key = {
            (p.get("symbol"), p.get("positionSide")): p for p in impl if isinstance(p, Mapping)
        }
        for i, m in enumerate(model):
            key = (m["symbol"], m["positionSide"])
            got = by_key.get(key)
            here = f"{base}/positions/{i}"
            if got is None:
                empty = all(
                    _number(m.get(k)) == 0
                    for k in ("positionAmt", "isolatedWallet", "openOrderInitialMargin")
                )
                if empty:
                    continue
                return Difference(
                    here, "positionAmt", m.get("positionAmt"), None, note=f"no entry for {key}"
                )
            found = self._fields("position", m, got, here, only)
            if found:
                return found
        listed = {(m["symbol"], m["positionSide"]) for m in model}
        for key, got in by_key.items():
            if key not in listed and _number(got.get("positionAmt")) not in (None, 0):
                return Difference(
                    f"{base}/positions",
                    "positionAmt",
                    None,
                    got.get("positionAmt"),
                    note=f"a position {key} the model does not have",
                )
        return None

    def _orders(
        self, model: list[Any], impl: Any, base: str, fields: bool = True
    ) -> Difference | None:
        if not isinstance(impl, list):
            if model:
                return Difference(f"{base}/openOrders", "openOrders", model, impl)
            return None
        by_id = {o.get("orderId"): o for o in impl if isinstance(o, Mapping)}
        for i, m in enumerate(model):
            got = by_id.pop(m["orderId"], None)
            if got is None:
                return Difference(
                    f"{base}/openOrders/{i}", "openOrders", m, None, note="order missing"
                )
            found = fields and self._fields("order", m, got, f"{base}/openOrders/{i}")
            if found:
                return found
        if by_id:
            extra = next(iter(by_id.values()))
            return Difference(
                f"{base}/openOrders", "openOrders", None, extra, note="order not in the model"
            )
        return None
