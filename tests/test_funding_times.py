"""Funding times (FUND-6): settlements at the market's interval boundaries from 00:00 UTC."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marginspec.errors import InputError
from marginspec.exchange import parse_action
from marginspec.exchange.actions import action_json
from marginspec.exchange.trace import run_actions
from marginspec.funding import HOUR_MS, is_funding_time, next_funding_time

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "docs" / "traces" / "src" / "funding-times.json"
EIGHT_UTC = 1_764_403_200_000  # 2025-11-29 08:00 UTC
HALF_PAST_NINE = 1_764_408_600_000  # 2025-11-29 09:30 UTC


def test_fund6_ex_fund6_boundaries() -> None:
    """EX-FUND-6 (B-FUND: 00:00, 08:00, 16:00 UTC for 8 hours): 08:00 is a funding time
    of 8-, 4- and 1-hour markets; 13:00 only of a 1-hour one."""
    assert all(is_funding_time(EIGHT_UTC, n) for n in (1, 4, 8))
    thirteen = EIGHT_UTC + 5 * HOUR_MS
    assert is_funding_time(thirteen, 1)
    assert not is_funding_time(thirteen, 4) and not is_funding_time(thirteen, 8)
    assert not is_funding_time(EIGHT_UTC + 60_000, 1)  # a minute late is not a boundary
    assert is_funding_time(0, 8)  # 1970-01-01 00:00 UTC


def test_fund6_next_funding_time() -> None:
    """EX-FUND-6: after 09:30 UTC the next funding time is 16:00 (8 h), 12:00 (4 h), 10:00 (1 h)."""
    assert next_funding_time(HALF_PAST_NINE, 8) == EIGHT_UTC + 8 * HOUR_MS
    assert next_funding_time(HALF_PAST_NINE, 4) == EIGHT_UTC + 4 * HOUR_MS
    assert next_funding_time(HALF_PAST_NINE, 1) == EIGHT_UTC + 2 * HOUR_MS
    assert next_funding_time(EIGHT_UTC, 8) == EIGHT_UTC  # a funding time is its own next


@given(st.integers(0, 2**45), st.sampled_from((1, 2, 4, 8)))
def test_fund6_next_is_the_first_boundary_at_or_after(time: int, hours: int) -> None:
    """FUND-6: nextFundingTime is a funding time, not before ``time``, less than N hours after."""
    nxt = next_funding_time(time, hours)
    assert is_funding_time(nxt, hours)
    assert time <= nxt < time + hours * HOUR_MS
    # 24 is a multiple of N: every day's 00:00 UTC is a funding time of every interval
    assert is_funding_time(nxt - nxt % (24 * HOUR_MS), hours)


def test_fund6_worked_trace_settles_on_boundaries_only() -> None:
    """docs/traces/funding-times.json: 08:00 and 16:00 UTC settle (A pays 8 each time),
    09:00 UTC is refused with REF-45 and pays nothing."""
    trace = run_actions(json.loads(SOURCE.read_text(encoding="utf-8")), SOURCE.parent)
    outcomes = [step["outcome"] for step in trace["steps"][3:]]
    assert [o["status"] for o in outcomes] == ["accepted", "refused", "accepted"]
    assert outcomes[1]["rule"] == "REF-45" and outcomes[1]["code"] is None
    assert outcomes[1]["msg"] == "fundingTime 1764406800000 is not a funding time of the symbol."
    paid = [
        [e["amount"] for e in o["events"] if e["account"] == "A"]
        for o in (outcomes[0], outcomes[2])
    ]
    assert paid == [["-8"], ["-8"]]


def test_fund6_funding_time_in_the_action_json() -> None:
    """The action's ``fundingTime`` (epoch ms) is read and written back; a negative or
    non-integer one is a located input error."""
    raw = {
        "action": "funding",
        "symbol": "BTCUSDT",
        "fundingRate": "0.0001",
        "fundingTime": EIGHT_UTC,
    }
    assert action_json(parse_action(raw)) == raw
    samples = {"action": "funding", "symbol": "BTCUSDT", "premiumIndex": ["0.0001"]}
    assert action_json(parse_action(samples)) == samples
    with pytest.raises(InputError, match="fundingTime"):
        parse_action({**raw, "fundingTime": -1})
    with pytest.raises(InputError, match="fundingTime"):
        parse_action({**raw, "fundingTime": "08:00"})
