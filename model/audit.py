"""Auditing a venue's own answers: every figure it reported, recomputed and compared (SNAP-6).

:mod:`marginspec.responses` reads the answers into a snapshot (SNAP-5); this module
evaluates it (:func:`marginspec.evaluate.evaluate`) and compares each reported figure
with the model's, within the places the venue wrote (:func:`agrees`). A divergence
carries both values, the rules of the figure and the inputs that explain it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from marginspec.account import MarginType
from marginspec.evaluate import AccountFigures, PositionFigures, evaluate, order_values
from marginspec.margin import break_even_price
from marginspec.numbers import Exact, Rounding, display, is_finite_decimal, to_plain
from marginspec.responses import Entry, NotAudited, Reported, Responses

#: The places a text without a fraction claims (SNAP-6): the API's eight (DISP-1).
WHOLE_PLACES = 8
#: Places the report writes of a computed figure with no finite decimal form.
SHOWN_PLACES = 20


def agrees(reported: Reported, value: Exact | None, none_is_zero: bool = False) -> bool:
    """SNAP-6: the reported text is the exact figure written at its places, in either
    rounding direction: ``|text − x| < 10^−d``, ``d`` its places (8 without a fraction).
    With ``none_is_zero`` (liquidationPrice, LIQ-5) ``"0"`` means "none"."""
    if value is None:
        return none_is_zero and reported.value == 0
    if none_is_zero and reported.value == 0:
        return False
    places = WHOLE_PLACES if reported.places is None else reported.places
    return bool(abs(reported.value - value) * 10**places < 1)


@attrs.frozen
class Check:
    """One reported figure against the model's."""

    scope: str  # "position", "account" or "asset" (the USDT asset entry)
    symbol: str | None
    side: str | None
    reported: Reported
    computed: Exact | None
    agree: bool
    rules: tuple[str, ...]
    inputs: Mapping[str, str]  # what explains the figure (filled for a divergence)


@attrs.frozen
class Derived:
    """A figure the answers do not carry, shown beside the audited ones (MR-1)."""

    scope: str
    symbol: str | None
    side: str | None
    field: str
    value: Exact | None


@attrs.frozen
class Audit:
    """The outcome of an audit: the checks, what was not audited and why, notes."""

    ruleset: str
    checks: tuple[Check, ...]
    derived: tuple[Derived, ...]
    not_audited: tuple[NotAudited, ...]
    notes: tuple[str, ...]

    @property
    def agree(self) -> bool:
        return all(c.agree for c in self.checks)


@attrs.frozen
class _Ctx:
    """What a position figure reads besides the position's figures."""

    entry: Entry
    f: PositionFigures
    bids: Exact
    asks: Exact


_Get = Callable[[_Ctx], Exact | None]
#: Position figures: the rules of each and how the model computes it; ``lev``: it reads
#: the leverage (LEV-1).
_POSITION: dict[str, tuple[tuple[str, ...], _Get, bool]] = {
    "notional": (("NTL-1",), lambda c: c.f.notional, False),
    "unRealizedProfit": (("PNL-1",), lambda c: c.f.unrealized_pnl, False),
    "liquidationPrice": (("LIQ-2", "LIQ-3", "LIQ-5"), lambda c: c.f.liquidation_price, False),
    "isolatedMargin": (("MB-1",), lambda c: c.f.isolated_margin or Exact(0), False),
    "initialMargin": (
        ("IM-1", "ORD-2"),
        lambda c: c.f.initial_margin + c.f.open_order_initial_margin,
        True,
    ),
    "positionInitialMargin": (("IM-1",), lambda c: c.f.initial_margin, True),
    "openOrderInitialMargin": (("ORD-2",), lambda c: c.f.open_order_initial_margin, True),
    "maintMargin": (("MM-1", "BRK-3"), lambda c: c.f.maint_margin, False),
    "maxNotionalValue": (("LEV-3",), lambda c: c.f.max_notional, True),
    "breakEvenPrice": (
        ("FEE-2",),
        lambda c: break_even_price(
            c.f.position.position_amt, c.f.position.entry_price, c.entry.fee_rate or 0
        ),
        False,
    ),
    "bidNotional": (("ORD-1",), lambda c: c.bids, False),
    "askNotional": (("ORD-1",), lambda c: c.asks, False),
}
_POSITION["unrealizedProfit"] = _POSITION["unRealizedProfit"]
_POSITION["maxNotional"] = _POSITION["maxNotionalValue"]

_AGet = Callable[[AccountFigures], Exact]
#: Account figures (the totals' names; the USDT asset's names map to them below).
_ACCOUNT: dict[str, tuple[tuple[str, ...], _AGet, bool]] = {
    "totalInitialMargin": (("IM-1", "ORD-2"), lambda a: a.total_initial_margin, True),
    "totalMaintMargin": (("MM-1",), lambda a: a.total_maint_margin, False),
    "totalWalletBalance": (("MB-1",), lambda a: a.total_wallet_balance, False),
    "totalUnrealizedProfit": (("PNL-1",), lambda a: a.total_unrealized_pnl, False),
    "totalMarginBalance": (("MB-1",), lambda a: a.total_margin_balance, False),
    "totalPositionInitialMargin": (("IM-1",), lambda a: a.total_position_initial_margin, True),
    "totalOpenOrderInitialMargin": (("ORD-2",), lambda a: a.total_open_order_initial_margin, True),
    "totalCrossWalletBalance": (("MB-1",), lambda a: a.total_cross_wallet_balance, False),
    "totalCrossUnPnl": (("PNL-1",), lambda a: a.total_cross_unrealized_pnl, False),
    "availableBalance": (("AVB-1",), lambda a: a.available_balance, True),
    "maxWithdrawAmount": (("XFER-1",), lambda a: a.max_withdraw, True),
}
_ASSET_NAMES = {
    "walletBalance": "totalWalletBalance",
    "unrealizedProfit": "totalUnrealizedProfit",
    "marginBalance": "totalMarginBalance",
    "maintMargin": "totalMaintMargin",
    "initialMargin": "totalInitialMargin",
    "positionInitialMargin": "totalPositionInitialMargin",
    "openOrderInitialMargin": "totalOpenOrderInitialMargin",
    "crossWalletBalance": "totalCrossWalletBalance",
    "crossUnPnl": "totalCrossUnPnl",
    "availableBalance": "availableBalance",
    "maxWithdrawAmount": "maxWithdrawAmount",
}


def shown(value: Exact | None) -> str:
    """A computed figure as the report writes it: exact, or to 20 places and "…"."""
    if value is None:
        return "none"
    if is_finite_decimal(value):
        text = to_plain(value)
        if len(text.partition(".")[2]) <= SHOWN_PLACES:
            return text
    return display(value, SHOWN_PLACES, Rounding.DOWN) + "…"


def _position_inputs(c: _Ctx, responses: Responses) -> dict[str, str]:
    p = c.f.position
    inputs = {
        "positionAmt": to_plain(p.position_amt),
        "entryPrice": shown(p.entry_price),
        "markPrice": to_plain(p.mark_price),
        "marginType": p.margin_type.value,
        "leverage": str(p.leverage) if c.entry.leverage_known else "unknown",
        "bracket": str(c.f.bracket),
        "maintMarginRatio": to_plain(c.f.maint_margin_ratio),
        "maintAmount": to_plain(c.f.maint_amount),
    }
    if p.margin_type is MarginType.ISOLATED:
        inputs["isolatedWallet"] = shown(p.isolated_wallet)
    elif responses.wallet_where is not None:
        inputs["crossWalletBalance"] = to_plain(responses.account.cross_wallet_balance)
    if c.entry.fee_rate is not None:
        inputs["feeRate"] = to_plain(c.entry.fee_rate)
    if c.bids or c.asks:
        inputs["bidNotional"], inputs["askNotional"] = shown(c.bids), shown(c.asks)
    return inputs


def _account_inputs(figures: AccountFigures, responses: Responses) -> dict[str, str]:
    return {
        "crossWalletBalance": to_plain(responses.account.cross_wallet_balance),
        "positions": str(len(responses.account.positions)),
        "openOrders": str(len(responses.account.open_orders))
        if responses.orders_given
        else "no openOrders answer (none assumed)",
        "totalCrossUnPnl": shown(figures.total_cross_unrealized_pnl),
        "totalCrossMaintMargin": shown(figures.cross_maint_margin),
    }


def run_audit(responses: Responses) -> Audit:
    """Every figure the answers report, recomputed from the snapshot they describe and
    compared by :func:`agrees` (SNAP-6); the figures an unknown input reads are named as
    not audited (SNAP-5)."""
    account = responses.account
    figures = evaluate(account, responses.ruleset)
    by_key = {(f.position.symbol, f.position.position_side): f for f in figures.positions}
    checks: list[Check] = []
    derived: list[Derived] = []
    skipped = list(responses.not_audited)
    leverage_matters = False
    for entry in responses.entries:
        f = by_key[(entry.symbol, entry.side)]
        side_orders = [
            o
            for o in account.open_orders
            if o.symbol == entry.symbol and o.position_side is entry.side
        ]
        bids, asks = order_values(side_orders)
        c = _Ctx(entry, f, bids, asks)
        active = f.position.position_amt != 0 or bool(side_orders)
        leverage_matters |= active and not entry.leverage_known
        cross = f.position.margin_type is MarginType.CROSS
        for r in entry.reported:
            rules, get, lev = _POSITION[r.field]
            reason = None
            if lev and not entry.leverage_known and (active or r.field.startswith("maxNotional")):
                reason = "the leverage is in no answer (give --leverage SYMBOL=N)"
            elif r.field == "breakEvenPrice" and entry.fee_rate is None:
                reason = "the fee rate paid is in no answer (give --fee-rate [SYMBOL=]RATE)"
            elif r.field == "liquidationPrice" and cross and not responses.account_audited:
                reason = "multi-assets mode: a cross liquidation price reads every asset's value"
            elif r.field == "liquidationPrice" and cross and responses.wallet_where is None:
                reason = "a cross position's liquidation price reads the cross wallet: give the account answer"
            elif r.field == "isolatedMargin" and entry.derived_wallet:
                reason = "an input here: the isolated wallet is derived from it (SNAP-5)"
            if reason is not None:
                skipped.append(NotAudited(r.where, r.field, reason))
                continue
            value = get(c)
            ok = agrees(r, value, none_is_zero=r.field == "liquidationPrice")
            inputs = {} if ok else _position_inputs(c, responses)
            checks.append(
                Check("position", entry.symbol, entry.side.value, r, value, ok, rules, inputs)
            )
        if not cross:
            derived.append(
                Derived("position", entry.symbol, entry.side.value, "marginRatio", f.margin_ratio)
            )
    for scope, names, items in (
        ("account", {k: k for k in _ACCOUNT}, responses.totals),
        ("asset", _ASSET_NAMES, responses.asset),
    ):
        for r in items:
            rules, aget, lev = _ACCOUNT[names[r.field]]
            reason = None
            if not responses.account_audited:
                reason = "multi-assets mode: the model's account is single-asset USDT"
            elif r.where == responses.wallet_where:
                continue  # the input the cross wallet was read from
            elif lev and leverage_matters:
                reason = "a position's leverage is in no answer (give --leverage SYMBOL=N)"
            elif names[r.field] == "maxWithdrawAmount" and responses.margin_unknown:
                symbols = ", ".join(responses.margin_unknown)
                reason = f"it reads whether {symbols} (flat, with open orders) is isolated, which no answer states (XFER-1)"
            if reason is not None:
                skipped.append(NotAudited(r.where, r.field, reason))
                continue
            value = aget(figures)
            ok = agrees(r, value)
            inputs = {} if ok else _account_inputs(figures, responses)
            checks.append(Check(scope, None, None, r, value, ok, rules, inputs))
    if responses.wallet_where is not None:
        derived.append(Derived("account", None, None, "marginRatio", figures.margin_ratio))
    return Audit(
        responses.ruleset.name, tuple(checks), tuple(derived), tuple(skipped), responses.notes
    )


def _check_json(c: Check) -> dict[str, Any]:
    out: dict[str, Any] = {"scope": c.scope}
    if c.symbol is not None:
        out["symbol"] = c.symbol
        out["positionSide"] = c.side
    out |= {
        "field": c.reported.field,
        "where": c.reported.where,
        "reported": c.reported.text,
        "computed": shown(c.computed),
        "result": "agree" if c.agree else "diverge",
        "rules": list(c.rules),
    }
    if not c.agree:
        if c.computed is not None:
            out["difference"] = shown(c.reported.value - c.computed)
        out["inputs"] = dict(c.inputs)
    return out


def audit_json(audit: Audit) -> dict[str, Any]:
    """The audit as JSON (``model/schemas/audit-output.schema.json``)."""
    diverge = sum(not c.agree for c in audit.checks)
    return {
        "agree": audit.agree,
        "ruleset": audit.ruleset,
        "summary": {
            "agree": len(audit.checks) - diverge,
            "diverge": diverge,
            "notAudited": len(audit.not_audited),
        },
        "checks": [_check_json(c) for c in audit.checks],
        "derived": [
            {
                "scope": d.scope,
                **({"symbol": d.symbol, "positionSide": d.side} if d.symbol else {}),
                "field": d.field,
                "value": None if d.value is None else shown(d.value),
                "rules": ["MR-1"],
            }
            for d in audit.derived
        ],
        "notAudited": [
            {"where": n.where, "field": n.field, "reason": n.reason} for n in audit.not_audited
        ],
        "notes": list(audit.notes),
    }
