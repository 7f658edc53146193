"""The API-profile figures a tool may declare (FIG-8): the break-even price (FEE-2) and the
answers of one venue's API as ``marginspec evaluate --api VENUE`` writes them (SNAP-4).

The ``evaluate`` output (SNAP-3) carries neither: no ``breakEvenPrice``, and its numbers
are not the API's (``"12.5"`` where the venue writes ``"12.50000000"``). A tool that
computes them declares them in its handshake, and the model's answer for a snapshot then
carries them too: ``breakEvenPrice`` in each position (compared like any position figure,
under the ``position`` group's declaration), and under the key ``api`` the whole
``evaluate --api`` document, compared field for field by :func:`api_differences`: the
value exactly (CONF-2's reading), and a number's text as the venue writes it (its places,
SNAP-4's rounding and padding), since the API form is a text contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marginspec.account import parse_account
from marginspec.api_profile import POSITION_PATH, api_document, read_echoes
from marginspec.conformance.compare import DIFFERENT, EQUAL, FORMAT, match
from marginspec.conformance.figures.engine import FiguresCapabilities
from marginspec.evaluate import AccountFigures, evaluate
from marginspec.margin import break_even_price
from marginspec.numbers import to_plain
from marginspec.report import account_json
from marginspec.ruleset import RuleSet

#: The key of the API document in a figures answer, and the pointer prefix of its fields.
API_KEY = "api"
BREAK_EVEN = "breakEvenPrice"


def model_answer(
    snapshot: Mapping[str, Any], ruleset: RuleSet, caps: FiguresCapabilities
) -> tuple[AccountFigures, dict[str, Any]]:
    """The model's figures of ``snapshot`` and its answer: the ``evaluate`` output, with
    the API-profile figures ``caps`` declares (FIG-8)."""
    account = parse_account(snapshot, ruleset)
    figures = evaluate(account, ruleset)
    model = account_json(figures, ruleset.options)
    if not (caps.break_even or caps.api):
        return figures, model
    echoes = read_echoes(snapshot)
    if caps.break_even:
        for row, f in zip(model["positions"], figures.positions, strict=True):
            p = f.position
            echo = echoes.get((p.symbol, p.position_side))
            rate = echo.fee_rate if echo is not None else None
            if rate is None:  # FEE-2's default, as evaluate --api takes it: the taker rate twice
                rate = 2 * ruleset.markets[p.symbol].taker_fee
            # The API writes the break-even price exactly (FEE-2: entry x (1 +- r) is a
            # finite decimal when both are).
            row[BREAK_EVEN] = to_plain(break_even_price(p.position_amt, p.entry_price, rate))
    if caps.api:
        model[API_KEY] = api_document(account, figures, ruleset, caps.api, echoes)
    return figures, model


def _where(path: str) -> str:
    return f"/{API_KEY}{path}"


def _key(entry: Any) -> tuple[Any, Any]:
    if not isinstance(entry, Mapping):
        return None, None
    return entry.get("symbol"), entry.get("positionSide", "BOTH")


def api_value(model: Any, impl: Any) -> str | None:
    """Why the tool's API value differs from the model's (SNAP-4), or None when it is the
    same: the value read exactly, then a number's text (the API writes "12.50000000")."""
    verdict, note = match(model, impl, None)
    if verdict == FORMAT:
        return note
    if verdict == DIFFERENT:
        return note or "a different value"
    if verdict == EQUAL and isinstance(model, str) and impl != model:
        return f"the same amount written {impl!r}; the API writes {model!r} (SNAP-4)"
    return None


def api_fields(model: Mapping[str, Any], impl: Any) -> list[tuple[str, str, Any, Any, str]]:
    """Every field of the tool's API document that differs from the model's (FIG-8):
    (pointer, field, model value, tool value, note). Positions are matched by symbol and
    side; the positionRisk list and the account body's scalars, assets and positions."""
    found: list[tuple[str, str, Any, Any, str]] = []
    if not isinstance(impl, Mapping):
        return [(_where(""), API_KEY, "an object", impl, "not a JSON object")]

    def entry(want: Mapping[str, Any], got: Any, pointer: str) -> None:
        if not isinstance(got, Mapping):
            found.append((pointer, "entry", "an object", got, "missing from the answer"))
            return
        for field, value in want.items():
            if isinstance(value, (list, dict)):
                continue
            if field not in got:
                found.append((f"{pointer}/{field}", field, value, None, "field missing"))
                continue
            why = api_value(value, got[field])
            if why is not None:
                found.append((f"{pointer}/{field}", field, value, got[field], why))

    def listed(want: Any, got: Any, pointer: str) -> None:
        by_key = {_key(e): e for e in (got if isinstance(got, list) else [])}
        for index, item in enumerate(want):
            entry(item, by_key.get(_key(item)), f"{pointer}/{index}")

    for path, want in model.items():
        got = impl.get(path)
        if path == POSITION_PATH:
            listed(want, got, _where(path))
            continue
        entry(want, got, _where(path))
        if isinstance(got, Mapping):
            assets = got.get("assets")
            for index, asset in enumerate(want["assets"]):
                other = assets[index] if isinstance(assets, list) and index < len(assets) else None
                entry(asset, other, f"{_where(path)}/assets/{index}")
            listed(want["positions"], got.get("positions"), f"{_where(path)}/positions")
    return found


def reached(model: Mapping[str, Any]) -> tuple[str, ...]:
    """The API-profile targets one snapshot's comparison reaches (FIG-8), as the action
    kit's coverage targets of FEE-2 and SNAP-4 put them: a position whose break-even price
    is not its entry (FEE-2), and a position whose uPnL the API form writes otherwise than
    the ``evaluate`` output, padded or rounded to 8 places (SNAP-4)."""
    found: list[str] = []
    positions = model["positions"]
    if any(BREAK_EVEN in p and p[BREAK_EVEN] != p["entryPrice"] for p in positions):
        found.append("FEE-2")
    api = model.get(API_KEY)
    if api is not None:
        plain = {_key(p): p["unRealizedProfit"] for p in positions}
        risk = api[POSITION_PATH]
        if any(plain.get(_key(r)) not in (None, r["unRealizedProfit"]) for r in risk):
            found.append("SNAP-4")
    return tuple(found)
