"""The exchange's state: markets' marks, accounts, the insurance fund, fee income (ACT-*).

Everything is immutable (frozen attrs); a transition builds a new state. An account is
converted to the ``evaluate`` input (:class:`marginspec.account.Account`) so that every
derived figure comes from :func:`marginspec.evaluate.evaluate` (one source of truth).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar, cast

import attrs

from marginspec.account import Account, MarginType, OpenOrder, OrderSide, Position, PositionSide
from marginspec.memo import Memo
from marginspec.numbers import Exact
from marginspec.ruleset import RuleSet

#: The insurance fund is an account of its own (IF-1): its wallet is the fund's balance
#: and it holds the positions it takes over from liquidated accounts.
INSURANCE_FUND = "insuranceFund"

#: ACT-LEV-1: leverage of a symbol nobody has set: Binance's default 20x (B-LM),
#: capped by the market's maximum. Aster's default is unconfirmed.
DEFAULT_LEVERAGE = 20

ZERO = Exact(0)

T = TypeVar("T")
_INIT_FIELDS: Memo[tuple[str, ...]] = Memo(64)


def evolve(obj: T, **changes: Any) -> T:
    """``attrs.evolve`` without its per-call introspection (the model's hot path)."""
    cls = obj.__class__
    names = _INIT_FIELDS.get(cls)
    if names is None:
        names = _INIT_FIELDS.put(cls, tuple(f.name for f in attrs.fields(cast(Any, cls)) if f.init))
    values = {n: changes[n] if n in changes else getattr(obj, n) for n in names}
    return cls(**values)


@attrs.frozen(cache_hash=True)
class Order:
    """An open order (``GET /fapi/v3/openOrders`` fields): a resting LIMIT order (GTC or
    GTX), or, only while ``placeOrder`` matches it, an IOC/FOK LIMIT or a MARKET order
    (ACT-ORD-8; a MARKET order's ``price`` is 0), or an untriggered conditional order
    (ACT-COND-1: ``stopPrice``, ``workingType``, ``priceProtect``, ``closePosition``, a
    trailing stop's ``activatePrice``, ``priceRate`` and the extreme price it has seen)."""

    order_id: int
    symbol: str
    side: OrderSide
    position_side: PositionSide
    price: Exact
    orig_qty: Exact
    executed_qty: Exact = ZERO
    reduce_only: bool = False
    order_type: str = "LIMIT"
    time_in_force: str = "GTC"
    #: ACT-COND-1: what a conditional order watches (zero / defaults on other orders).
    stop_price: Exact = ZERO
    working_type: str = "CONTRACT_PRICE"
    price_protect: bool = False
    close_position: bool = False
    activation_price: Exact = ZERO
    callback_rate: Exact = ZERO
    #: ACT-COND-4: the highest (SELL) or lowest (BUY) working price since placement.
    extreme: Exact = ZERO
    #: AMEND-2: the order's place in the time priority once amended (a number from the
    #: order-id counter); None: its ``order_id``. Not written in snapshots.
    priority: int | None = None
    #: The ``evaluate`` form (remaining quantity), built once per order version.
    open_order: OpenOrder = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self,
            "open_order",
            OpenOrder(
                self.symbol,
                self.side,
                self.position_side,
                self.price,
                self.orig_qty - self.executed_qty,
                self.reduce_only,
                self.order_type,
            ),
        )

    @property
    def remaining(self) -> Exact:
        return self.open_order.quantity

    @property
    def queue(self) -> int:
        """Its time priority (ACT-ORD-8): the order id, or the amendment's number (AMEND-2)."""
        return self.order_id if self.priority is None else self.priority


@attrs.frozen(cache_hash=True)
class PositionState:
    """One position side: signed amount, entry price, isolated wallet (0 when cross)."""

    position_amt: Exact = ZERO
    entry_price: Exact = ZERO
    isolated_wallet: Exact = ZERO


@attrs.frozen(cache_hash=True)
class SymbolSettings:
    """Per symbol: margin mode (``POST /fapi/v3/marginType``) and leverage (``/leverage``)."""

    margin_type: MarginType = MarginType.CROSS
    leverage: int = DEFAULT_LEVERAGE


PositionKey = tuple[str, PositionSide]


@attrs.frozen(eq=True, hash=False)
class AccountState:
    """One account: cross wallet, position mode, per-symbol settings, positions, orders.

    ``positions`` holds only position sides that exist (non-zero amount or a non-zero
    isolated wallet); ``settings`` has every market (filled in by ``parse_initial``;
    a missing symbol reads as the defaults, ACT-LEV-1).
    """

    cross_wallet: Exact = ZERO
    dual_side_position: bool = False
    settings: Mapping[str, SymbolSettings] = attrs.field(factory=dict)
    positions: Mapping[PositionKey, PositionState] = attrs.field(factory=dict)
    orders: tuple[Order, ...] = ()

    def setting(self, symbol: str, ruleset: RuleSet) -> SymbolSettings:
        found = self.settings.get(symbol)
        if found is not None:
            return found
        return default_settings(symbol, ruleset)

    def position(self, symbol: str, side: PositionSide) -> PositionState:
        return self.positions.get((symbol, side), _EMPTY)

    def sides(self) -> tuple[PositionSide, ...]:
        return (
            (PositionSide.LONG, PositionSide.SHORT)
            if self.dual_side_position
            else (PositionSide.BOTH,)
        )

    def has_position(self, symbol: str | None = None) -> bool:
        return any(
            p.position_amt != 0 for (s, _), p in self.positions.items() if symbol in (None, s)
        )

    def has_orders(self, symbol: str | None = None) -> bool:
        return any(symbol in (None, o.symbol) for o in self.orders)


_EMPTY = PositionState()


@attrs.frozen(eq=True, hash=False)
class ExchangeState:
    """The whole closed system (ACT-0): money only moves between its wallets.

    ``net_deposits`` is deposits minus withdrawals since the start, including the
    initial balances; conservation (INV-1) compares every wallet against it.
    """

    mark_prices: Mapping[str, Exact]
    accounts: Mapping[str, AccountState]
    fee_income: Exact = ZERO
    net_deposits: Exact = ZERO
    next_order_id: int = 1
    #: ACT-COND-9: the last traded price per symbol; a symbol without one reads its mark.
    last_prices: Mapping[str, Exact] = attrs.field(factory=dict)

    def last_price(self, symbol: str) -> Exact:
        """ACT-COND-9: the contract's last price (CONTRACT_PRICE), the mark until a trade."""
        found = self.last_prices.get(symbol)
        return self.mark_prices[symbol] if found is None else found

    @property
    def insurance_fund(self) -> Exact:
        return self.accounts[INSURANCE_FUND].cross_wallet

    def with_account(self, name: str, account: AccountState) -> ExchangeState:
        accounts = dict(self.accounts)
        accounts[name] = account
        return ExchangeState(
            self.mark_prices,
            accounts,
            self.fee_income,
            self.net_deposits,
            self.next_order_id,
            self.last_prices,
        )

    def with_accounts(self, changed: Mapping[str, AccountState]) -> ExchangeState:
        accounts = dict(self.accounts)
        accounts.update(changed)
        return ExchangeState(
            self.mark_prices,
            accounts,
            self.fee_income,
            self.net_deposits,
            self.next_order_id,
            self.last_prices,
        )

    def find_order(self, order_id: int) -> tuple[str, Order] | None:
        for name, account in self.accounts.items():
            for order in account.orders:
                if order.order_id == order_id:
                    return name, order
        return None


def default_leverage(symbol: str, ruleset: RuleSet) -> int:
    return min(DEFAULT_LEVERAGE, ruleset.markets[symbol].max_leverage)


_DEFAULTS: Memo[SymbolSettings] = Memo(1024)


def default_settings(symbol: str, ruleset: RuleSet) -> SymbolSettings:
    """ACT-LEV-1: the defaults: cross, leverage min(20, max)."""
    key = (id(ruleset), symbol)
    hit = _DEFAULTS.get(key)
    if hit is not None:
        return hit
    return _DEFAULTS.put(key, SymbolSettings(leverage=default_leverage(symbol, ruleset)), ruleset)


def with_position(
    account: AccountState,
    key: PositionKey,
    pos: PositionState,
    cross_wallet: Exact | None = None,
) -> AccountState:
    """``account`` with one position side replaced (dropped when empty and walletless),
    and its cross wallet too when given."""
    positions = dict(account.positions)
    if pos.position_amt == 0 and pos.isolated_wallet == 0:
        positions.pop(key, None)
    else:
        positions[key] = pos
    return AccountState(
        account.cross_wallet if cross_wallet is None else cross_wallet,
        account.dual_side_position,
        account.settings,
        positions,
        account.orders,
    )


def with_orders(account: AccountState, orders: tuple[Order, ...]) -> AccountState:
    """``account`` with its open orders replaced (hot path: no ``evolve``)."""
    return AccountState(
        account.cross_wallet,
        account.dual_side_position,
        account.settings,
        account.positions,
        orders,
    )


def to_account(
    state: AccountState,
    marks: Mapping[str, Exact],
    ruleset: RuleSet,
    full: bool = False,
) -> Account:
    """The ``evaluate`` input for an account (SNAP-1 vocabulary).

    ``full``: one entry per market and position side (a snapshot shows every symbol's
    leverage and margin type); otherwise only the sides that hold a position or an
    isolated wallet, plus one zero entry per symbol with orders (what ``evaluate``
    needs); the zero entries change no total.
    """
    if full:
        keys: Iterable[PositionKey] = [(s, side) for s in ruleset.markets for side in state.sides()]
    else:
        wanted = dict.fromkeys(state.positions)
        if state.orders:
            present = {k[0] for k in wanted}
            for order in state.orders:
                if order.symbol not in present:
                    wanted[(order.symbol, order.position_side)] = None
                    present.add(order.symbol)
        keys = wanted
    positions = []
    for symbol, side in keys:
        setting = state.setting(symbol, ruleset)
        pos = state.position(symbol, side)
        positions.append(
            Position(
                symbol=symbol,
                position_side=side,
                position_amt=pos.position_amt,
                entry_price=pos.entry_price,
                mark_price=marks[symbol],
                margin_type=setting.margin_type,
                leverage=setting.leverage,
                isolated_wallet=pos.isolated_wallet,
            )
        )
    orders = tuple(o.open_order for o in state.orders)
    return Account(state.cross_wallet, tuple(positions), orders, state.dual_side_position)
