"""One signal handler for the length of a block: the handlers in place before are put back however it ends.

Every place that listens to Ctrl-C or SIGTERM for a while (the cancel token, deferred interrupts, `run --watch`,
the pre-push hook's checkout) installs its handler through here, so none can forget to restore what it replaced.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import FrameType

Handler = Callable[[int, FrameType | None], object]
Previous = Mapping[int, "signal._HANDLER"]
INTERRUPTS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def handled_by(handler: Handler, signums: tuple[int, ...] = INTERRUPTS) -> Iterator[Previous]:
    """Inside the block `signums` go to `handler`; yields the handlers it replaced, by signal number."""
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield previous
    finally:
        for signum, replaced in previous.items():
            signal.signal(signum, replaced)
