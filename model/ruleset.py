"""Rule sets: markets, their bracket tables and the rule-set options (RS-*, BRK-*, OPT-*)."""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from marginspec.brackets import Boundary, Bracket, well_formedness
from marginspec.errors import InputError, RuleSetError
from marginspec.numbers import Exact, Rounding, to_plain


class Trigger(enum.Enum):
    """LIQ-1: liquidation when margin balance < MM (``lt``) or <= MM (``le``)."""

    LT = "lt"
    LE = "le"


class AdlRanking(enum.Enum):
    """ADL-2: how auto-deleveraging ranks the opposite positions (A-ADL current vs older/B-ADL)."""

    ASTER = "aster"  # current Aster page: PNL% × effective leverage (÷ when PNL% < 0)
    BINANCE = "binance"  # Binance and the older Aster Pro page: PnL% × margin ratio


class NoPrice(enum.Enum):
    """LIQ-5: how "no liquidation price" is written: ``null`` (default) or ``"0"`` (API)."""

    NULL = "null"
    ZERO = "zero"


class PartialLiquidation(enum.Enum):
    """LIQP-8: a position above the first bracket is first reduced bracket by bracket
    (``bracket-step``, BY-PROC) or liquidated whole at once (``none``, LIQP-3)."""

    NONE = "none"
    BRACKET_STEP = "bracket-step"


class LiquidationFeeBy(enum.Enum):
    """The clearance fee's rate (LIQP-9): the market's one rate (``market``, LIQP-4) or
    the rate of the liquidated position's bracket (``bracket``, where a venue tiers it)."""

    MARKET = "market"
    BRACKET = "bracket"


class OrderMarginCheck(enum.Enum):
    """ACT-ORD-3: which orders are margin-checked when placed, and for what.

    ``opening`` (default): B-MREQ's classification; an opening order (or the opening
    part of one) is charged COST-1. ``requirement``: the model's earlier rule; an order
    is checked only when it raises its side's ORD-1 requirement, for the increase plus
    the open loss of its whole quantity.
    """

    OPENING = "opening"
    REQUIREMENT = "requirement"


class ReduceOnlyNetting(enum.Enum):
    """ACT-ORD-4: whether resting reducing orders count against a new one when placed."""

    NETTED = "netted"  # Binance's answer and error list: -2022 on placing (default)
    AT_FILL = "at-fill"  # the model's earlier rule: refused only when its fill would open


class SelfTradePrevention(enum.Enum):
    """STP-1: what an immediate order does when it reaches a resting order of its own
    account; the rule set's value is the default of an order that names no mode."""

    EXPIRE_TAKER = "EXPIRE_TAKER"  # the taker's rest expires (Aster's account default)
    EXPIRE_MAKER = "EXPIRE_MAKER"  # the maker's rest expires, the taker matches on
    EXPIRE_BOTH = "EXPIRE_BOTH"  # both expire
    NONE = "NONE"  # no prevention (Binance's default): the model skips its own orders


@attrs.frozen
class Options:
    """The named choices where venues or sources differ (spec/rules.md, section OPT)."""

    bracket_boundary: Boundary = Boundary.CAP_INCLUSIVE
    liquidation_trigger: Trigger = Trigger.LT
    display_decimals: int = 8
    display_rounding: Rounding = Rounding.DOWN
    no_liquidation_price: NoPrice = NoPrice.NULL
    adl_ranking: AdlRanking = AdlRanking.ASTER
    # IF-5: the fund's net notional may reach this multiple of its margin balance
    # (B-IF: "by default, this is 100% the size of the insurance fund"); None = no limit,
    # only the fund's solvency (the model's rule before IF-5).
    fund_max_net_notional: Exact | None = Exact(1)
    partial_liquidation: PartialLiquidation = PartialLiquidation.NONE
    order_margin_check: OrderMarginCheck = OrderMarginCheck.OPENING
    reduce_only_netting: ReduceOnlyNetting = ReduceOnlyNetting.NETTED
    liquidation_fee_by: LiquidationFeeBy = LiquidationFeeBy.MARKET
    #: ACT-COND-4: the largest ``callbackRate`` (percent) of a trailing stop: Aster's 5
    #: (A-API), Binance's 10 (B-API); the smallest is 0.1 on both.
    callback_rate_max: Exact = Exact(5)
    self_trade_prevention: SelfTradePrevention = SelfTradePrevention.EXPIRE_TAKER


@attrs.frozen
class Market:
    """One perpetual market: filters, fees, funding settings and its bracket table."""

    symbol: str
    brackets: tuple[Bracket, ...]
    tick_size: Exact = Exact(1, 10)
    step_size: Exact = Exact(1, 1000)
    min_notional: Exact = Exact(5)
    maker_fee: Exact = Exact(0)
    taker_fee: Exact = Exact(4, 10000)
    liquidation_fee: Exact = Exact(1, 100)
    #: LIQP-9: one clearance-fee rate per bracket, in bracket order (empty: the market's
    #: ``liquidation_fee`` for every bracket); read under ``liquidation_fee_by = "bracket"``.
    liquidation_fee_brackets: tuple[Exact, ...] = ()
    funding_interval_hours: int = 8
    interest_rate: Exact = Exact(1, 10000)
    funding_cap: Exact = Exact(3, 1000)
    funding_floor: Exact = Exact(-3, 1000)
    #: PERCENT_PRICE (ACT-ORD-9): a BUY's price ≤ mark × up, a SELL's ≥ mark × down. The
    #: defaults are A-API's exchangeInfo example (1.1500, 0.8500).
    multiplier_up: Exact = Exact(115, 100)
    multiplier_down: Exact = Exact(85, 100)
    #: MAX_NUM_ORDERS (ACT-ORD-10): open orders per account and symbol (A-API example 200).
    max_num_orders: int = 200
    #: MAX_NUM_ALGO_ORDERS (ACT-COND-7): open conditional orders per account and symbol
    #: (A-API exchangeInfo example 100).
    max_num_algo_orders: int = 100
    #: ``triggerProtect`` (ACT-COND-8): the largest |mark − last| / mark at which a
    #: ``priceProtect`` order may trigger (the exchangeInfo example 0.15).
    trigger_protect: Exact = Exact(15, 100)
    #: PRICE_FILTER's bounds (FLT-1) and LOT_SIZE's (FLT-2); 0 disables a bound (A-API:
    #: "disabled on minPrice == 0"), so a rule set that gives none keeps the earlier rules.
    min_price: Exact = Exact(0)
    max_price: Exact = Exact(0)
    min_qty: Exact = Exact(0)
    max_qty: Exact = Exact(0)
    #: MARKET_LOT_SIZE (FLT-3): a MARKET order's bounds and step; a step of 0 is LOT_SIZE's.
    market_min_qty: Exact = Exact(0)
    market_max_qty: Exact = Exact(0)
    market_step_size: Exact = Exact(0)

    @property
    def max_leverage(self) -> int:
        """LEV-1: the highest leverage a position may use, the first bracket's ``initialLeverage``."""
        return int(self.brackets[0].initial_leverage)


@attrs.frozen
class RuleSet:
    name: str
    markets: Mapping[str, Market]
    options: Options = Options()
    source: str = ""
    description: str = ""

    def market(self, symbol: str, where: str = "") -> Market:
        try:
            return self.markets[symbol]
        except KeyError:
            known = ", ".join(sorted(self.markets)[:8])
            more = "…" if len(self.markets) > 8 else ""
            raise InputError(
                where, f"unknown symbol {symbol!r} in rule set {self.name!r} (known: {known}{more})"
            ) from None


#: RS-3: the most brackets a table may have (real tables have at most 12; a liquidation
#: price of hedged cross legs tries every pair of brackets, so the bound keeps it fast).
MAX_BRACKETS = 64


def check_size(symbol: str, count: int, where: str) -> None:
    """Refuse a table of more than MAX_BRACKETS brackets, before reading them (RS-3)."""
    if count > MAX_BRACKETS:
        raise RuleSetError(
            f"{where}: {symbol}", f"{count} brackets: a table has at most {MAX_BRACKETS} (RS-3)"
        )


#: RS-3, RS-4: the most markets a rule set or bracket file may have (Binance USD-M lists
#: about 900), checked before any table is read, so a huge file is refused at once.
MAX_MARKETS = 4096


def check_markets(count: int, where: str) -> None:
    """Refuse a rule set of more than MAX_MARKETS markets, before reading them (RS-3, RS-4)."""
    if count > MAX_MARKETS:
        raise RuleSetError(
            where, f"{count} markets: a rule set has at most {MAX_MARKETS} (RS-3, RS-4)"
        )


def check_table(symbol: str, brackets: tuple[Bracket, ...], where: str) -> None:
    """Refuse a table that breaks BRK-2 or BRK-5, naming file, symbol and bracket.

    The conditions are :func:`marginspec.brackets.well_formedness`, the ones the proofs
    assume; only the numbering and the integrality of the leverage are the loader's own.
    """

    def fail(index: int, message: str) -> RuleSetError:
        number = brackets[index].bracket if index < len(brackets) else index + 1
        return RuleSetError(f"{where}: {symbol} bracket {number}", message)

    if not brackets:
        raise RuleSetError(f"{where}: {symbol}", "empty bracket table")
    for index, b in enumerate(brackets):
        if b.bracket != index + 1:
            raise fail(index, f"brackets must be numbered 1, 2, … in order; found {b.bracket}")
        if Exact(b.initial_leverage).denominator != 1:
            raise fail(
                index, f"initialLeverage must be a positive integer, got {b.initial_leverage}"
            )
    for requirement in well_formedness(brackets):
        if requirement.holds is not True:
            values = (to_plain(Exact(value)) for value in requirement.values)
            raise fail(requirement.index, requirement.message.format(*values))
