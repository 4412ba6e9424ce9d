"""Stopping a build without signals: a token the owner sets and the engine checks wherever it waits.

The command line sets it from its Ctrl-C and SIGTERM handlers; a pipeline sets it when a sibling action fails
or the user stops the execution. Because the engine only ever looks at the token while it waits (for a command,
for the agent), a stop can never land in the middle of creating or removing a container, on any thread.

A second request escalates: the first asks the build to stop and save what it made, the second gives up the saving.
"""

from __future__ import annotations

import threading


class CancelToken:
    def __init__(self) -> None:
        # A list append is atomic under the GIL; a lock could deadlock a signal handler that interrupts cancel().
        self._reasons: list[str] = []
        self._first = threading.Event()

    def cancel(self, reason: str = "stopped") -> None:
        """Safe from any thread and from a signal handler."""
        self._reasons.append(reason)
        self._first.set()

    @property
    def requests(self) -> int:
        return len(self._reasons)

    @property
    def cancelled(self) -> bool:
        return bool(self._reasons)

    @property
    def reason(self) -> str:
        return self._reasons[0] if self._reasons else ""

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the first request (or the timeout); True when cancelled."""
        return self._first.wait(timeout)
