"""Account figures as JSON in the exchange API's vocabulary (the ``evaluate`` output, SNAP-3).

Field names follow ``GET /fapi/v3/account`` and ``positionRisk`` (A-API, B-WAL); every
number is a decimal string rounded by the display rule (DISP-1, DISP-2), except the
figures echoed from the input, written exactly (DISP-4); a positive price never reads
"0" (DISP-3); a price that does not exist is ``null`` or ``"0"`` by option LIQ-5.
"""

from __future__ import annotations

from typing import Any

from marginspec.decimal_text import display_text, plain_text
from marginspec.evaluate import AccountFigures, PositionFigures
from marginspec.numbers import Exact, display
from marginspec.ruleset import NoPrice, Options


def _num(value: Exact, options: Options) -> str:
    # DISP-1 by integer arithmetic: numbers.display's fast path (docs/performance.md).
    return display_text(value, options.display_decimals, options.display_rounding)


def _opt(value: Exact | None, options: Options) -> str | None:
    return None if value is None else _num(value, options)


def _terminates(value: Exact) -> bool:
    denominator = Exact(value).denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return bool(denominator == 1)


def echo(value: Exact, options: Options) -> str:
    """DISP-4: a figure echoed from the input (amount, entry and mark price, wallet) is
    written exactly; only a value with no finite decimal expansion (a weighted entry
    of the account model) is rounded by DISP-1."""
    if _terminates(value):
        return plain_text(value)  # numbers.to_plain's fast path
    return _num(value, options)


def display_price(value: Exact, options: Options) -> str:
    """DISP-3: a positive price that DISP-1 would write as "0" is written to its eighth
    significant digit instead (rounded by DISP-2), so it never reads as "0", the API's
    "no price" (LIQ-5)."""
    text = _num(value, options)
    if value <= 0 or Exact(text) != 0:
        return text
    places = 0
    while value * 10**places < 1:  # the first significant digit is at ``places``
        places += 1
    return display(value, places + 7, options.display_rounding)


def _price(value: Exact | None, options: Options) -> str | None:
    if value is None:
        return "0" if options.no_liquidation_price is NoPrice.ZERO else None
    return display_price(value, options)


def position_json(f: PositionFigures, options: Options) -> dict[str, Any]:
    p = f.position
    return {
        "symbol": p.symbol,
        "positionSide": p.position_side.value,
        "positionAmt": echo(p.position_amt, options),
        "entryPrice": echo(p.entry_price, options),
        "markPrice": echo(p.mark_price, options),
        "marginType": p.margin_type.value,
        "leverage": p.leverage,
        "notional": _num(f.notional, options),
        "initialMargin": _num(f.initial_margin + f.open_order_initial_margin, options),
        "positionInitialMargin": _num(f.initial_margin, options),
        "openOrderInitialMargin": _num(f.open_order_initial_margin, options),
        "maintMargin": _num(f.maint_margin, options),
        "maintMarginRatio": _num(f.maint_margin_ratio, options),
        "maintAmount": _num(f.maint_amount, options),
        "bracket": f.bracket,
        "maxNotionalValue": _num(f.max_notional, options),
        "unRealizedProfit": _num(f.unrealized_pnl, options),
        "isolatedWallet": echo(p.isolated_wallet, options),
        "isolatedMargin": _opt(f.isolated_margin, options),
        "marginRatio": _opt(f.margin_ratio, options),
        "liquidationPrice": _price(f.liquidation_price, options),
        "bankruptcyPrice": _price(f.bankruptcy_price, options),
        "maxAddableMargin": _opt(f.max_add_margin, options),
        "maxRemovableMargin": _opt(f.max_remove_margin, options),
        "liquidatable": f.liquidatable,
    }


def account_json(figures: AccountFigures, options: Options) -> dict[str, Any]:
    """SNAP-3: the ``evaluate`` output document (schema: ``marginspec/schemas/evaluate-output.schema.json``)."""
    return {
        "totalWalletBalance": echo(figures.total_wallet_balance, options),
        "totalCrossWalletBalance": echo(figures.total_cross_wallet_balance, options),
        "totalUnrealizedProfit": _num(figures.total_unrealized_pnl, options),
        "totalCrossUnPnl": _num(figures.total_cross_unrealized_pnl, options),
        "totalMarginBalance": _num(figures.total_margin_balance, options),
        "totalPositionInitialMargin": _num(figures.total_position_initial_margin, options),
        "totalOpenOrderInitialMargin": _num(figures.total_open_order_initial_margin, options),
        "totalInitialMargin": _num(figures.total_initial_margin, options),
        "totalMaintMargin": _num(figures.total_maint_margin, options),
        "totalCrossMaintMargin": _num(figures.cross_maint_margin, options),
        "marginRatio": _opt(figures.margin_ratio, options),
        "availableBalance": _num(figures.available_balance, options),
        "maxWithdrawAmount": _num(figures.max_withdraw, options),
        "liquidatable": figures.liquidatable,
        "positions": [position_json(p, options) for p in figures.positions],
    }


def cell_text(value: Any) -> str:
    """A JSON value as a table cell for people: ``null`` as a dash, booleans as yes/no."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
