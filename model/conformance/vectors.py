"""Static test vectors (CONF-9): a deterministic corpus of traces covering every target.

``generate`` draws runs of moves (:mod:`marginspec.conformance.moves`) from
``random.Random(seed)``, keeps a run only if it exercises a target no kept run did
(truncated after the last step that added one), and stops when every target is
covered. Same rule set, seed and kit version: byte-identical files. Targets:

* every action rule ``ACT-n`` and every refusal rule ``REF-n`` of the model;
* every event type (``event:TRADE``, ``event:LIQUIDATION``, …);
* figures that only show in some states: ``BRK-2`` (a position beyond bracket 1, cum
  in use), ``LIQ-2`` (a liquidation price exists), ``LIQ-1`` (an account or position
  liquidatable), ``ORD-2`` (open-order margin), ``XFER-3`` (removable isolated margin),
  ``PNL-1`` (unrealised PnL), ``MB-1`` (isolated margin), ``ACT-5`` hedge positions as
  ``hedge``.

``index.json`` lists each file, its steps and what it covers, and any target left
uncovered. ``check`` runs every vector on an implementation (vectors that use an
action it does not support are skipped and listed).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import attrs

from marginspec import __version__
from marginspec.conformance import moves
from marginspec.conformance.capabilities import Capabilities
from marginspec.conformance.compare import ACTION_RULES, Comparer
from marginspec.conformance.engine import Engine, ModelEngine, hello_json
from marginspec.conformance.report import FailureReport
from marginspec.conformance.runner import check_trace
from marginspec.exchange import ACTION_NAMES, parse_action, refusals
from marginspec.exchange.trace import record
from marginspec.rulefile import dump_ruleset
from marginspec.ruleset import RuleSet

INDEX = "index.json"
FORMAT = "marginspec-vectors/1"
EVENT_TYPES = ("TRADE", "FUNDING_FEE", "LIQUIDATION", "INSURANCE_CLEAR", "ADL", "INSURANCE_COVER")
STATE_TARGETS = ("BRK-2", "LIQ-1", "LIQ-2", "ORD-2", "XFER-3", "PNL-1", "MB-1", "hedge")


def refusal_rules() -> tuple[str, ...]:
    """Every REF-n the model can answer."""
    found = {value.rule for value in vars(refusals).values() if isinstance(value, refusals.Refusal)}
    return tuple(sorted(found, key=lambda r: int(r.split("-")[1])))


def targets() -> tuple[str, ...]:
    return (
        tuple(ACTION_RULES[a] for a in ACTION_NAMES)
        + refusal_rules()
        + tuple(f"event:{e}" for e in EVENT_TYPES)
        + STATE_TARGETS
    )


def exercised(
    action: dict[str, Any], outcome: dict[str, Any], snapshot: dict[str, Any]
) -> set[str]:
    """What one recorded step exercises (see the module docstring)."""
    found = {ACTION_RULES[action["action"]]}
    if outcome.get("status") == "refused":
        found.add(str(outcome.get("rule")))
    for event in outcome.get("events", []):
        found.add(f"event:{event.get('type')}")
    for acct in snapshot.get("accounts", {}).values():
        if acct.get("liquidatable"):
            found.add("LIQ-1")
        for p in acct.get("positions", []):
            if p.get("openOrderInitialMargin") not in ("0", None):
                found.add("ORD-2")
            if p.get("positionAmt") in ("0", None):
                continue
            if p.get("unRealizedProfit") != "0":
                found.add("PNL-1")
            if p.get("bracket", 1) > 1:
                found.add("BRK-2")
            if p.get("liquidationPrice") is not None:
                found.add("LIQ-2")
            if p.get("liquidatable"):
                found.add("LIQ-1")
            if p.get("isolatedMargin") is not None:
                found.add("MB-1")
            if p.get("maxRemovableMargin") not in ("0", None):
                found.add("XFER-3")
            if p.get("positionSide") != "BOTH":
                found.add("hedge")
    return found


class _Recorder:
    """A :class:`moves.Context` on the model alone."""

    def __init__(self, ruleset: RuleSet, initial: dict[str, Any], caps: Capabilities) -> None:
        self.engine = ModelEngine(ruleset)
        self.engine.reset(initial)
        assert self.engine.model is not None
        self.model = self.engine.model
        self.caps = caps
        self.actions: list[dict[str, Any]] = []
        self.covers: list[set[str]] = []

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        outcome = self.engine.apply(action)
        self.actions.append(action)
        self.covers.append(exercised(action, outcome, self.model.snapshot()))
        return outcome


@attrs.frozen
class Corpus:
    vectors: tuple[dict[str, Any], ...]  # trace documents
    index: dict[str, Any]


def generate(
    ruleset_ref: str, ruleset: RuleSet, seed: int = 0, budget: int = 4000, moves_per_run: int = 12
) -> Corpus:
    """The deterministic corpus (CONF-9)."""
    rng = random.Random(seed)
    chooser = moves.RandomChooser(rng)
    caps = Capabilities()
    names = sorted(moves.usable_moves(caps))
    wanted = set(targets())
    covered: dict[str, str] = {}
    vectors: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for _ in range(budget):
        if wanted <= covered.keys():
            break
        initial = moves.initial(chooser, caps, ruleset)
        recorder = _Recorder(ruleset, initial, caps)
        for _ in range(moves_per_run):
            moves.MOVES[chooser.choice(names)][0](recorder, chooser)
        # A closing sweep: whatever the run left underwater is liquidated (LIQP, IF, ADL).
        moves.sweep(recorder, chooser)
        seen: set[str] = set()
        last = -1
        new: list[str] = []
        for i, ids in enumerate(recorder.covers):
            fresh = (ids & wanted) - covered.keys() - seen
            if fresh:
                last = i
                new += sorted(fresh)
                seen |= fresh
        if last < 0:
            continue
        actions = recorder.actions[: last + 1]
        name = f"{len(vectors) + 1:04d}-{new[0].replace(':', '-').lower()}.json"
        for rule in new:
            covered[rule] = name
        document = record(
            ruleset_ref, initial, [parse_action(a) for a in actions], ruleset, check=False
        )
        document["description"] = "covers " + ", ".join(new)
        vectors.append(document)
        entries.append({"file": name, "steps": len(actions), "covers": new})
    index = {
        "format": FORMAT,
        "ruleset": ruleset_ref,
        "seed": seed,
        "generator": f"marginspec {__version__}",
        "vectors": entries,
        "coverage": {t: covered[t] for t in targets() if t in covered},
        "uncovered": [t for t in targets() if t not in covered],
    }
    return Corpus(tuple(vectors), index)


def write(corpus: Corpus, out: Path, ruleset: RuleSet | None = None) -> None:
    """Write the corpus; a rule set given by path is copied in as ``ruleset.toml``."""
    out.mkdir(parents=True, exist_ok=True)
    if ruleset is not None:
        (out / "ruleset.toml").write_text(dump_ruleset(ruleset), encoding="utf-8")
    for entry, document in zip(corpus.index["vectors"], corpus.vectors, strict=True):
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        (out / entry["file"]).write_text(text, encoding="utf-8")
    (out / INDEX).write_text(json.dumps(corpus.index, indent=2) + "\n", encoding="utf-8")


@attrs.frozen
class CheckResult:
    passed: tuple[str, ...]
    failed: tuple[tuple[str, FailureReport], ...]
    skipped: tuple[str, ...]  # vectors using an action the implementation does not support
    not_compared: tuple[str, ...]


def check(directory: Path, engine: Engine) -> CheckResult:
    """Run every vector of ``directory`` on ``engine`` (CONF-9)."""
    from marginspec.conformance.runner import read_trace, trace_ruleset
    from marginspec.errors import InputError

    try:
        index = json.loads((directory / INDEX).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(
            str(directory / INDEX), f"cannot read the vector index ({error})"
        ) from None
    entries = index.get("vectors") if isinstance(index, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{directory / INDEX}: /vectors", "expected a non-empty list")
    first = read_trace(directory / entries[0]["file"])
    ref, ruleset = trace_ruleset(first, directory)
    caps = engine.handshake(hello_json(ref, ruleset))
    comparer = Comparer(caps)
    passed: list[str] = []
    failed: list[tuple[str, FailureReport]] = []
    skipped: list[str] = []
    for entry in entries:
        document = read_trace(directory / entry["file"])
        used = {s["action"]["action"] for s in document["steps"]}
        dual = any(
            isinstance(a, dict) and a.get("dualSidePosition")
            for a in document["initial"].get("accounts", {}).values()
        )
        if any(not caps.supports(a) for a in used) or (dual and not caps.hedge_mode):
            skipped.append(entry["file"])
            continue
        report = check_trace(document, engine, caps, comparer, entry["file"])
        if report is None:
            passed.append(entry["file"])
        else:
            failed.append((entry["file"], report))
    return CheckResult(
        tuple(passed), tuple(failed), tuple(skipped), tuple(sorted(comparer.skipped))
    )
