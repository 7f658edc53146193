"""Running ``impact`` over a book: here, over worker processes, or on a Dask cluster.

The book is read in chunks of whole accounts (:mod:`marginspec.book`); each chunk is
parsed and evaluated where it is sent (:func:`run_chunk`) and comes back as its output
rows and its :class:`~marginspec.impact.Summary`, which the caller writes and merges in
the book's order. Whatever runs the chunks, the rows and the summary are the same
(``tests/test_impact.py`` compares a local Dask cluster with one process).
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from marginspec.batch import Book
from marginspec.book import Chunk, accounts
from marginspec.errors import InputError
from marginspec.impact import Summary, impact_of, row
from marginspec.impact_fast import fast_standing
from marginspec.ruleset import RuleSet


class Part(NamedTuple):
    """The result of one chunk: its accounts' output rows and its summary."""

    rows: list[list[Any]]
    summary: Summary
    positions: int


def run_chunk(chunk: Chunk, old: Book, new: Book, top: int, rows: bool = True) -> Part:
    """Every account of ``chunk`` under both rule sets (IMP-7); its output rows only
    when ``rows`` (rendering them is a fifth of the work)."""
    impacts = [
        impact_of(i, a, old, new, fast_standing)
        for i, a in accounts(chunk, old.ruleset, new.ruleset)
    ]
    old_options, new_options = old.ruleset.options, new.ruleset.options
    out = [row(i, old_options, new_options) for i in impacts] if rows else []
    return Part(out, Summary.of(impacts, top), chunk.positions)


# --- one process, or several ---------------------------------------------------------

_WORKER: tuple[Book, Book, int, bool] | None = None


def _start_worker(old: RuleSet, new: RuleSet, top: int, rows: bool) -> None:
    global _WORKER
    _WORKER = (Book(old), Book(new), top, rows)


def _run_in_worker(chunk: Chunk) -> Part:
    assert _WORKER is not None, "worker started without its rule sets"
    return run_chunk(chunk, *_WORKER)


def run(
    chunks: Iterable[Chunk],
    old: RuleSet,
    new: RuleSet,
    top: int,
    processes: int = 1,
    rows: bool = True,
) -> Iterator[Part]:
    """Each chunk's :class:`Part`, in order, over ``processes`` worker processes (1: here).

    At most ``2 × processes`` chunks are in flight, so the book is read as fast as it is
    evaluated and never ahead of it (as ``marginspec.stream``)."""
    if processes <= 1:
        old_book, new_book = Book(old), Book(new)
        for chunk in chunks:
            yield run_chunk(chunk, old_book, new_book, top, rows)
        return
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(
        processes, initializer=_start_worker, initargs=(old, new, top, rows)
    ) as pool:
        pending: collections.deque[Any] = collections.deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_run_in_worker, (chunk,)))
            if len(pending) >= 2 * processes:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


# --- Dask ---------------------------------------------------------------------------

#: A worker's unpacked rule sets, by the identity of the rule set it was sent once.
_BOOKS: dict[int, Book] = {}


def _book(ruleset: RuleSet) -> Book:
    book = _BOOKS.get(id(ruleset))
    if book is None or book.ruleset is not ruleset:
        if len(_BOOKS) > 8:
            _BOOKS.clear()
        book = _BOOKS[id(ruleset)] = Book(ruleset)
    return book


def _run_on_dask(chunk: Chunk, old: RuleSet, new: RuleSet, top: int, rows: bool) -> Part:
    return run_chunk(chunk, _book(old), _book(new), top, rows)


def run_dask(
    chunks: Iterable[Chunk],
    old: RuleSet,
    new: RuleSet,
    top: int,
    client: Any,
    rows: bool = True,
) -> Iterator[Part]:
    """:func:`run` on the Dask cluster of ``client`` (a ``distributed.Client``): the rule
    sets are sent to every worker once, each chunk is a task, and the parts come back in
    the book's order with at most two chunks per worker thread in flight."""
    old_data, new_data = client.scatter([old, new], broadcast=True)
    threads = max(1, sum(client.nthreads().values()))
    pending: collections.deque[Any] = collections.deque()
    for chunk in chunks:
        pending.append(
            client.submit(_run_on_dask, chunk, old_data, new_data, top, rows, pure=False)
        )
        if len(pending) >= 2 * threads:
            yield _result(pending.popleft())
    while pending:
        yield _result(pending.popleft())


def _result(future: Any) -> Part:
    part: Part = future.result()
    future.release()
    return part


@contextlib.contextmanager
def dask_client(address: str, processes: int) -> Iterator[Any]:
    """A ``distributed.Client``: of a new LocalCluster of ``processes`` one-thread workers
    for ``local`` (closed with it), else of the scheduler at ``address`` (``tcp://host:8786``)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--dask", "needs Dask: pip install 'marginspec[distributed]'") from None
    if address != "local":
        with Client(address, timeout="30s") as client:  # type: ignore[no-untyped-call]
            yield client
        return
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=processes, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client
