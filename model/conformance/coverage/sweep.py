"""Coverage targets of the liquidation sweep: liquidation (LIQP-*), the insurance fund
(IF-*) and auto-deleveraging (ADL-*)."""

from __future__ import annotations

from marginspec.account import PositionSide
from marginspec.conformance.coverage.step import Step, event
from marginspec.conformance.coverage.target import CRASH, Area, Option, Section
from marginspec.exchange import INSURANCE_FUND, adl
from marginspec.numbers import Exact, exact
from marginspec.ruleset import AdlRanking, LiquidationFeeBy, PartialLiquidation

SWEEP = Area(Section.EFFECT)


def _mark(s: Step, symbol: str) -> Exact:
    return s.after.mark_prices[symbol]


def _liquidated(s: Step) -> set[str]:
    return {e["account"] for e in s.events("LIQUIDATION")}


# ------------------------------------------------------------------ liquidation


@SWEEP.target(
    "LIQP-1", "an isolated position liquidated alone, or a cross scope over several symbols", CRASH
)
def _scope_rule(s: Step) -> bool:
    """LIQP-1: an isolated position liquidated alone (the account keeps another
    position), or a cross scope spanning several symbols."""
    for name in _liquidated(s):
        liq = [e for e in s.events("LIQUIDATION") if e["account"] == name]
        cross = {e["symbol"] for e in liq if not s.isolated(name, e["symbol"])}
        if len(cross) > 1:
            return True
        if (
            any(s.isolated(name, e["symbol"]) for e in liq)
            and s.after.accounts[name].has_position()
        ):
            return True
    return False


@SWEEP.target("LIQP-2", "a liquidation that cancels the account's open orders", ("crash",))
def _orders_cancelled(s: Step) -> bool:
    return any(
        len(s.after.accounts[n].orders) < len(s.before.accounts[n].orders) for n in _liquidated(s)
    )


SWEEP.target("LIQP-3", "a whole position liquidated", CRASH)(event("LIQUIDATION"))
SWEEP.target("LIQP-4", "a clearance fee charged", CRASH)(event("INSURANCE_CLEAR"))


def _fees(s: Step) -> list[tuple[Exact, Exact]]:
    """(charged, whole fee) of each clearance fee of the step (LIQP-4): the whole fee is
    the liquidation fee rate × notional at mark of the scope's LIQUIDATION events that
    follow the charge (until the account's next charge)."""
    found: list[tuple[Exact, Exact]] = []
    open_: dict[str, int] = {}
    for e in s.events():
        name = e.get("account", "")
        if e["type"] == "INSURANCE_CLEAR":
            open_[name] = len(found)
            found.append((exact(e["amount"]), Exact(0)))
        elif e["type"] == "LIQUIDATION" and name in open_:
            rate = s.ruleset.markets[e["symbol"]].liquidation_fee
            whole = rate * exact(e["quantity"]) * s.before.mark_prices[e["symbol"]]
            charged, before = found[open_[name]]
            found[open_[name]] = (charged, before + whole)
    return found


# Branch targets (discriminating): a fee ignored, uncapped or on another basis differs.
SWEEP.target(
    "LIQP-4:whole",
    "a clearance fee charged whole: the margin balance left exceeds it",
    ("crash_with_fee",),
)(lambda s: any(0 < charged == whole for charged, whole in _fees(s)))
SWEEP.target(
    "LIQP-4:capped",
    "a clearance fee capped at the margin balance left, which is above zero",
    ("crash_with_fee",),
)(lambda s: any(0 < charged < whole for charged, whole in _fees(s)))


@SWEEP.target("LIQP-5", "a position closed at its bankruptcy price", CRASH)
def _at_bankruptcy(s: Step) -> bool:
    return any(exact(e["price"]) != _mark(s, e["symbol"]) for e in s.events("LIQUIDATION"))


SWEEP.target("LIQP-6", "the insurance fund takes a position over", CRASH)(event("TAKEOVER"))


@SWEEP.target("LIQP-7", "a cross liquidation leaving the cross wallet at zero", CRASH)
def _cross_wallet_emptied(s: Step) -> bool:
    """LIQP-7: a cross liquidation leaves the account's cross wallet at exactly zero."""
    for e in s.events("LIQUIDATION"):
        name = e["account"]
        if not s.isolated(name, e["symbol"]) and s.before.accounts[name].cross_wallet != 0:
            return bool(s.after.accounts[name].cross_wallet == 0)
    return False


@SWEEP.target(
    "LIQP-8",
    "a position reduced by a bracket step before (or instead of) a full liquidation",
    CRASH,
    option=Option("partial_liquidation", PartialLiquidation.BRACKET_STEP, "partial liquidation"),
)
def _bracket_step(s: Step) -> bool:
    """LIQP-8: a liquidation that closes less than the position held before the sweep."""
    for e in s.events("LIQUIDATION"):
        held = s.amount(e["account"], e["symbol"], e["positionSide"], after=False)
        if exact(e["quantity"]) < abs(held):
            return True
    return False


# ------------------------------------------------------------------ the insurance fund


@SWEEP.target("IF-1", "the insurance fund trades", ("trade",))
def _fund_trades(s: Step) -> bool:
    return any(e["account"] == INSURANCE_FUND for e in s.events("TRADE"))


def _cover(s: Step, after_passes: bool) -> bool:
    """IF-2 (a cross scope's negative remainder) or IF-3 (a reset after the passes).

    A cover naming a symbol is an isolated reset (IF-3). One naming none is IF-2 when the
    account lost a cross scope in this step (its cross wallet then ends at 0, so no
    reset can follow), else the IF-3 reset of a cross wallet without positions."""
    cross_scopes = {
        e["account"] for e in s.events("LIQUIDATION") if not s.isolated(e["account"], e["symbol"])
    }
    for e in s.events("INSURANCE_COVER"):
        late = "symbol" in e or e["account"] not in cross_scopes
        if late == after_passes:
            return True
    return False


@SWEEP.target("IF-2", "the fund covers a liquidated scope's negative remainder", ("crash_shorts",))
def _scope_covered(s: Step) -> bool:
    return _cover(s, after_passes=False)


@SWEEP.target(
    "IF-3",
    "the fund resets a negative wallet without a position after the passes",
    ("close_beyond_bankruptcy",),
)
def _reset_covered(s: Step) -> bool:
    return _cover(s, after_passes=True)


def _reset_kinds(s: Step) -> set[str]:
    """The IF-3 resets of this step: ``isolated`` (an empty position side's wallet) and
    ``cross`` (the cross wallet of an account without positions)."""
    if s.name != "liquidationSweep":
        return set()
    cross_scopes = {
        e["account"] for e in s.events("LIQUIDATION") if not s.isolated(e["account"], e["symbol"])
    }
    kinds = set()
    for e in s.events("INSURANCE_COVER"):
        if "symbol" in e:
            kinds.add("isolated")
        elif e["account"] not in cross_scopes:
            kinds.add("cross")
    return kinds


# Branch targets (discriminating): an engine resetting only one kind of wallet differs.
SWEEP.target(
    "IF-3:cross",
    "the fund resets the negative cross wallet of an account left without positions",
    ("close_beyond_bankruptcy",),
)(lambda s: "cross" in _reset_kinds(s))
SWEEP.target(
    "IF-3:isolated",
    "the fund resets the negative isolated wallet of an empty position side",
    ("close_beyond_bankruptcy",),
)(lambda s: "isolated" in _reset_kinds(s))


@SWEEP.target(
    "IF-4",
    "the fund's balance left negative by a remainder it cannot cover",
    ("crash_shorts_empty_fund",),
)
def _fund_negative(s: Step) -> bool:
    return s.name == "liquidationSweep" and s.after.insurance_fund < 0


@SWEEP.target(
    "IF-5", "ADL while the fund is solvent: its net-notional limit refused the position", CRASH
)
def _fund_limit_reached(s: Step) -> bool:
    """IF-5: a position went to ADL although the fund had a positive balance before."""
    return bool(s.events("ADL")) and s.before.insurance_fund > 0


# ------------------------------------------------------------------ ADL


SWEEP.target("ADL-1", "a position auto-deleveraged", ("crash_small_fund",))(event("ADL"))


def _adl_candidates(s: Step) -> int:
    """How many positions the ADL ranking of this step chose among."""
    best = 0
    liquidated = _liquidated(s) | {INSURANCE_FUND}
    for e in s.events("ADL"):
        symbol, account = e["symbol"], e["account"]
        held = s.amount(account, symbol, e["positionSide"], after=False)
        count = sum(
            1
            for name, acct in s.before.accounts.items()
            if name not in liquidated
            for (sym, _), pos in acct.positions.items()
            if sym == symbol and pos.position_amt * held > 0
        )
        best = max(best, count)
    return best


@SWEEP.target("ADL-2", "ADL choosing among several counterparties", ("crash_small_fund",))
def _adl_ranked(s: Step) -> bool:
    return _adl_candidates(s) > 1


# The ranking in force (ADL-2a or ADL-2b) is a target; the other is excluded.
for _ranking, _rule in ((AdlRanking.ASTER, "ADL-2a"), (AdlRanking.BINANCE, "ADL-2b")):
    SWEEP.target(
        _rule,
        f"ADL ranking ({_ranking.value}) among several",
        ("crash",),
        section=Section.RANKING,
        option=Option("adl_ranking", _ranking, "ranking"),
    )(_adl_ranked)


def _ranked_candidates(
    s: Step, symbol: str, held: Exact, ranking: AdlRanking
) -> list[tuple[str, str]]:
    """The step's ADL candidates on ``symbol`` (opposite to ``held``), best first under
    ``ranking`` (ADL-2, ties by ADL-3), scored on the state before the sweep."""
    liquidated = _liquidated(s) | {INSURANCE_FUND}
    scored = []
    for name, acct in s.before.accounts.items():
        if name in liquidated:
            continue
        for (sym, side), pos in acct.positions.items():
            p = s.position(name, sym, side, after=False)
            if sym != symbol or pos.position_amt * held <= 0 or p is None:
                continue
            balance = pos.isolated_wallet if s.isolated(name, sym) else acct.cross_wallet
            score = adl.score(ranking, p.unrealized_pnl, abs(p.notional), p.maint_margin, balance)
            scored.append((-Exact(score), name, side.value))
    return [(name, side) for _, name, side in sorted(scored)]


@SWEEP.target(
    "ADL-2:order",
    "ADL between counterparties the two rankings order differently, one of them kept open",
    ("crash_ranked",),
    section=Section.RANKING,
)
def _adl_order_discriminates(s: Step) -> bool:
    """ADL-2 discriminating: the ``aster`` and ``binance`` scores (ADL-2a, ADL-2b) order
    the candidates differently, and a candidate keeps part of its position, so an
    engine ranking the other way closes different positions."""
    for e in s.events("ADL"):
        symbol = e["symbol"]
        held = s.amount(e["account"], symbol, e["positionSide"], after=False)
        orders = [_ranked_candidates(s, symbol, held, r) for r in AdlRanking]
        kept = any(s.amount(n, symbol, side, after=True) != 0 for n, side in orders[0])
        if len(orders[0]) > 1 and orders[0] != orders[1] and kept:
            return True
    return False


@SWEEP.target(
    "ADL-2c",
    "ADL with a counterparty whose balance + uPnL is not positive",
    ("crash_pair",),
    section=Section.RANKING,
)
def _adl_nonpositive_equity(s: Step) -> bool:
    """ADL-2c: a ranked counterparty whose balance + uPnL is not positive."""
    liquidated = _liquidated(s) | {INSURANCE_FUND}
    for e in s.events("ADL"):
        symbol = e["symbol"]
        held = s.amount(e["account"], symbol, e["positionSide"], after=False)
        for name, acct in s.before.accounts.items():
            if name in liquidated:
                continue
            for (sym, side), pos in acct.positions.items():
                if sym != symbol or pos.position_amt * held <= 0:
                    continue
                p = s.position(name, symbol, side, after=False)
                isolated = s.isolated(name, symbol)
                balance = pos.isolated_wallet if isolated else acct.cross_wallet
                if p is not None and balance + p.unrealized_pnl <= 0:
                    return True
    return False


@SWEEP.target(
    "LIQP-9",
    "a clearance fee charged on a position beyond the first bracket, at its bracket's rate",
    CRASH,
    option=Option("liquidation_fee_by", LiquidationFeeBy.BRACKET, "liquidation fee per bracket"),
)
def _bracket_fee(s: Step) -> bool:
    """A liquidation with a clearance fee of a position that was beyond bracket 1 (LIQP-9)."""
    if not s.events("INSURANCE_CLEAR"):
        return False
    for e in s.events("LIQUIDATION"):
        p = s.position(e["account"], e["symbol"], PositionSide(e["positionSide"]), after=False)
        if p is not None and p.bracket > 1:
            return True
    return False
