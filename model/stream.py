"""Streaming evaluate: one account snapshot per line in, one result per line out
(``marginspec evaluate --jsonl``; SNAP-1 in, SNAP-3 out).

The rule set is loaded once for the whole stream. Each line meets the bounds of the one
input layer (:mod:`marginspec.inputs`): at most :data:`MAX_LINE` bytes (a longer line is
skipped without being held in memory), UTF-8, bounded JSON, NUM-2 numbers. The result of
line ``n`` is output line ``n``: the ``evaluate`` document on one line, or for a refused
line an error object ``{"line": n, "pointer": "/positions/0/markPrice", "error": "..."}``,
and the stream goes on. With several processes the lines are evaluated in chunks and
written in their input order.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from marginspec import inputs
from marginspec.account import parse_account
from marginspec.account_line import LineWriter
from marginspec.errors import InputError, MarginspecError
from marginspec.evaluate import evaluate
from marginspec.report import account_json
from marginspec.ruleset import RuleSet

#: The longest line read (bytes, newline excluded): a snapshot of hundreds of positions
#: and orders fits; a longer line is refused on its own output line.
MAX_LINE = 1 << 20
#: Lines handed to a worker process at a time (amortises the cost of passing them).
CHUNK = 256

_COMPACT = (",", ":")


def read_lines(handle: IO[bytes], limit: int = MAX_LINE) -> Iterator[bytes | None]:
    """The lines of ``handle``; ``None`` for a line longer than ``limit`` bytes, whose
    rest is read in pieces and dropped (memory stays bounded by ``limit``)."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not (len(line) == limit + 1 and line.endswith(b"\n")):
            while not line.endswith(b"\n"):
                line = handle.readline(limit)
                if not line:
                    break
            yield None
        else:
            yield line


def _pointer(where: str, name: str) -> str:
    """The JSON pointer of an error inside line ``name`` ("" is the whole line)."""
    if where == name:
        return ""
    prefix = f"{name}: "
    return where[len(prefix) :] if where.startswith(prefix) else where


def evaluate_line(
    raw: bytes | None, number: int, ruleset: RuleSet, writer: LineWriter | None = None
) -> tuple[str, bool]:
    """The output line of input line ``number`` (without its newline) and whether the
    line was evaluated (False: the line is the error object). ``writer``, of the same
    rule set, writes a one-position account's line by its integer route (the same bytes)."""
    name = f"line {number}"
    try:
        if raw is None:
            raise InputError(name, f"line longer than {MAX_LINE} bytes refused")
        text = inputs.decode(raw, name, "line")
        if not text.strip():
            raise InputError(name, "empty line: expected an account snapshot")
        data = inputs.parse_json(text, name)
        if writer is not None:
            line = writer.line_from_json(data)  # the common shape, checked as parse_account does
            if line is not None:
                return line, True
        account = parse_account(data, ruleset)
        if writer is not None:
            line = writer.line(account)
            if line is not None:
                return line, True
        output = account_json(evaluate(account, ruleset), ruleset.options)
        return json.dumps(output, separators=_COMPACT), True
    except MarginspecError as error:
        if isinstance(error, InputError):
            pointer, message = _pointer(error.where, name), error.message
        else:
            pointer, message = "", str(error)
        refusal = {"line": number, "pointer": pointer, "error": message}
        return json.dumps(refusal, separators=_COMPACT), False


def evaluate_lines(
    lines: Iterable[bytes | None], ruleset: RuleSet, first: int = 1
) -> Iterator[tuple[str, bool]]:
    """:func:`evaluate_line` of each line in order, numbered from ``first``."""
    writer = LineWriter(ruleset)
    for number, raw in enumerate(lines, first):
        yield evaluate_line(raw, number, ruleset, writer)


# --- several processes ---------------------------------------------------------------

_WORKER_RULES: RuleSet | None = None


def _start_worker(ruleset: RuleSet) -> None:
    global _WORKER_RULES
    _WORKER_RULES = ruleset


def _evaluate_chunk(chunk: tuple[int, list[bytes | None]]) -> list[tuple[str, bool]]:
    first, lines = chunk
    assert _WORKER_RULES is not None, "worker started without its rule set"
    return list(evaluate_lines(lines, _WORKER_RULES, first))


def _chunks(lines: Iterable[bytes | None], size: int) -> Iterator[tuple[int, list[bytes | None]]]:
    iterator = iter(lines)
    first = 1
    while chunk := list(itertools.islice(iterator, size)):
        yield first, chunk
        first += len(chunk)


def evaluate_stream(
    lines: Iterable[bytes | None], ruleset: RuleSet, processes: int = 1, chunk: int = CHUNK
) -> Iterator[tuple[str, bool]]:
    """Every line's result in input order, over ``processes`` worker processes (1: here).

    Each worker receives the rule set once; chunks of lines go out in order and their
    results are written in that order, so output line ``n`` is input line ``n``'s. At most
    ``2 × processes`` chunks are in flight: the input is read as fast as it is evaluated,
    never ahead of it (``Pool.imap`` would read a whole stream into memory).
    """
    if processes <= 1:
        yield from evaluate_lines(lines, ruleset)
        return
    import collections
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(
        processes, initializer=_start_worker, initargs=(ruleset,)
    ) as pool:
        pending: collections.deque[Any] = collections.deque()
        for work in _chunks(lines, chunk):
            pending.append(pool.apply_async(_evaluate_chunk, (work,)))
            if len(pending) >= 2 * processes:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
