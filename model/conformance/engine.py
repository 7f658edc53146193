"""The Python face of an implementation under test (CONF-1): :class:`Engine`.

An engine speaks the trace JSON of the account model (docs/traces.md): it receives
action objects and answers outcome objects, and reports account snapshots. Engines
written in Python subclass :class:`Engine`; any other engine speaks the JSON-lines
protocol (:mod:`marginspec.conformance.subprocess_engine`, docs/conformance/protocol.md).
"""

from __future__ import annotations

import abc
import importlib
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from marginspec.conformance.capabilities import Capabilities
from marginspec.errors import InputError
from marginspec.exchange import Model
from marginspec.rulefile import dump_ruleset
from marginspec.ruleset import RuleSet

#: The protocol name and version exchanged in the handshake (CONF-4).
PROTOCOL = "marginspec/1"


def hello_json(ruleset_ref: str, ruleset: RuleSet) -> dict[str, Any]:
    """The kit's handshake: the rule set by name and in full (TOML text, RS-*)."""
    return {
        "type": "hello",
        "protocol": PROTOCOL,
        "ruleset": {"name": ruleset_ref, "toml": dump_ruleset(ruleset)},
    }


class Engine(abc.ABC):
    """An implementation under test (CONF-1).

    The kit calls :meth:`handshake` once, then for every generated run :meth:`reset`
    followed by :meth:`apply` / :meth:`snapshot` calls, and :meth:`close` at the end.
    All values are the JSON of the account model's traces (decoded: dicts, lists,
    strings; numbers as decimal strings).
    """

    @abc.abstractmethod
    def handshake(self, hello: dict[str, Any]) -> Capabilities:
        """Receive the kit's hello (protocol, rule set); declare what is supported."""

    @abc.abstractmethod
    def reset(self, initial: dict[str, Any]) -> None:
        """Start over from an initial state (``$defs/initial`` of the trace schema)."""

    @abc.abstractmethod
    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        """Apply one action; return its outcome (accepted, or refused with its code)."""

    @abc.abstractmethod
    def snapshot(self, account: str) -> dict[str, Any]:
        """One account's snapshot (``$defs/accountSnapshot``)."""

    def snapshots(self, accounts: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Several accounts at once (one round trip for protocol engines)."""
        return {name: self.snapshot(name) for name in accounts}

    def close(self) -> None:  # noqa: B027  (optional hook: most engines hold nothing)
        """Release resources (a subprocess, a connection); the default does nothing."""

    @property
    def pristine(self) -> bool:
        """Whether the current run is the first the engine has seen since it was made (a
        new process, for a protocol engine): a failure in it needs no re-check on a fresh
        engine (CONF-6). False when the engine cannot tell."""
        return False


class ModelEngine(Engine):
    """The reference model as an engine: what ``serve-protocol`` runs, and the base of tests.

    Account snapshots are cached while an account's state and the marks are unchanged
    (the model's state is immutable, so identity is enough).
    """

    name = "marginspec-model"

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.model: Model | None = None
        self._cache: dict[str, tuple[object, object, dict[str, Any]]] = {}

    def capabilities(self) -> Capabilities:
        from marginspec import __version__

        return Capabilities(name=self.name, version=__version__)

    def handshake(self, hello: dict[str, Any]) -> Capabilities:
        return self.capabilities()

    def reset(self, initial: dict[str, Any]) -> None:
        self.model = Model.from_json(initial, self.ruleset)
        self._cache = {}

    def _model(self) -> Model:
        if self.model is None:
            raise InputError("/", "reset must come before apply or snapshot")
        return self.model

    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        return self._model().apply_json(action, "/action")

    def snapshot(self, account: str) -> dict[str, Any]:
        model = self._model()
        acct = model.state.accounts.get(account)
        if acct is None:
            raise InputError("/account", f"unknown account {account!r}")
        cached = self._cache.get(account)
        marks = model.state.mark_prices
        if cached is not None and cached[0] is acct and cached[1] is marks:
            return cached[2]
        snap = model.snapshot(account)
        self._cache[account] = (acct, marks, snap)
        return snap


def load_factory(spec: str) -> Engine:
    """``module:factory`` (or ``module:Class``) called without arguments -> an :class:`Engine`."""
    return engine_factory(spec)()


def engine_factory(spec: str) -> Callable[[], Engine]:
    """``module:factory`` as a function making engines: each call a new one (how the kit
    re-checks a failure on an engine that has seen nothing, CONF-6)."""
    return factory_of_kind(spec, Engine)


def factory_of_kind(spec: str, kind: type[Any]) -> Callable[[], Any]:
    """``--impl module:factory`` (or ``module:Class``) as a function making ``kind`` objects
    (an abstract class: typed by the callers), each call a new one: the action kit's
    engines and the figures kit's tools alike. Bad
    input (no such module or attribute, not callable, the factory raising, an object of
    another kind) is an :class:`~marginspec.errors.InputError` on ``--impl``."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise InputError("--impl", f"expected module:factory, got {spec!r}")
    # Like ``python -m``: modules in the current directory are importable, so an
    # adapter next to the engine's sources works without installing it.
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise InputError("--impl", f"cannot import {module_name!r}: {error}") from None
    factory: Any = module
    for part in attr.split("."):
        factory = getattr(factory, part, None)
        if factory is None:
            raise InputError("--impl", f"{module_name!r} has no attribute {attr!r}")
    if not callable(factory):
        raise InputError("--impl", f"{spec!r} is not callable")
    article = "an" if kind.__name__[0] in "AEIOU" else "a"

    def make() -> Any:
        try:
            made = factory()
        except Exception as error:  # the user's factory: its failure is bad --impl input
            raise InputError("--impl", f"{spec} raised {type(error).__name__}: {error}") from None
        if not isinstance(made, kind):
            raise InputError(
                "--impl", f"{spec!r} returned {type(made).__name__}, not {article} {kind.__name__}"
            )
        return made

    return make


class EngineFailure(Exception):
    """The implementation crashed, hung past its timeout, or broke the protocol (CONF-4)."""

    def __init__(self, kind: str, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.stderr = stderr
