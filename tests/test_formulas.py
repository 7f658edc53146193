"""The digest's worked examples (exchange-semantics.md §1, §5), one test each, by rule.

Expected numbers are the published ones; values are compared after rounding to the
decimals the source publishes.
"""

from __future__ import annotations

from marginspec import brackets, liquidation, margin
from marginspec.brackets import Boundary, Bracket
from marginspec.numbers import Exact, Rounding, display, exact
from marginspec.rulefile import load_bundled

CAP = Boundary.CAP_INCLUSIVE
BTC = load_bundled().markets["BTCUSDT"].brackets  # the digest §1.1 table
ETH = load_bundled().markets["ETHUSDT"].brackets


def x(text: str) -> Exact:
    return exact(text)


def at(value: object, places: int, rounding: Rounding = Rounding.HALF_UP) -> str:
    return display(exact(value), places, rounding)


def table(*rows: tuple[str, str | None, str]) -> tuple[Bracket, ...]:
    """Brackets from (floor, cap, rate) rows, cum by the BRK-2 recurrence."""
    built: list[Bracket] = []
    for index, (floor, cap, rate) in enumerate(rows):
        row = Bracket(index + 1, x(floor), x(cap or "1000000000000"), x("100"), x(rate), x("0"))
        row = Bracket(
            row.bracket,
            row.notional_floor,
            row.notional_cap,
            row.initial_leverage,
            row.maint_margin_ratio,
            exact(brackets.expected_cum([*built, row], index)),
        )
        built.append(row)
    return tuple(built)


def test_brk2_ex_mm3_cum_recurrence() -> None:
    """EX-MM-3 (B-LIQ): 250,000 × (1% − 0.5%) + 50 = 1,300 (BRK-2)."""
    assert brackets.expected_cum(BTC, 2) == 1300
    assert BTC[2].cum == 1300


def test_brk3_ex_mm1_ex_mm2_bracket_lookups() -> None:
    """EX-MM-1 (B-LIQ): 264,000 is in bracket 3 at 1%; EX-MM-2: 500,000 has amount 1,300 (BRK-3)."""
    assert brackets.owning_bracket(BTC, x("264000"), CAP).maint_margin_ratio == x("0.01")
    assert brackets.maint_amount(BTC, x("500000"), CAP) == 1300


def test_mm1_ex_mm4() -> None:
    """EX-MM-4 (B-LIQ): 109.488 × 31,967.27 at 2.5%, cum 16,300 → 71,200.81144 (MM-1)."""
    notional = x("109.488") * x("31967.27")
    assert at(brackets.maint_margin(BTC, notional, CAP), 5, Rounding.DOWN) == "71200.81144"


def test_mm1_ex_mm5() -> None:
    """EX-MM-5 (B-LIQ): 3,683.979 × 1,335.18 at 10%, cum 135,365 → 356,512.508 (MM-1)."""
    notional = x("3683.979") * x("1335.18")
    assert at(brackets.maint_margin(ETH, notional, CAP), 3, Rounding.DOWN) == "356512.508"


def test_mm2_ex_mm6_progressive_equals_cum_form() -> None:
    """EX-MM-6 (B-MF): BTC 390,000 and ETH 39,000 on their tiers → 31,330 both ways (MM-1 = MM-2)."""
    btc = table(("0", "50000", "0.05"), ("50000", "100000", "0.07"), ("100000", None, "0.08"))
    eth = table(("0", "30000", "0.05"), ("30000", None, "0.07"))
    assert (btc[2].cum, eth[1].cum) == (2000, 600)
    cum_form = brackets.maint_margin(btc, x("390000"), CAP) + brackets.maint_margin(
        eth, x("39000"), CAP
    )
    portions = brackets.maint_margin_by_portions(
        btc, x("390000")
    ) + brackets.maint_margin_by_portions(eth, x("39000"))
    assert cum_form == portions == 31330


def test_mm1_ex_mm7() -> None:
    """EX-MM-7 (Pionex): 200,000 on 0–150k 0.5% / 150k–500k 1% (cum 750) → 1,250."""
    rows = table(("0", "150000", "0.005"), ("150000", "500000", "0.01"))
    assert rows[1].cum == 750
    assert brackets.maint_margin(rows, x("200000"), CAP) == 1250


def test_mm2_ex_mm10_to_mm12() -> None:
    """EX-MM-10/11/12 [DERIVED] on the §1.1 BTCUSDT table: 3,700; 1,340.00; 350,983.90."""
    for notional, expected in (("500000", "3700"), ("264000", "1340"), ("12345678", "350983.9")):
        n = x(notional)
        assert at(brackets.maint_margin(BTC, n, CAP), 2) == expected
        assert brackets.maint_margin(BTC, n, CAP) == brackets.maint_margin_by_portions(BTC, n)


def test_cost1_ex_c1_binance_cost() -> None:
    """EX-C-1 (B-COST): IM 462.665 shown 462.66; open loss long 0, short 6.54; short cost 469.20."""
    im = margin.initial_margin(x("9253.30"), x("20"))
    assert at(im, 2, Rounding.DOWN) == "462.66"  # DISP-2: not half-up
    assert margin.open_loss(x("1"), 1, x("9259.84"), x("9253.30")) == 0
    assert margin.open_loss(x("1"), -1, x("9259.84"), x("9253.30")) == x("6.54")
    cost = margin.cost_to_open(x("1"), -1, x("9253.30"), x("9259.84"), x("20"))
    assert at(cost, 2, Rounding.DOWN) == "469.2"


def test_cost1_ex_c3_aster_limit_cost() -> None:
    """EX-C-3 (A-COST): 102,990.0 at 20x, mark 102,988.4: IM 5,149.50, long cost 5,151.1, short 5,149.50."""
    assert margin.initial_margin(x("102990.0"), x("20")) == x("5149.50")
    assert margin.open_loss(x("1"), 1, x("102988.4"), x("102990.0")) == x("1.6")
    assert margin.cost_to_open(x("1"), 1, x("102990.0"), x("102988.4"), x("20")) == x("5151.1")
    assert margin.cost_to_open(x("1"), -1, x("102990.0"), x("102988.4"), x("20")) == x("5149.50")


def test_ord1_ex_mr1_order_margin() -> None:
    """EX-MR-1 (B-MREQ): long 0.5 at 20,000, buy 0.1 @ 19,000, sell 0.1 @ 22,000, 2x → 5,950 (ORD-1)."""
    requirement = margin.order_margin_requirement(x("10000"), x("1900"), x("2200"), x("2"))
    assert requirement == 5950
    assert margin.open_order_initial_margin(x("10000"), x("1900"), x("2200"), x("2")) == 950


def _leg(amt: str, entry: str, rows: tuple[Bracket, ...]) -> liquidation.Leg:
    return liquidation.Leg(x(amt), x(entry), rows)


def test_liq2_ex_l1_cross() -> None:
    """EX-L-1 (B-LIQ): cross, one-way: ETH 1,153.26 and BTC 26,316.89 (LIQ-2)."""
    wb = x("1535443.01")
    btc_mm = brackets.maint_margin(BTC, x("109.488") * x("31967.27"), CAP)
    eth_mm = brackets.maint_margin(ETH, x("3683.979") * x("1335.18"), CAP)
    btc_upnl = margin.unrealized_pnl(x("109.488"), x("32481.98"), x("31967.27"))
    eth_upnl = margin.unrealized_pnl(x("3683.979"), x("1456.84"), x("1335.18"))
    eth = liquidation.liquidation_price(
        [_leg("3683.979", "1456.84", ETH)], wb, btc_mm, btc_upnl, x("1335.18"), CAP
    )
    btc = liquidation.liquidation_price(
        [_leg("109.488", "32481.98", BTC)], wb, eth_mm, eth_upnl, x("31967.27"), CAP
    )
    assert eth.exists and at(eth.price, 2) == "1153.26"
    assert btc.exists and at(btc.price, 2) == "26316.89"


def test_liq3_ex_l2_l3_bracket_at_the_liquidation_price() -> None:
    """EX-L-2/EX-L-3 (A-API positionRisk): 5,930.78 and 7,189.95; bracket 1 alone gives 5,927.34 (LIQ-3)."""
    long = liquidation.liquidation_price(
        [_leg("20", "6563.665", BTC)], x("13200.70726908"), x("0"), x("0"), x("6679.50671178"), CAP
    )
    short = liquidation.liquidation_price(
        [_leg("-10", "6563.86", BTC)], x("6570.42511771"), x("0"), x("0"), x("6679.50671178"), CAP
    )
    assert at(long.price, 2) == "5930.78" and at(short.price, 2) == "7189.95"
    naive = (x("13200.70726908") + 0 - 20 * x("6563.665")) / (20 * BTC[0].maint_margin_ratio - 20)
    assert at(naive, 2) == "5927.34"
    assert not brackets.in_bracket(20 * naive, BTC, 0, CAP)


def test_pnl1_ex_l4_unrealized_pnl() -> None:
    """EX-L-4 (A-API): LONG 2,316.83423560, SHORT −1,156.46711780 exactly (PNL-1)."""
    mark = x("6679.50671178")
    assert margin.unrealized_pnl(x("20"), x("6563.665"), mark) == x("2316.83423560")
    assert margin.unrealized_pnl(x("-10"), x("6563.86"), mark) == x("-1156.46711780")


def test_liq2_ex_l5_l6_isolated_single_bracket() -> None:
    """EX-L-5/EX-L-6 (freqtrade's test from the Binance numbers): 1,114.78 and 18,778.73."""
    eth = (Bracket(1, x("0"), x("1000000000000"), x("10"), x("0.10"), x("135365")),)
    btc = (Bracket(1, x("0"), x("1000000000000"), x("20"), x("0.025"), x("16300")),)
    wb = x("1535443.01")
    l5 = liquidation.liquidation_price(
        [_leg("3683.979", "1456.84", eth)], wb, 0, 0, x("1456.84"), CAP
    )
    l6 = liquidation.liquidation_price(
        [_leg("109.488", "32481.98", btc)], wb, 0, 0, x("32481.98"), CAP
    )
    assert at(l5.price, 2) == "1114.78" and at(l6.price, 2) == "18778.73"


def test_fee1_ex_f1_fee() -> None:
    """EX-F-1 (A-FEE): 0.1 BTC × 80,000 × 0.04% = 3.20 (FEE-1)."""
    assert margin.trading_fee(x("0.1"), x("80000"), x("0.0004")) == x("3.20")


def test_bankruptcy_isolated() -> None:
    """BKR-1: an isolated long goes bankrupt at EP − iw/q, a short at EP + iw/q."""
    long = liquidation.bankruptcy_price([_leg("2", "100", BTC)], x("50"), 0)
    short = liquidation.bankruptcy_price([_leg("-2", "100", BTC)], x("50"), 0)
    assert (long.price, short.price) == (75, 125)
