"""The API output profile (SNAP-4): ``evaluate --api aster|binance`` answers as the venue's
``GET /fapi/v3/positionRisk`` and account endpoint do, field for field.

The default ``evaluate`` output (SNAP-3, :mod:`marginspec.report`) carries every figure the
model derives; this profile carries exactly the fields of the venue's documented
responses, in their order, with the numbers written as the venue writes them. The field
tables below are the decisions of SNAP-4; each one's source is the venue's documented
example (tests/data/api/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from marginspec.account import Account, MarginType, PositionSide
from marginspec.errors import InputError
from marginspec.evaluate import AccountFigures, PositionFigures, order_values
from marginspec.margin import break_even_price
from marginspec.numbers import Exact, exact, is_finite_decimal, round_to, to_plain
from marginspec.report import display_price
from marginspec.ruleset import Options, RuleSet

#: The venues the profile knows, and the path of each one's account endpoint (A-API
#: documents Aster's "Account Information v3" at ``/fapi/v3/accountWithJoinMargin``).
ACCOUNT_PATH = {"aster": "/fapi/v3/accountWithJoinMargin", "binance": "/fapi/v3/account"}
POSITION_PATH = "/fapi/v3/positionRisk"
VENUES = tuple(ACCOUNT_PATH)

#: The API's precision: every money figure it computes has eight places (DISP-1's default).
PLACES = 8
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


@attrs.frozen
class Echo:
    """What a position of the snapshot gives only for this profile (SNAP-4): its numbers
    as written, the ADL quantile, the update time and the break-even fee rate."""

    texts: Mapping[str, str] = attrs.field(factory=dict)
    adl: int = 0
    update_time: int = 0
    fee_rate: Exact | None = None


def _f8(value: Exact, options: Options) -> str:
    """Eight places, trailing zeros kept ("0.76427700"), rounded by DISP-2."""
    text = to_plain(round_to(value, PLACES, options.display_rounding))
    whole, _, fraction = text.partition(".")
    if whole == "-0" and not fraction.strip("0"):  # only a zero loses its sign: -0.5 keeps it
        whole = "0"
    return f"{whole}.{fraction.ljust(PLACES, '0')}"


def _z8(value: Exact, options: Options) -> str:
    """As :func:`_f8`, but a zero is written "0" (the fields the API writes so)."""
    return "0" if value == 0 else _f8(value, options)


def _pad8(value: Exact, options: Options) -> str:
    """An echoed balance or price (DISP-4): exact, padded to eight places, never rounded."""
    if not is_finite_decimal(value):
        return _f8(value, options)
    text = to_plain(value)
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(PLACES, '0')}"


def _verbatim(key: str, value: Exact, echo: Echo, options: Options) -> str:
    """A number echoed as the snapshot wrote it ("-1.000", "6563.66500"): the API writes
    amounts and entry prices at the symbol's precision, which only the snapshot shows;
    without the text (a state of the account model) the exact value (DISP-4)."""
    text = echo.texts.get(key)
    if text is not None:
        return text
    return _exact(value, options)


def _exact(value: Exact, options: Options) -> str:
    """A computed price the API writes exactly ("70.900038636", nine places: FEE-2)."""
    return to_plain(value) if is_finite_decimal(value) else _f8(value, options)


def _liq(value: Exact | None, options: Options) -> str:
    """LIQ-5 as the API writes it: "0" when there is none; DISP-3 keeps a tiny price."""
    if value is None:
        return "0"
    text = _f8(value, options)
    return display_price(value, options) if value > 0 and Exact(text) == 0 else text


def _int(value: Any, where: str, low: int, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(where, "expected an integer")
    if value < low or (high is not None and value > high):
        span = f"{low} to {high}" if high is not None else f"at least {low}"
        raise InputError(where, f"must be {span}, got {value}")
    return value


def read_echoes(document: Any) -> dict[tuple[str, PositionSide], Echo]:
    """The profile's part of each snapshot position, by (symbol, side): the numbers as
    written, ``adl`` (0 to 4), ``updateTime`` (ms) and ``breakEvenFeeRate`` (SNAP-4).
    The document has been read by :func:`marginspec.account.parse_account` already."""
    out: dict[tuple[str, PositionSide], Echo] = {}
    if not isinstance(document, dict):
        return out
    positions = document.get("positions", [])
    for index, raw in enumerate(positions if isinstance(positions, list) else []):
        where = f"/positions/{index}"
        texts = {
            key: raw[key]
            for key in ("positionAmt", "entryPrice")
            if isinstance(raw.get(key), str) and _PLAIN_DECIMAL.fullmatch(raw[key])
        }
        rate = None
        if "breakEvenFeeRate" in raw:
            rate = exact(raw["breakEvenFeeRate"], f"{where}/breakEvenFeeRate")
            if not 0 <= rate < 1:
                raise InputError(f"{where}/breakEvenFeeRate", "must be at least 0 and below 1")
        echo = Echo(
            texts,
            _int(raw.get("adl", 0), f"{where}/adl", 0, 4),
            _int(raw.get("updateTime", 0), f"{where}/updateTime", 0, None),
            rate,
        )
        side = PositionSide(str(raw.get("positionSide", "BOTH")))
        out[(str(raw["symbol"]), side)] = echo
    return out


@attrs.frozen
class _Row:
    """One position as the profile sees it: its figures, echoes and order notionals."""

    f: PositionFigures
    echo: Echo
    bids: Exact
    asks: Exact
    break_even: Exact


_Field = Callable[[_Row, Options], Any]


def _cross(row: _Row) -> bool:
    return row.f.position.margin_type is MarginType.CROSS


def _iso_margin(row: _Row, o: Options) -> str:
    # Binance writes "0" for a cross position's isolated margin (B positionRisk v3 example).
    return "0" if _cross(row) else _f8(row.f.isolated_margin or Exact(0), o)


def _iso_wallet(row: _Row, o: Options) -> str:
    return "0" if _cross(row) else _pad8(row.f.position.isolated_wallet, o)


_AMT: _Field = lambda r, o: _verbatim("positionAmt", r.f.position.position_amt, r.echo, o)  # noqa: E731
_ENTRY: _Field = lambda r, o: _verbatim("entryPrice", r.f.position.entry_price, r.echo, o)  # noqa: E731
_UPNL: _Field = lambda r, o: _f8(r.f.unrealized_pnl, o)  # noqa: E731
_IM: _Field = lambda r, o: _z8(r.f.initial_margin + r.f.open_order_initial_margin, o)  # noqa: E731
_MM: _Field = lambda r, o: _z8(r.f.maint_margin, o)  # noqa: E731
_PIM: _Field = lambda r, o: _z8(r.f.initial_margin, o)  # noqa: E731
_OOIM: _Field = lambda r, o: _z8(r.f.open_order_initial_margin, o)  # noqa: E731
_TIME: _Field = lambda r, o: r.echo.update_time  # noqa: E731

#: Binance's ``GET /fapi/v3/positionRisk`` (B positionRisk v3 example), in its order.
BINANCE_POSITION: tuple[tuple[str, _Field], ...] = (
    ("symbol", lambda r, o: r.f.position.symbol),
    ("positionSide", lambda r, o: r.f.position.position_side.value),
    ("positionAmt", _AMT),
    ("entryPrice", _ENTRY),
    ("breakEvenPrice", lambda r, o: _exact(r.break_even, o)),
    ("markPrice", lambda r, o: _pad8(r.f.position.mark_price, o)),
    ("unRealizedProfit", _UPNL),
    ("liquidationPrice", lambda r, o: _liq(r.f.liquidation_price, o)),
    ("isolatedMargin", _iso_margin),
    ("notional", lambda r, o: _z8(r.f.notional, o)),
    ("marginAsset", lambda r, o: "USDT"),
    ("isolatedWallet", _iso_wallet),
    ("initialMargin", _IM),
    ("maintMargin", _MM),
    ("positionInitialMargin", _PIM),
    ("openOrderInitialMargin", _OOIM),
    ("adl", lambda r, o: r.echo.adl),
    ("bidNotional", lambda r, o: _z8(r.bids, o)),
    ("askNotional", lambda r, o: _z8(r.asks, o)),
    ("updateTime", _TIME),
)

#: Aster's ``GET /fapi/v3/positionRisk`` (A-API "Position Information v3"), in its order.
ASTER_POSITION: tuple[tuple[str, _Field], ...] = (
    ("entryPrice", _ENTRY),
    ("marginType", lambda r, o: r.f.position.margin_type.value),
    ("isAutoAddMargin", lambda r, o: "false"),
    ("isolatedMargin", lambda r, o: _f8(r.f.isolated_margin or Exact(0), o)),
    ("leverage", lambda r, o: str(r.f.position.leverage)),
    ("liquidationPrice", lambda r, o: _liq(r.f.liquidation_price, o)),
    ("markPrice", lambda r, o: _pad8(r.f.position.mark_price, o)),
    ("maxNotionalValue", lambda r, o: to_plain(r.f.max_notional)),
    ("positionAmt", _AMT),
    ("symbol", lambda r, o: r.f.position.symbol),
    ("unRealizedProfit", _UPNL),
    ("positionSide", lambda r, o: r.f.position.position_side.value),
    ("updateTime", _TIME),
)

#: Binance's ``GET /fapi/v3/account`` position entries (B account v3 example).
BINANCE_ACCOUNT_POSITION: tuple[tuple[str, _Field], ...] = (
    ("symbol", lambda r, o: r.f.position.symbol),
    ("positionSide", lambda r, o: r.f.position.position_side.value),
    ("positionAmt", _AMT),
    ("unrealizedProfit", _UPNL),
    ("isolatedMargin", lambda r, o: _f8(r.f.isolated_margin or Exact(0), o)),
    ("notional", lambda r, o: _z8(r.f.notional, o)),
    ("isolatedWallet", _iso_wallet),
    ("initialMargin", _IM),
    ("maintMargin", _MM),
    ("updateTime", _TIME),
)

#: Aster's ``GET /fapi/v3/accountWithJoinMargin`` position entries (A-API example).
ASTER_ACCOUNT_POSITION: tuple[tuple[str, _Field], ...] = (
    ("symbol", lambda r, o: r.f.position.symbol),
    ("initialMargin", _IM),
    ("maintMargin", _MM),
    ("unrealizedProfit", _UPNL),
    ("positionInitialMargin", _PIM),
    ("openOrderInitialMargin", _OOIM),
    ("leverage", lambda r, o: str(r.f.position.leverage)),
    ("isolated", lambda r, o: not _cross(r)),
    ("entryPrice", _ENTRY),
    ("maxNotional", lambda r, o: to_plain(r.f.max_notional)),
    ("positionSide", lambda r, o: r.f.position.position_side.value),
    ("positionAmt", _AMT),
    ("updateTime", _TIME),
)


def _rows(
    account: Account, figures: AccountFigures, ruleset: RuleSet, echoes: Mapping[Any, Echo]
) -> list[_Row]:
    rows = []
    for f in figures.positions:
        p = f.position
        echo = echoes.get((p.symbol, p.position_side), Echo())
        side_orders = [
            o
            for o in account.open_orders
            if o.symbol == p.symbol and o.position_side is p.position_side
        ]
        bids, asks = order_values(side_orders)
        rate = echo.fee_rate
        if rate is None:  # FEE-2's default: opened and closed at the taker rate
            rate = 2 * ruleset.markets[p.symbol].taker_fee
        rows.append(
            _Row(f, echo, bids, asks, break_even_price(p.position_amt, p.entry_price, rate))
        )
    return rows


def _entries(rows: Sequence[_Row], table: Sequence[tuple[str, _Field]], o: Options) -> list[Any]:
    return [{name: field(row, o) for name, field in table} for row in rows]


def _listed(rows: Sequence[_Row], account: Account) -> list[_Row]:
    """Binance returns only the symbols that have a position or an open order."""
    active = {r.f.position.symbol for r in rows if r.f.position.position_amt != 0}
    active |= {o.symbol for o in account.open_orders}
    return [r for r in rows if r.f.position.symbol in active]


def _totals(figures: AccountFigures, o: Options) -> dict[str, Any]:
    return {
        "totalInitialMargin": _f8(figures.total_initial_margin, o),
        "totalMaintMargin": _f8(figures.total_maint_margin, o),
        "totalWalletBalance": _pad8(figures.total_wallet_balance, o),
        "totalUnrealizedProfit": _f8(figures.total_unrealized_pnl, o),
        "totalMarginBalance": _f8(figures.total_margin_balance, o),
        "totalPositionInitialMargin": _f8(figures.total_position_initial_margin, o),
        "totalOpenOrderInitialMargin": _f8(figures.total_open_order_initial_margin, o),
        "totalCrossWalletBalance": _pad8(figures.total_cross_wallet_balance, o),
        "totalCrossUnPnl": _f8(figures.total_cross_unrealized_pnl, o),
        "availableBalance": _f8(figures.available_balance, o),
        "maxWithdrawAmount": _f8(figures.max_withdraw, o),
    }


def _asset(figures: AccountFigures, o: Options, venue: str) -> dict[str, Any]:
    """The one asset of the model's single-asset USDT account (SNAP-4)."""
    asset: dict[str, Any] = {
        "asset": "USDT",
        "walletBalance": _pad8(figures.total_wallet_balance, o),
        "unrealizedProfit": _f8(figures.total_unrealized_pnl, o),
        "marginBalance": _f8(figures.total_margin_balance, o),
        "maintMargin": _f8(figures.total_maint_margin, o),
        "initialMargin": _f8(figures.total_initial_margin, o),
        "positionInitialMargin": _f8(figures.total_position_initial_margin, o),
        "openOrderInitialMargin": _f8(figures.total_open_order_initial_margin, o),
        "crossWalletBalance": _pad8(figures.total_cross_wallet_balance, o),
        "crossUnPnl": _f8(figures.total_cross_unrealized_pnl, o),
        "availableBalance": _f8(figures.available_balance, o),
        "maxWithdrawAmount": _f8(figures.max_withdraw, o),
    }
    if venue == "aster":
        asset["marginAvailable"] = True
    asset["updateTime"] = 0
    return asset


def api_document(
    account: Account,
    figures: AccountFigures,
    ruleset: RuleSet,
    venue: str,
    echoes: Mapping[tuple[str, PositionSide], Echo] | None = None,
) -> dict[str, Any]:
    """SNAP-4: the venue's ``positionRisk`` and account answers for ``account``, keyed by
    their paths, field for field as the venue writes them."""
    if venue not in ACCOUNT_PATH:
        raise InputError("--api", f"unknown venue {venue!r} (one of: {', '.join(VENUES)})")
    o = ruleset.options
    rows = _rows(account, figures, ruleset, echoes or {})
    if venue == "binance":
        listed = _listed(rows, account)
        body: dict[str, Any] = _totals(figures, o)
        body["assets"] = [_asset(figures, o, venue)]
        body["positions"] = _entries(listed, BINANCE_ACCOUNT_POSITION, o)
        risk = _entries(listed, BINANCE_POSITION, o)
    else:
        # Aster's account answer opens with the account's flags, which the model does not
        # hold: the documented example's values (fee tier 0, everything allowed).
        body = {
            "feeTier": 0,
            "canTrade": True,
            "canDeposit": True,
            "canWithdraw": True,
            "updateTime": 0,
        }
        body |= _totals(figures, o)
        body["assets"] = [_asset(figures, o, venue)]
        body["positions"] = _entries(rows, ASTER_ACCOUNT_POSITION, o)
        risk = _entries(rows, ASTER_POSITION, o)
    return {ACCOUNT_PATH[venue]: body, POSITION_PATH: risk}
