"""Command output arrives in chunks; the log wants whole lines (and masking wants whole secrets)."""

from __future__ import annotations

from collections.abc import Callable


class LineSplitter:
    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._partial = b""

    def feed(self, data: bytes) -> None:
        *complete, self._partial = (self._partial + data).split(b"\n")
        for line in complete:
            self._emit(line.decode(errors="replace"))

    def flush(self) -> None:
        if self._partial:
            partial, self._partial = self._partial, b""
            self._emit(partial.decode(errors="replace"))


class Capture:
    """Collects a probe's output instead of logging it."""

    def __init__(self) -> None:
        self.data = bytearray()

    def __call__(self, data: bytes) -> None:
        self.data += data
