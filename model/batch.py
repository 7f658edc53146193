"""Many positions under one rule set: exact liquidation prices and figure sets in bulk.

The fast path of :func:`marginspec.liquidation.liquidation_price` for isolated positions
(one leg, its own wallet, LIQ-2) and of ``evaluate`` plus its JSON for many accounts.
Each rule set's tables are unpacked once into integers over table-wide denominators
(:class:`Book`); the LIQ-6 walk runs inline from the bracket at the mark and decides
each bracket by comparing integer cross-products, dividing only for the answer, which
stays an exact rational. The scalar functions are the reference:
``tests/test_batch.py`` holds this module equal to them on random and boundary inputs
(why it exists: docs/performance.md, "Service speed").
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from operator import attrgetter
from typing import NamedTuple

from gmpy2 import mpz

from marginspec.account import Account
from marginspec.brackets import Boundary, Bracket
from marginspec.evaluate import AccountFigures, evaluate
from marginspec.numbers import Exact
from marginspec.report import account_json
from marginspec.ruleset import RuleSet


class IsolatedPosition(NamedTuple):
    """What an isolated position's liquidation price depends on (LIQ-2 with TMM1 = UPNL1 = 0)."""

    symbol: str
    position_amt: Exact
    entry_price: Exact
    mark_price: Exact
    isolated_wallet: Exact


class _Undecided:
    """What :meth:`Book.scaled_liquidation_price` returns when its walk does not decide."""


_UNDECIDED = _Undecided()


class _Table(NamedTuple):
    """One bracket table as integers over table-wide denominators: ``floor_k / F``,
    ``cap_k / F``, ``rate_k / R``, ``cum_k / C`` (what the cross-products compare)."""

    floors: tuple[int, ...]
    caps: tuple[int, ...]
    rates: tuple[int, ...]
    cums: tuple[int, ...]
    F: int
    R: int
    C: int


def _ratio(value: Exact) -> tuple[int, int]:
    return int(value.numerator), int(value.denominator)


def _over(values: Sequence[Exact]) -> tuple[tuple[int, ...], int]:
    """Numerators of ``values`` over their least common denominator, and that denominator."""
    common = math.lcm(*(int(v.denominator) for v in values))
    return tuple(int(v.numerator) * (common // int(v.denominator)) for v in values), common


def _unpack(table: Sequence[Bracket]) -> _Table:
    edges, f = _over([b.notional_floor for b in table] + [b.notional_cap for b in table])
    rates, r = _over([b.maint_margin_ratio for b in table])
    cums, c = _over([b.cum for b in table])
    n = len(table)
    return _Table(edges[:n], edges[n:], rates, cums, f, r, c)


class _Tables(dict[str, _Table]):
    """A rule set's tables unpacked on first use (a bracket file has hundreds of markets,
    a stream may use a few)."""

    def __init__(self, ruleset: RuleSet) -> None:
        super().__init__()
        self.markets = ruleset.markets

    def __missing__(self, symbol: str) -> _Table:
        table = self[symbol] = _unpack(self.markets[symbol].brackets)
        return table


class Book:
    """A rule set's bracket tables unpacked for the batch functions (built once per rule set)."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.cap_inclusive = ruleset.options.bracket_boundary is Boundary.CAP_INCLUSIVE
        self.tables = _Tables(ruleset)
        # per batch units, per (symbol, long): the tables in those units (column batches)
        self.sides: dict[tuple[int, int, int, int], tuple[dict[str, _Side], dict[str, _Side]]] = {}

    def liquidation_price(self, p: IsolatedPosition) -> Exact | None:
        """LIQ-2…LIQ-6 of one isolated position: the price, or None where there is none (LIQ-5).

        The walk of ``liquidation._walk`` (start at the bracket of the notional at the
        mark; a candidate above its bracket's cap moves up, below its floor moves down,
        LIQ-6; below the first floor there is none) on integers: with ``amt = a/da``,
        ``W − amt·EP + cum_k = N_k / Dn`` and ``|amt|·MMR_k − amt = Q_k / (da·R)``, the
        candidate is ``N_k·da·R / (Dn·Q_k)`` and its notional ``|a|·R·N_k / (Dn·Q_k)``, so
        each bracket test is one comparison of integer cross-products and only the answer
        is divided. A walk that cannot decide falls back to the scalar function.
        """
        # Python ints: gmpy2's mpz costs an object allocation per operation (~5x an int's)
        a, da = _ratio(p.position_amt)
        if not a:
            return None
        e, de = _ratio(p.entry_price)
        w, dw = _ratio(p.isolated_wallet)
        m, dm = _ratio(p.mark_price)
        price = self.scaled_liquidation_price(p.symbol, a, da, e, de, m, dm, w, dw)
        return self._scalar(p) if isinstance(price, _Undecided) else price

    def scaled_liquidation_price(
        self, symbol: str, a: int, da: int, e: int, de: int, m: int, dm: int, w: int, dw: int
    ) -> Exact | _Undecided | None:
        """:meth:`liquidation_price` of amount ``a/da``, entry ``e/de``, mark ``m/dm`` and
        isolated wallet ``w/dw`` given as integers (denominators positive): for callers that
        hold decimals as scaled integers; ``_UNDECIDED`` asks for the scalar function."""
        if not a:
            return None
        floors, caps, rates, cums, f, r, c = self.tables[symbol]
        inclusive = self.cap_inclusive
        size = a if a > 0 else -a
        da_de = da * de
        scale = dw * da_de  # N_k = (W − amt·EP)·Dn + cum_k·Dn, Dn = scale·C
        base = (w * da_de - a * e * dw) * c
        dn = scale * c
        a_r = a * r
        size_rf = size * r * f
        last = len(caps) - 1
        # the bracket at the mark: |a|·m / (da·dm) against cap_k / F
        x = size * m * f
        y = da * dm
        k = 0
        while k < last and not (x <= caps[k] * y if inclusive else x < caps[k] * y):
            k += 1
        tried = 0
        while not tried >> k & 1:
            tried |= 1 << k
            n = base + cums[k] * scale
            q = size * rates[k] - a_r
            if q < 0:
                n, q = -n, -q
            if q:
                lhs, u = size_rf * n, dn * q  # notional · F · Dn · Q, and Dn · Q
            else:
                lhs, u = 0, 1  # no solution: the price is 0 (div_or), so is the notional
            if k < last and not (lhs <= caps[k] * u if inclusive else lhs < caps[k] * u):
                k += 1
            elif not (lhs > floors[k] * u if inclusive else lhs >= floors[k] * u):
                if not k:
                    return None  # below the first bracket's floor: no positive price (LIQ-5)
                k -= 1
            elif q and n > 0:
                return Exact(n * r, dw * de * c * q)  # N·da·R / (Dn·Q), da cancelled
            else:
                break
        return _UNDECIDED

    def _scalar(self, p: IsolatedPosition) -> Exact | None:
        """The reference, for the rare walk that does not decide (never seen on a
        well-formed table; kept so that the answer is the scalar one whatever happens)."""
        from marginspec import liquidation

        table = self.ruleset.markets[p.symbol].brackets
        leg = liquidation.Leg(p.position_amt, p.entry_price, table)
        result = liquidation.liquidation_price(
            [leg],
            p.isolated_wallet,
            _ZERO,
            _ZERO,
            p.mark_price,
            self.ruleset.options.bracket_boundary,
            (),
        )
        return result.price if result.exists else None


_ZERO = Exact(0)


def liquidation_prices(
    ruleset: RuleSet | Book, positions: Iterable[IsolatedPosition]
) -> list[Exact | None]:
    """LIQ-2…LIQ-6 of many isolated positions of one rule set, each exact (None: LIQ-5)."""
    book = ruleset if isinstance(ruleset, Book) else Book(ruleset)
    price = book.liquidation_price
    return [price(p) for p in positions]


#: An isolated position as integers: symbol, then numerator and denominator of the amount,
#: entry price, mark price and isolated wallet (see :meth:`Book.scaled_liquidation_price`).
ScaledPosition = tuple[str, int, int, int, int, int, int, int, int]


def scaled(p: IsolatedPosition) -> ScaledPosition:
    """``p`` as :data:`ScaledPosition` integers (exact: a rational is its two integers)."""
    return (
        p.symbol,
        *_ratio(p.position_amt),
        *_ratio(p.entry_price),
        *_ratio(p.mark_price),
        *_ratio(p.isolated_wallet),
    )


def scaled_liquidation_prices(
    book: Book, positions: Iterable[ScaledPosition]
) -> list[Exact | None]:
    """:func:`liquidation_prices` of positions held as integers (no conversion per call)."""
    price = book.scaled_liquidation_price
    out: list[Exact | None] = []
    for row in positions:
        result = price(*row)
        if isinstance(result, _Undecided):
            s, a, da, e, de, m, dm, w, dw = row
            result = book.liquidation_price(
                IsolatedPosition(s, Exact(a, da), Exact(e, de), Exact(m, dm), Exact(w, dw))
            )
        out.append(result)
    return out


class Columns(NamedTuple):
    """Isolated positions as columns of integers, each column over one denominator (the
    whole batch's amounts over ``amount_unit``, and so on): a batch of decimals with a
    fixed number of places is scaled once, and no position carries denominators."""

    symbols: tuple[str, ...]
    amounts: tuple[int, ...]
    entries: tuple[int, ...]
    marks: tuple[int, ...]
    wallets: tuple[int, ...]
    amount_unit: int
    entry_unit: int
    mark_unit: int
    wallet_unit: int


def columns(positions: Sequence[IsolatedPosition]) -> Columns:
    """``positions`` as :class:`Columns` (exact: each column over the least common
    denominator of its values, ``10^places`` for decimals)."""

    def column(values: list[Exact]) -> tuple[tuple[int, ...], int]:
        unit = math.lcm(*map(int, set(map(_DENOMINATOR, values))))
        return tuple(map(int, map(mpz(unit).__mul__, values))), unit

    amounts, da = column([p.position_amt for p in positions])
    entries, de = column([p.entry_price for p in positions])
    marks, dm = column([p.mark_price for p in positions])
    wallets, dw = column([p.isolated_wallet for p in positions])
    symbols = tuple(p.symbol for p in positions)
    return Columns(symbols, amounts, entries, marks, wallets, da, de, dm, dw)


_DENOMINATOR = attrgetter("denominator")


#: Bracket k of one table for one side in one batch's units (:func:`_steps`): the sign of
#: ``g_k``; the candidate is at most (below) cap_k iff ``sign·V ≤ inside_cap``, above (at
#: least) floor_k iff ``sign·V > above_floor``, a positive price iff ``sign·V > positive``;
#: the answer is ``(sign·V − positive)·factor / (|a|·denominator)``.
_Step = tuple[int, int, int, int, int, int]


def _steps(
    table: _Table, side: int, units: tuple[int, int, int, int], inclusive: bool
) -> tuple[_Step | None, ...]:
    """Each bracket's walk decisions as thresholds on one integer per position.

    With ``V = W − amt·EP`` over the unit ``dw·da·de·C`` (an integer per position) and
    ``amt = side·|a|/da``, bracket k's candidate has the numerator ``V + cum_k`` and the
    denominator ``|a|·g_k`` with ``g_k = MMR_k·R − side·R``, so its notional
    ``(V + cum_k)/g_k`` (scaled) does not depend on |a|: each test of the walk is one
    comparison of ``sign(g_k)·V`` with an integer threshold (the floor or ceiling of the
    rational one, BRK-3's inclusive or exclusive cap). ``None``: ``g_k = 0``, no
    solution in that bracket, which the scalar function decides.
    """
    floors, caps, rates, cums, f, r, c = table
    da, de, _, dw = units
    scale = dw * da * de
    dn = scale * c
    rf = r * f
    out: list[_Step | None] = []
    for floor, cap, rate, cum in zip(floors, caps, rates, cums, strict=True):
        g = rate - side * r
        if not g:
            out.append(None)
            continue
        sign = 1 if g > 0 else -1
        shifted = rf * sign * cum * scale
        # inside the cap: rf·sign·(V + cum) ≤ cap·dn·|g| (or <)
        bound = cap * dn * (g * sign) - shifted
        inside = bound // rf if inclusive else (bound - 1) // rf
        # above the floor: rf·sign·(V + cum) > floor·dn·|g| (or ≥)
        bound = floor * dn * (g * sign) - shifted
        above = bound // rf if inclusive else -(-bound // rf) - 1
        if len(out) == len(caps) - 1:
            inside = _ABOVE_ALL  # the last bracket has no cap (BRK-4): the walk stops here
        # the answer (sign·V − positive)·R / (|a|·dw·de·C·|g|), R and the rest reduced once
        denominator = dw * de * c * g * sign
        common = math.gcd(r, denominator)
        out.append((sign, inside, above, -sign * cum * scale, r // common, denominator // common))
    return tuple(out)


#: Above every candidate's ``sign·V`` (NUM-2 bounds every input to 100 digits).
_ABOVE_ALL = 10**2000


class _Side(NamedTuple):
    """One table for one side in one batch's units."""

    mark_caps: tuple[int, ...]  # the bracket at the mark: |a|·m against these (BRK-3)
    last: int
    wallet_factor: int  # V = w·wallet_factor − a·e·entry_factor
    entry_factor: int
    steps: tuple[_Step | None, ...]


def _side(table: _Table, long: bool, units: tuple[int, int, int, int], inclusive: bool) -> _Side:
    caps, f, c = table.caps, table.F, table.C
    da, de, dm, dw = units
    # |a|·m·F ≤ cap·da·dm iff |a|·m ≤ ⌊cap·da·dm/F⌋ (< iff < ⌈…⌉): one product a position
    edges = tuple(cap * da * dm // f if inclusive else -(-cap * da * dm // f) for cap in caps)
    return _Side(
        edges,
        len(caps) - 1,
        da * de * c,
        dw * c,
        _steps(table, 1 if long else -1, units, inclusive),
    )


def column_liquidation_prices(book: Book, batch: Columns) -> list[Exact | None]:
    """LIQ-2…LIQ-6 of a batch of isolated positions held as :class:`Columns`, each exact
    (None: LIQ-5): :meth:`Book.scaled_liquidation_price`'s walk with the batch's units
    folded into each table once (remembered by the book), so that every test of the walk
    is one comparison of an integer per position with a precomputed threshold
    (:func:`_steps`) and the answer one division."""
    _, amounts, entries, marks, wallets, da, de, dm, dw = batch
    units = (da, de, dm, dw)
    inclusive = book.cap_inclusive
    tables = book.tables
    if units not in book.sides and len(book.sides) >= 16:
        book.sides.clear()  # a few units per book in practice; bound the memory anyway
    longs, shorts = book.sides.setdefault(units, ({}, {}))
    search = bisect_left if inclusive else bisect_right
    out: list[Exact | None] = []
    append = out.append
    for symbol, a, e, m, w in zip(batch.symbols, amounts, entries, marks, wallets, strict=True):
        if a > 0:
            t = longs.get(symbol)
            if t is None:
                t = longs[symbol] = _side(tables[symbol], True, units, inclusive)
            size = a
        elif a:
            t = shorts.get(symbol)
            if t is None:
                t = shorts[symbol] = _side(tables[symbol], False, units, inclusive)
            size = -a
        else:
            append(None)
            continue
        edges, last, wf, ef, steps = t
        k = search(edges, size * m, 0, last)  # LIQ-6 starts at the bracket of the mark
        v = w * wf - a * e * ef
        # the walk moves one way; a turn would revisit a bracket, which it leaves undecided
        moved = 0
        price: Exact | _Undecided | None = _UNDECIDED
        while True:
            step = steps[k]
            if step is None:
                break
            sign, inside, above, positive, factor, denominator = step
            x = v if sign > 0 else -v
            if x > inside:  # never in the last bracket (_ABOVE_ALL)
                if moved < 0:
                    break
                moved = 1
                k += 1
            elif x <= above:
                if not k:
                    price = None  # below the first bracket's floor: no positive price (LIQ-5)
                    break
                if moved > 0:
                    break
                moved = -1
                k -= 1
            elif x > positive:
                price = Exact((x - positive) * factor, size * denominator)
                break
            else:
                break
        if price is _UNDECIDED:
            price = book.liquidation_price(
                IsolatedPosition(symbol, Exact(a, da), Exact(e, de), Exact(m, dm), Exact(w, dw))
            )
        append(price)
    return out


def figure_sets(ruleset: RuleSet, accounts: Iterable[Account]) -> Iterator[AccountFigures]:
    """``evaluate`` of many accounts of one rule set (every figure, exact)."""
    for account in accounts:
        yield evaluate(account, ruleset)


def json_lines(ruleset: RuleSet, accounts: Sequence[Account]) -> Iterator[str]:
    """Every figure of each account as its ``evaluate`` document on one JSON line
    (a one-position account by ``account_line``'s integer route, the others by
    ``evaluate`` and ``report.account_json``; the same bytes either way)."""
    from marginspec.account_line import LineWriter

    options = ruleset.options
    writer = LineWriter(ruleset)
    for start in range(0, len(accounts), _CHUNK):
        chunk = accounts[start : start + _CHUNK]
        for account, text in zip(chunk, writer.lines(chunk), strict=True):
            if text is None:  # another shape: the scalar route
                text = json.dumps(
                    account_json(evaluate(account, ruleset), options), separators=(",", ":")
                )
            yield text


#: Accounts written per :meth:`LineWriter.lines` loop: lines come out lazily, a chunk at a time.
_CHUNK = 1024
