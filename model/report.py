"""Account figures as JSON in the exchange API's vocabulary (the ``evaluate`` output, SNAP-3).

Field names follow ``GET /fapi/v3/account`` and ``positionRisk`` (A-API, B-WAL); every
number is a decimal string rounded by the display rule (DISP-1, DISP-2); a price that
does not exist is ``null`` or ``"0"`` by option LIQ-5.
"""

from __future__ import annotations

from typing import Any

from marginspec.decimal_text import display_text
from marginspec.evaluate import AccountFigures, PositionFigures
from marginspec.numbers import Exact
from marginspec.ruleset import NoPrice, Options


def _num(value: Exact, options: Options) -> str:
    # DISP-1 by integer arithmetic: numbers.display's fast path (docs/performance.md).
    return display_text(value, options.display_decimals, options.display_rounding)


def _opt(value: Exact | None, options: Options) -> str | None:
    return None if value is None else _num(value, options)


def _price(value: Exact | None, options: Options) -> str | None:
    if value is None:
        return "0" if options.no_liquidation_price is NoPrice.ZERO else None
    return _num(value, options)


def position_json(f: PositionFigures, options: Options) -> dict[str, Any]:
    p = f.position
    return {
        "symbol": p.symbol,
        "positionSide": p.position_side.value,
        "positionAmt": _num(p.position_amt, options),
        "entryPrice": _num(p.entry_price, options),
        "markPrice": _num(p.mark_price, options),
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
        "isolatedWallet": _num(p.isolated_wallet, options),
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
        "totalWalletBalance": _num(figures.total_wallet_balance, options),
        "totalCrossWalletBalance": _num(figures.total_cross_wallet_balance, options),
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
