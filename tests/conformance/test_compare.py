"""The comparison policy (CONF-2, CONF-3) on hand-made answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from gmpy2 import mpq

from marginspec.conformance.capabilities import Capabilities, Tolerance, parse_capabilities
from marginspec.conformance.compare import (
    DIFFERENT,
    EQUAL,
    FORMAT,
    WITHIN,
    Comparer,
    match,
    same_value,
)
from marginspec.errors import InputError

MODEL = {
    "availableBalance": "95144.05",
    "liquidatable": False,
    "marginRatio": None,
    "positions": [
        {
            "symbol": "BTCUSDT",
            "positionSide": "BOTH",
            "positionAmt": "1",
            "liquidationPrice": "75326.63316582",
            "isolatedWallet": "0",
            "openOrderInitialMargin": "0",
            "leverage": 20,
        },
        {
            "symbol": "ETHUSDT",
            "positionSide": "BOTH",
            "positionAmt": "0",
            "liquidationPrice": None,
            "isolatedWallet": "0",
            "openOrderInitialMargin": "0",
            "leverage": 20,
        },
    ],
    "openOrders": [],
}


def test_exact_by_default_numbers_compared_as_decimals() -> None:
    assert same_value("1.5", "1.50", None)
    assert not same_value("1.5", "1.50000001", None)
    assert not same_value("0.3", 0.1 + 0.2, None)  # a binary float's error is a difference
    assert not same_value(None, "0", None)  # "no price" is not zero (LIQ-5)
    assert not same_value(False, 0, None)


def test_declared_decimals_allow_one_unit_of_the_last_place() -> None:
    assert same_value("75326.63316582", "75326.63", 2)
    assert same_value("75326.63316582", "75326.64", 2)  # rounded up at 2 places
    assert not same_value("75326.63316582", "75326.65", 2)


def test_the_first_differing_field_is_named_by_pointer() -> None:
    impl = {**MODEL, "positions": [dict(MODEL["positions"][0], liquidationPrice="75000")]}
    diff = Comparer(Capabilities()).account("A", MODEL, impl)
    assert diff is not None
    assert diff.pointer == "/snapshot/accounts/A/positions/0/liquidationPrice"
    assert (diff.model, diff.impl) == ("75326.63316582", "75000")
    rules = diff.rules({"action": "markPrice"}, {"status": "accepted"})
    assert rules == ("LIQ-2", "LIQ-3", "LIQ-4", "LIQ-5", "ACT-9")


def test_undeclared_fields_are_skipped_and_listed() -> None:
    caps = parse_capabilities(
        {"fields": {"account": {"availableBalance": 2}, "position": {"positionAmt": None}}}
    )
    comparer = Comparer(caps)
    impl = {
        "availableBalance": "95144.049",
        "positions": [{"symbol": "BTCUSDT", "positionSide": "BOTH", "positionAmt": "1"}],
    }
    assert comparer.account("A", MODEL, impl) is None
    assert {"account.liquidatable", "position.liquidationPrice"} <= comparer.skipped


def test_a_missing_non_empty_position_is_a_divergence() -> None:
    diff = Comparer(Capabilities()).account("A", MODEL, {**MODEL, "positions": []})
    assert diff is not None and diff.note == "no entry for ('BTCUSDT', 'BOTH')"


def test_outcome_status_then_code() -> None:
    comparer = Comparer(Capabilities())
    refused = {
        "status": "refused",
        "code": -2019,
        "msg": "Margin is insufficient.",
        "rule": "REF-1",
    }
    assert comparer.outcome(refused, {"status": "refused", "code": -2019}) is None
    diff = comparer.outcome(refused, {"status": "refused", "code": -2027})
    assert diff is not None and diff.pointer == "/outcome/code"
    assert diff.rules({"action": "placeOrder"}, refused) == ("REF-*", "ACT-6", "REF-1")
    assert {"outcome.msg", "outcome.rule"} <= comparer.skipped


def test_capabilities_are_validated_with_a_pointer() -> None:
    with pytest.raises(InputError, match="/capabilities/fields/account/availableBalance"):
        parse_capabilities({"fields": {"account": {"availableBalance": -1}}})
    with pytest.raises(InputError, match="/capabilities/actions"):
        parse_capabilities({"actions": ["teleport"]})


def test_an_extra_non_empty_position_is_a_divergence() -> None:
    """A position the model does not have (say, a hedge-mode side in a one-way account)."""
    extra = {"symbol": "BTCUSDT", "positionSide": "LONG", "positionAmt": "0.5"}
    impl = {**MODEL, "positions": [*MODEL["positions"], extra]}
    diff = Comparer(Capabilities()).account("A", MODEL, impl)
    assert diff is not None and diff.pointer == "/snapshot/accounts/A/positions"
    assert diff.impl == "0.5" and "('BTCUSDT', 'LONG')" in diff.note
    empty = {**extra, "positionAmt": "0"}
    assert (
        Comparer(Capabilities()).account(
            "A", MODEL, {**impl, "positions": [*MODEL["positions"], empty]}
        )
        is None
    )


def test_a_differing_event_names_its_type_rules() -> None:
    funding = {"status": "accepted", "events": [{"type": "FUNDING_FEE", "amount": "-0.24"}]}
    diff = Comparer(Capabilities()).outcome(
        funding, {"status": "accepted", "events": [{"type": "FUNDING_FEE", "amount": "0.24"}]}
    )
    assert diff is not None and diff.pointer == "/outcome/events/0/amount"
    assert diff.rules({"action": "funding"}, funding) == ("FUND-1", "FUND-2", "FUND-3", "ACT-10")


def test_every_number_form_an_engine_may_send_is_read_exactly() -> None:
    """CONF-2: exponent strings, JSON numbers (Decimal), Python floats, ints, Fractions."""
    from fractions import Fraction

    for sent in ("0.00000032", "3.2e-07", "3.2E-7", Decimal("3.2e-07"), 3.2e-07, "+.00000032"):
        assert match("0.00000032", sent, None) == (EQUAL, ""), sent
    assert same_value("20", Fraction(20), None) and same_value("20", 20, None)
    assert same_value(20, 20.0, None)  # an integer figure (leverage) sent as a float
    assert not same_value("0.3", float("nan"), 8)


def test_a_format_problem_is_not_reported_as_a_wrong_amount() -> None:
    verdict, note = match("1.5", "1,5", 8)
    assert verdict == FORMAT and note.startswith("format, not amount")
    verdict, note = match("1.5", [1.5], None)
    assert verdict == FORMAT and "list" in note
    verdict, note = match("0.3", "0.30000000000000004", None)
    assert verdict == DIFFERENT and "off by 0.00000000000000004" in note
    assert "declare a tolerance" in note


def test_a_relative_tolerance_admits_a_binary_float_at_large_magnitudes() -> None:
    """A mark of 2e11 has about 5 decimals in a double: no absolute bound of 6 decimals
    can be met, a relative one can (CONF-2)."""
    model = "200000000000.12345678"
    sent = float(Decimal(model))
    assert not same_value(model, sent, 6)
    caps = parse_capabilities(
        {"fields": {"position": {"markPrice": {"decimals": 6, "relative": "1e-12"}}}}
    )
    _, tol = caps.policy("position", "markPrice")
    assert tol == Tolerance(decimals=6, relative=mpq(1, 10**12))
    assert match(model, sent, tol)[0] == WITHIN
    assert match(model, 2.0000000001e11, tol)[0] == DIFFERENT
    assert caps.to_json()["fields"]["position"]["markPrice"] == {
        "decimals": 6,
        "relative": "0.000000000001",
    }


def test_fields_matched_only_within_tolerance_are_listed() -> None:
    caps = parse_capabilities({"fields": {"account": {"availableBalance": 1}}})
    comparer = Comparer(caps)
    assert comparer.account("A", MODEL, {**MODEL, "availableBalance": 95144.1}) is None
    assert comparer.tolerated == {"account.availableBalance"}
    assert comparer.account("A", MODEL, {**MODEL, "availableBalance": "95144.05"}) is None
    assert comparer.tolerated == {"account.availableBalance"}


def test_event_fields_may_declare_a_tolerance() -> None:
    funding = {"status": "accepted", "events": [{"type": "FUNDING_FEE", "amount": "-0.24"}]}
    sent = {"status": "accepted", "events": [{"type": "FUNDING_FEE", "amount": -0.24000000001}]}
    assert Comparer(Capabilities()).outcome(funding, sent) is not None
    caps = parse_capabilities({"fields": {"event": {"amount": 8}}})
    assert Comparer(caps).outcome(funding, sent) is None
    wrong_type = {"status": "accepted", "events": [{"type": "TRADE", "amount": "-0.24"}]}
    assert Comparer(caps).outcome(funding, wrong_type) is not None  # undeclared: still exact


def test_bad_tolerances_are_refused_with_a_pointer() -> None:
    with pytest.raises(InputError, match="/capabilities/fields/event/amount/relative"):
        parse_capabilities({"fields": {"event": {"amount": {"relative": "2"}}}})
    with pytest.raises(InputError, match="/capabilities/fields/event/amount/absolute"):
        parse_capabilities({"fields": {"event": {"amount": {"absolute": 2}}}})


def test_a_last_place_difference_names_display_rounding() -> None:
    """An amount off by one unit of the 8th decimal is DISP-2's, whatever the field."""
    diff = Comparer(Capabilities()).account(
        "A", MODEL, {**MODEL, "availableBalance": "95144.05000001"}
    )
    assert diff is not None
    assert diff.rules({"action": "markPrice"}, {"status": "accepted"})[0] == "DISP-2"


def test_the_state_is_compared_before_the_figures_computed_from_it() -> None:
    """A wrong position amount is reported before the totals it feeds."""
    position = dict(MODEL["positions"][0], positionAmt="2")
    impl = {**MODEL, "availableBalance": "1", "positions": [position, MODEL["positions"][1]]}
    diff = Comparer(Capabilities()).account("A", MODEL, impl)
    assert diff is not None and diff.field == "positionAmt"


def test_orders_left_after_a_liquidation_name_liqp2() -> None:
    order = {"orderId": 7, "symbol": "BTCUSDT", "price": "1"}
    diff = Comparer(Capabilities()).account("A", MODEL, {**MODEL, "openOrders": [order]})
    assert diff is not None and diff.note == "order not in the model"
    swept = {"status": "accepted", "events": [{"type": "LIQUIDATION"}]}
    assert "LIQP-2" in diff.rules({"action": "liquidationSweep"}, swept)
