"""The model's one cache (``marginspec.memo``): bounded, least recently used out first."""

from __future__ import annotations

import gc
import weakref

from marginspec.memo import Memo


def test_memo_never_holds_more_than_its_size() -> None:
    memo: Memo[int] = Memo(3)
    for n in range(10):
        memo.put(n, n * n)
        assert len(memo) == min(n + 1, 3)
    assert [memo.get(n) for n in range(10)] == [None] * 7 + [49, 64, 81]


def test_memo_drops_the_least_recently_used() -> None:
    memo: Memo[str] = Memo(2)
    memo.put("a", "A")
    memo.put("b", "B")
    assert memo.get("a") == "A"  # "a" is now the most recent
    memo.put("c", "C")
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == ("A", None, "C")


def test_memo_keeps_the_objects_its_keys_name_alive() -> None:
    """A key of ids is only safe while the objects live: the entry holds them."""

    class Table:
        pass

    memo: Memo[int] = Memo(2)
    table = Table()
    alive = weakref.ref(table)
    memo.put((id(table), 5), 15, table)
    del table
    gc.collect()
    assert alive() is not None
    memo.clear()
    gc.collect()
    assert alive() is None
