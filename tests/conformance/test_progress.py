"""``conform``'s progress on stderr: sparse plain lines where stderr is not a terminal."""

from __future__ import annotations

import io

import pytest

from marginspec.cli import progress
from marginspec.cli.progress import CampaignProgress


def test_plain_progress_is_a_line_per_phase_and_at_most_one_per_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter([0.0] + [i * 0.5 for i in range(1000)])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    out = io.StringIO()
    with CampaignProgress(out, every=10) as show:
        for done in range(1, 301):  # 300 runs over 150 s: a line every 10 s at most
            show("generating", done, 300)
        for done in range(1, 61):
            show("shrinking", done, 60)
        show("re-checking on a fresh engine", 0, 0)
    lines = out.getvalue().splitlines()
    assert lines[0] == "conform: generating 1/300 (0 s)"
    assert sum(line.startswith("conform: generating") for line in lines) == 15
    assert sum(line.startswith("conform: shrinking") for line in lines) == 3
    assert lines[-1] == "conform: re-checking on a fresh engine (180 s)"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_it_is_a_progress_bar_per_phase() -> None:
    out = _Terminal()
    with CampaignProgress(out) as show:
        assert show.bar is not None
        show("generating", 1, 300)
        show("generating", 300, 300)
        show("re-checking on a fresh engine", 0, 0)
        (task,) = show.bar.tasks  # the finished phase's bar is replaced, not stacked
        assert task.description == "re-checking on a fresh engine" and task.total is None
    assert "generating" in out.getvalue()
