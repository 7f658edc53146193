"""The bracket-file cache gives the rule set, or the error, that parsing the file gives
(``marginspec.bracket_cache``; docs/performance.md, "Service speed")."""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
from pathlib import Path

import pytest

from marginspec import bracket_cache, importers
from marginspec.errors import RuleSetError
from marginspec.rulefile import load_bundled

TABLE = {
    "BTC/USDT:USDT": [
        {
            "tier": 1,
            "minNotional": 0,
            "maxNotional": 50000,
            "maintenanceMarginRate": 0.004,
            "maxLeverage": 125,
            "info": {"cum": "0.0"},
        },
        {
            "tier": 2,
            "minNotional": 50000,
            "maxNotional": 600000,
            "maintenanceMarginRate": 0.005,
            "maxLeverage": 100,
            "info": {"cum": "50.0"},
        },
    ]
}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MARGINSPEC_CACHE_DIR", str(folder))
    monkeypatch.delenv("MARGINSPEC_NO_CACHE", raising=False)
    return folder


def _file(tmp_path: Path, table: object = TABLE, name: str = "tiers.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(table))
    return path


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.rules"))


def test_the_cached_rule_set_is_the_parsed_one(tiers_file: Path, cache: Path) -> None:
    """RS-4: the 907 real tables, parsed once then read back, equal a fresh parse."""
    base = load_bundled()
    expected = importers.load_brackets(tiers_file, base=base)
    first = bracket_cache.load_brackets(tiers_file, base=base)
    assert len(_entries(cache)) == 1
    second = bracket_cache.load_brackets(tiers_file, base=base)
    assert first == second == expected
    assert len(second.markets) == 907


def test_an_entry_is_read_and_a_changed_file_is_a_new_key(tmp_path: Path, cache: Path) -> None:
    base = load_bundled()
    path = _file(tmp_path)
    parsed = bracket_cache.load_brackets(path, base=base)
    (entry,) = _entries(cache)
    # the entry is what a second start reads: a rule set written under its key is returned
    other = importers.load_brackets(_file(tmp_path, name="other.json"), base=base)
    bracket_cache.write(entry, other)
    assert bracket_cache.load_brackets(path, base=base) == other
    # a changed file (one cap) is another key: its own rule set, never the old entry
    changed = json.loads(json.dumps(TABLE))
    changed["BTC/USDT:USDT"][1]["maxNotional"] = 700000
    path.write_text(json.dumps(changed))
    fresh = bracket_cache.load_brackets(path, base=base)
    assert fresh == importers.load_brackets(path, base=base) != parsed
    assert fresh.markets["BTCUSDT"].brackets[1].notional_cap == 700000
    # another base rule set, or no base, is another key as well
    assert bracket_cache.load_brackets(path) == importers.load_brackets(path)
    assert len(_entries(cache)) == 3


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[: len(blob) // 2],  # truncated
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # one bit flipped in the body
        lambda blob: blob.replace(b"cache 1", b"cache 0", 1),  # another format version
        lambda blob: b"",
        lambda blob: b"\n\n\n",
    ],
)
def test_a_damaged_entry_is_ignored_and_rewritten(
    tmp_path: Path, cache: Path, damage: object
) -> None:
    path = _file(tmp_path)
    expected = importers.load_brackets(path)
    bracket_cache.load_brackets(path)
    (entry,) = _entries(cache)
    assert callable(damage)
    entry.write_bytes(damage(entry.read_bytes()))
    assert bracket_cache.read(entry) is None
    assert bracket_cache.load_brackets(path) == expected
    assert bracket_cache.read(entry) == expected  # rewritten whole


def test_an_entry_that_is_not_a_rule_set_is_ignored(tmp_path: Path, cache: Path) -> None:
    path = _file(tmp_path)
    bracket_cache.load_brackets(path)
    (entry,) = _entries(cache)
    body = pickle.dumps({"not": "a rule set"})
    entry.write_bytes(
        b"\n".join([bracket_cache.FORMAT, hashlib.sha256(body).hexdigest().encode(), body])
    )
    assert bracket_cache.read(entry) is None
    assert bracket_cache.load_brackets(path) == importers.load_brackets(path)


def test_a_bad_file_gives_the_parser_error_and_is_not_cached(tmp_path: Path, cache: Path) -> None:
    broken = json.loads(json.dumps(TABLE))
    broken["BTC/USDT:USDT"][1]["minNotional"] = 40000  # a gap between brackets (BRK-2)
    for path in (
        _file(tmp_path, broken),
        _file(tmp_path, name="bad.json").with_name("missing.json"),
        tmp_path,
    ):
        with pytest.raises(RuleSetError) as expected:
            importers.load_brackets(path)
        for _ in range(2):
            with pytest.raises(RuleSetError) as cached:
                bracket_cache.load_brackets(path)
            assert (cached.value.where, cached.value.message) == (
                expected.value.where,
                expected.value.message,
            )
    assert _entries(cache) == []


def test_no_cache_and_an_unwritable_cache(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path)
    expected = importers.load_brackets(path)
    monkeypatch.setenv("MARGINSPEC_NO_CACHE", "1")
    assert bracket_cache.load_brackets(path) == expected
    assert not cache.exists()
    monkeypatch.delenv("MARGINSPEC_NO_CACHE")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("MARGINSPEC_CACHE_DIR", str(blocked / "cache"))
    assert bracket_cache.load_brackets(path) == expected


def test_concurrent_writers_leave_a_whole_entry(tmp_path: Path, cache: Path) -> None:
    """Writers rename complete files: a reader meanwhile sees no entry or a whole one."""
    path = _file(tmp_path)
    expected = importers.load_brackets(path)
    entry = cache / "entry.rules"
    seen: list[object] = []

    def writer() -> None:
        for _ in range(20):
            bracket_cache.write(entry, expected)

    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            seen.append(bracket_cache.read(entry))

    writers = [threading.Thread(target=writer) for _ in range(4)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    watcher.join()
    assert all(value is None or value == expected for value in seen)
    assert expected in seen
    assert bracket_cache.read(entry) == expected
    assert list(cache.glob("*.tmp")) == []


def test_old_entries_are_pruned(tmp_path: Path, cache: Path) -> None:
    for cap in range(bracket_cache.KEEP + 3):
        table = json.loads(json.dumps(TABLE))
        table["BTC/USDT:USDT"][1]["maxNotional"] = 600000 + cap
        bracket_cache.load_brackets(_file(tmp_path, table))
    assert len(_entries(cache)) == bracket_cache.KEEP
