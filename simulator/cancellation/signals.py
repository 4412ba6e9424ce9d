"""Ctrl-C and SIGTERM during a build: they set the build's cancel token instead of raising in the middle of it.

The first asks the build to stop (STOPPED, what it made is saved), the second gives up the saving, and a third
raises KeyboardInterrupt, for the case where the engine waits on something that never looks at the token (a Docker
call that hangs). Each step is said on stderr, so the person pressing the keys knows what they asked for.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

from simulator.cancellation.handlers import handled_by
from simulator.cancellation.token import CancelToken

_MESSAGES = {
    1: "Stopping the build (press Ctrl-C again to skip saving its artifacts).",
    2: "Skipping the saving of artifacts (press Ctrl-C again to give up waiting).",
}


@contextmanager
def signals_cancel(token: CancelToken) -> Iterator[None]:
    def handle(signum: int, _frame: FrameType | None) -> None:
        token.cancel(signal.Signals(signum).name)
        message = _MESSAGES.get(token.requests)
        if message is None:
            raise KeyboardInterrupt
        # os.write, not print: a handler that writes to a buffered stream the main thread is writing to fails.
        with suppress(OSError):
            os.write(2, (message + "\n").encode())

    with handled_by(handle):
        yield
