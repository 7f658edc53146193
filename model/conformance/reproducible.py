"""Generated runs that depend on the seed alone (CONF-5).

Hypothesis (6.131 and later) draws about one integer in twenty from a pool of
constants, and part of that pool is harvested from the source of every *local* module
imported so far: those outside site-packages and the standard library. So the same
seed made different runs depending on

- which modules the process had imported before (``import marginspec.book`` changed
  quick seed 0 from 407 runs of 11,084 steps to 381 of 10,436);
- how marginspec was installed (an editable install is local, a wheel is not);
- the engine under test (its own module is local; so is the mutation benchmark's
  mutated copy of the package).

A catch measured in one process could then be missed in another. Inside
:func:`seed_alone` the local pool is empty; Hypothesis's fixed global pool stays, so a
seed means the same runs for a given Hypothesis version wherever it runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any


def _hypothesis_parts() -> tuple[Any, Any] | None:
    """Hypothesis's provider module and its ``Constants`` class; None before 6.131,
    whose draws had no constant pools."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:
        return None
    return providers, Constants


@contextlib.contextmanager
def seed_alone() -> Iterator[None]:
    """Hypothesis without the constants of local modules, for the duration.

    Hypothesis exposes no setting for this, so the module-level function its provider
    calls is replaced (and its cache of permitted constants cleared on the way in and
    out). A Hypothesis without that function has no local pool: nothing to do.
    ``tests/conformance/test_reproducible.py`` fails if a new Hypothesis brings the
    dependence back another way.
    """
    parts = _hypothesis_parts()
    original: Callable[[], Any] | None = getattr(parts and parts[0], "_get_local_constants", None)
    if parts is None or original is None:
        yield
        return
    providers, constants = parts
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    providers._get_local_constants = constants
    _clear(cache)
    try:
        yield
    finally:
        providers._get_local_constants = original
        _clear(cache)


def _clear(cache: Any) -> None:
    inner = getattr(cache, "cache", None)
    if inner is not None:
        inner.clear()
