"""Hostile input (issue 17): every reading command answers malformed, huge, deep, mistyped
and binary input with one line that says where, exit status 2, no traceback, in bounded
time (NUM-2, SNAP-1, RS-3, RS-4, TRACE-1).

The fuzz tests call the command line in-process (click's runner: about a millisecond
a call); a few subprocess tests check the real exit status and stderr. Profiles: ``ci``
(the default) is quick, ``nightly`` thorough (HYPOTHESIS_PROFILE=nightly).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marginspec.cli import main
from marginspec.exchange.trace import run_actions
from marginspec.numbers import to_plain
from marginspec.rulefile import dump_ruleset, load_bundled, load_ruleset
from tests.cli_helpers import assert_one_line_error, run_cli

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "model" / "examples" / "sample-account.json"
ACTIONS = REPO / "docs" / "traces" / "src" / "mode-change-refused.json"
ENGINE = "tests.mutants:Mutant"  # the model as an engine, without a mistake
#: Seconds one in-process call may take on hostile input (real answers take milliseconds).
BOUND = 5.0

SNAPSHOT_DOC = json.loads(SAMPLE.read_text(encoding="utf-8"))
TRACE_DOC = run_actions(json.loads(ACTIONS.read_text(encoding="utf-8")), ACTIONS.parent)
RULES_TEXT = dump_ruleset(load_bundled())
BRACKETS_DOC = [
    {
        "symbol": market.symbol,
        "brackets": [
            {
                "bracket": b.bracket,
                "initialLeverage": int(b.initial_leverage),
                "notionalCap": to_plain(b.notional_cap),
                "notionalFloor": to_plain(b.notional_floor),
                "maintMarginRatio": to_plain(b.maint_margin_ratio),
                "cum": to_plain(b.cum),
            }
            for b in market.brackets
        ],
    }
    for market in load_bundled().markets.values()
]

FUZZ = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def invoke(*args: str | Path, stdin: str | bytes | None = None) -> tuple[Result, float]:
    start = time.perf_counter()
    result = CliRunner().invoke(main, [str(a) for a in args], input=stdin)
    return result, time.perf_counter() - start


def assert_refused(result: Result, seconds: float, *fragments: str) -> None:
    """Exit 2, one line on stderr, no traceback, nothing on stdout, within BOUND."""
    assert isinstance(result.exception, SystemExit), result.exception  # never an uncaught error
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[:2000]
    assert lines[0].startswith("marginspec: error: "), lines[0]
    assert "please report" not in lines[0], lines[0]  # a located InputError, not the backstop
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert len(lines[0]) <= 1100
    assert seconds < BOUND, seconds
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def assert_refused_or_diverges(result: Result, seconds: float) -> None:
    """Replay of a mutated trace: refused as bad input, or a divergence report (exit 1) when
    the mutation is an action the exchange itself refuses (an unknown account, say)."""
    if result.exit_code == 1 and isinstance(result.exception, SystemExit):
        assert "divergence at step" in result.stdout and result.stderr == ""
        assert seconds < BOUND, seconds
        return
    assert_refused(result, seconds)


def assert_usage_error(result: Result, *fragments: str) -> None:
    """A bad option value: click's usage error, as one line like every error, exit 2."""
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("marginspec: error: ") and "--help')" in line, line
    for fragment in fragments:
        assert fragment in line, (fragment, line)


# --- hostile values ------------------------------------------------------------------

#: Values that are never valid where a JSON leaf of our formats is expected.
NEVER_VALID = [
    "1e5",
    "1e999999999",
    "-1E-999999999",
    "9" * 300,
    "0." + "0" * 150 + "1",
    "1" * 100_000,
    "NaN",
    "Infinity",
    "",
    "0x10",
    "1_000",
    "١٢٣",
    "\x00",
    10**200,
    [],
    {},
    {"x-unknown": 1},
]
#: A bare fraction: valid in an exchange's bracket JSON, never in our formats (SNAP-1).
FRACTIONS = [1.5]

#: Raw JSON tokens spliced in where a value goes (what json.dumps cannot write).
NEVER_VALID_TOKENS = [
    "1e999999999",
    "9" * 5000,
    "NaN",
    "-Infinity",
    "[" * 5000 + "]" * 5000,
    "[" * 70 + "]" * 70,
    '{"a":' * 2000 + "1" + "}" * 2000,
]
FRACTION_TOKENS = ["1.5", "0.1e1"]
#: Objects keyed by names (accounts, symbols, step numbers) rather than by fields.
NAME_MAPS = ("accounts", "markPrices", "notes")


def _leaves(document: Any, pointer: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(document, dict):
        return [p for k, v in document.items() for p in _leaves(v, (*pointer, k))]
    if isinstance(document, list):
        return [p for i, v in enumerate(document) for p in _leaves(v, (*pointer, i))]
    return [pointer]


def _objects(document: Any, pointer: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [pointer] if isinstance(document, dict) else []
    children = (
        document.items()
        if isinstance(document, dict)
        else enumerate(document)
        if isinstance(document, list)
        else ()
    )
    for key, value in children:
        found += _objects(value, (*pointer, key))
    return found


def _at(document: Any, pointer: tuple[Any, ...]) -> Any:
    for part in pointer:
        document = document[part]
    return document


def _replaced(document: Any, pointer: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(document))
    _at(copy, pointer[:-1])[pointer[-1]] = value
    return copy


@st.composite
def hostile_json(
    draw: st.DrawFn,
    document: Any,
    leaf_roots: tuple[str, ...] = (),
    exchange: bool = False,
    names: tuple[str, ...] = (),
) -> bytes:
    """A document made invalid in one of many ways (always invalid).

    ``leaf_roots``: replace only leaves under these keys; ``exchange``: bare fractions
    are valid numbers in this format, so they are not drawn; ``names``: leaves that are
    free-form names (any string is one), not replaced."""
    kind = draw(
        st.sampled_from(["leaf", "token", "unknown", "duplicate", "binary", "cut", "bytes"])
    )
    leaves = [
        p
        for p in _leaves(document)
        if p
        and p[-1] not in ("orderId", "note", "description", *names)
        and (not leaf_roots or any(part in leaf_roots for part in p))
    ]
    marker = "\x00MARK\x00"
    if kind == "leaf":
        pointer = draw(st.sampled_from(leaves))
        values = NEVER_VALID if exchange else NEVER_VALID + FRACTIONS
        return json.dumps(_replaced(document, pointer, draw(st.sampled_from(values)))).encode()
    if kind == "token":
        pointer = draw(st.sampled_from(leaves))
        tokens = NEVER_VALID_TOKENS if exchange else NEVER_VALID_TOKENS + FRACTION_TOKENS
        text = json.dumps(_replaced(document, pointer, marker))
        return text.replace(json.dumps(marker), draw(st.sampled_from(tokens))).encode()
    if kind == "unknown":
        # not into a map of names, where a new key is a new account or market
        records = [p for p in _objects(document) if not p or p[-1] not in NAME_MAPS]
        pointer = draw(st.sampled_from(records))
        key = "x-" + draw(st.text(max_size=8))
        copy = json.loads(json.dumps(document))
        _at(copy, pointer)[key] = draw(st.sampled_from(["1", 1, None, {}]))
        return json.dumps(copy).encode()
    if kind == "duplicate":
        pointer = draw(st.sampled_from([p for p in _objects(document) if _at(document, p)]))
        obj = _at(document, pointer)
        first = next(iter(obj))
        body = json.dumps(obj)
        twice = "{" + json.dumps(first) + ": " + json.dumps(obj[first]) + ", " + body[1:]
        if not pointer:
            return twice.encode()
        text = json.dumps(_replaced(document, pointer, marker))
        return text.replace(json.dumps(marker), twice).encode()
    text = json.dumps(document).encode()
    if kind == "binary":
        at = draw(st.integers(0, len(text)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80"]))
        return text[:at] + bad + text[at:]
    if kind == "cut":
        return text[: draw(st.integers(0, len(text) - 1))]
    return draw(st.binary(max_size=200))


@st.composite
def hostile_toml(draw: st.DrawFn) -> bytes:
    """The bundled rule file made invalid in one of many ways (always invalid)."""
    lines = RULES_TEXT.splitlines()
    kind = draw(st.sampled_from(["value", "unknown-key", "unknown-table", "binary", "bytes"]))
    # names and descriptions are free text: any string is one
    values = [
        i
        for i, line in enumerate(lines)
        if " = " in line and line.split(" = ")[0] not in ("name", "description", "symbol")
    ]
    if kind == "value":
        index = draw(st.sampled_from(values))
        key = lines[index].split(" = ")[0]
        value = draw(
            st.sampled_from(
                [
                    "1e999999999",
                    '"1e5"',
                    '"' + "9" * 300 + '"',
                    "nan",
                    "-inf",
                    "[1]",
                    "{x = 1}",
                    "9" * 5000,
                    "[" * 3000 + "]" * 3000,
                    "1979-05-27",
                    '"١٢٣"',
                    "true",
                ]
            )
        )
        lines[index] = f"{key} = {value}"
    elif kind == "unknown-key":
        index = draw(st.sampled_from([i for i, line in enumerate(lines) if line.startswith("[")]))
        lines.insert(index + 1, 'x_unknown = "1"')
    elif kind == "unknown-table":
        lines.append(draw(st.sampled_from(["[option]", "[rulesets]", "[[market]]", "[x]"])))
        lines.append('bracket_boundary = "cap-inclusive"')
    else:
        text = "\n".join(lines).encode()
        if kind == "binary":
            at = draw(st.integers(0, len(text)))
            return text[:at] + b"\xff\xfe" + text[at:]
        return draw(st.binary(min_size=1, max_size=200)) + b"\n[[x"
    return "\n".join(lines).encode()


# --- the fuzz suite ----------------------------------------------------------------------


@FUZZ
@given(data=hostile_json(SNAPSHOT_DOC))
def test_evaluate_refuses_hostile_snapshots(data: bytes) -> None:
    assert_refused(*invoke("evaluate", stdin=data))


@FUZZ
@given(data=hostile_json(SNAPSHOT_DOC))
def test_evaluate_refuses_hostile_snapshot_files(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "snapshot.json"
    path.write_bytes(data)
    assert_refused(*invoke("evaluate", path), str(path))


@FUZZ
@given(data=hostile_json(TRACE_DOC, ("action", "initial", "format", "ruleset")))
def test_replay_refuses_hostile_traces(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "trace.json"
    path.write_bytes(data)
    assert_refused_or_diverges(*invoke("replay", path))


@FUZZ
@given(data=hostile_json(json.loads(ACTIONS.read_text(encoding="utf-8")), ("actions", "initial")))
def test_trace_run_refuses_hostile_actions(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "actions.json"
    path.write_bytes(data)
    out = Path(tempfile.mkdtemp(dir=tmp_path)) / "out.json"
    result, seconds = invoke("trace", "run", path, "-o", out)
    if result.exit_code == 0:  # an action the exchange refuses (an unknown account): recorded
        assert any(
            s["outcome"]["status"] == "refused" for s in json.loads(out.read_text())["steps"]
        )
        return
    assert_refused(result, seconds, str(path))
    assert not out.exists()  # nothing half-written


@FUZZ
@given(data=hostile_toml())
def test_rule_readers_refuse_hostile_rule_files(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "rules.toml"
    path.write_bytes(data)
    assert_refused(*invoke("rules", "show", "--rules", path), str(path))
    assert_refused(*invoke("evaluate", SAMPLE, "--rules", path), str(path))
    # prove and diff read with the same loader: refused before any proof is attempted
    assert_refused(*invoke("prove", "--rules", path, "--generic-size", "0"), str(path))
    assert_refused(*invoke("diff", path, path), str(path))


@FUZZ
@given(data=hostile_json(BRACKETS_DOC, exchange=True, names=("symbol",)))
def test_bracket_readers_refuse_hostile_bracket_files(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "brackets.json"
    path.write_bytes(data)
    assert_refused(*invoke("rules", "show", "--brackets", path), str(path))
    assert_refused(*invoke("evaluate", SAMPLE, "--brackets", path), str(path))
    assert_refused(*invoke("prove", "--brackets", path, "--generic-size", "0"), str(path))
    assert_refused(*invoke("diff", path, path), str(path))


@FUZZ
@given(data=hostile_json(TRACE_DOC, ("action", "initial", "format", "ruleset")))
def test_engine_replays_refuse_hostile_traces(tmp_path: Path, data: bytes) -> None:
    """conform --replay, replay --impl and vectors check read traces for an engine.

    Every file is read by the one bounded reader; past that, the conformance runner hands
    the trace's initial state and actions to the engine as they are (its own checks are
    the runner's, not this suite's), so a trace that reads well may end as a pass (exit 0)
    or the engine's failure report (exit 1). Never a traceback, and bad input is one line."""
    path = tmp_path / "trace.json"
    path.write_bytes(data)
    (tmp_path / "index.json").write_text(json.dumps({"vectors": [{"file": "trace.json"}]}))
    for args in (
        ("conform", "--impl", ENGINE, "--replay", path),
        ("replay", path, "--impl", ENGINE),
        ("vectors", "check", tmp_path, "--impl", ENGINE),
    ):
        result, seconds = invoke(*args)
        if result.exit_code in (0, 1) and not isinstance(result.exception, Exception):
            assert "Traceback" not in result.output
            assert seconds < BOUND
            continue
        assert_refused(result, seconds)


@FUZZ
@given(data=hostile_json({"vectors": [{"file": "trace.json", "steps": 1}]}))
def test_vectors_check_refuses_a_hostile_index(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "index.json").write_bytes(data)
    (tmp_path / "trace.json").write_text(json.dumps(TRACE_DOC))
    result, seconds = invoke("vectors", "check", tmp_path, "--impl", ENGINE)
    if result.exit_code == 0:  # the mutation left a usable index (an unknown key)
        return
    assert_refused(result, seconds)


# --- the repros of issue 17, by name ----------------------------------------------------


def test_huge_exponent_is_refused_quickly_in_a_process() -> None:
    start = time.perf_counter()
    result = run_cli("evaluate", stdin='{"crossWalletBalance": "1e999999999"}')
    assert time.perf_counter() - start < 30
    assert_one_line_error(result, "<stdin>: /crossWalletBalance", "exponent form refused")


def test_a_megabyte_of_digits_is_refused_quickly_in_a_process() -> None:
    result = run_cli("evaluate", stdin='{"crossWalletBalance": "' + "1" * 1_000_000 + '"}')
    assert_one_line_error(result, "/crossWalletBalance", "1000000 characters", "NUM-2")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1e999999999", "exponent form refused"),
        ("1" * 101, "101 digits"),
        ("0." + "0" * 100 + "1", "out of range"),
        ("١٢٣", "not a decimal number"),
        ("NaN", "not a decimal number"),
    ],
)
def test_number_bounds_num_2(text: str, fragment: str) -> None:
    doc = json.dumps({"crossWalletBalance": text, "positions": []})
    assert_refused(*invoke("evaluate", stdin=doc), "/crossWalletBalance", fragment)


def test_a_number_at_the_bound_is_accepted() -> None:
    doc = json.dumps({"crossWalletBalance": "9" * 60 + "." + "9" * 40, "positions": []})
    result, _ = invoke("evaluate", stdin=doc)
    assert result.exit_code == 0, result.output


def test_engine_answers_may_use_a_bounded_exponent() -> None:
    from marginspec.conformance.compare import same_value

    assert same_value("0.00000032", "3.2e-07", None)
    assert not same_value("1", "1e999999999", None)  # out of NUM-2: not a number
    assert not same_value("1", "1" * 300, None)


@pytest.mark.parametrize("key", ["snaphot", "outcomes"])
def test_replay_refuses_a_misspelt_step_key(tmp_path: Path, key: str) -> None:
    doc = json.loads(json.dumps(TRACE_DOC))
    doc["steps"][1][key] = doc["steps"][1].pop("snapshot")
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(doc))
    assert_refused(*invoke("replay", path), f"/steps/1/{key}", "unknown key")


def test_replay_refuses_an_unknown_field_in_an_expected_snapshot(tmp_path: Path) -> None:
    doc = json.loads(json.dumps(TRACE_DOC))
    doc["steps"][0]["snapshot"]["feeIncom"] = "0"
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(doc))
    assert_refused(*invoke("replay", path), "/steps/0/snapshot/feeIncom", "unknown key")


def test_replay_compares_amounts_exactly(tmp_path: Path) -> None:
    doc = json.loads(json.dumps(TRACE_DOC))
    snapshot = doc["steps"][0]["snapshot"]
    snapshot["feeIncome"] = snapshot["feeIncome"] + (
        ".000" if "." not in snapshot["feeIncome"] else "00"
    )
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(doc))
    result, _ = invoke("replay", path)
    assert result.exit_code == 0, result.output
    assert "steps agree" in result.stdout


@pytest.mark.parametrize(
    ("option", "value"),
    [("rules", b'[ruleset]\nname = "\xff"\n'), ("brackets", b"[\xff]")],
)
def test_non_utf8_rule_and_bracket_files(tmp_path: Path, option: str, value: bytes) -> None:
    path = tmp_path / "bad"
    path.write_bytes(value)
    assert_refused(*invoke("evaluate", SAMPLE, f"--{option}", path), "not UTF-8 text", "line")


def test_non_utf8_vector_file(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text(json.dumps({"vectors": [{"file": "v.json"}]}))
    (tmp_path / "v.json").write_bytes(b'{"format": "\xff"}')
    assert_refused(*invoke("vectors", "check", tmp_path, "--impl", ENGINE))


def test_json_nested_a_thousand_deep(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"crossWalletBalance": ' + "[" * 1000 + "]" * 1000 + "}")
    assert_refused(*invoke("evaluate", path), "nested deeper than 64")
    assert_refused(*invoke("replay", path), "nested deeper than 64")


def test_integers_over_4300_digits(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"crossWalletBalance": "1", "positions": [], "x": ' + "9" * 5000 + "}")
    assert_refused(*invoke("evaluate", path), "/x", "5000 digits")
    rules = tmp_path / "big.toml"
    rules.write_text(RULES_TEXT.replace("display_decimals = 8", "display_decimals = " + "9" * 5000))
    assert_refused(*invoke("evaluate", SAMPLE, "--rules", rules), "big.toml")


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (("[options]", "[ruleset.options]"), "ruleset.options"),
        (("[options]", "[option]"), "option"),
        (("[ruleset]", "[rule_set]\nname = 'x'\n[ruleset]"), "rule_set"),
        (("[options]", "colour = 'blue'\n[options]"), "colour"),
        (('name = "aster-pro"', 'name = "aster-pro"\nauthor = "me"'), "ruleset.author"),
    ],
)
def test_toml_tables_and_keys(tmp_path: Path, edit: tuple[str, str], fragment: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(RULES_TEXT.replace(*edit, 1))
    assert_refused(*invoke("rules", "show", "--rules", path), fragment)


def test_toml_options_of_the_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("options = 5\n" + re.sub(r"\[options\]\n(.+\n)+", "", RULES_TEXT))
    assert_refused(*invoke("rules", "show", "--rules", path), "options", "expected an [options]")


def test_toml_brackets_of_the_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[ruleset]\nname = "x"\n[[markets]]\nsymbol = "BTCUSDT"\nbrackets = [1]\n')
    assert_refused(*invoke("rules", "show", "--rules", path), "brackets[0]", "expected a")


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (("initial_leverage = 100", 'initial_leverage = "12.5"'), "initialLeverage"),
        (("bracket = 2", "bracket = 7"), "bracket"),
    ],
)
def test_prove_refuses_what_every_command_refuses(
    tmp_path: Path, edit: tuple[str, str], fragment: str
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(RULES_TEXT.replace(*edit, 1))
    evaluate, _ = invoke("evaluate", SAMPLE, "--rules", path)
    prove, seconds = invoke("prove", "--rules", path, "--generic-size", "0")
    assert_refused(prove, seconds, fragment)
    assert prove.stderr == evaluate.stderr  # one loader, one validation


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "-inf", "abc", "1e999"])
def test_timeouts_refuse_non_positive_and_non_finite_values(value: str) -> None:
    assert_usage_error(invoke("prove", "--timeout", value)[0], "--timeout")
    assert_usage_error(invoke("replay", str(SAMPLE), "--timeout", value)[0], "--timeout")
    assert_usage_error(invoke("conform", "--impl", ENGINE, "--timeout", value)[0], "--timeout")
    assert_usage_error(
        invoke("vectors", "check", str(REPO), "--impl", ENGINE, "--timeout", value)[0],
        "--timeout",
    )


@pytest.mark.parametrize("value", ["0", "-3", "1e3", "1.5", "99999999999999"])
def test_examples_must_be_a_positive_count(value: str) -> None:
    assert_usage_error(invoke("conform", "--impl", ENGINE, "--examples", value)[0], "--examples")


def test_prove_timeout_nan_in_a_process() -> None:
    result = run_cli("prove", "--timeout", "nan")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--timeout" in result.stderr


def test_trace_run_into_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "trace.json"
    assert_refused(*invoke("trace", "run", ACTIONS, "-o", out), "no folder")
    assert not out.parent.exists()


def test_trace_run_writes_whole_files(tmp_path: Path) -> None:
    out = tmp_path / "trace.json"
    result, _ = invoke("trace", "run", ACTIONS, "-o", out)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8")) == TRACE_DOC
    assert [p.name for p in tmp_path.iterdir()] == ["trace.json"]  # no temporary left


def test_rules_show_toml_escapes_an_apostrophe(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    description = 'Bob\'s "rules"\nsecond line \\ end'
    path.write_text(
        re.sub(
            r"(?m)^description = .*$",
            lambda _: f"description = {json.dumps(description)}",
            RULES_TEXT,
        )
    )
    first, _ = invoke("rules", "show", "--rules", path, "--format", "toml")
    assert first.exit_code == 0, first.output
    again = tmp_path / "again.toml"
    again.write_text(first.stdout)
    second, _ = invoke("rules", "show", "--rules", again, "--format", "toml")
    assert second.exit_code == 0, second.output
    assert second.stdout == first.stdout
    assert load_ruleset(again).description == description


def test_duplicate_json_keys_are_refused() -> None:
    doc = '{"crossWalletBalance": "1", "positions": [], "crossWalletBalance": "2"}'
    assert_refused(*invoke("evaluate", stdin=doc), "/crossWalletBalance", "duplicate key")


def test_unknown_order_types_are_refused() -> None:
    doc = json.loads(json.dumps(SNAPSHOT_DOC))
    doc["openOrders"][0]["type"] = "LIMT"
    assert_refused(*invoke("evaluate", stdin=json.dumps(doc)), "/openOrders/0/type", "LIMT")


def test_an_unexpected_error_is_one_line_in_a_process(tmp_path: Path) -> None:
    """The boundary holds for a folder given as a file and for binary stdin."""
    assert_one_line_error(run_cli("evaluate", tmp_path), "folder")
    result = run_cli("evaluate", "--rules", tmp_path / "nope.toml", stdin="{}")
    assert_one_line_error(result, "nope.toml", "cannot read rule file")


def test_bracket_files_apply_the_settings_they_state(tmp_path: Path) -> None:
    """RS-4: a known key of a bracket file is applied, never ignored; a misspelt one is refused."""
    shown, _ = invoke("rules", "show", "BTCUSDT", "--format", "json")
    entries = json.loads(shown.stdout)
    entries[0]["tickSize"] = "0.5"
    path = tmp_path / "brackets.json"
    path.write_text(json.dumps(entries))
    again, _ = invoke("rules", "show", "BTCUSDT", "--brackets", path, "--format", "json")
    assert json.loads(again.stdout)[0]["tickSize"] == "0.5"
    entries[0]["tickSise"] = entries[0].pop("tickSize")
    path.write_text(json.dumps(entries))
    assert_refused(
        *invoke("rules", "show", "--brackets", path), "BTCUSDT.tickSise", "unknown field"
    )


def test_a_table_of_too_many_brackets_is_refused(tmp_path: Path) -> None:
    """RS-3: at most 64 brackets, so that hedged cross legs' bracket pairs stay few."""
    rows = [
        {
            "bracket": i + 1,
            "initialLeverage": 1,
            "notionalCap": str(i + 1),
            "notionalFloor": str(i),
            "maintMarginRatio": "0.1",
            "cum": "0",
        }
        for i in range(65)
    ]
    path = tmp_path / "brackets.json"
    path.write_text(json.dumps([{"symbol": "BTCUSDT", "brackets": rows}]))
    assert_refused(*invoke("rules", "show", "--brackets", path), "65 brackets", "at most 64")


# --- found by the re-run of the hostile pass (benchmarks/hostile_pass.py) ----------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("evaluate", "--format", "xml"), "'--format': 'xml' is not one of"),
        (("evaluate", "--frmat", "json"), "No such option '--frmat'"),
        (("evaluate", SAMPLE, SAMPLE), "unexpected extra argument"),
        (("evaluate", SAMPLE, "--rules", "x", "--brackets", "y"), "either --rules or --brackets"),
        (("prove", "--jobs", "0"), "'--jobs'"),
        (("diff", SAMPLE), "Missing argument 'NEW'"),
        (("trace", "run"), "Missing argument 'ACTIONS'"),
        (("replay",), "Missing argument 'TRACE'"),
        (("rules", "show", "--format", "xml"), "rules show --help"),
        (("vectors", "generate"), "Missing option '--out'"),
        (("vectors", "targets", "extra"), "unexpected extra argument"),
        (("conform", "--profile", "slow"), "'--profile'"),
        (("schema", "nope"), "'nope' is not one of"),
        (("serve-protocol", "extra"), "unexpected extra argument"),
        (("nope",), "No such command 'nope'"),
        (("--bogus",), "No such option '--bogus'"),
    ],
)
def test_usage_errors_are_one_line_for_every_command(args: tuple[str, ...], fragment: str) -> None:
    """click's usage errors (usage, hint and error on three lines) are one line like every
    other error: ``marginspec: error: <message> (see '<command> --help')``, exit 2."""
    assert_usage_error(invoke(*args)[0], fragment)


def test_a_usage_error_is_one_line_in_a_process() -> None:
    result = run_cli("evaluate", "--format", "xml", SAMPLE)
    assert_one_line_error(result, "marginspec: error: ", "evaluate --help')")


def test_a_group_without_its_command_still_shows_its_help() -> None:
    result, _ = invoke("rules")
    assert result.exit_code == 2 and "Commands:" in result.output and "show" in result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("evaluate", SAMPLE, "--rules", ""), "rule file: empty file name"),
        (("evaluate", SAMPLE, "--brackets", ""), "bracket file: empty file name"),
        (("rules", "show", "--rules", ""), "empty file name"),
        (("prove", "--generic-size", "0", "--brackets", ""), "empty file name"),
        (("replay", ACTIONS, "--cmd", ""), "--cmd: empty command"),
        (("replay", ACTIONS, "--impl", ""), "--impl"),
    ],
)
def test_an_empty_option_value_is_refused_not_ignored(
    args: tuple[str | Path, ...], fragment: str
) -> None:
    """``--rules ""`` once ran the default rule set and ``replay --cmd ""`` the model:
    an empty value is a value, refused, never read as the option left out."""
    assert_refused(*invoke(*args), fragment)


def test_a_funding_cap_below_the_floor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(RULES_TEXT.replace('funding_cap = "0.003"', 'funding_cap = "-1"', 1))
    assert_refused(
        *invoke("rules", "show", "--rules", path),
        "BTCUSDT.funding_cap",
        "-1 is below funding_floor -0.003",
    )


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"[" * 100_000, "nested deeper than 64"),
        (b'{"x": ' + b"9" * 5000 + b"}", "5000 digits"),
        (b'{"format": "x", "format": "y"}', "duplicate key"),
    ],
)
def test_a_saved_figures_failure_is_read_within_the_bounds(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    """conform --figures --replay reads its file with the one bounded reader (it once
    raised a traceback-free but unlocated 'unexpected' error, or recursed)."""
    path = tmp_path / "saved.json"
    path.write_bytes(content)
    tool = f"{sys.executable} -m marginspec serve-protocol --figures"
    args = ("conform", "--figures", "--cmd", tool, "--replay", path)
    assert_refused(*invoke(*args), str(path), fragment)


@pytest.mark.parametrize("figures", [False, True])
def test_serve_protocol_answers_hostile_lines_with_an_error(figures: bool) -> None:
    """Each hostile request line gets an ``error`` answer from the bounded reader, and the
    server goes on (it once ended in a traceback on deep JSON or a 5,000-digit integer)."""
    lines = ["[" * 100_000, '{"type": "reset", "x": ' + "9" * 5000 + "}", '{"type": 1.5}']
    args = ("serve-protocol", "--figures") if figures else ("serve-protocol",)
    result, seconds = invoke(*args, stdin="\n".join(lines) + "\n")
    assert result.exit_code == 0 and seconds < BOUND, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["type"] for a in answers] == ["error"] * 3
    assert "nested deeper than 64" in answers[0]["message"]
    assert "5000 digits" in answers[1]["message"] and "NUM-2" in answers[1]["message"]
    assert "1.5 refused" in answers[2]["message"]


def test_vectors_generate_into_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out = blocker / "vectors"
    assert_refused(*invoke("vectors", "generate", "--out", out), str(out), "cannot make the folder")


def test_twenty_thousand_markets_are_refused_before_any_table_is_read(tmp_path: Path) -> None:
    """RS-3, RS-4: more than 4,096 markets (Binance lists about 900) is refused at once,
    in each format, with the file and the count."""
    table = BRACKETS_DOC[0]["brackets"]
    symbols = [f"S{index}USDT" for index in range(20_000)]
    binance = tmp_path / "binance.json"
    binance.write_text(json.dumps([{"symbol": s, "brackets": table} for s in symbols]))
    ccxt = tmp_path / "ccxt.json"
    tier = {"minNotional": 0, "maxNotional": 1000, "maintenanceMarginRate": 0.01}
    ccxt.write_text(
        json.dumps({f"{s[:-4]}/USDT:USDT": [{**tier, "maxLeverage": 20}] for s in symbols})
    )
    for path in (binance, ccxt):
        assert_refused(*invoke("rules", "show", "--brackets", path), str(path), "20000 markets")
    market = RULES_TEXT[RULES_TEXT.index("[[markets]]") :].split("\n[[markets]]")[0]
    rules = tmp_path / "rules.toml"
    head = RULES_TEXT[: RULES_TEXT.index("[[markets]]")]
    rules.write_text(
        head + "".join(market.replace('"BTCUSDT"', f'"{s}"') + "\n" for s in symbols[:4097])
    )
    assert_refused(*invoke("rules", "show", "--rules", rules), str(rules), "4097 markets", "4096")
