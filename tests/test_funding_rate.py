"""The funding rate from the premium index and interest (FUND-4, FUND-5) and the funding
action that computes it (ACT-10)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marginspec.errors import InputError
from marginspec.exchange.state import INSURANCE_FUND
from marginspec.funding import funding_rate, premium_average
from marginspec.numbers import Exact
from marginspec.numbers import exact as x
from tests.exchange_helpers import model, position, trade

CAP, FLOOR = x("0.003"), x("-0.003")


def test_aster_four_hour_example() -> None:
    """EX-F-2 (A-FUND): P = 0.015 %, I = 0.01 %, 4 h → [0.015 % − 0.005 %] / 2 = 0.005 %."""
    assert funding_rate(x("0.00015"), x("0.0001"), 4, FLOOR, CAP) == x("0.00005")
    assert funding_rate(x("0.00015"), x("0.0001"), 8, FLOOR, CAP) == x("0.0001")


def test_the_interest_clamp_binds_at_half_a_basis_point() -> None:
    """FUND-4: I − P is bounded to ±0.05 %: P = 0.2 % → 0.2 % − 0.05 % = 0.15 % (8 h)."""
    assert funding_rate(x("0.002"), x("0.0001"), 8, FLOOR, CAP) == x("0.0015")
    assert funding_rate(x("-0.002"), x("0.0001"), 8, FLOOR, CAP) == x("-0.0015")
    # |I − P| ≤ 0.05 %: the rate is the interest rate itself (B-FUND's usual 0.01 %)
    assert funding_rate(x("0.0003"), x("0.0001"), 8, FLOOR, CAP) == x("0.0001")
    # BNB contracts: I = 0, so a premium within ±0.05 % gives 0, beyond it the excess
    assert funding_rate(x("0.0003"), x("0"), 8, FLOOR, CAP) == 0
    assert funding_rate(x("0.0008"), x("0"), 8, FLOOR, CAP) == x("0.0003")


def test_cap_and_floor_bound_the_rate() -> None:
    assert funding_rate(x("0.1"), x("0.0001"), 8, FLOOR, CAP) == CAP
    assert funding_rate(x("-0.1"), x("0.0001"), 1, FLOOR, CAP) == FLOOR


def test_premium_average_weights_later_samples() -> None:
    """FUND-5 (A-FUND): (1·P1 + 2·P2 + 3·P3)/6 above 1 h; the mean at 1 h."""
    samples = [x("0.0002"), x("-0.0001"), x("0.0003")]
    assert premium_average(samples, 8) == (x("0.0002") - x("0.0002") + x("0.0009")) / 6
    assert premium_average(samples, 1) == x("0.0004") / 3


def test_funding_action_with_premium_samples() -> None:
    """ACT-10 with ``premiumIndex``: the rate is FUND-4's, paid as FUND-1 at the mark."""
    m = model(A="100000", B="100000")
    trade(m, "A", "B", "80000", "1")
    out = m.apply_json({"action": "funding", "symbol": "BTCUSDT", "premiumIndex": ["0.002"]})
    fees = {e["account"]: e["amount"] for e in out["events"]}
    # F = 0.2 % − 0.05 % = 0.15 % at 8 h; the long pays 80,000 × 0.15 % = 120
    assert fees == {"A": "-120", "B": "120"}
    # past the cap (±0.3 %): bounded, not refused
    out = m.apply_json({"action": "funding", "symbol": "BTCUSDT", "premiumIndex": ["0.05"]})
    assert {e["account"]: e["amount"] for e in out["events"]} == {"A": "-240", "B": "240"}
    assert position(m, INSURANCE_FUND)["positionAmt"] == "0"


def test_funding_action_needs_one_source_of_rate() -> None:
    m = model(A="1000")
    both = {"action": "funding", "symbol": "BTCUSDT", "fundingRate": "0", "premiumIndex": ["0"]}
    with pytest.raises(InputError, match="either fundingRate or premiumIndex"):
        m.apply_json(both)
    with pytest.raises(InputError, match="non-empty list"):
        m.apply_json({"action": "funding", "symbol": "BTCUSDT", "premiumIndex": []})


rates = st.integers(-(10**6), 10**6).map(lambda n: x(n) / 10**7)  # ±10 % in 10⁻⁷ steps


@given(
    p=rates,
    q=rates,
    interest=st.sampled_from([x(0), x("0.0001")]),
    hours=st.sampled_from([1, 4, 8]),
)
def test_funding_rate_properties(p: Exact, q: Exact, interest: Exact, hours: int) -> None:
    """FUND-4: within [floor, cap]; non-decreasing in the premium; uncapped, at most
    0.05 % × N/8 from the scaled premium."""
    low, high = sorted((p, q))
    f_low = funding_rate(low, interest, hours, FLOOR, CAP)
    f_high = funding_rate(high, interest, hours, FLOOR, CAP)
    assert FLOOR <= f_low <= f_high <= CAP
    wide = x(1)
    uncapped = funding_rate(p, interest, hours, -wide, wide)
    assert abs(uncapped - p * hours / 8) <= x("0.0005") * hours / 8
