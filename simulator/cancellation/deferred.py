"""Blocks a signal must not interrupt: creating or removing a container, writing a build's record."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from simulator.cancellation.handlers import handled_by


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done, so a container is never half created or half removed.

    A signal received meanwhile goes to the handler that was in place once the block is done: a command line
    that stops builds through a cancel token gets its token set, Python's default handler raises
    KeyboardInterrupt. Off the main thread no signal arrives at all (Python delivers them to the main thread),
    and builds there stop through their token, which is only looked at while waiting.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    with handled_by(lambda number, _frame: received.append(number)) as previous:
        yield
    for number in received:
        handler = previous[signal.Signals(number)]
        if callable(handler):
            handler(number, None)
        elif handler != signal.SIG_IGN:
            raise KeyboardInterrupt
