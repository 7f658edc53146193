"""``marginspec evaluate --jsonl``: one snapshot per line in, one result per line out, in order
(SNAP-1, SNAP-3); a refused line gets its error object and the stream goes on; the command
starts without importing what ``evaluate`` does not need; the input layer's fast path
(no walk when the parse flagged nothing) refuses what the walk refuses."""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from marginspec import inputs
from marginspec.cli.evaluate import evaluate_document
from marginspec.errors import InputError
from marginspec.rulefile import load_bundled
from marginspec.stream import MAX_LINE, evaluate_stream, read_lines
from tests.cli_helpers import run_cli
from tests.test_cli_evaluate import L1, L2, SAMPLE

RULES = load_bundled()
GOOD = [json.loads(SAMPLE.read_text()), L1, L2]
BAD = [
    ('{"crossWalletBalance": 1.5}', "/crossWalletBalance", "refused"),
    ("not json", "", "malformed JSON"),
    ("", "", "empty line"),
    ('{"crossWalletBalance": "1", "crossWalletBalance": "2"}', "/crossWalletBalance", "duplicate"),
    (
        '{"crossWalletBalance":"1","positions":[{"symbol":"BTCUSDT","positionAmt":"1",'
        '"entryPrice":"1","markPrice":"-1","leverage":1}]}',
        "/positions/0/markPrice",
        "positive",
    ),
    (
        '{"crossWalletBalance":"1","positions":[{"symbol":"NOPE","positionAmt":"1","markPrice":"1","leverage":1}]}',
        "/positions/0/symbol",
        "NOPE",
    ),
]


def _lines() -> tuple[str, list[str]]:
    """A stream mixing good and bad lines, and what each output line must be."""
    text, expected = [], []
    for i in range(12):
        good = GOOD[i % len(GOOD)]
        text.append(json.dumps(good))
        expected.append(json.dumps(evaluate_document(good, RULES), separators=(",", ":")))
        if i < len(BAD):
            text.append(BAD[i][0])
            expected.append("bad")
    return "\n".join(text) + "\n", expected


def _check(output: str, expected: list[str]) -> None:
    lines = output.splitlines()
    assert len(lines) == len(expected)
    bad_seen = 0
    for number, (line, want) in enumerate(zip(lines, expected, strict=True), 1):
        if want == "bad":
            _, pointer, fragment = BAD[bad_seen]
            bad_seen += 1
            refusal = json.loads(line)
            assert refusal["line"] == number
            assert refusal["pointer"] == pointer, refusal
            assert fragment in refusal["error"], refusal
        else:
            assert line == want  # the same document as one evaluate, on one line


def test_jsonl_one_result_per_line_in_order() -> None:
    """SNAP-3 per line: output line n is line n's evaluate document or its error object;
    exit status 2 with one line on stderr naming the first refused line."""
    stdin, expected = _lines()
    result = run_cli("evaluate", "--jsonl", stdin=stdin)
    _check(result.stdout, expected)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "line 2" in result.stderr


def test_jsonl_processes_keep_the_order(tmp_path: Path) -> None:
    """--processes 2 with small chunks: the same output, in input order."""
    stdin, expected = _lines()
    path = tmp_path / "book.jsonl"
    path.write_text(stdin)
    lines = list(read_lines(io.BytesIO(stdin.encode())))
    results = [line for line, _ in evaluate_stream(lines, RULES, processes=2, chunk=3)]
    _check("\n".join(results) + "\n", expected)
    result = run_cli("evaluate", "--jsonl", "--processes", "2", path)
    _check(result.stdout, expected)


def test_jsonl_all_good_exits_0() -> None:
    result = run_cli("evaluate", "--jsonl", stdin=json.dumps(L1) + "\n" + json.dumps(L2) + "\n")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["totalMaintMargin"] for line in result.stdout.splitlines()] == [
        evaluate_document(L1, RULES)["totalMaintMargin"],
        evaluate_document(L2, RULES)["totalMaintMargin"],
    ]


def test_long_line_is_refused_without_being_read_whole() -> None:
    """NUM-2's spirit per line: a line past MAX_LINE is its own refusal; the next line is read."""
    long = b"x" * (3 * MAX_LINE) + b"\n"
    exact_limit = b" " * (MAX_LINE - 2) + b"{}\n"
    lines = list(read_lines(io.BytesIO(long + exact_limit + b'{"a":1}\n')))
    assert lines[0] is None
    assert lines[1] == exact_limit
    assert lines[2] == b'{"a":1}\n'
    assert len(lines) == 3


def test_evaluate_starts_without_z3_or_the_conformance_kit() -> None:
    """The cold start: evaluate imports neither z3, hypothesis, the proofs, the conformance
    kit nor rich (docs/performance.md)."""
    code = (
        "import sys\n"
        "from marginspec.cli import main\n"
        f"try:\n    main(['evaluate', {str(SAMPLE)!r}])\nexcept SystemExit as e:\n    assert not e.code\n"
        "heavy = [m for m in ('z3', 'hypothesis', 'marginspec.proofs', "
        "'marginspec.conformance', 'rich') if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stderr.strip() == "[]"
    assert json.loads(result.stdout)["positions"]


# --- the input layer's fast path: the walk is skipped when the hooks flagged nothing ---

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**120), 10**120),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(st.tuples(st.sampled_from("abc"), inner), max_size=4),  # keys may repeat
    ),
    max_leaves=20,
)


def _text(value: object) -> str:
    """JSON text of a value whose objects are lists of pairs (so a key can appear twice)."""
    if isinstance(value, list) and value and all(isinstance(v, tuple) for v in value):
        return "{" + ",".join(f"{json.dumps(k)}:{_text(v)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_text(v) for v in value) + "]"
    return json.dumps(value)


def _outcome(parse: Callable[[], object]) -> object:
    try:
        return ("ok", parse())
    except InputError as error:
        return ("refused", str(error))


@given(_values, st.integers(0, 70))
def test_parse_json_skips_the_walk_only_when_it_would_find_nothing(
    value: object, depth: int
) -> None:
    """NUM-2, SNAP-1: with or without the walk, the same document or the same located refusal
    (duplicate keys, floats, NaN, huge integers, nesting past MAX_DEPTH)."""
    text = "[" * depth + _text(value) + "]" * depth

    def plain() -> object:
        data = json.loads(
            text,
            object_pairs_hook=inputs._pairs,
            parse_int=inputs._integer,
            parse_float=inputs._refuse_fraction,
            parse_constant=inputs._constant,
        )
        inputs._check(data, "t")
        return data

    assert _outcome(lambda: inputs.parse_json(text, "t")) == _outcome(plain)


def test_every_command_module_is_listed() -> None:
    """The lazy command group knows every command: each module of ``marginspec.cli`` that
    registers commands is listed under exactly the names it registers."""
    import importlib
    import pkgutil

    import marginspec.cli
    from marginspec.cli.app import COMMAND_MODULES, main

    for info in pkgutil.iter_modules(marginspec.cli.__path__):
        before = set(main.commands)
        module = f"marginspec.cli.{info.name}"
        importlib.import_module(module)
        registered = set(main.commands) - before
        listed = {name for name, m in COMMAND_MODULES.items() if m == module}
        # a module imported earlier (by another command) registered its names then
        assert registered <= listed, (module, registered, listed)
    assert set(main.commands) == set(COMMAND_MODULES)


def test_jsonl_answers_each_line_of_a_conversation() -> None:
    """A program that writes one snapshot and waits for its answer gets it before it
    writes the next (one process, input from a pipe: each answer is flushed)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as users run it
    process = subprocess.Popen(
        [sys.executable, "-m", "marginspec", "evaluate", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        for document in (L1, L2):
            process.stdin.write(json.dumps(document) + "\n")
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], 60)
            assert ready, "no answer to a line while the input stays open"
            answer = json.loads(process.stdout.readline())
            assert answer == evaluate_document(document, RULES)
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    assert process.returncode == 0
