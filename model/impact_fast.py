"""The fast path of :func:`marginspec.impact.standing` for accounts without open orders.

``standing`` runs ``evaluate`` (without prices) and reads the few figures impact needs
from its records; here the same figures are summed in one pass over the positions, the
bracket of each notional found by bisecting the table's caps (BRK-3, BRK-4: exact
comparisons of rationals) and every formula taken from the formula modules. An account
with open orders goes to the plain function. ``tests/test_impact.py`` holds the two equal
on random accounts of both bundled rule sets (why it exists: docs/performance.md).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from marginspec import brackets, margin
from marginspec.account import Account, MarginType
from marginspec.batch import Book
from marginspec.impact import Standing, _only_position_price, standing
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet, Trigger

_ZERO = Exact(0)
_CROSS = MarginType.CROSS

#: Each rule set's caps per symbol, by the identity of the rule set (kept with it).
_CAPS: dict[int, tuple[RuleSet, dict[str, tuple[Exact, ...]]]] = {}


def _caps(ruleset: RuleSet) -> dict[str, tuple[Exact, ...]]:
    hit = _CAPS.get(id(ruleset))
    if hit is not None and hit[0] is ruleset:
        return hit[1]
    if len(_CAPS) > 8:
        _CAPS.clear()
    caps = {s: tuple(b.notional_cap for b in m.brackets) for s, m in ruleset.markets.items()}
    _CAPS[id(ruleset)] = (ruleset, caps)
    return caps


def fast_standing(account: Account, book: Book) -> tuple[Standing, tuple[int, ...]]:
    """:func:`~marginspec.impact.standing`, the same figures, in one pass."""
    if account.open_orders:
        return standing(account, book)
    ruleset = book.ruleset
    markets = ruleset.markets
    caps = _caps(ruleset)
    # BRK-3: cap-inclusive, the first bracket whose cap the notional does not exceed
    # (bisect_left); floor-inclusive, the first whose cap exceeds it (bisect_right).
    find = bisect_left if book.cap_inclusive else bisect_right
    strict = ruleset.options.liquidation_trigger is Trigger.LT
    cross_wb = account.cross_wallet_balance
    cross_upnl = cross_mm = cross_im = total_upnl = total_mm = total_im = iso_wallet = _ZERO
    iso_short = _ZERO
    has_cross = iso_due = False
    leverages = []
    for p in account.positions:
        table = markets[p.symbol].brackets
        amt = p.position_amt
        size = abs(margin.notional(amt, p.mark_price))
        k = find(caps[p.symbol], size)
        owner = table[k if k < len(table) else -1]  # BRK-4: the last bracket extends
        mm = brackets.maint_margin_in(owner, size)
        im = margin.initial_margin(size, Exact(p.leverage))
        upnl = margin.unrealized_pnl(amt, p.entry_price, p.mark_price)
        total_upnl += upnl
        total_mm += mm
        total_im += im
        if amt != 0:
            leverages.append(int(owner.initial_leverage))
        if p.margin_type is _CROSS:
            cross_upnl += upnl
            cross_mm += mm
            cross_im += im
            has_cross = has_cross or amt != 0
        else:
            iso_wallet += p.isolated_wallet
            if amt != 0:
                balance = margin.margin_balance(p.isolated_wallet, upnl)
                iso_due = iso_due or bool(margin.below_maintenance(balance, mm, strict))
                if mm > balance:
                    iso_short += mm - balance  # IMP-3, isolated
    cross_balance = margin.margin_balance(cross_wb, cross_upnl)
    available = cross_balance - cross_im  # IMP-4 without orders
    cross_short = max(_ZERO, cross_mm - cross_balance) if has_cross else _ZERO  # IMP-3
    cross_due = has_cross and bool(margin.below_maintenance(cross_balance, cross_mm, strict))
    return (
        Standing(
            total_mm,
            total_im,
            cross_wb + iso_wallet + total_upnl,
            cross_mm / cross_balance if cross_balance > 0 else None,  # MR-1
            available,
            cross_due or iso_due,
            available < 0,
            min(leverages) if leverages else None,
            _only_position_price(account, book),
            max(cross_short, -available, _ZERO) + iso_short,  # IMP-5
        ),
        tuple(leverages),
    )
