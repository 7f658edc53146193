"""Deliberately wrong implementations: the classic mistakes of exchange-semantics.md §4 and §6.

Each mutant is the model engine with ONE mistake built in the way a real engine makes
it: a patched bracket table, a guard that looks at the wrong thing, a formula fed the
wrong inputs. The conformance kit must catch every one with a short shrunk trace
(tests/conformance/test_mutants.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from marginspec import brackets
from marginspec.account import MarginType, PositionSide
from marginspec.brackets import Boundary
from marginspec.conformance.engine import ModelEngine
from marginspec.evaluate import evaluate
from marginspec.exchange import apply, parse_action
from marginspec.exchange import refusals as R
from marginspec.exchange.actions import (
    Fill,
    Funding,
    PlaceOrder,
    PositionMargin,
    SetLeverage,
    SetMarginType,
    SetPositionMode,
    Withdraw,
)
from marginspec.exchange.fast_figures import max_withdraw
from marginspec.exchange.refusals import refused
from marginspec.exchange.state import AccountState, ExchangeState, to_account, with_position
from marginspec.exchange.view import account_figures, position_figures
from marginspec.numbers import Exact, Rounding, display
from marginspec.rulefile import load_bundled
from marginspec.ruleset import AdlRanking, Market, NoPrice, RuleSet, Trigger


def _with_tables(ruleset: RuleSet, change: Callable[[Market], Market]) -> RuleSet:
    return attrs.evolve(ruleset, markets={s: change(m) for s, m in ruleset.markets.items()})


class Mutant(ModelEngine):
    """The model engine with one mistake; ``mistake`` cites the digest's section."""

    mistake = ""

    def __init__(self, ruleset: RuleSet | None = None) -> None:
        super().__init__(ruleset or load_bundled("aster-pro"))
        self.name = type(self).__name__

    @property
    def state(self) -> ExchangeState:
        assert self.model is not None
        return self.model.state

    def set_state(self, state: ExchangeState) -> None:
        assert self.model is not None
        self.model.state = state
        self._cache = {}

    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        parsed = parse_action(action, "/action")
        handled = self.apply_wrongly(parsed)
        if handled is None:
            return super().apply(action)
        state, outcome = handled
        self.set_state(state)
        assert self.model is not None
        return self.model.outcome_json(outcome)

    def apply_wrongly(self, action: Any) -> Any:
        """(state, outcome) for the actions this mutant gets wrong; None: the model's way."""
        return None

    def snapshot(self, account: str) -> dict[str, Any]:
        snap = super().snapshot(account)
        return self.report_wrongly(account, snap)

    def report_wrongly(self, account: str, snap: dict[str, Any]) -> dict[str, Any]:
        return snap

    def num(self, value: Exact | None) -> str | None:
        if value is None:
            return None
        o = self.ruleset.options
        return display(value, o.display_decimals, o.display_rounding)


def _replace_positions(
    snap: dict[str, Any], field: str, compute: Callable[[dict[str, Any]], str | bool | None]
) -> dict[str, Any]:
    out = dict(snap)
    out["positions"] = []
    for p in snap["positions"]:
        q = dict(p)
        if p["positionAmt"] != "0":
            q[field] = compute(p)
        out["positions"].append(q)
    return out


# ---------------------------------------------------------------- §6.1 / §4 ccxt: MM without cum


class MaintenanceAmountIgnored(Mutant):
    """MM = N × MMR without cum: the engine's bracket table carries cum = 0 (§6.1, §4 ccxt)."""

    mistake = "§6.1"

    def __init__(self) -> None:
        true = load_bundled("aster-pro")
        super().__init__(
            _with_tables(
                true,
                lambda m: attrs.evolve(
                    m, brackets=tuple(attrs.evolve(b, cum=Exact(0)) for b in m.brackets)
                ),
            )
        )


# ---------------------------------------------------------------- §6.2: LP bracket at entry notional


class LiquidationBracketAtEntry(Mutant):
    """The LP is solved in the bracket of the ENTRY notional, not of the notional at the LP (§6.2)."""

    mistake = "§6.2"

    def report_wrongly(self, account: str, snap: dict[str, Any]) -> dict[str, Any]:
        acct = self.state.accounts[account]
        boundary = self.ruleset.options.bracket_boundary

        def lp(p: dict[str, Any]) -> str | None:
            symbol, side = p["symbol"], PositionSide(p["positionSide"])
            pos = acct.position(symbol, side)
            table = self.ruleset.markets[symbol].brackets
            at_entry = brackets.owning_bracket(
                table, abs(pos.position_amt) * pos.entry_price, boundary
            )
            fixed = attrs.evolve(
                self.ruleset,
                markets={
                    **self.ruleset.markets,
                    symbol: attrs.evolve(self.ruleset.markets[symbol], brackets=(at_entry,)),
                },
            )
            figures = evaluate(to_account(acct, self.state.mark_prices, fixed), fixed)
            for f in figures.positions:
                if f.position.symbol == symbol and f.position.position_side is side:
                    return self.num(f.liquidation_price)
            return None

        return _replace_positions(snap, "liquidationPrice", lp)


# ---------------------------------------------------------------- §4 TorchTrade #344 / freqtrade #11318


class CrossLiquidationAlone(Mutant):
    """Cross LP from the cross wallet and this position only: no TMM1, no UPNL1 (§4, §6.4)."""

    mistake = "§6.4"

    def report_wrongly(self, account: str, snap: dict[str, Any]) -> dict[str, Any]:
        acct = self.state.accounts[account]

        def lp(p: dict[str, Any]) -> str | None:
            if p["marginType"] != MarginType.CROSS.value:
                return p["liquidationPrice"]  # type: ignore[no-any-return]
            key = (p["symbol"], PositionSide(p["positionSide"]))
            alone = attrs.evolve(acct, positions={key: acct.positions[key]}, orders=())
            figures = evaluate(
                to_account(alone, self.state.mark_prices, self.ruleset), self.ruleset
            )
            return self.num(figures.positions[0].liquidation_price)

        return _replace_positions(snap, "liquidationPrice", lp)


# ---------------------------------------------------------------- §6.6 mode-change guards


def _hidden(state: ExchangeState, name: str, **changes: Any) -> ExchangeState:
    return state.with_account(name, attrs.evolve(state.accounts[name], **changes))


class MarginTypeChangeWithOpenOrder(Mutant):
    """The margin-type guard looks at positions only: -4047 (open orders) is never raised (§6.6)."""

    mistake = "§6.6"

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, SetMarginType) or action.account not in self.state.accounts:
            return None
        orders = self.state.accounts[action.account].orders
        state, outcome = apply(_hidden(self.state, action.account, orders=()), action, self.ruleset)
        if not outcome.accepted:
            return self.state, outcome
        return _hidden(state, action.account, orders=orders), outcome


class PositionModeChangeWithPosition(Mutant):
    """The position-mode guard looks at open orders only: -4068 (positions) is never raised (§6.6)."""

    mistake = "§6.6"

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, SetPositionMode) or action.account not in self.state.accounts:
            return None
        acct = self.state.accounts[action.account]
        state, outcome = apply(
            _hidden(self.state, action.account, positions={}), action, self.ruleset
        )
        if not outcome.accepted:
            return self.state, outcome
        # The positions stay under their old sides: BOTH in hedge mode (or LONG/SHORT in one-way).
        return _hidden(state, action.account, positions=acct.positions), outcome


# ---------------------------------------------------------------- §6.5 leverage guards


class LeverageCapNotEnforced(Mutant):
    """The leverage change never checks the bracket's notional cap (-2027, LEV-3) (§6.5, §4 #6981)."""

    mistake = "§6.5"

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, SetLeverage):
            return None
        # Every bracket allows the market's maximum leverage: LEV-3's cap is never hit.
        loose = _with_tables(
            self.ruleset,
            lambda m: attrs.evolve(
                m,
                brackets=tuple(
                    attrs.evolve(b, initial_leverage=m.brackets[0].initial_leverage)
                    for b in m.brackets
                ),
            ),
        )
        return apply(self.state, action, loose)


class IsolatedLeverageReductionAllowed(Mutant):
    """Reducing leverage of an isolated position is accepted (no -4161) (§6.5)."""

    mistake = "§6.5"

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, SetLeverage) or action.account not in self.state.accounts:
            return None
        acct = self.state.accounts[action.account]
        if action.symbol not in self.ruleset.markets:
            return None
        setting = acct.setting(action.symbol, self.ruleset)
        if setting.margin_type is not MarginType.ISOLATED:
            return None
        # The guard reads the margin type as cross; everything else is the model's.
        as_cross = dict(acct.settings)
        as_cross[action.symbol] = attrs.evolve(setting, margin_type=MarginType.CROSS)
        state, outcome = apply(
            _hidden(self.state, action.account, settings=as_cross), action, self.ruleset
        )
        if not outcome.accepted:
            return self.state, outcome
        new = dict(state.accounts[action.account].settings)
        new[action.symbol] = attrs.evolve(new[action.symbol], margin_type=MarginType.ISOLATED)
        return _hidden(state, action.account, settings=new), outcome


# ---------------------------------------------------------------- §6.4 / §6.9 isolated wallets


class IsolatedLossLeaksToCross(Mutant):
    """Realised PnL of closing an isolated position is booked to the cross wallet (§6.4)."""

    mistake = "§6.4"

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, Fill):
            return None
        state, outcome = apply(self.state, action, self.ruleset)
        for event in outcome.events:
            if event.type != "TRADE" or not event.realized_pnl:
                continue
            acct = state.accounts[event.account]
            if acct.setting(event.symbol, self.ruleset).margin_type is not MarginType.ISOLATED:
                continue
            key = (event.symbol, PositionSide(event.position_side))
            pos = acct.position(*key)
            acct = with_position(
                attrs.evolve(acct, cross_wallet=acct.cross_wallet + event.realized_pnl),
                key,
                attrs.evolve(pos, isolated_wallet=pos.isolated_wallet - event.realized_pnl),
            )
            state = state.with_account(event.account, acct)
        return state, outcome


class IsolatedFundingToCross(Mutant):
    """Funding of an isolated position is paid from the cross wallet (§6.9)."""

    mistake = "§6.9"

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, Funding):
            return None
        as_cross = {
            name: attrs.evolve(
                acct,
                settings={
                    s: attrs.evolve(v, margin_type=MarginType.CROSS)
                    for s, v in acct.settings.items()
                },
            )
            for name, acct in self.state.accounts.items()
        }
        state, outcome = apply(attrs.evolve(self.state, accounts=as_cross), action, self.ruleset)
        restored = {
            name: attrs.evolve(acct, settings=self.state.accounts[name].settings)
            for name, acct in state.accounts.items()
        }
        return attrs.evolve(state, accounts=restored), outcome


class FundingSignInverted(Mutant):
    """Funding paid with the rate's sign flipped: longs receive a positive rate (§6.9)."""

    mistake = "§6.9"

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, Funding):
            return None
        if action.funding_rate is None:  # FUND-4: the computed rate, inverted
            premium = tuple(-p for p in action.premium_index)
            return apply(self.state, attrs.evolve(action, premium_index=premium), self.ruleset)
        return apply(
            self.state, attrs.evolve(action, funding_rate=-action.funding_rate), self.ruleset
        )


# ---------------------------------------------------------------- §6.7 / §6.8 balances and transfers


class OpenOrderMarginIgnored(Mutant):
    """Available balance without the open orders' initial margin (§6.7, §6.8)."""

    mistake = "§6.8"

    def report_wrongly(self, account: str, snap: dict[str, Any]) -> dict[str, Any]:
        acct = self.state.accounts[account]
        without = account_figures(attrs.evolve(acct, orders=()), self.state, self.ruleset)
        return {**snap, "availableBalance": self.num(without.available_balance)}


class IsolatedRemovalCappedByMaintenance(Mutant):
    """Isolated margin removal capped by MM (iw − MM) instead of IM at mark (XFER-3) (§6.8)."""

    mistake = "§6.8"

    def _cap(self, acct: AccountState, symbol: str, side: PositionSide) -> Exact | None:
        f = position_figures(account_figures(acct, self.state, self.ruleset), symbol, side)
        if f is None or f.max_remove_margin is None:
            return None
        return max(Exact(0), f.position.isolated_wallet - f.maint_margin)

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, PositionMargin) or action.type != 2:
            return None
        state, outcome = apply(self.state, action, self.ruleset)
        if outcome.accepted or outcome.code != -4051:
            return state, outcome
        acct = self.state.accounts[action.account]
        cap = self._cap(acct, action.symbol, action.position_side)
        if cap is None or action.amount > cap:
            return state, outcome
        pos = acct.position(action.symbol, action.position_side)
        new = with_position(
            attrs.evolve(acct, cross_wallet=acct.cross_wallet + action.amount),
            (action.symbol, action.position_side),
            attrs.evolve(pos, isolated_wallet=pos.isolated_wallet - action.amount),
        )
        from marginspec.exchange.refusals import accepted

        return self.state.with_account(action.account, new), accepted()

    def report_wrongly(self, account: str, snap: dict[str, Any]) -> dict[str, Any]:
        acct = self.state.accounts[account]

        def cap(p: dict[str, Any]) -> str | None:
            if p["maxRemovableMargin"] is None:
                return None
            return self.num(self._cap(acct, p["symbol"], PositionSide(p["positionSide"])))

        return _replace_positions(snap, "maxRemovableMargin", cap)


# ---------------------------------------------------------------- §6.10 / §4 boundaries and "no price"


class TriggerInclusive(Mutant):
    """Liquidation when margin balance <= MM instead of < (§6.10, LIQ-1)."""

    mistake = "§6.10"

    def __init__(self) -> None:
        true = load_bundled("aster-pro")
        super().__init__(
            attrs.evolve(true, options=attrs.evolve(true.options, liquidation_trigger=Trigger.LE))
        )


class BracketFloorInclusive(Mutant):
    """A notional exactly on a floor belongs to the upper bracket (ccxt's ``<`` break, §4)."""

    mistake = "§4 ccxt"

    def __init__(self) -> None:
        true = load_bundled("aster-pro")
        super().__init__(
            attrs.evolve(
                true, options=attrs.evolve(true.options, bracket_boundary=Boundary.FLOOR_INCLUSIVE)
            )
        )


class NoLiquidationPriceAsZero(Mutant):
    """ "No liquidation price" written as "0" instead of null (§4 ccxt #8311, §6.10)."""

    mistake = "§6.10"

    def __init__(self) -> None:
        true = load_bundled("aster-pro")
        super().__init__(
            attrs.evolve(
                true, options=attrs.evolve(true.options, no_liquidation_price=NoPrice.ZERO)
            )
        )


# ---------------------------------------------------------------- issue 12: classic bugs of real tools


def _option(**changes: Any) -> RuleSet:
    true = load_bundled("aster-pro")
    return attrs.evolve(true, options=attrs.evolve(true.options, **changes))


class DisplayRoundsHalfUp(Mutant):
    """Figures shown rounded half-up, as ccxt's ``decimal_to_precision`` ROUND does, where the
    exchange truncates (DISP-2; §4 ccxt, freqtrade's amount_to_precision reports)."""

    mistake = "§4 ccxt rounding"

    def __init__(self) -> None:
        super().__init__(_option(display_rounding=Rounding.HALF_UP))


class AdlRankedTheBinanceWay(Mutant):
    """ADL queue ranked by PnL% × margin ratio (Binance's, the older Aster page) where the
    rule set ranks by PnL% × effective leverage (ADL-2; §6 ADL ranking)."""

    mistake = "§6 ADL ranking"

    def __init__(self) -> None:
        super().__init__(_option(adl_ranking=AdlRanking.BINANCE))


class MakerTakerFeesSwapped(Mutant):
    """The maker pays the taker rate and the taker the maker rate (FEE-1; the fee basis
    mix-up of exchange API forum threads on commission)."""

    mistake = "§6 fee basis"

    def __init__(self) -> None:
        super().__init__(
            _with_tables(
                load_bundled("aster-pro"),
                lambda m: attrs.evolve(m, maker_fee=m.taker_fee, taker_fee=m.maker_fee),
            )
        )


class LiquidationFeeIgnored(Mutant):
    """A liquidation closes the position without the clearance fee (LIQP-4; §6 liquidation fee)."""

    mistake = "§6 liquidation fee"

    def __init__(self) -> None:
        super().__init__(
            _with_tables(
                load_bundled("aster-pro"), lambda m: attrs.evolve(m, liquidation_fee=Exact(0))
            )
        )


class MinNotionalInclusive(Mutant):
    """An order whose notional is exactly the minimum is refused: ``<=`` where the
    exchange compares ``<`` (-4164, REF-7, ACT-ORD-3; §6 order filters)."""

    mistake = "§6 order filters"

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, PlaceOrder) or action.symbol not in self.ruleset.markets:
            return None
        market = self.ruleset.markets[action.symbol]
        if not action.reduce_only and action.price * action.quantity == market.min_notional:
            _, outcome = apply(self.state, action, self.ruleset)
            if outcome.accepted:
                return self.state, refused(R.MIN_NOTIONAL, market.min_notional)
        return None


class TickCheckedInFloats(Mutant):
    """The price filter computed in binary floats, ``price / tick != round(price / tick)``:
    80000.2 with a 0.1 tick is refused as off-tick (-4014, REF-5; the float precision
    filter bugs of ccxt and freqtrade reports, §6 float filters)."""

    mistake = "§6 float filters"

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, PlaceOrder) or action.symbol not in self.ruleset.markets:
            return None
        tick = float(self.ruleset.markets[action.symbol].tick_size)
        ratio = float(action.price) / tick
        if action.price > 0 and ratio != round(ratio):
            _, outcome = apply(self.state, action, self.ruleset)
            if outcome.accepted:
                return self.state, refused(R.PRICE_TICK)
        return None


class WithdrawOfTheMaximumRefused(Mutant):
    """Withdrawing exactly ``maxWithdrawAmount`` is refused: ``>=`` where ``>`` belongs
    (XFER-1, REF-36; §6 isolated and cross transfers)."""

    mistake = "§6 transfers"

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, Withdraw) or action.account not in self.state.accounts:
            return None
        acct = self.state.accounts[action.account]
        if action.amount > 0 and action.amount == max_withdraw(acct, self.state, self.ruleset):
            return self.state, refused(R.WITHDRAW_EXCEEDS)
        return None


class ReduceOnlyGuardSkipped(Mutant):
    """A reduce-only order larger than the position (or on the wrong side) is accepted as
    an ordinary order: the -2022 guard is skipped (ACT-ORD-4, REF-3; freqtrade's
    "ReduceOnly Order is rejected" reports, §6 reduce-only)."""

    mistake = "§6 reduce-only"

    def apply_wrongly(self, action: Any) -> Any:
        if not isinstance(action, PlaceOrder) or not action.reduce_only:
            return None
        _, outcome = apply(self.state, action, self.ruleset)
        if outcome.accepted or outcome.rule != "REF-3":
            return None
        return apply(self.state, attrs.evolve(action, reduce_only=False), self.ruleset)


class MarginRatioOverWallet(Mutant):
    """The margin ratio divides by the wallet balance, not the margin balance: the
    unrealized PnL is left out (MR-1; §6 margin ratio)."""

    mistake = "§6 margin ratio"

    def report_wrongly(self, account: str, snap: dict[str, Any]) -> dict[str, Any]:
        wallet = Exact(snap["totalCrossWalletBalance"])
        if snap.get("marginRatio") is None or wallet <= 0:
            return snap
        return {**snap, "marginRatio": self.num(Exact(snap["totalCrossMaintMargin"]) / wallet)}


class MaxWithdrawIsAvailable(Mutant):
    """``maxWithdrawAmount`` is the available balance alone: the cap of the wallet less
    cross maintenance margin is dropped, so unrealized profit can be withdrawn (XFER-1;
    §6 transfers)."""

    mistake = "§6 transfers"

    def report_wrongly(self, account: str, snap: dict[str, Any]) -> dict[str, Any]:
        return {**snap, "maxWithdrawAmount": snap["availableBalance"]}


class ShortLegPnlAsLong(Mutant):
    """The SHORT leg of a hedge-mode pair computes its unrealized PnL as a long would,
    ``|amt| × (mark − entry)`` (PNL-1; §6 hedge legs)."""

    mistake = "§6 hedge legs"

    def report_wrongly(self, account: str, snap: dict[str, Any]) -> dict[str, Any]:
        out = dict(snap)
        out["positions"] = [
            {**p, "unRealizedProfit": self.num(-Exact(p["unRealizedProfit"]))}
            if p["positionSide"] == "SHORT" and Exact(p["positionAmt"]) != 0
            else p
            for p in snap["positions"]
        ]
        return out


class MaintenanceAtEntryNotional(Mutant):
    """Maintenance margin looked up and computed on the entry notional instead of the
    notional at the mark: entry for mark (MM-1; §6.1 tier lookups)."""

    mistake = "§6.1 tier lookup"

    def report_wrongly(self, account: str, snap: dict[str, Any]) -> dict[str, Any]:
        boundary = self.ruleset.options.bracket_boundary

        def wrong(p: dict[str, Any]) -> str | None:
            table = self.ruleset.markets[p["symbol"]].brackets
            at_entry = abs(Exact(p["positionAmt"])) * Exact(p["entryPrice"])
            return self.num(brackets.maint_margin(table, at_entry, boundary))

        return _replace_positions(snap, "maintMargin", wrong)


MUTANTS: tuple[type[Mutant], ...] = (
    MaintenanceAmountIgnored,
    LiquidationBracketAtEntry,
    CrossLiquidationAlone,
    MarginTypeChangeWithOpenOrder,
    PositionModeChangeWithPosition,
    LeverageCapNotEnforced,
    IsolatedLeverageReductionAllowed,
    IsolatedLossLeaksToCross,
    IsolatedFundingToCross,
    FundingSignInverted,
    OpenOrderMarginIgnored,
    IsolatedRemovalCappedByMaintenance,
    TriggerInclusive,
    BracketFloorInclusive,
    NoLiquidationPriceAsZero,
    DisplayRoundsHalfUp,
    AdlRankedTheBinanceWay,
    MakerTakerFeesSwapped,
    LiquidationFeeIgnored,
    MinNotionalInclusive,
    TickCheckedInFloats,
    WithdrawOfTheMaximumRefused,
    ReduceOnlyGuardSkipped,
    MarginRatioOverWallet,
    MaxWithdrawIsAvailable,
    ShortLegPnlAsLong,
    MaintenanceAtEntryNotional,
)
