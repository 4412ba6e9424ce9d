"""Command output arrives in chunks; the log wants whole lines (and masking wants whole secrets)."""

from __future__ import annotations

from collections.abc import Callable

# A line longer than this (a progress bar redrawn with \r, a minified file) is logged in pieces of this size,
# so it shows up while it is being written and never costs more than linear time.
LONGEST_LINE = 64 * 1024


class LineSplitter:
    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._partial: list[bytes] = []
        self._partial_size = 0

    def feed(self, data: bytes) -> None:
        *complete, rest = data.split(b"\n")
        for line in complete:
            self._partial.append(line)
            self._emit_partial()
        if rest:
            self._partial.append(rest)
            self._partial_size += len(rest)
            if self._partial_size >= LONGEST_LINE:
                self._emit_partial()

    def flush(self) -> None:
        if self._partial_size:
            self._emit_partial()

    def _emit_partial(self) -> None:
        line = b"".join(self._partial)
        self._partial, self._partial_size = [], 0
        self._emit(line.decode(errors="replace"))


class Capture:
    """Collects a probe's output instead of logging it."""

    def __init__(self) -> None:
        self.data = bytearray()

    def __call__(self, data: bytes) -> None:
        self.data += data
