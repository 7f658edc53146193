"""How far ``marginspec conform`` is, on stderr (stdout keeps the report).

On a terminal, a rich progress bar that disappears when done; anywhere else (a CI log),
a plain line when the phase changes and at most one every :data:`EVERY` seconds.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

#: Seconds between two plain progress lines within one phase.
EVERY = 10.0


class CampaignProgress:
    """A :data:`marginspec.conformance.driver.Progress` callback, used as a context manager."""

    def __init__(self, stream: IO[str] | None = None, every: float = EVERY) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.every = every
        self.started = time.monotonic()
        self.last = -every
        self.phase = ""
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        if self.stream.isatty():
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=True,
            )

    def __enter__(self) -> CampaignProgress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.bar is not None:
            if self.task is None or phase != self.phase:
                if self.task is not None:
                    self.bar.remove_task(self.task)
                self.task = self.bar.add_task(phase, total=total or None)
            self.bar.update(self.task, completed=done)
            self.phase = phase
            return
        now = time.monotonic()
        if phase == self.phase and now - self.last < self.every:
            return
        self.phase, self.last = phase, now
        count = f" {done}/{total}" if total else ""
        print(f"conform: {phase}{count} ({now - self.started:.0f} s)", file=self.stream, flush=True)
