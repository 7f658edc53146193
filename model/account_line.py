"""The ``evaluate`` JSON line of a one-position account on integers: the fast path of
``json.dumps(report.account_json(evaluate(account, ruleset), options))``.

A service evaluates mostly one position per account, with no open orders. For that shape
every figure of SNAP-3 is a short sum of products of the five inputs (wallet, amount,
entry, mark, isolated wallet) and the position's bracket: with each input an integer
over 10^8 (exchange decimals have at most 8 places), the sums are integers over one
denominator, each figure's text is one integer division (DISP-1, DISP-2), and the
liquidation price is the integer walk of ``batch.column_liquidation_prices``. The
formulas are the model's (cited below); the figures of the model's own functions are the
reference: ``tests/test_account_line.py`` holds the line byte-identical to the scalar
route on random, boundary and real-table accounts. Any other shape (several positions,
open orders, a zero amount, an input of more than 8 places, a table whose numbers are
not decimals of at most 8 (rates) or 16 (edges) places, a walk that does not decide, a
positive price shown as "0") returns None: the caller takes the scalar route.
Under the default display (8 places, DOWN) each figure is cut to an integer number of
10^-8 before it is written (``LineWriter._line8``); ``LineWriter.lines`` writes a batch
in one loop. (Why it exists: docs/performance.md, "Service speed".)
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

from gmpy2 import mpz

from marginspec.account import Account, MarginType
from marginspec.batch import Book, _Side, _side, _Step
from marginspec.brackets import Boundary
from marginspec.decimal_text import display_text
from marginspec.evaluate import _max_notional
from marginspec.numbers import Exact, Rounding
from marginspec.report import display_price
from marginspec.ruleset import NoPrice, RuleSet, Trigger

_P8 = 10**8
_P16 = 10**16
_UNITS = (_P8, _P8, _P8, _P8)
_CROSS = MarginType.CROSS


class _Market:
    """One market's table as integers (edges over 10^16, rates and cums over 10^8), its
    texts, and the liquidation walk's tables in units of 10^-8 for each side."""

    def __init__(self, book: Book, symbol: str, inclusive: bool) -> None:
        table = book.ruleset.markets[symbol].brackets
        self.table = table
        self.symbol = json.dumps(symbol)
        caps = [_integer(b.notional_cap, _P16) for b in table]
        rates = [_integer(b.maint_margin_ratio, _P8) for b in table]
        cums = [_integer(b.cum, _P8) for b in table]
        self.fast = None not in caps + rates + cums
        self.caps = tuple(x or 0 for x in caps)
        self.rates = tuple(x or 0 for x in rates)
        self.cums = tuple(x or 0 for x in cums)
        self.cums24 = tuple(x * _P16 for x in self.cums)  # over 10^24, as MM-1's product
        self.last = len(table) - 1
        self.max_leverage = book.ruleset.markets[symbol].max_leverage
        unpacked = book.tables[symbol]
        self.long: _Side = _side(unpacked, True, _UNITS, inclusive)
        self.short: _Side = _side(unpacked, False, _UNITS, inclusive)
        # the same walks for the default display, the answer's factor times 10^8
        self.long8 = _walk8(self.long)
        self.short8 = _walk8(self.short)
        self.texts: dict[tuple[int, int], str] = {}
        self.labels: dict[tuple[str, bool, int], tuple[str, str]] = {}


_Walk8 = tuple[int, int, tuple[_Step | None, ...]]


def _walk8(side: _Side) -> _Walk8:
    """A side's walk (wallet and entry factors, steps) with each step's answer factor
    times 10^8: the price cut to 8 places is one floor division."""
    steps = tuple(
        None if step is None else (*step[:4], step[4] * _P8, step[5]) for step in side.steps
    )
    return side.wallet_factor, side.entry_factor, steps


def _integer(value: Exact, scale: int) -> int | None:
    """``value × scale`` if it is an integer, else None."""
    scaled = value * scale
    return int(scaled) if scaled.denominator == 1 else None


class LineWriter:
    """Writes the JSON line of one-position accounts of one rule set (see the module)."""

    def __init__(self, ruleset: RuleSet | Book) -> None:
        self.book = ruleset if isinstance(ruleset, Book) else Book(ruleset)
        options = self.book.ruleset.options
        self.options = options
        self.inclusive = options.bracket_boundary is Boundary.CAP_INCLUSIVE
        self.strict = options.liquidation_trigger is Trigger.LT
        self.power = 10**options.display_decimals
        self.decimals = options.display_decimals
        self.rounding = options.display_rounding
        self.no_price = '"0"' if options.no_liquidation_price is NoPrice.ZERO else "null"
        self.markets: dict[str, _Market] = {}
        self.marks: dict[int, str] = {}
        # 10^8 / q for each denominator q of a decimal of at most 8 places (2^i·5^j)
        self.factors = {mpz(2**i * 5**j): _P8 // (2**i * 5**j) for i in range(9) for j in range(9)}
        self.search = bisect_left if self.inclusive else bisect_right
        self.route = self._line
        if self.rounding is Rounding.DOWN and self.decimals == 8:
            self._text = _down8  # type: ignore[method-assign]
            self._places = _places8  # type: ignore[method-assign]
            self.route = self._line8  # the default display

    def _text(self, numerator: int, denominator: int) -> str:
        """The display text (DISP-1, DISP-2) of ``numerator / denominator`` (denominator > 0) to the display
        places, by one integer division (``decimal_text.display_text`` on integers)."""
        negative = numerator < 0
        if negative:
            numerator = -numerator
        whole, rest = divmod(numerator * self.power, denominator)
        if rest and self.rounding is not Rounding.DOWN:
            twice = rest + rest
            if twice > denominator or (
                twice == denominator and (self.rounding is Rounding.HALF_UP or whole & 1 == 1)
            ):
                whole += 1
        if not whole:
            return "0"
        text = str(whole)
        decimals = self.decimals
        if decimals:
            if len(text) <= decimals:
                text = "0" * (decimals + 1 - len(text)) + text
            fraction = text[-decimals:].rstrip("0")
            text = f"{text[:-decimals]}.{fraction}" if fraction else text[:-decimals]
        return "-" + text if negative else text

    def _places(self, value: int, places: int) -> str:
        """:meth:`_text` of ``value / 10^places``."""
        return self._text(value, 10**places)

    def _price(self, numerator: int, denominator: int) -> str | None:
        """A positive price's text (LIQ-5, DISP-3); None where DISP-3 needs the scalar route."""
        text = self._text(numerator, denominator)
        if text == "0":
            return display_price(Exact(numerator, denominator), self.options)
        return text

    def _market(self, symbol: str) -> _Market | None:
        market = self.markets.get(symbol)
        if market is None:
            if symbol not in self.book.ruleset.markets:
                return None
            market = self.markets[symbol] = _Market(self.book, symbol, self.inclusive)
        return market if market.fast else None

    def _bracket_text(self, market: _Market, k: int, leverage: int) -> str:
        """The line's texts fixed by the bracket and the leverage, written once per writer."""
        bracket = market.table[k]
        rounding, places = self.rounding, self.decimals
        text = market.texts[k, leverage] = (
            f'","maintMarginRatio":"{display_text(bracket.maint_margin_ratio, places, rounding)}",'
            f'"maintAmount":"{display_text(bracket.cum, places, rounding)}",'
            f'"bracket":{bracket.bracket},"maxNotionalValue":'
            f'"{display_text(_max_notional(market.table, leverage), places, rounding)}",'
            '"unRealizedProfit":"'
        )
        return text

    def _labels(
        self, market: _Market, position_side: str, cross: bool, leverage: int
    ) -> tuple[str, str]:
        """The line's texts fixed by the symbol, side, margin type and leverage."""
        labels = market.labels[position_side, cross, leverage] = (
            f'"positions":[{{"symbol":{market.symbol},"positionSide":"{position_side}",'
            '"positionAmt":"',
            f'","marginType":"{"cross" if cross else "isolated"}","leverage":{leverage},'
            '"notional":"',
        )
        return labels

    def line(self, account: Account) -> str | None:
        """The line ``json.dumps(account_json(evaluate(account)))`` writes, or None where
        the account is not of the fast shape (the caller evaluates it the scalar way)."""
        return self.lines((account,))[0]

    def lines(self, accounts: Iterable[Account]) -> list[str | None]:
        """:meth:`line` of each account, in one loop (a batch of one rule set)."""
        factors = self.factors
        route = self.route
        market_of = self._market
        out: list[str | None] = []
        append = out.append
        symbol: str | None = None
        market: _Market | None = None
        for account in accounts:
            positions = account.positions
            if account.open_orders or len(positions) != 1:
                append(None)
                continue
            p = positions[0]
            if p.symbol != symbol:
                symbol = p.symbol
                market = market_of(symbol)
            if market is None:
                append(None)
                continue
            # the five inputs as integers over 10^8 (echoed exactly, DISP-4)
            amount = p.position_amt
            entry = p.entry_price
            mark = p.mark_price
            wallet = account.cross_wallet_balance
            isolated = p.isolated_wallet
            try:
                a = int(amount.numerator) * factors[amount.denominator]
                e = int(entry.numerator) * factors[entry.denominator]
                m = int(mark.numerator) * factors[mark.denominator]
                w = int(wallet.numerator) * factors[wallet.denominator]
                iw = int(isolated.numerator) * factors[isolated.denominator] if isolated else 0
            except KeyError:  # a denominator that does not divide 10^8
                append(None)
                continue
            if not a:
                append(None)
                continue
            append(
                route(
                    market,
                    p.position_side._value_,
                    p.margin_type is _CROSS,
                    a,
                    e,
                    m,
                    w,
                    iw,
                    p.leverage,
                )
            )
        return out

    def line_from_json(self, data: Any) -> str | None:
        """:meth:`line` of a decoded ``evaluate`` input document of the common shape
        (SNAP-1): one-way mode, one open position, no orders, each number a decimal
        string of at most 20 + 8 digits, the leverage a JSON integer, no optional field
        but ``marginType``, ``positionSide`` "BOTH" and an isolated position's
        ``isolatedWallet``. Every document this accepts, ``parse_account`` accepts with
        the same values (each test is one of its checks, or narrower); anything else is
        None, and the caller parses it the general way (which refuses it, or not)."""
        if type(data) is not dict or len(data) != 2:
            return None
        positions = data.get("positions")
        wallet_text = data.get("crossWalletBalance")
        if type(positions) is not list or len(positions) != 1 or type(wallet_text) is not str:
            return None
        p = positions[0]
        if type(p) is not dict or not _POSITION_KEYS.issuperset(p):
            return None
        symbol = p.get("symbol")
        if type(symbol) is not str:
            return None
        market = self._market(symbol)
        leverage = p.get("leverage")
        if market is None or type(leverage) is not int or not 1 <= leverage <= market.max_leverage:
            return None
        if p.get("positionSide", "BOTH") != "BOTH":
            return None
        kind = p.get("marginType", "cross")
        iw: int | None = 0
        if kind == "cross":
            cross = True
            if "isolatedWallet" in p:
                return None
        elif kind == "isolated":
            cross = False
            iw = _decimal(p.get("isolatedWallet"))
            if iw is None or iw < 0:
                return None
        else:
            return None
        a = _decimal(p.get("positionAmt"))
        e = _decimal(p.get("entryPrice"))
        m = _decimal(p.get("markPrice"))
        w = _decimal(wallet_text)
        if not a or iw is None or e is None or e <= 0 or m is None or m <= 0 or w is None:
            return None
        return self.route(market, "BOTH", cross, a, e, m, w, iw, leverage)

    def _line8(
        self,
        market: _Market,
        position_side: str,
        cross: bool,
        a: int,
        e: int,
        m: int,
        w: int,
        iw: int,
        leverage: int,
    ) -> str | None:
        """:meth:`_line` under the default display (8 places, DOWN): every figure is
        first cut to an integer number of 10^-8 (DISP-2 DOWN: toward zero), then written
        by :func:`_exact`; a floor of a sum is the sum of an integer and a floor, so most
        figures need no product beyond the formula's own."""
        marks = self.marks
        mark_text = marks.get(m)
        if mark_text is None:
            if len(marks) >= 4096:
                marks.clear()
            mark_text = marks[m] = _exact(m)
        if a > 0:
            size = a
            walk = market.long8
        else:
            size = -a
            walk = market.short8
        size16 = size * m  # |notional| over 10^16 (N-1)
        # BRK-3, BRK-4: the owning bracket, the first whose cap the notional does not exceed
        k = self.search(market.caps, size16, 0, market.last)
        mm24 = size16 * market.rates[k] - market.cums24[k]  # MM-1, over 10^24
        if mm24 < 0:
            return self._line(market, position_side, cross, a, e, m, w, iw, leverage)
        mm_floor = mm24 // _P16
        mm_ceil = -(-mm24 // _P16)
        upnl16 = a * (m - e)  # UPNL-1, over 10^16
        upnl_floor, upnl_rest = divmod(upnl16, _P8)
        pl = _P8 * leverage
        notional = _exact(size16 // _P8)
        # IM-1 |N|/L: at leverage 1 the notional's text (DISP-2 cuts |x|)
        im = _exact(size16 // pl) if leverage != 1 else notional
        if a < 0 and notional != "0":
            notional = "-" + notional
        mm = _exact(mm_floor)
        q = upnl_floor + 1 if upnl_floor < 0 and upnl_rest else upnl_floor
        upnl = _exact(q)
        wallet_text = _exact(w)
        if cross:
            wallet = w
            total_wallet = wallet_text
            balance16 = w * _P8 + upnl16  # MB-1, over 10^16
            q = w + upnl_floor
            # AVB-1, XFER-1/XFER-2 (no open orders: ORD-2 is 0), floors of nonnegative sums
            available_q = (balance16 * leverage - size16) // pl
            if available_q < 0:
                available_q = 0
            withdraw_q = w - mm_ceil
            if withdraw_q > available_q:
                withdraw_q = available_q
            elif withdraw_q < 0:
                withdraw_q = 0
            available = _exact(available_q)
            withdraw = available if withdraw_q == available_q else _exact(withdraw_q)
            ratio = f'"{_exact(mm24 // balance16)}"' if balance16 > 0 else "null"  # MR-1
            below = balance16 * _P8 < mm24 if self.strict else balance16 * _P8 <= mm24  # LIQ-1
            account_liquidatable = "true" if below else "false"
        else:
            wallet = iw
            total = w + iw
            total_wallet = _exact(total)
            q = total + upnl_floor
            # both are the cross wallet, or 0 (ORD-2 is 0, the cross side holds nothing)
            withdraw = available = wallet_text if w > 0 else "0"
            ratio = '"0"' if w > 0 else "null"
            account_liquidatable = "false"
        if q < 0 and upnl_rest:
            q += 1
        balance = _exact(q)

        # LIQ-2 … LIQ-6 of the one leg (its cross wallet with no other cross position, or
        # its isolated wallet): batch.column_liquidation_prices's walk in units of 10^-8,
        # from the owning bracket k; then BKR-1
        wf, ef, steps = walk
        ae = a * e
        v = wallet * wf - ae * ef
        j = k
        moved = 0
        while True:
            step = steps[j]
            if step is None:
                return None  # no solution in this bracket: the scalar route decides
            sign, inside, above, positive, factor, denominator = step
            x = v if sign > 0 else -v
            if x > inside:
                if moved < 0:
                    return None  # a turn: the scalar route decides
                moved = 1
                j += 1
            elif x <= above:
                if not j:
                    lp = self.no_price  # below the first floor: no positive price (LIQ-5)
                    break
                if moved > 0:
                    return None
                moved = -1
                j -= 1
            elif x > positive:
                q = (x - positive) * factor // (size * denominator)
                if not q:
                    return None  # DISP-3: the scalar route writes a tiny price
                lp = f'"{_exact(q)}"'
                break
            else:
                return None
        # BKR-1: EP − W/amt, over 10^8
        numerator = ae - wallet * _P8 if a > 0 else wallet * _P8 - ae
        if numerator > 0:
            q = numerator // size
            if not q:
                return None
            bp = f'"{_exact(q)}"'
        else:
            bp = self.no_price

        bracket_text = market.texts.get((k, leverage))
        if bracket_text is None:
            bracket_text = self._bracket_text(market, k, leverage)
        labels = market.labels.get((position_side, cross, leverage))
        if labels is None:
            labels = self._labels(market, position_side, cross, leverage)
        head, middle = labels
        if cross:
            position_tail = f'"isolatedMargin":null,"marginRatio":null,"liquidationPrice":{lp},"bankruptcyPrice":{bp},"maxAddableMargin":null,"maxRemovableMargin":null,"liquidatable":null}}]}}'
            cross_upnl, cross_mm = upnl, mm
            iso_text = _exact(iw) if iw else "0"  # an Account may hold one (DISP-4 echoes it)
        else:
            margin16 = iw * _P8 + upnl16  # the isolated margin, over 10^16
            q = iw + upnl_floor
            if q < 0 and upnl_rest:
                q += 1
            position_ratio = f'"{_exact(mm24 // margin16)}"' if margin16 > 0 else "null"
            # XFER-3: max(0, min(iw − MM, iw + uPnL − |N|/L))
            removal_q = (margin16 * leverage - size16) // pl
            if removal_q > iw - mm_ceil:
                removal_q = iw - mm_ceil
            if removal_q < 0:
                removal_q = 0
            below = margin16 * _P8 < mm24 if self.strict else margin16 * _P8 <= mm24
            position_tail = (
                f'"isolatedMargin":"{_exact(q)}","marginRatio":{position_ratio},'
                f'"liquidationPrice":{lp},"bankruptcyPrice":{bp},"maxAddableMargin":"{withdraw}",'
                f'"maxRemovableMargin":"{_exact(removal_q)}","liquidatable":{"true" if below else "false"}}}]}}'
            )
            cross_upnl = cross_mm = "0"
            iso_text = _exact(iw)
        return (
            f'{{"totalWalletBalance":"{total_wallet}","totalCrossWalletBalance":"{wallet_text}",'
            f'"totalUnrealizedProfit":"{upnl}","totalCrossUnPnl":"{cross_upnl}",'
            f'"totalMarginBalance":"{balance}",'
            f'"totalPositionInitialMargin":"{im}","totalOpenOrderInitialMargin":"0",'
            f'"totalInitialMargin":"{im}","totalMaintMargin":"{mm}",'
            f'"totalCrossMaintMargin":"{cross_mm}","marginRatio":{ratio},'
            f'"availableBalance":"{available}","maxWithdrawAmount":"{withdraw}",'
            f'"liquidatable":{account_liquidatable},{head}{_exact(a)}",'
            f'"entryPrice":"{_exact(e)}","markPrice":"{mark_text}{middle}'
            f'{notional}","initialMargin":"{im}",'
            f'"positionInitialMargin":"{im}","openOrderInitialMargin":"0",'
            f'"maintMargin":"{mm}{bracket_text}'
            f'{upnl}","isolatedWallet":"{iso_text}",' + position_tail
        )

    def _line(
        self,
        market: _Market,
        position_side: str,
        cross: bool,
        a: int,
        e: int,
        m: int,
        w: int,
        iw: int,
        leverage: int,
    ) -> str | None:
        """The line of one position (None: DISP-3 or the walk ask for the scalar route): amount ``a``, entry ``e``, mark ``m``, cross wallet
        ``w`` and isolated wallet ``iw`` over 10^8, ``a`` not 0."""
        # a book's positions share few marks: each mark's text is remembered
        marks = self.marks
        mark_text = marks.get(m)
        if mark_text is None:
            if len(marks) >= 4096:
                marks.clear()
            mark_text = marks[m] = _exact(m)
        iso = 0 if cross else iw  # Σ isolated wallets (B-WAL)
        wallet_text = _exact(w)
        text = self._text
        exact = _exact

        size = a if a > 0 else -a
        size16 = size * m  # |notional| over 10^16 (N-1)
        # BRK-3, BRK-4: the owning bracket, the first whose cap the notional does not exceed
        search = bisect_left if self.inclusive else bisect_right
        k = search(market.caps, size16, 0, market.last)
        mm24 = size16 * market.rates[k] - market.cums[k] * _P16  # MM-1, over 10^24
        upnl16 = a * (m - e)  # UPNL-1, over 10^16
        # one denominator for the sums: 10^24·L (IM-1 is |N|/L)
        d = _P16 * _P8 * leverage
        mm_d = mm24 * leverage
        upnl_d = upnl16 * _P8 * leverage
        im_d = size16 * _P8
        w_d = w * _P16 * leverage
        places = self._places
        notional = places(a * m, 16)
        # IM-1 |N|/L: at leverage 1 the notional's text without its sign (DISP-2 rounds |x|)
        im = text(size16, _P16 * leverage) if leverage != 1 else notional.lstrip("-")
        mm = places(mm24, 24)
        upnl = places(upnl16, 16)
        # AVB-1, XFER-1/XFER-2 (no open orders: ORD-2 is 0)
        available_d = w_d + (upnl_d - im_d if cross else 0)
        if available_d < 0:
            available_d = 0
        withdraw_d = w_d - (mm_d if cross else 0)
        if withdraw_d > available_d:
            withdraw_d = available_d
        if withdraw_d < 0:
            withdraw_d = 0
        if not cross and self.decimals >= 8:
            # both are the cross wallet, or 0: its exact text (at most 8 places)
            withdraw = available = wallet_text if w > 0 else "0"
        else:
            withdraw = text(withdraw_d, d)
            available = text(available_d, d)
        cross_balance_d = w_d + (upnl_d if cross else 0)  # margin balance (MB-1)
        cross_mm_d = mm_d if cross else 0
        if cross_balance_d > 0:
            ratio = f'"{text(cross_mm_d, cross_balance_d)}"' if cross_mm_d else '"0"'  # MR-1
        else:
            ratio = "null"
        if cross:
            below = (
                cross_balance_d < cross_mm_d if self.strict else cross_balance_d <= cross_mm_d
            )  # LIQ-1
            account_liquidatable = "true" if below else "false"
        else:
            account_liquidatable = "false"

        # LIQ-2 … LIQ-6 of the one leg (its cross wallet with no other cross position, or
        # its isolated wallet), and BKR-1
        wallet = w if cross else iw
        # batch.column_liquidation_prices's walk in units of 10^-8, from the owning
        # bracket k (the side's edges are the caps over 10^16, as market.caps)
        _, _, wf, ef, steps = market.long if a > 0 else market.short
        v = wallet * wf - a * e * ef
        j = k
        moved = 0
        while True:
            step = steps[j]
            if step is None:
                return None  # no solution in this bracket: the scalar route decides
            sign, inside, above, positive, factor, denominator = step
            x = v if sign > 0 else -v
            if x > inside:
                if moved < 0:
                    return None  # a turn: the scalar route decides
                moved = 1
                j += 1
            elif x <= above:
                if not j:
                    lp = self.no_price  # below the first floor: no positive price (LIQ-5)
                    break
                if moved > 0:
                    return None
                moved = -1
                j -= 1
            elif x > positive:
                price = self._price((x - positive) * factor, size * denominator)
                if price is None:
                    return None
                lp = f'"{price}"'
                break
            else:
                return None
        numerator, denominator = wallet * _P8 - a * e, -a * _P8
        if denominator < 0:
            numerator, denominator = -numerator, -denominator
        if numerator > 0:
            price = self._price(numerator, denominator)
            if price is None:
                return None
            bp = f'"{price}"'
        else:
            bp = self.no_price

        # the texts that depend on the bracket and the leverage only, then on the symbol,
        # side, margin type and leverage, each written once per writer
        bracket_text = market.texts.get((k, leverage))
        if bracket_text is None:
            bracket_text = self._bracket_text(market, k, leverage)
        labels = market.labels.get((position_side, cross, leverage))
        if labels is None:
            labels = self._labels(market, position_side, cross, leverage)
        head, middle = labels

        if cross:
            position_tail = f'"isolatedMargin":null,"marginRatio":null,"liquidationPrice":{lp},"bankruptcyPrice":{bp},"maxAddableMargin":null,"maxRemovableMargin":null,"liquidatable":null}}]}}'
            cross_upnl, cross_mm = upnl, mm
        else:
            iw_d = iw * _P16 * leverage
            iso_margin_d = iw_d + upnl_d
            position_ratio = f'"{text(mm_d, iso_margin_d)}"' if iso_margin_d > 0 else "null"
            # XFER-3: max(0, min(iw − MM, iw + uPnL − |N|/L))
            removal_d = min(iw_d - mm_d, iw_d + upnl_d - im_d)
            if removal_d < 0:
                removal_d = 0
            below = iso_margin_d < mm_d if self.strict else iso_margin_d <= mm_d
            position_tail = (
                f'"isolatedMargin":"{places(iw * _P8 + upnl16, 16)}","marginRatio":{position_ratio},'
                f'"liquidationPrice":{lp},"bankruptcyPrice":{bp},"maxAddableMargin":"{withdraw}",'
                f'"maxRemovableMargin":"{text(removal_d, d)}","liquidatable":{"true" if below else "false"}}}]}}'
            )
            cross_upnl = cross_mm = "0"
        return (
            f'{{"totalWalletBalance":"{exact(w + iso) if iso else wallet_text}","totalCrossWalletBalance":"{wallet_text}",'
            f'"totalUnrealizedProfit":"{upnl}","totalCrossUnPnl":"{cross_upnl}",'
            f'"totalMarginBalance":"{places((w + iso) * _P8 + upnl16, 16)}",'
            f'"totalPositionInitialMargin":"{im}","totalOpenOrderInitialMargin":"0",'
            f'"totalInitialMargin":"{im}","totalMaintMargin":"{mm}",'
            f'"totalCrossMaintMargin":"{cross_mm}","marginRatio":{ratio},'
            f'"availableBalance":"{available}","maxWithdrawAmount":"{withdraw}",'
            f'"liquidatable":{account_liquidatable},{head}{exact(a)}",'
            f'"entryPrice":"{exact(e)}","markPrice":"{mark_text}{middle}'
            f'{notional}","initialMargin":"{im}",'
            f'"positionInitialMargin":"{im}","openOrderInitialMargin":"0",'
            f'"maintMargin":"{mm}{bracket_text}'
            f'{upnl}","isolatedWallet":"{exact(iw) if iw else "0"}",' + position_tail
        )


_POSITION_KEYS = frozenset(
    (
        "symbol",
        "positionSide",
        "positionAmt",
        "entryPrice",
        "markPrice",
        "marginType",
        "leverage",
        "isolatedWallet",
    )
)
#: A subset of ``numbers.SHORT_DECIMAL`` (what ``numbers.exact`` reads as it is).
_DECIMAL = re.compile(r"(-?)([0-9]{1,20})(?:\.([0-9]{1,8}))?", re.ASCII)


def _decimal(value: object) -> int | None:
    """A decimal string of :data:`_DECIMAL`'s shape as an integer over 10^8, else None."""
    if type(value) is not str:
        return None
    match = _DECIMAL.fullmatch(value)
    if match is None:
        return None
    sign, whole, fraction = match.groups()
    number = int(whole) * _P8 + (int(fraction) * _POWERS[8 - len(fraction)] if fraction else 0)
    return -number if sign else number


_POWERS = tuple(10**k for k in range(9))


def _exact(value: int) -> str:
    """The exact text of ``value / 10^8`` (DISP-4's echo, and DISP-1 of a figure already
    cut to 8 places)."""
    if value >= _P8:
        text = str(value)
        fraction = text[-8:].rstrip("0")
        return f"{text[:-8]}.{fraction}" if fraction else text[:-8]
    if value > 0:
        return "0." + str(value + _P8)[1:].rstrip("0")  # a 1, then the 8 places
    return "-" + _exact(-value) if value else "0"


def _down8(numerator: int, denominator: int) -> str:
    """``LineWriter._text`` for the default display (8 places, DISP-2 DOWN)."""
    if numerator < 0:
        text = _down8(-numerator, denominator)
        return text if text == "0" else "-" + text
    text = str(numerator * _P8 // denominator)
    if len(text) <= 8:
        if text == "0":
            return text
        text = "00000000"[len(text) - 1 :] + text
    fraction = text[-8:].rstrip("0")
    return f"{text[:-8]}.{fraction}" if fraction else text[:-8]


def _places8(value: int, places: int) -> str:
    """``_down8(value, 10^places)`` (places ≥ 8) by cutting the decimal text: no division."""
    if value < 0:
        text = _places8(-value, places)
        return text if text == "0" else "-" + text
    text = str(value)
    if len(text) <= places:
        text = "0" * (places + 1 - len(text)) + text
    fraction = text[-places : len(text) - places + 8].rstrip("0")
    whole = text[:-places]
    if fraction:
        return f"{whole}.{fraction}"
    return whole
