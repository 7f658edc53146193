"""Traces: record a run, replay it against the model, report the first divergence (TRACE-*).

A trace file (schema ``marginspec/schemas/trace.schema.json``)::

    {"format": "marginspec-trace/1",
     "ruleset": "aster-pro",                  # bundled name, or a TOML path relative to the trace
     "initial": {...},                        # see marginspec.exchange.initial
     "steps": [{"action": {...}, "outcome": {...}, "snapshot": {...}}, ...]}

TRACE-5: replay compares only what the trace states: every field present in the
expected ``outcome`` and ``snapshot``. Objects are compared key by key; a
``positions`` list is matched by (symbol, positionSide) and may list a subset; every
other array element by element, with the same length (so ``openOrders`` and
``events`` are complete). A step may omit either. So a hand-written trace can check
just the numbers it cares about.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from marginspec.api_profile import VENUES
from marginspec.errors import InputError
from marginspec.exchange.actions import ACTION_RULES, Action, action_json, parse_action
from marginspec.exchange.initial import initial_json, parse_initial
from marginspec.exchange.model import Model
from marginspec.numbers import quote
from marginspec.rulefile import bundled_rulesets, load_bundled, load_ruleset
from marginspec.ruleset import RuleSet

FORMAT = "marginspec-trace/1"

#: TRACE-6: the rules behind each reported field, named in a divergence report.
FIELD_RULES: dict[str, tuple[str, ...]] = {
    "status": ("REF-*",),
    "code": ("REF-*",),
    "msg": ("REF-*",),
    "orderId": ("ACT-6",),
    "events": ("FILL-*", "LIQP-*", "ADL-*", "IF-*", "FUND-1"),
    "realizedPnl": ("FILL-4", "PNL-1"),
    "commission": ("FEE-1",),
    "positionAmt": ("FILL-3",),
    "entryPrice": ("FILL-2", "PNL-3"),
    "markPrice": ("ACT-9",),
    "leverage": ("ACT-3", "LEV-1"),
    "marginType": ("ACT-4",),
    "dualSidePosition": ("ACT-5",),
    "notional": ("NTL-1",),
    "initialMargin": ("IM-1", "ORD-1"),
    "positionInitialMargin": ("IM-1",),
    "openOrderInitialMargin": ("ORD-2",),
    "maintMargin": ("MM-1",),
    "maintMarginRatio": ("BRK-3",),
    "maintAmount": ("BRK-2",),
    "bracket": ("BRK-3",),
    "maxNotionalValue": ("LEV-3",),
    "unRealizedProfit": ("PNL-1",),
    "isolatedWallet": ("FILL-6", "FILL-7", "FUND-3", "ACT-11"),
    "isolatedMargin": ("MB-1",),
    "marginRatio": ("MR-1",),
    "liquidationPrice": ("LIQ-2", "LIQ-3", "LIQ-4", "LIQ-5"),
    "bankruptcyPrice": ("BKR-1",),
    "maxAddableMargin": ("XFER-2",),
    "maxRemovableMargin": ("XFER-3",),
    "liquidatable": ("LIQ-1",),
    "totalWalletBalance": ("INV-1",),
    "totalCrossWalletBalance": ("FILL-6", "FEE-1", "FUND-1", "LIQP-7"),
    "totalUnrealizedProfit": ("PNL-1",),
    "totalCrossUnPnl": ("PNL-1",),
    "totalMarginBalance": ("MB-1",),
    "totalPositionInitialMargin": ("IM-1",),
    "totalOpenOrderInitialMargin": ("ORD-2",),
    "totalInitialMargin": ("IM-1", "ORD-2"),
    "totalMaintMargin": ("MM-1",),
    "totalCrossMaintMargin": ("MM-1",),
    "availableBalance": ("AVB-1",),
    "maxWithdrawAmount": ("XFER-1",),
    "openOrders": ("ACT-6", "ACT-7", "ACT-8", "LIQP-2"),
    "executedQty": ("ACT-8",),
    "stopPrice": ("ACT-COND-1", "ACT-COND-3"),
    "activatePrice": ("ACT-COND-4",),
    "priceRate": ("ACT-COND-4",),
    "workingType": ("ACT-COND-3",),
    "priceProtect": ("ACT-COND-8",),
    "closePosition": ("ACT-COND-5",),
    "feeIncome": ("FEE-1",),
    "netDeposits": ("ACT-1", "ACT-2"),
}


@attrs.frozen
class Divergence:
    """The first place where the model disagrees with a trace."""

    step: int  # 1-based
    pointer: str  # JSON pointer inside the step, e.g. /snapshot/accounts/A/availableBalance
    expected: Any
    actual: Any
    rules: tuple[str, ...]

    def report(self) -> str:
        rules = ", ".join(self.rules) or "-"
        return (
            f"step {self.step}: {self.pointer}\n"
            f"  expected: {json.dumps(self.expected)}\n"
            f"  actual:   {json.dumps(self.actual)}\n"
            f"  rules:    {rules}"
        )


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _compare(expected: Any, actual: Any, pointer: str) -> tuple[str, Any, Any] | None:
    """TRACE-5: the first difference (pointer, expected, actual), comparing only what is expected."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return pointer, expected, actual
        for key, value in expected.items():
            if key not in actual:
                if key not in _schema_keys():  # a misspelt field, account or symbol
                    raise InputError(
                        f"{pointer}/{_escape(key)}",
                        "unknown key: no such field, account or symbol in the model's answer",
                    )
                return f"{pointer}/{_escape(key)}", value, None
            found = _compare(value, actual[key], f"{pointer}/{_escape(key)}")
            if found:
                return found
        return None
    if isinstance(expected, list) and pointer.endswith("/positions"):
        # TRACE-5: positions are matched by (symbol, positionSide); a subset may be given
        if not isinstance(actual, list):
            return pointer, expected, actual
        by_key = {(a.get("symbol"), a.get("positionSide")): a for a in actual}
        for index, e in enumerate(expected):
            key = (e.get("symbol"), e.get("positionSide", "BOTH")) if isinstance(e, dict) else None
            if key not in by_key:
                return f"{pointer}/{index}", e, None
            found = _compare(e, by_key[key], f"{pointer}/{index}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return pointer, expected, actual
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found = _compare(e, a, f"{pointer}/{index}")
            if found:
                return found
        return None
    if isinstance(expected, str) and isinstance(actual, str) and expected != actual:
        # CONF-2, as the protocol compares: "596.80" and "596.8" are the same amount
        if _PLAIN.match(expected) and _PLAIN.match(actual) and Decimal(expected) == Decimal(actual):
            return None
        return pointer, expected, actual
    if expected != actual or type(expected) is not type(actual):
        return pointer, expected, actual
    return None


#: A plain decimal (NUM-2 without exponent); longer texts are never equal amounts here.
_PLAIN = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$", re.ASCII)


@functools.cache
def _schema_keys() -> frozenset[str]:
    """Every field name the trace schema defines (what a model's answer may hold)."""
    text = (resources.files("marginspec") / "schemas" / "trace.schema.json").read_text("utf-8")
    keys: set[str] = set()
    stack: list[Any] = [json.loads(text)]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                keys.update(node["properties"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(keys)


def _rules(pointer: str, action: dict[str, Any]) -> tuple[str, ...]:
    parts = [p for p in pointer.split("/") if p and not p.isdigit()]
    rules: list[str] = []
    for part in reversed(parts):
        if part in FIELD_RULES:
            rules.extend(FIELD_RULES[part])
            break
    name = action.get("action")
    act = ACTION_RULES.get(str(name))
    if act:
        rules.append(act)
    return tuple(dict.fromkeys(rules))


def resolve_ruleset(reference: Any, base: Path | None, where: str = "/ruleset") -> RuleSet:
    """TRACE-1: a bundled rule-set name, or a TOML path (relative to the trace's folder)."""
    if not isinstance(reference, str) or not reference:
        raise InputError(where, "expected a bundled rule-set name or a .toml path")
    if reference in bundled_rulesets():
        return load_bundled(reference)
    path = Path(reference)
    if base is not None and not path.is_absolute():
        path = base / path
    if path.suffix != ".toml" or not path.is_file():
        raise InputError(
            where,
            f"{reference!r} is neither a bundled rule set ({', '.join(bundled_rulesets())}) "
            "nor an existing .toml file",
        )
    return load_ruleset(path)


def named_markets(ruleset: RuleSet, initial: Any) -> RuleSet:
    """The rule set a trace runs on: only the markets its ``initial.markPrices`` names
    (TRACE-1), so that a trace on a rule set of hundreds of markets (``binance-usdm``,
    RS-5) gives the marks of the few it trades. A symbol the rule set lacks is left in
    for :func:`parse_initial` to refuse with its pointer; no mark at all keeps them all."""
    marks = initial.get("markPrices") if isinstance(initial, dict) else None
    if not isinstance(marks, dict) or not marks or not all(s in ruleset.markets for s in marks):
        return ruleset
    return attrs.evolve(ruleset, markets={s: m for s, m in ruleset.markets.items() if s in marks})


def _rebased(reference: str, base: Path | None, written_to: Path | None) -> str:
    """A rule-set path as seen from the folder the trace is written to (TRACE-1's paths
    are relative to the trace file), so that the written trace replays where it lies."""
    if written_to is None or reference in bundled_rulesets() or Path(reference).is_absolute():
        return reference
    target = (base or Path()) / reference
    return Path(os.path.relpath(target, written_to)).as_posix()


def record(
    ruleset_ref: str,
    initial: Any,
    actions: Iterable[Action],
    ruleset: RuleSet,
    check: bool = True,
    api: str | None = None,
) -> dict[str, Any]:
    """Run ``actions`` from ``initial`` and return the full trace document (its snapshots
    in a venue's API form with ``api``, SNAP-4)."""
    model = Model(parse_initial(initial, ruleset, "/initial"), ruleset, check)
    steps = []
    for action in actions:
        outcome = model.apply(action)
        steps.append(
            {
                "action": action_json(action),
                "outcome": model.outcome_json(outcome),
                "snapshot": model.snapshot(api=api),
            }
        )
    return {
        "format": FORMAT,
        "ruleset": ruleset_ref,
        **({"api": api} if api else {}),
        "initial": initial_json(parse_initial(initial, ruleset), ruleset),
        "steps": steps,
    }


def _api(document: Mapping[str, Any]) -> str | None:
    """A trace's ``api``: the venue whose API form its snapshots take (SNAP-4), or None."""
    venue = document.get("api")
    if venue is None or venue in VENUES:
        return venue
    raise InputError("/api", f"{quote(venue)} is not one of {', '.join(VENUES)}")


_TRACE_KEYS = ("format", "ruleset", "api", "description", "initial", "steps")
_STEP_KEYS = ("action", "outcome", "snapshot", "note")
_ACTIONS_KEYS = ("format", "ruleset", "api", "description", "initial", "notes", "actions", "steps")


def _known(obj: Mapping[str, Any], allowed: tuple[str, ...], pointer: str) -> None:
    """An unknown key is refused (TRACE-1), so a misspelt one ("snaphot") never passes."""
    for key in obj:
        if key not in allowed:
            raise InputError(
                f"{pointer}/{_escape(key)}", f"unknown key (expected one of: {', '.join(allowed)})"
            )


def _steps(trace: Any) -> list[Any]:
    if not isinstance(trace, dict):
        raise InputError("/", "a trace must be a JSON object")
    _known(trace, _TRACE_KEYS, "")
    if trace.get("format") != FORMAT:
        raise InputError("/format", f"expected {FORMAT!r}")
    steps = trace.get("steps")
    if not isinstance(steps, list):
        raise InputError("/steps", "expected a JSON array")
    return steps


def replay(trace: Any, base: Path | None = None, check: bool = True) -> Divergence | None:
    """Re-run a trace; the first :class:`Divergence`, or None when the model agrees.

    Bad input (unknown action, malformed number) raises :class:`InputError`.
    """
    steps = _steps(trace)
    ruleset = named_markets(resolve_ruleset(trace.get("ruleset"), base), trace.get("initial"))
    api = _api(trace)
    model = Model(parse_initial(trace.get("initial"), ruleset, "/initial"), ruleset, check)
    for index, step in enumerate(steps):
        where = f"/steps/{index}"
        if not isinstance(step, dict) or "action" not in step:
            raise InputError(where, "a step needs an 'action'")
        _known(step, _STEP_KEYS, where)
        action = parse_action(step["action"], f"{where}/action")
        outcome = model.outcome_json(model.apply(action))
        for part in ("outcome", "snapshot"):
            if part not in step:
                continue
            actual = outcome if part == "outcome" else model.snapshot(api=api)
            try:
                found = _compare(step[part], actual, f"/{part}")
            except InputError as error:
                raise InputError(f"{where}{error.where}", error.message) from None
            if found:
                pointer, expected, got = found
                return Divergence(
                    index + 1, pointer, expected, got, _rules(pointer, step["action"])
                )
    return None


#: What a compact snapshot keeps of each account (TRACE-7).
COMPACT_ACCOUNT = (
    "totalWalletBalance",
    "totalCrossWalletBalance",
    "totalUnrealizedProfit",
    "totalMarginBalance",
    "totalInitialMargin",
    "totalMaintMargin",
    "availableBalance",
    "maxWithdrawAmount",
    "liquidatable",
    "dualSidePosition",
    "openOrders",
)
COMPACT_POSITION = (
    "symbol",
    "positionSide",
    "positionAmt",
    "entryPrice",
    "markPrice",
    "marginType",
    "leverage",
    "notional",
    "positionInitialMargin",
    "openOrderInitialMargin",
    "maintMargin",
    "bracket",
    "unRealizedProfit",
    "isolatedWallet",
    "liquidationPrice",
    "bankruptcyPrice",
    "liquidatable",
)


def compact_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """TRACE-7: a readable subset: key account totals, and only the positions that are
    open or hold an isolated wallet (replay accepts a subset, TRACE-5)."""
    accounts = {}
    for name, acct in snapshot["accounts"].items():
        out = {k: acct[k] for k in COMPACT_ACCOUNT}
        out["positions"] = [
            {k: p[k] for k in COMPACT_POSITION}
            for p in acct["positions"]
            if p["positionAmt"] != "0" or p["isolatedWallet"] != "0"
        ]
        accounts[name] = out
    return {**{k: v for k, v in snapshot.items() if k != "accounts"}, "accounts": accounts}


def run_actions(
    document: Any, base: Path | None = None, compact: bool = False, written_to: Path | None = None
) -> dict[str, Any]:
    """``marginspec trace run``: ``{"ruleset", "initial", "actions": [...]}`` to a full trace;
    ``written_to`` is the folder the trace goes to (its rule-set path is rebased there)."""
    if not isinstance(document, dict):
        raise InputError("/", "expected a JSON object with 'ruleset', 'initial' and 'actions'")
    _known(document, _ACTIONS_KEYS, "")
    ref = document.get("ruleset", "aster-pro")
    ruleset = named_markets(resolve_ruleset(ref, base), document.get("initial"))
    raw = document.get("actions")
    if raw is None and isinstance(document.get("steps"), list):
        raw = [s.get("action") if isinstance(s, dict) else s for s in document["steps"]]
    if not isinstance(raw, list):
        raise InputError("/actions", "expected a JSON array of actions")
    actions = [parse_action(a, f"/actions/{i}") for i, a in enumerate(raw)]
    api = _api(document)
    if api and compact:
        raise InputError("/api", "--compact keeps the evaluate fields (TRACE-7): leave it out")
    ref_out = _rebased(str(ref), base, written_to)
    trace = record(ref_out, document.get("initial"), actions, ruleset, api=api)
    if compact:
        for step in trace["steps"]:
            step["snapshot"] = compact_snapshot(step["snapshot"])
    if isinstance(document.get("description"), str):
        trace = {"format": FORMAT, "description": document["description"], **trace}
    notes = document.get("notes", {})
    if not isinstance(notes, dict):
        raise InputError("/notes", 'expected an object {"step number": "text"}')
    for key, text in notes.items():  # {"3": "text"}: a note on step 3 (1-based)
        if not (key.isascii() and key.isdigit() and 1 <= int(key) <= len(trace["steps"])):
            raise InputError(f"/notes/{_escape(key)}", "expected the number of a step")
        if not isinstance(text, str):
            raise InputError(f"/notes/{_escape(key)}", "expected a string")
        trace["steps"][int(key) - 1] = {"note": text, **trace["steps"][int(key) - 1]}
    return trace
