"""The symbol filters an order's price and quantity pass (FLT-*, A-API "Filters").

PRICE_FILTER (minPrice, maxPrice, tickSize), LOT_SIZE (minQty, maxQty, stepSize) and, for
MARKET orders, MARKET_LOT_SIZE: ``placeOrder`` (ACT-6) and ``modifyOrder`` (ACT-15) run
the same checks, in the order the API lists each filter's parts. A bound of 0 is no bound
(A-API: "disabled on minPrice == 0"; the model reads LOT_SIZE's and MARKET_LOT_SIZE's
zeros the same way, so a rule set that gives none keeps the tick and step rules alone).
"""

from __future__ import annotations

from marginspec.exchange import refusals as R
from marginspec.exchange.refusals import Outcome, refused
from marginspec.numbers import Exact
from marginspec.ruleset import Market


def _on_grid(value: Exact, base: Exact, step: Exact) -> bool:
    return bool(((value - base) / step).denominator == 1)


def price_filter(market: Market, price: Exact) -> Outcome | None:
    """FLT-1: PRICE_FILTER: ``price >= minPrice`` (-4013), ``price <= maxPrice`` (-4002),
    ``(price − minPrice) % tickSize == 0`` (-4014); a bound of 0 is disabled."""
    if market.min_price > 0 and price < market.min_price:
        return refused(R.PRICE_BELOW_MIN)
    if market.max_price > 0 and price > market.max_price:
        return refused(R.PRICE_ABOVE_MAX)
    if not _on_grid(price, market.min_price, market.tick_size):
        return refused(R.PRICE_TICK)
    return None


def lot_bounds(market: Market, is_market: bool) -> tuple[Exact, Exact, Exact]:
    """FLT-3: the (minQty, maxQty, stepSize) a quantity must meet: MARKET_LOT_SIZE's for a
    MARKET order (its step 0 falls back to LOT_SIZE's), LOT_SIZE's for any other."""
    if not is_market:
        return market.min_qty, market.max_qty, market.step_size
    step = market.market_step_size if market.market_step_size > 0 else market.step_size
    return market.market_min_qty, market.market_max_qty, step


def quantity_filter(market: Market, quantity: Exact, is_market: bool) -> Outcome | None:
    """FLT-2: LOT_SIZE (MARKET_LOT_SIZE for a MARKET order, FLT-3): ``quantity >= minQty``
    (-4004), ``quantity <= maxQty`` (-4005), ``(quantity − minQty) % stepSize == 0`` (-4023)."""
    low, high, step = lot_bounds(market, is_market)
    if low > 0 and quantity < low:
        return refused(R.QTY_BELOW_MIN)
    if high > 0 and quantity > high:
        return refused(R.QTY_ABOVE_MAX)
    if not _on_grid(quantity, low, step):
        return refused(R.QTY_STEP)
    return None


def percent_price(market: Market, direction: int, price: Exact, mark: Exact) -> Outcome | None:
    """PERCENT_PRICE (ACT-ORD-9): a BUY above ``mark × multiplierUp`` (-4016), a SELL below
    ``mark × multiplierDown`` (-4024)."""
    if direction > 0 and price > mark * market.multiplier_up:
        return refused(R.PRICE_ABOVE_BAND)
    if direction < 0 and price < mark * market.multiplier_down:
        return refused(R.PRICE_BELOW_BAND)
    return None
