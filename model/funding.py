"""The funding rate as the venues compute it (rules FUND-4, FUND-5), and when (FUND-6).

From the premium index P (averaged over the interval's samples, FUND-5) and the
interest rate I of the market: ``F = [P + clamp(I − P, −0.05 %, 0.05 %)] / (8 / N)``
for an interval of N hours, then bounded by the market's funding floor and cap
(A-FUND, A-API ``fundingInfo``; B-FUND for 8 hours). Exact numbers only.
"""

from __future__ import annotations

from collections.abc import Sequence

from marginspec.numbers import Exact
from marginspec.symbolic import clamp

#: B-FUND, A-FUND: the interest-minus-premium term is bounded to ±0.05 %.
CLAMP = Exact(5, 10000)


def premium_average(samples: Sequence[Exact], interval_hours: int) -> Exact:
    """FUND-5: the premium index of an interval from its samples (A-FUND): time-weighted
    ``(1·P1 + 2·P2 + … + n·Pn) / (1 + 2 + … + n)`` for intervals longer than 1 hour, the
    plain mean for 1-hour intervals."""
    if not samples:
        raise ValueError("premium_average needs at least one sample")
    if interval_hours == 1:
        return Exact(sum(samples, Exact(0))) / len(samples)
    weighted = sum((Exact(i) * p for i, p in enumerate(samples, start=1)), Exact(0))
    return weighted / (len(samples) * (len(samples) + 1) // 2)


def funding_rate(
    premium: Exact, interest: Exact, interval_hours: int, floor: Exact, cap: Exact
) -> Exact:
    """FUND-4: ``clamp([P + clamp(I − P, −0.05 %, 0.05 %)] × N / 8, floor, cap)`` (A-FUND;
    B-FUND for N = 8); the cap and floor bound the interval's rate (A-API fundingInfo)."""
    eight_hour = premium + clamp(interest - premium, -CLAMP, CLAMP)
    return Exact(clamp(eight_hour * interval_hours / 8, floor, cap))


#: FUND-6: milliseconds in an hour (funding times are counted in the API's epoch ms).
HOUR_MS = 3_600_000


def is_funding_time(time_ms: int, interval_hours: int) -> bool:
    """FUND-6: a funding time of a market with an interval of N hours is an instant a whole
    number of N-hour intervals after 00:00 UTC (B-FUND: 00:00, 08:00 and 16:00 UTC for
    8 hours; A-API ``fundingIntervalHours``); N divides 24, so every day starts one."""
    return time_ms >= 0 and time_ms % (interval_hours * HOUR_MS) == 0


def next_funding_time(time_ms: int, interval_hours: int) -> int:
    """The first funding time at or after ``time_ms`` (FUND-6), as ``nextFundingTime``."""
    step = interval_hours * HOUR_MS
    return -(-time_ms // step) * step
