"""Reading input documents within bounds: bytes, UTF-8, JSON and TOML (NUM-2, SNAP-1, RS-3).

Every command reads its files here, so that every hostile input meets the same checks
and ends as an :class:`~marginspec.errors.InputError` that says where:

- at most :data:`MAX_BYTES` bytes, read without reading more;
- UTF-8 text (the error names the line and byte of the first bad byte);
- JSON nested at most :data:`MAX_DEPTH` deep, no duplicate key in an object, no
  ``NaN``/``Infinity``, integers within NUM-2; a number with a fraction or exponent is
  refused (our formats write exact numbers as decimal strings, SNAP-1) unless the
  document is an exchange's (``numbers=True``: bracket files), where it is read as an
  exact decimal within NUM-2;
- TOML likewise bounded, its floats read as exact decimals within NUM-2.

Locations are JSON pointers (``/positions/0/markPrice``) or TOML key paths.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from marginspec.errors import InputError
from marginspec.numbers import MAX_DIGITS, SHORT_DECIMAL, bounded_decimal, quote

#: The largest file a command reads (bytes). A trace of a thousand steps over every
#: bundled market is a few MB; the bound keeps memory within a small multiple of it.
MAX_BYTES = 64 * 1024 * 1024
#: The deepest nesting of JSON arrays and objects (our formats need 8).
MAX_DEPTH = 64
_INTEGER_BOUND = 10**MAX_DIGITS


def source_name(source: str | Path) -> str:
    """How errors name a source: its path, or ``<stdin>`` for ``-``."""
    return "<stdin>" if str(source) == "-" else str(source)


def read_bytes(source: str | Path, what: str = "input", limit: int = MAX_BYTES) -> bytes:
    """The bytes of a file, or of stdin for ``-``, refusing more than ``limit`` bytes."""
    name = source_name(source)
    try:
        if str(source) == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            path = Path(source)
            if path.is_dir():
                raise InputError(name, f"cannot read {what}: it is a folder")
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
    except OSError as error:
        raise InputError(name, f"cannot read {what} ({error.strerror or error})") from None
    except ValueError as error:  # e.g. a NUL byte in the path
        raise InputError(name, f"cannot read {what} ({error})") from None
    if len(data) > limit:
        raise InputError(name, f"{what} is larger than {limit} bytes")
    return data


def decode(data: bytes, name: str, what: str = "input") -> str:
    """UTF-8 text; a bad byte is located by line and byte offset."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            name, f"{what} is not UTF-8 text (line {line}, byte {error.start}: {error.reason})"
        ) from None


def read_text(source: str | Path, what: str = "input", limit: int = MAX_BYTES) -> str:
    """:func:`read_bytes` then :func:`decode`."""
    return decode(read_bytes(source, what, limit), source_name(source), what)


# --- JSON -------------------------------------------------------------------------


class _Refused:
    """A JSON value the parse hooks refused, kept until the walk locates it."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        global _flags
        _flags += 1
        self.message = message


#: Refused values and duplicated objects made so far: a parse that made none, of a text
#: with too few brackets to nest past MAX_DEPTH, has nothing for the walk to find, so
#: :func:`parse_json` skips it (the common case; docs/performance.md, "Service speed").
_flags = 0


class _Duplicated(dict[str, Any]):
    """An object in which ``key`` appeared twice (located by the walk)."""

    key: str = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    global _flags
    _flags += 1
    seen: set[str] = set()
    flagged = _Duplicated(pairs)
    for key, _ in pairs:
        if key in seen:
            flagged.key = key
            break
        seen.add(key)
    return flagged


def _integer(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        return _Refused(f"integer of {digits} digits refused (at most {MAX_DIGITS}, NUM-2)")
    return int(text)


def _constant(text: str) -> _Refused:
    return _Refused(f"{text} is not a JSON number (NUM-1)")


def _refuse_fraction(text: str) -> _Refused:
    shown = text if len(text) <= 40 else quote(text)
    return _Refused(
        f'JSON number {shown} refused: write exact numbers as decimal strings ("{shown}")'
    )


def _exchange_fraction(text: str) -> Decimal | _Refused:
    if SHORT_DECIMAL.fullmatch(text):  # within NUM-2 by its shape (numbers.SHORT_DECIMAL)
        return Decimal(text)
    try:
        return bounded_decimal(text, "", exponent=True)
    except InputError as error:
        return _Refused(error.message)


def escape(key: str) -> str:
    """A key as a JSON pointer segment (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def _check(data: Any, name: str) -> None:
    """One walk: depth, refused values and duplicate keys, located by JSON pointer."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, pointer, depth = stack.pop()
        if isinstance(value, _Refused):
            raise InputError(f"{name}: {pointer or '/'}", value.message)
        if isinstance(value, dict):
            if isinstance(value, _Duplicated):
                raise InputError(
                    f"{name}: {pointer}/{escape(value.key)}", "duplicate key in a JSON object"
                )
            items: Any = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        if depth >= MAX_DEPTH:
            raise InputError(f"{name}: {pointer or '/'}", f"nested deeper than {MAX_DEPTH} levels")
        for key, item in items:
            if isinstance(item, (dict, list, _Refused)):
                segment = escape(key) if isinstance(key, str) else str(key)
                stack.append((item, f"{pointer}/{segment}", depth + 1))


def parse_json(text: str, name: str, numbers: bool = False) -> Any:
    """A JSON document within the bounds of this module.

    ``numbers=False`` (our formats): a number with a fraction or exponent is refused.
    ``numbers=True`` (an exchange's JSON): it is an exact :class:`~decimal.Decimal`
    within NUM-2.
    """
    parse_float: Callable[[str], Any] = _exchange_fraction if numbers else _refuse_fraction
    flags = _flags
    try:
        data = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_integer,
            parse_float=parse_float,
            parse_constant=_constant,
        )
    except json.JSONDecodeError as error:
        raise InputError(
            name, f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise InputError(name, f"JSON nested deeper than {MAX_DEPTH} levels") from None
    if flags != _flags or text.count("[") + text.count("{") > MAX_DEPTH:
        _check(data, name)
    return data


def read_json(source: str | Path, what: str = "input", numbers: bool = False) -> Any:
    """A JSON document from a path or ``-`` (stdin): :func:`read_text` then :func:`parse_json`."""
    return parse_json(read_text(source, what), source_name(source), numbers)


# --- TOML -------------------------------------------------------------------------


def _toml_float(text: str) -> Decimal:
    # tomllib hands "inf" and "nan" here too; bounded_decimal refuses them (NUM-1).
    return bounded_decimal(text.replace("_", ""), "", exponent=True)


def _toml_depth(value: Any, name: str) -> None:
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = ((f"{path}.{k}" if path else str(k), v) for k, v in item.items())
        elif isinstance(item, list):
            children = ((f"{path}[{i}]", v) for i, v in enumerate(item))
        else:
            continue
        if depth >= MAX_DEPTH:
            raise InputError(f"{name}: {path}", f"nested deeper than {MAX_DEPTH} levels")
        for child_path, child in children:
            if isinstance(child, int) and abs(child) >= _INTEGER_BOUND:
                raise InputError(
                    f"{name}: {child_path}", f"integer of more than {MAX_DIGITS} digits (NUM-2)"
                )
            stack.append((child, child_path, depth + 1))


def parse_toml(text: str, name: str) -> dict[str, Any]:
    """A TOML document within the bounds of this module (floats as exact decimals)."""
    try:
        data = tomllib.loads(text, parse_float=_toml_float)
    except tomllib.TOMLDecodeError as error:
        raise InputError(name, f"malformed TOML: {error}") from None
    except InputError as error:  # a float outside NUM-2
        raise InputError(name, error.message) from None
    except RecursionError:
        raise InputError(name, f"TOML nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # e.g. an integer past Python's 4,300-digit conversion limit
        raise InputError(name, f"malformed TOML: {error}") from None
    _toml_depth(data, name)
    return data


def read_toml(source: str | Path, what: str = "rule file") -> dict[str, Any]:
    """A TOML document from a path: :func:`read_text` then :func:`parse_toml`."""
    return parse_toml(read_text(source, what), source_name(source))
