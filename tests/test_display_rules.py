"""What the output writes: echoed inputs exactly (DISP-4), tiny prices not as "0" (DISP-3)."""

from __future__ import annotations

import attrs

from marginspec.account import parse_account
from marginspec.evaluate import evaluate
from marginspec.numbers import exact as x
from marginspec.report import account_json, display_price, echo
from marginspec.rulefile import load_bundled
from marginspec.ruleset import NoPrice

RULES = load_bundled()


def _evaluate(position: dict[str, object], wallet: str = "1000") -> dict[str, object]:
    account = parse_account(
        {"crossWalletBalance": wallet, "positions": [{"symbol": "BTCUSDT", **position}]}, RULES
    )
    return account_json(evaluate(account, RULES, True), RULES.options)


def test_echoed_inputs_are_exact() -> None:
    """DISP-4 (issue 15's repro): an entry of 0.0009958175662 came back as 0.00099581."""
    out = _evaluate(
        {
            "positionAmt": "0.0009958175662",
            "entryPrice": "80000.123456789",
            "markPrice": "80000.1234567891",
            "leverage": 20,
        },
        wallet="1000.123456789",
    )
    position = out["positions"][0]  # type: ignore[index]
    assert position["positionAmt"] == "0.0009958175662"
    assert position["entryPrice"] == "80000.123456789"
    assert position["markPrice"] == "80000.1234567891"
    assert out["totalCrossWalletBalance"] == "1000.123456789"
    assert out["totalWalletBalance"] == "1000.123456789"
    # computed figures keep DISP-1's 8 places
    assert position["notional"] == "79.66552823"  # 79.665528236439… toward zero


def test_a_value_without_a_finite_expansion_is_rounded() -> None:
    """DISP-4: a weighted entry of 1/3 has no exact decimal text: DISP-1 applies."""
    assert echo(x(1) / 3, RULES.options) == "0.33333333"


def test_a_positive_price_never_reads_zero() -> None:
    """DISP-3: a liquidation price of 1.004016…e-10 is written to 8 significant digits."""
    out = _evaluate(
        {"positionAmt": "1", "entryPrice": "0.5000000001", "markPrice": "0.5", "leverage": 1},
        wallet="0.5",
    )
    position = out["positions"][0]  # type: ignore[index]
    assert position["liquidationPrice"] == "0.0000000001004016"
    assert position["bankruptcyPrice"] == "0.0000000001"
    zero = attrs.evolve(RULES.options, no_liquidation_price=NoPrice.ZERO)
    assert display_price(x("0.00000000012345678912"), zero) == "0.00000000012345678"
    # a price DISP-1 writes as non-zero is unchanged
    assert display_price(x("0.123456789"), RULES.options) == "0.12345678"
