"""Misbehaving engines (CONF-4, CONF-6): each fault is the engine's failure of the right
kind, the saved trace fails again when replayed on the same engine, nothing the engine
started outlives the command, and the kit's time and memory stay bounded.

The engines are the scripts in ``hostile/``: the reference server with one fault each.
Every process they start writes its pid to ``MARGINSPEC_HOSTILE_PIDS``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from marginspec.cli import main
from marginspec.conformance import ModelEngine, driver
from marginspec.conformance.report import CRASH, DIVERGENCE, PROTOCOL, TIMEOUT
from marginspec.conformance.runner import check_trace, engine_factory, running
from marginspec.conformance.subprocess_engine import too_deep
from marginspec.conformance.vectors import check, generate, write
from marginspec.errors import InputError
from tests.conformance.helpers import RULESET, initial

HOSTILE = Path(__file__).parent / "hostile"
KIT = [sys.executable, "-c", "from marginspec.cli import main; main()"]


def engine(name: str) -> str:
    return f"{sys.executable} {HOSTILE / name}.py"


@pytest.fixture
def pids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "pids"
    path.touch()
    monkeypatch.setenv("MARGINSPEC_HOSTILE_PIDS", str(path))
    return path


def _state(pid: int) -> str | None:
    """The process state letter (``Z`` for a zombie), None if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def survivors(pids: Path) -> list[int]:
    """Recorded processes still alive (a zombie left for init to reap is not alive), and
    engines (each a group leader: its own session) whose group still signals."""
    alive = []
    for pid in sorted({int(line) for line in pids.read_text().split()}):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        if _state(pid) not in (None, "Z"):
            alive.append(pid)
    return alive


def groups_gone(pids: Path) -> bool:
    """Every engine's process group is gone: ``killpg(pgid, 0)`` finds nobody (or only
    zombies), the check the kit's own cleanup promises."""
    for pid in {int(line) for line in pids.read_text().split()}:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:  # pragma: no cover - not ours
            return False
        members = [
            int(p.name)
            for p in Path("/proc").iterdir()
            if p.name.isdigit() and _pgrp(int(p.name)) == pid
        ]
        if any(_state(m) not in (None, "Z") for m in members):
            return False
    return True


def _pgrp(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, ValueError, IndexError):
        return None


def assert_nothing_survives(pids: Path) -> None:
    assert pids.read_text().strip(), "the engine recorded no pid"
    deadline = time.monotonic() + 5  # init reaps orphans asynchronously
    while survivors(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert survivors(pids) == []
    assert groups_gone(pids)


# ------------------------------------------------------------------ each fault, its kind

FAILING = [
    # engine, kind, in the message, in the stderr tail
    ("crash_on_third_action", CRASH, "exited (status 3) on 'apply'", "book.is_consistent"),
    ("spawns_child_and_exits", CRASH, "exited (status 5) on 'apply'", ""),
    ("spawns_children_and_hangs", TIMEOUT, "no answer to 'apply' within 1 s", ""),
    ("hangs", TIMEOUT, "no answer to 'reset' within 1 s", ""),
    ("stdout_not_utf8", PROTOCOL, "not UTF-8 (byte 0xe9)", ""),
    ("endless_line", PROTOCOL, "a line longer than 1048576 bytes", ""),
    ("deep_json", PROTOCOL, "JSON nested too deep", ""),
    ("answers_huge_integer", PROTOCOL, "not a JSON line we can read (Exceeds the limit", ""),
    ("answers_a_huge_exponent", DIVERGENCE, '/outcome/status (model "', ""),
]


@pytest.mark.parametrize(("name", "kind", "message", "stderr"), FAILING)
def test_a_fault_is_the_engines_failure_and_its_trace_fails_again(
    tmp_path: Path, pids: Path, name: str, kind: str, message: str, stderr: str
) -> None:
    trace = tmp_path / "failure.json"
    started = time.monotonic()
    args = ["--cmd", engine(name), "--timeout", "1"]
    found = CliRunner().invoke(main, ["conform", *args, "--examples", "20", "--out", str(trace)])
    elapsed = time.monotonic() - started
    assert found.exit_code == 1, found.output
    assert f"FAIL ({kind}):" in found.output and message in found.output
    assert stderr in found.output
    assert "re-checked on a fresh process: it fails the same way" in found.output
    assert elapsed < 60
    if name == "crash_on_third_action":
        assert "crash at step 3:" in found.output  # not "step 1" of a reused process
    if name == "hangs":
        assert not trace.exists()  # no action yet: nothing to save
    else:
        again = CliRunner().invoke(main, ["replay", str(trace), *args])
        assert again.exit_code == 1, again.output
        assert f"FAIL ({kind}):" in again.output and message in again.output
    assert_nothing_survives(pids)


@pytest.mark.parametrize("name", ["stderr_not_utf8", "stderr_flood", "spawns_children_per_reset"])
def test_a_correct_engine_passes_whatever_it_does_on_the_side(pids: Path, name: str) -> None:
    """Any bytes on stderr, without pause, and background processes left on every reset
    change nothing: the engine answers right, so it passes, and its processes end."""
    result = CliRunner().invoke(main, ["conform", "--cmd", engine(name), "--examples", "30"])
    assert result.exit_code == 0, result.output
    # at least the 30 runs asked for (the kit may add runs of its own)
    runs = re.search(r"PASS marginspec-model: (\d+) runs", result.output)
    assert runs is not None and int(runs.group(1)) >= 30, result.output
    assert_nothing_survives(pids)


def test_vectors_check_leaves_no_process_and_stops_at_a_hang(tmp_path: Path, pids: Path) -> None:
    vectors = tmp_path / "vectors"
    assert CliRunner().invoke(main, ["vectors", "generate", "--out", str(vectors)]).exit_code == 0
    count = len(list(vectors.glob("0*.json")))
    background = CliRunner().invoke(
        main, ["vectors", "check", str(vectors), "--cmd", engine("spawns_children_per_reset")]
    )
    assert background.exit_code == 0, background.output
    assert f"{count} passed, 0 failed" in background.output
    assert len(pids.read_text().split()) > count  # one worker per vector, all ended
    assert_nothing_survives(pids)

    started = time.monotonic()
    hung = CliRunner().invoke(
        main, ["vectors", "check", str(vectors), "--cmd", engine("hangs"), "--timeout", "1"]
    )
    assert hung.exit_code == 1, hung.output
    assert "FAIL (timeout)" in hung.output
    assert f"0 passed, 1 failed, 0 skipped (unsupported actions)\n{count - 1} not run" in (
        hung.output
    )
    assert "re-checked on a fresh process" in hung.output  # it hung on a new process
    assert time.monotonic() - started < 10  # one timeout, not one per vector
    assert_nothing_survives(pids)


@pytest.mark.parametrize("command", ["conform", "vectors check", "replay"])
def test_a_process_that_left_the_engines_group_ends_with_it(
    tmp_path: Path, pids: Path, command: str
) -> None:
    """A grandchild that escaped with ``setsid`` and a double fork is out of the reach
    of killpg; the kit, a child subreaper, inherits it and ends it (CONF-4)."""
    cmd = ["--cmd", engine("escapes_with_setsid")]
    if command == "conform":
        args = ["conform", *cmd, "--examples", "5"]
    elif command == "vectors check":
        vectors = tmp_path / "vectors"
        made = CliRunner().invoke(main, ["vectors", "generate", "--out", str(vectors)])
        assert made.exit_code == 0, made.output
        args = ["vectors", "check", str(vectors), *cmd]
    else:
        trace = tmp_path / "failure.json"
        mutant = ["--impl", "tests.mutants:FundingSignInverted", "--out", str(trace)]
        assert CliRunner().invoke(main, ["conform", *mutant]).exit_code == 1
        args = ["replay", str(trace), *cmd]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert len(set(pids.read_text().split())) >= 2  # an engine and a grandchild at least
    assert_nothing_survives(pids)


def test_vectors_check_stops_after_three_crashes_in_a_row(tmp_path: Path, pids: Path) -> None:
    """An engine that crashes on every vector, on fresh processes too: three in a row end
    the check (CONF-9), the rest listed as not run, not one start and re-check each."""
    vectors = tmp_path / "vectors"
    assert CliRunner().invoke(main, ["vectors", "generate", "--out", str(vectors)]).exit_code == 0
    count = len(list(vectors.glob("0*.json")))
    started = time.monotonic()
    crashed = CliRunner().invoke(
        main, ["vectors", "check", str(vectors), "--cmd", engine("crashes_on_every_action")]
    )
    assert crashed.exit_code == 1, crashed.output
    assert crashed.output.count("FAIL (crash):") == 3
    assert "0 passed, 3 failed, 0 skipped (unsupported actions)\n" in crashed.output
    assert f"{count - 3} not run: the implementation crashed on 3 vectors in a row" in (
        crashed.output
    )
    assert time.monotonic() - started < 20
    assert_nothing_survives(pids)


# ------------------------------------------------------------------ every exit path


def test_the_engines_group_ends_when_the_command_is_interrupted(pids: Path) -> None:
    factory = engine_factory(None, engine("spawns_children_per_reset"))
    with pytest.raises(KeyboardInterrupt), running(factory) as eng:
        eng.handshake({"type": "hello", "protocol": "marginspec/1", "ruleset": {}})
        eng.reset(initial(A="100"))
        assert len(pids.read_text().split()) == 2  # the engine and its worker
        raise KeyboardInterrupt
    assert_nothing_survives(pids)


@pytest.mark.parametrize(
    ("signum", "status"),
    [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 1)],  # SIGINT: click's "Aborted!"
)
def test_a_signalled_kit_ends_the_engines_group(
    tmp_path: Path, pids: Path, signum: int, status: int
) -> None:
    """SIGTERM (a CI job cancelled) and SIGINT (Ctrl-C) to the kit: the engine, in a
    session of its own, gets neither, so the kit must end its group on the way out (and
    still die of SIGTERM)."""
    kit = subprocess.Popen(
        [*KIT, "conform", "--cmd", engine("spawns_children_and_hangs"), "--timeout", "60"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while len(pids.read_text().split()) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)  # the engine and its three children are up
    assert len(pids.read_text().split()) == 4
    kit.send_signal(signum)
    assert kit.wait(timeout=20) == status
    assert_nothing_survives(pids)


def test_a_command_that_is_not_shell_words_is_a_usage_error() -> None:
    for args in (
        ["conform", "--cmd", "python3 'x"],
        ["replay", "trace.json", "--cmd", "python3 'x"],
        ["vectors", "check", "vectors", "--cmd", "python3 'x"],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert lines == [
            'marginspec: error: --cmd: cannot split "python3 \'x" into words: No closing quotation'
        ]


# ------------------------------------------------------------------ bounded memory


@pytest.mark.parametrize("name", ["endless_line", "stderr_flood"])
def test_the_kit_holds_little_whatever_the_engine_writes(
    tmp_path: Path, pids: Path, name: str
) -> None:
    """Peak memory of the whole kit process, engine writing without end (stdout or stderr)."""
    kit = subprocess.Popen(
        [*KIT, "conform", "--cmd", engine(name), "--examples", "10", "--timeout", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(kit.pid, 0)
    kit.returncode = os.waitstatus_to_exitcode(status)
    assert kit.returncode == (1 if name == "endless_line" else 0)
    assert usage.ru_maxrss * 1024 < 500 * 2**20  # ru_maxrss is in KiB on Linux
    assert_nothing_survives(pids)


def test_nesting_is_measured_without_recursion() -> None:
    deep: Any = "x"
    for _ in range(100_000):
        deep = [deep]
    assert too_deep(deep) and not too_deep({"a": [{"b": [[]]}]})


# ------------------------------------------------------------------ failures that need history


class CrashesOnCall(ModelEngine):
    """Crashes on its ``n``-th action since it was made, whatever the resets."""

    n = 12
    shared = False
    calls_everywhere = 0

    def __init__(self) -> None:
        super().__init__(RULESET)
        self.calls = 0

    def apply(self, action: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        CrashesOnCall.calls_everywhere += 1
        if (CrashesOnCall.calls_everywhere if self.shared else self.calls) == self.n:
            raise RuntimeError(f"call {self.n}")
        return super().apply(action)


def test_a_failure_needing_earlier_runs_is_found_again_one_fresh_engine_per_run() -> None:
    """The first failure happens in a run whose own actions are not enough (the engine
    counted actions of earlier runs): replayed on a fresh engine it passes, so the kit
    searches again with a fresh engine per run, where the failure's trace is whole."""
    result = driver.run(CrashesOnCall(), "aster-pro", RULESET, "quick", seed=0, fresh=CrashesOnCall)
    report = result.report
    assert report is not None and report.kind == CRASH and report.fresh is True
    assert len(report.steps) == CrashesOnCall.n and "fresh process per run" in report.note
    again = check_trace(report.trace(RULESET), CrashesOnCall(), result.capabilities)
    assert again is not None and again.kind == CRASH and "call 12" in again.message


def test_a_failure_that_never_repeats_is_reported_as_such(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The 12th action of the whole test crashes, never again: no trace can show it."""
    monkeypatch.setattr(CrashesOnCall, "shared", True)
    monkeypatch.setattr(CrashesOnCall, "calls_everywhere", 0)
    monkeypatch.setattr(driver, "ISOLATED_RUNS", 20)
    report = driver.run(
        CrashesOnCall(), "aster-pro", RULESET, "quick", seed=0, fresh=CrashesOnCall
    ).report
    assert report is not None and report.kind == CRASH and report.fresh is False
    assert "NOT reproduced on a fresh process" in report.text()


def test_an_impl_factory_makes_a_new_engine_each_call() -> None:
    factory = engine_factory("tests.conformance.test_hostile:CrashesOnCall", None)
    assert factory() is not factory()
    with pytest.raises(InputError):
        engine_factory("tests.conformance.test_hostile:FAILING", None)()


def test_a_vector_failing_only_after_the_ones_before_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An engine crashing on its n-th action since it was made, n one past the first
    vector's length: the second vector fails at its first step; alone, on a fresh engine,
    it passes, and the report says it does not repeat. The index is reordered so the
    longest vector runs first and a shorter one second (the corpus's own order varies)."""
    corpus = tmp_path / "vectors"
    write(generate("aster-pro", RULESET), corpus)
    index_path = corpus / "index.json"
    index = json.loads(index_path.read_text())
    entries = sorted(index["vectors"], key=lambda e: -int(e["steps"]))
    longest, shorter = entries[0], entries[-1]
    index["vectors"] = [longest, shorter]
    index_path.write_text(json.dumps(index))
    monkeypatch.setattr(CrashesOnCall, "n", int(longest["steps"]) + 1)
    assert int(shorter["steps"]) < CrashesOnCall.n  # so the second vector alone cannot crash
    result = check(corpus, CrashesOnCall(), fresh=CrashesOnCall)
    assert len(result.failed) == 1 and len(result.passed) == 1
    (name, report), *_ = result.failed
    assert name == shorter["file"] and report.kind == CRASH and len(report.steps) == 1
    assert report.fresh is False and "NOT reproduced on a fresh process" in report.text()
