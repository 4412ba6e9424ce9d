"""Live progress while an execution runs: which actions are running, and for how long.

Builds print their own lines as they go, so a progress line is only worth its space when the console has been
quiet: after `quiet_seconds` without a line, one line names every running action with its time so far
(`Still running: Build/Unit 1m 05s, Build/Lint 58.2s`), then again after each further quiet spell. That reads the
same on a terminal and in a CI log (which a line that redraws itself would garble), and tells a person watching a
long Maven or Terraform step that nothing hangs. A gate waiting for its answer is not running: its prompt says so.
With `--log-format json` the line is an event: `{"event": "progress", "running": [{"stage", "action", "seconds"}]}`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from types import TracebackType
from typing import Protocol

from simulator.pipeline.views.status import duration_text

QUIET_SECONDS = 15.0


class QuietConsole(Protocol):
    """What progress needs of the console: write a line, and how long it has been since anything was written."""

    def write(self, text: str) -> int: ...

    def flush(self) -> None: ...

    def quiet_for(self) -> float: ...


class LiveProgress:
    def __init__(
        self,
        console: QuietConsole,
        *,
        json_events: bool,
        quiet_seconds: float = QUIET_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._console = console
        self._json_events = json_events
        self._quiet_seconds = quiet_seconds
        self._clock = clock
        self._running: dict[tuple[str, str], float] = {}  # (stage, action) -> when it started
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def started(self, stage: str, action: str) -> None:
        with self._lock:
            self._running[(stage, action)] = self._clock()

    def finished(self, stage: str, action: str) -> None:
        with self._lock:
            self._running.pop((stage, action), None)

    def line(self) -> str | None:
        """The progress line for now, or None when nothing runs."""
        now = self._clock()
        with self._lock:
            running = sorted(self._running.items(), key=lambda item: item[1])
        if not running:
            return None
        if self._json_events:
            entries = [
                {"stage": stage, "action": action, "seconds": round(now - since, 1)}
                for (stage, action), since in running
            ]
            return json.dumps({"event": "progress", "running": entries, "time": time.time()}) + "\n"
        said = ", ".join(
            f"{stage}/{action} {duration_text(timedelta(seconds=now - since))}" for (stage, action), since in running
        )
        return f"Still running: {said}\n"

    def tick(self) -> None:
        """Say the line if the console has been quiet long enough (a line said counts as output too)."""
        if self._console.quiet_for() < self._quiet_seconds:
            return
        line = self.line()
        if line is not None:
            self._console.write(line)
            self._console.flush()

    def __enter__(self) -> LiveProgress:
        self._thread = threading.Thread(target=self._watch, name="progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(min(1.0, self._quiet_seconds / 4)):
            self.tick()
