"""LIQ-4's tie: two consistent liquidation prices equally near the mark (issue 15)."""

from __future__ import annotations

from marginspec import liquidation
from marginspec.account import parse_account
from marginspec.brackets import Boundary
from marginspec.evaluate import evaluate
from marginspec.numbers import Exact
from marginspec.numbers import exact as x
from marginspec.rulefile import load_bundled

RULES = load_bundled("binance-usdm")
TABLE = RULES.markets["0GUSDT"].brackets


def _price(long: str, short: str, mark: str) -> Exact:
    legs = [
        liquidation.Leg(x(long), x("1476.5"), TABLE),
        liquidation.Leg(x(short), x("1476.5"), TABLE),
    ]
    result = liquidation.liquidation_price(
        legs, x("736.175"), x(0), x(0), x(mark), Boundary.CAP_INCLUSIVE
    )
    assert result.exists
    return Exact(result.price)


def test_a_tie_goes_to_the_lower_price() -> None:
    """EX-LIQ-4-TIE: LONG 10 and SHORT −9.5 at 1,476.5, wallet 736.175: the consistent
    prices 10 and 2,943 are both 1,466.5 from the mark 1,476.5; LIQ-4 takes the lower."""
    assert _price("10", "-9.5", "1476.5") == 10


def test_off_the_midpoint_the_nearer_wins() -> None:
    """LIQ-4: a mark a tick above the midpoint is nearer 2,943, a tick below nearer 10."""
    assert _price("10", "-9.5", "1476.6") == 2943
    assert _price("10", "-9.5", "1476.4") == 10


def test_the_tie_does_not_depend_on_the_order_of_the_legs() -> None:
    legs = [
        liquidation.Leg(x("-9.5"), x("1476.5"), TABLE),
        liquidation.Leg(x("10"), x("1476.5"), TABLE),
    ]
    result = liquidation.liquidation_price(
        legs, x("736.175"), x(0), x(0), x("1476.5"), Boundary.CAP_INCLUSIVE
    )
    assert Exact(result.price) == 10


def test_evaluate_reports_the_lower_price_for_both_legs() -> None:
    """EX-LIQ-4-TIE through ``evaluate`` (LIQ-4): both legs of the cross hedge share it."""
    legs = [("LONG", "10"), ("SHORT", "-9.5")]
    account = parse_account(
        {
            "crossWalletBalance": "736.175",
            "dualSidePosition": True,
            "positions": [
                {
                    "symbol": "0GUSDT",
                    "positionSide": side,
                    "positionAmt": amt,
                    "entryPrice": "1476.5",
                    "markPrice": "1476.5",
                    "leverage": 10,
                }
                for side, amt in legs
            ],
        },
        RULES,
    )
    prices = [p.liquidation_price for p in evaluate(account, RULES, True).positions]
    assert prices == [10, 10]
