"""The integer route of a one-position account's JSON line equals the scalar route byte
for byte (``marginspec.account_line``; docs/performance.md, "Service speed").

The reference is ``json.dumps(report.account_json(evaluate(account)))``, what
``evaluate --jsonl`` wrote before the route existed. Random accounts over generated
tables under every option that changes a figure or its text (bracket boundary, trigger,
display places and rounding, the LIQ-5 "no price" text), accounts built on a bracket's
cap and on the liquidation boundary, every real Binance table, and the shapes the route
leaves to the scalar one.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import event, given
from hypothesis import strategies as st

from marginspec import batch, stream
from marginspec.account import Account, MarginType, OpenOrder, OrderSide, Position, PositionSide
from marginspec.account_line import LineWriter
from marginspec.brackets import Bracket
from marginspec.evaluate import evaluate
from marginspec.importers import load_brackets
from marginspec.numbers import Exact, Rounding
from marginspec.report import account_json
from marginspec.rulefile import load_bundled
from marginspec.ruleset import Market, NoPrice, Options, RuleSet, Trigger
from tests.test_properties import CAP, FLOOR, tables


def _scalar(account: Account, ruleset: RuleSet) -> str:
    return json.dumps(
        account_json(evaluate(account, ruleset), ruleset.options), separators=(",", ":")
    )


def _decimal(low: int, high: int, places: int = 8) -> st.SearchStrategy[Exact]:
    return st.integers(low, high).flatmap(
        lambda n: st.integers(0, places).map(lambda p: Exact(n, 10**p))
    )


options = st.builds(
    Options,
    bracket_boundary=st.sampled_from([CAP, FLOOR]),
    liquidation_trigger=st.sampled_from(list(Trigger)),
    display_decimals=st.sampled_from([0, 2, 8, 8, 8, 12]),
    display_rounding=st.sampled_from(list(Rounding)),
    no_liquidation_price=st.sampled_from(list(NoPrice)),
)


def _account(
    amount: Exact,
    entry: Exact,
    mark: Exact,
    wallet: Exact,
    isolated: Exact | None,
    leverage: int,
    side: PositionSide = PositionSide.BOTH,
    symbol: str = "X",
) -> Account:
    kind = MarginType.CROSS if isolated is None else MarginType.ISOLATED
    position = Position(symbol, side, amount, entry, mark, kind, leverage, isolated or Exact(0))
    return Account(wallet, (position,))


#: The default display (8 places, DOWN) has a route of its own (``LineWriter._line8``).
default_display = st.builds(
    Options,
    bracket_boundary=st.sampled_from([CAP, FLOOR]),
    liquidation_trigger=st.sampled_from(list(Trigger)),
    no_liquidation_price=st.sampled_from(list(NoPrice)),
)

_accounts = st.tuples(
    _decimal(-(10**10), 10**10),
    _decimal(1, 10**10),
    _decimal(1, 10**10),
    _decimal(-(10**10), 10**12),
    st.none() | _decimal(0, 10**12),
    st.integers(1, 125),
    st.sampled_from(list(PositionSide)),
)


def _same_line(
    table: tuple[Bracket, ...],
    opts: Options,
    inputs: tuple[Exact, Exact, Exact, Exact, Exact | None, int, PositionSide],
) -> None:
    ruleset = RuleSet("test", {"X": Market("X", table)}, opts)
    account = _account(*inputs)
    writer = LineWriter(ruleset)
    line = writer.line(account)
    expected = _scalar(account, ruleset)
    event("fast route" if line is not None else "scalar route")
    if line is not None:
        assert line == expected
    assert writer.lines([account, account]) == [line, line]


@given(tables(), options, _accounts)
def test_the_line_is_the_scalar_line(
    table: tuple[Bracket, ...],
    opts: Options,
    inputs: tuple[Exact, Exact, Exact, Exact, Exact | None, int, PositionSide],
) -> None:
    """SNAP-3 and every figure in it: random one-position accounts, every option."""
    _same_line(table, opts, inputs)


@given(tables(), default_display, _accounts)
def test_the_default_display_line_is_the_scalar_line(
    table: tuple[Bracket, ...],
    opts: Options,
    inputs: tuple[Exact, Exact, Exact, Exact, Exact | None, int, PositionSide],
) -> None:
    """The same under the default display (DISP-1, DISP-2 DOWN to 8 places), whose
    figures are cut to 8 places before they are written."""
    _same_line(table, opts, inputs)


def test_a_cross_position_holding_an_isolated_wallet() -> None:
    """An ``Account`` built in code may give a cross position an isolated wallet (the
    parser refuses one): DISP-4 echoes it, on either route."""
    ruleset = load_bundled()
    position = Position(
        "BTCUSDT",
        PositionSide.BOTH,
        Exact(-3, 10),
        Exact(41000),
        Exact(43210),
        MarginType.CROSS,
        20,
        Exact(125, 100),
    )
    account = Account(Exact(9000), (position,))
    line = LineWriter(ruleset).line(account)
    assert line == _scalar(account, ruleset)
    assert '"isolatedWallet":"1.25"' in (line or "")


@given(tables(), options | default_display, st.data())
def test_on_a_cap_and_at_the_liquidation_boundary(
    table: tuple[Bracket, ...], opts: Options, data: st.DataObject
) -> None:
    """BRK-3 and LIQ-1 boundaries: the notional exactly on a bracket's cap, and a margin
    balance exactly at the maintenance margin (liquidatable under ``le`` only)."""
    ruleset = RuleSet("test", {"X": Market("X", table)}, opts)
    k = data.draw(st.integers(0, len(table) - 1))
    row = table[k]
    mark = data.draw(_decimal(1, 10**6, 2))
    amount = Exact(row.notional_cap) / mark
    if (amount * 10**8).denominator != 1:
        amount = Exact(int(amount * 10**8), 10**8)
    amount *= data.draw(st.sampled_from([1, -1]))
    entry = data.draw(_decimal(1, 10**7, 2))
    leverage = data.draw(st.integers(1, 20))
    writer = LineWriter(ruleset)
    size = abs(amount) * mark
    mm = size * row.maint_margin_ratio - row.cum
    upnl = amount * (mark - entry)
    # margin balance = wallet + uPnL = MM exactly (the isolated wallet, or the cross one)
    at_mm = mm - upnl
    for isolated in (None, at_mm):
        wallet = at_mm if isolated is None else data.draw(_decimal(0, 10**9))
        account = _account(amount, entry, mark, wallet, isolated, leverage)
        line = writer.line(account)
        event("fast route" if line is not None else "scalar route")
        if line is not None:
            assert line == _scalar(account, ruleset)


def test_every_real_table(tiers_file: Path) -> None:
    """The 907 real Binance tables, both sides, cross and isolated, small to large."""
    ruleset = load_brackets(tiers_file, base=load_bundled())
    writer = LineWriter(ruleset)
    count = 0
    for i, symbol in enumerate(sorted(ruleset.markets)):
        mark = Exact(1000 + 37 * i, 100)
        for notional in (10, 260_000, 50_000_000):
            amount = Exact(round(Exact(notional) / mark * 1000), 1000) or Exact(1, 1000)
            amount *= 1 if (i + notional) % 2 else -1
            entry = mark * Exact(100 + i % 7 - 3, 100)
            leverage = 1 + (i + notional) % 20
            margin = Exact(round(abs(amount) * mark / leverage * 100), 100)
            for isolated in (None, margin):
                account = _account(amount, entry, mark, margin, isolated, leverage, symbol=symbol)
                line = writer.line(account)
                assert line == _scalar(account, ruleset)
                count += 1
    assert count == 907 * 3 * 2


def test_other_shapes_take_the_scalar_route() -> None:
    """None for what the route does not compute; ``batch.json_lines`` still writes the
    scalar line for them."""
    ruleset = load_bundled()
    writer = LineWriter(ruleset)
    one = _account(
        Exact(1, 10), Exact(40000), Exact(43210), Exact(5000), None, 10, symbol="BTCUSDT"
    )
    position = one.positions[0]
    order = OpenOrder("BTCUSDT", OrderSide.BUY, PositionSide.BOTH, Exact(40000), Exact(1, 10))
    others = [
        Account(
            one.cross_wallet_balance,
            (
                position,
                position.__class__(
                    "ETHUSDT",
                    PositionSide.BOTH,
                    Exact(1),
                    Exact(2000),
                    Exact(2100),
                    MarginType.CROSS,
                    5,
                ),
            ),
        ),
        Account(one.cross_wallet_balance, (position,), (order,)),
        _account(Exact(0), Exact(0), Exact(43210), Exact(5000), None, 10, symbol="BTCUSDT"),
        _account(
            Exact(1, 10**9), Exact(40000), Exact(43210), Exact(5000), None, 10, symbol="BTCUSDT"
        ),
        _account(Exact(1, 3), Exact(40000), Exact(43210), Exact(5000), None, 10, symbol="BTCUSDT"),
        Account(Exact(0), ()),
    ]
    assert writer.line(one) == _scalar(one, ruleset)
    assert [writer.line(a) for a in others] == [None] * len(others)
    accounts = [one, *others]
    assert list(batch.json_lines(ruleset, accounts)) == [_scalar(a, ruleset) for a in accounts]


def test_the_stream_writes_the_same_lines_and_errors() -> None:
    """``evaluate --jsonl``: with the integer route each line, good or refused, is what
    the scalar route writes (the input is parsed and refused by the one input layer)."""
    ruleset = load_bundled()
    good = {
        "crossWalletBalance": "3053.54",
        "positions": [
            {
                "symbol": "BTCUSDT",
                "positionAmt": "-0.212",
                "entryPrice": "44295.08",
                "markPrice": "43210.5",
                "marginType": "cross",
                "leverage": 1,
            }
        ],
    }
    iso = json.loads(json.dumps(good))
    iso["positions"][0].update(marginType="isolated", isolatedWallet="209.53")
    bad_number = json.loads(json.dumps(good))
    bad_number["positions"][0]["markPrice"] = "1e5"
    unknown = json.loads(json.dumps(good))
    unknown["positions"][0]["symbol"] = "NOPEUSDT"
    extra = json.loads(json.dumps(good))
    extra["positions"][0]["colour"] = "red"
    lines: list[bytes | None] = [
        json.dumps(d).encode() for d in (good, iso, bad_number, unknown, extra)
    ]
    lines += [b"{", b"", b"\xff", None, b'{"crossWalletBalance": "1", "positions": 3}']
    writer = LineWriter(ruleset)
    assert writer.line_from_json(good) is not None
    assert writer.line_from_json(iso) is not None
    for number, raw in enumerate(lines, 1):
        assert stream.evaluate_line(raw, number, ruleset, writer) == stream.evaluate_line(
            raw, number, ruleset
        )
    results = list(stream.evaluate_lines(lines, ruleset))
    assert [ok for _, ok in results] == [True, True] + [False] * 8
    assert json.loads(results[2][0])["pointer"] == "/positions/0/markPrice"


def _text(number: int, places: int) -> str:
    digits = str(abs(number)).rjust(places + 1, "0")
    body = f"{digits[:-places]}.{digits[-places:]}" if places else digits
    return "-" + body if number < 0 else body


_numbers = (
    st.builds(_text, st.integers(-(10**12), 10**12), st.integers(0, 9))
    | st.builds(_text, st.integers(1, 10**6), st.integers(0, 3))
    | st.sampled_from(
        ["0", "-0", "1", "007", "+1", "1.", ".5", "1e3", "0.000000001", "-3.25", " 1", "1 "]
    )
    | st.integers(-(10**9), 10**9)
)


_good = st.builds(_text, st.integers(1, 10**9), st.integers(0, 8))
#: Changes to a valid document: a field's value, a field added or removed.
_CHANGES: list[tuple[str, str, st.SearchStrategy[object]]] = [
    ("position", "positionAmt", _numbers),
    ("position", "entryPrice", _numbers),
    ("position", "markPrice", _numbers),
    ("position", "isolatedWallet", _numbers),
    ("position", "leverage", st.sampled_from([0, -1, 101, 126, "5", True, 125])),
    ("position", "symbol", st.sampled_from(["NOPE", 3, "ETHUSDT", ""])),
    ("position", "marginType", st.sampled_from(["CROSS", "Isolated", "crossed", "x", 1])),
    ("position", "positionSide", st.sampled_from(["BOTH", "both", "LONG", "SHORT", 0])),
    ("position", "adl", st.just(1)),
    ("position", "colour", st.just("red")),
    ("account", "crossWalletBalance", _numbers),
    ("account", "dualSidePosition", st.sampled_from([True, False, 0])),
    ("account", "openOrders", st.just([])),
    ("account", "extra", st.just(1)),
]


@st.composite
def documents(draw: st.DrawFn) -> dict[str, object]:
    """A valid one-position document (cross or isolated), then 0-2 changes, some of
    which make it invalid, some of which only make it other than the common shape."""
    position: dict[str, object] = {
        "symbol": draw(st.sampled_from(["BTCUSDT", "ETHUSDT"])),
        "positionAmt": ("-" if draw(st.booleans()) else "") + draw(_good),
        "entryPrice": draw(_good),
        "markPrice": draw(_good),
        "leverage": draw(st.integers(1, 75)),
    }
    if draw(st.booleans()):
        position.update(marginType="isolated", isolatedWallet=draw(_good))
    elif draw(st.booleans()):
        position["marginType"] = "cross"
    document: dict[str, object] = {
        "crossWalletBalance": ("-" if draw(st.booleans()) else "") + draw(_good),
        "positions": [position],
    }
    for where, field, values in draw(st.lists(st.sampled_from(_CHANGES), max_size=2)):
        target = position if where == "position" else document
        if draw(st.booleans()) and field in target:
            del target[field]
        else:
            target[field] = draw(values)
    if draw(st.integers(0, 9)) == 0:
        document["positions"] = [position, dict(position, symbol="ETHUSDT")]
    return document


@given(documents())
def test_the_json_route_accepts_only_what_the_parser_accepts(document: dict[str, object]) -> None:
    """SNAP-1: a document the fast JSON route answers is one ``parse_account`` accepts,
    and the line is the scalar one; the rest it leaves to the parser (and its errors)."""
    from marginspec.account import parse_account
    from marginspec.errors import InputError

    ruleset = load_bundled()
    line = LineWriter(ruleset).line_from_json(document)
    try:
        account = parse_account(document, ruleset)
    except InputError:
        event("refused")
        assert line is None
        return
    event("fast route" if line is not None else "parsed, scalar route")
    if line is not None:
        assert line == _scalar(account, ruleset)
