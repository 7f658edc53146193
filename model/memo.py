"""The model's one cache: a bounded least-recently-used memo for the fast paths.

States and rule sets are immutable, so a figure computed from some objects can be
remembered per object identity (hashing a whole position map by value would cost more
than the figure). A key is then made of ``id()`` s; the entry keeps those objects alive
(``keep``), so an id is never reused while its entry exists. Why each memo exists and the
property test that holds its fast path equal to the plain model: docs/performance.md.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """At most ``maxsize`` remembered values; the least recently used goes first."""

    __slots__ = ("_entries", "maxsize")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[object, tuple[object, V]] = OrderedDict()

    def get(self, key: object) -> V | None:
        """The value remembered under ``key`` (hashable), or None."""
        hit = self._entries.get(key)
        if hit is None:
            return None
        self._entries.move_to_end(key)
        return hit[1]

    def put(self, key: object, value: V, keep: object = None) -> V:
        """Remember ``value`` (and keep ``keep``, the objects whose ids are in ``key``)."""
        entries = self._entries
        if len(entries) >= self.maxsize and key not in entries:
            entries.popitem(last=False)
        entries[key] = (keep, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
