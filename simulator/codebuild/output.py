"""Command output arrives in chunks; the log wants whole lines (and masking wants whole secrets)."""

from __future__ import annotations

from collections.abc import Callable

# A line longer than this (a progress bar redrawn with \r, a minified file) is logged in pieces of at most this
# many bytes, so it shows up while it is being written and never costs more than linear time.
LONGEST_LINE = 64 * 1024
# How much of what follows a cut point the cut function gets to see: enough to tell most secret-looking tails
# from real secrets; a tail it cannot see through is treated as a secret that may still be arriving.
CUT_LOOKAHEAD = 4 * 1024

# `cut(text, limit)` returns where a piece of `text` may end, at most `limit` (characters): see Masker.safe_cut.
CutPoint = Callable[[str, int], int]


class LineSplitter:
    """Turns output chunks into lines; a line longer than LONGEST_LINE comes out in pieces.

    Pieces end on a character boundary, and where `cut` allows, so that a secret is never split over two pieces
    (each piece is masked on its own). Without `cut` a piece is cut at LONGEST_LINE bytes (or just before a
    character that would straddle it).
    """

    def __init__(self, emit: Callable[[str], None], cut: CutPoint | None = None) -> None:
        self._emit = emit
        self._cut = cut
        self._partial: list[bytes] = []
        self._partial_size = 0

    def feed(self, data: bytes) -> None:
        *complete, rest = data.split(b"\n")
        for line in complete:
            self._append(line)
            self._end_line()
        if rest:
            self._append(rest)
            if self._partial_size > LONGEST_LINE:
                self._emit_long_pieces()

    def flush(self) -> None:
        if self._partial_size:
            self._end_line()

    def _append(self, data: bytes) -> None:
        self._partial.append(data)
        self._partial_size += len(data)

    def _end_line(self) -> None:
        if self._partial_size > LONGEST_LINE:
            self._emit_long_pieces()
        line = b"".join(self._partial)
        self._partial, self._partial_size = [], 0
        self._emit(line.decode(errors="replace"))

    def _emit_long_pieces(self) -> None:
        """Emit pieces while more than LONGEST_LINE bytes wait; keep the rest, which may end in half a secret."""
        data = b"".join(self._partial)
        start = 0
        while len(data) - start > LONGEST_LINE:
            end = self._piece_end(data, start)
            self._emit(data[start:end].decode(errors="replace"))
            start = end
        rest = data[start:]
        self._partial, self._partial_size = [rest], len(rest)

    def _piece_end(self, data: bytes, start: int) -> int:
        """Where the piece starting at `start` ends: a byte offset in (start, start + LONGEST_LINE]."""
        limit_end = character_boundary(data, start + LONGEST_LINE, start)
        if self._cut is None:
            return limit_end
        lookahead_end = character_boundary(data, min(len(data), limit_end + CUT_LOOKAHEAD), limit_end)
        # surrogateescape keeps one character per undecodable byte, so a character index maps back to bytes exactly.
        head = data[start:limit_end].decode(errors="surrogateescape")
        text = head + data[limit_end:lookahead_end].decode(errors="surrogateescape")
        cut = self._cut(text, len(head))
        if not 0 < cut <= len(head):
            # A cut function that would give no progress (or overshoot) is not followed: the piece stays bounded.
            return limit_end
        return start + len(head[:cut].encode(errors="surrogateescape"))


def character_boundary(data: bytes, position: int, floor: int) -> int:
    """The largest offset <= `position` (and > `floor`) that does not cut a UTF-8 sequence in two.

    Only a sequence that is still valid so far counts: a cut through bytes that are invalid anyway changes nothing.
    """
    for lead in range(position - 1, max(floor, position - 4), -1):
        byte = data[lead]
        if byte & 0xC0 != 0x80:
            needed = _sequence_length(byte)
            continuation = data[lead + 1 : position]
            if needed > position - lead and all(b & 0xC0 == 0x80 for b in continuation):
                return lead
            return position
    return position


def _sequence_length(lead: int) -> int:
    if lead >= 0xF0:
        return 4 if lead <= 0xF4 else 1
    if lead >= 0xE0:
        return 3
    if lead >= 0xC2:
        return 2
    return 1


class Capture:
    """Collects a probe's output instead of logging it."""

    def __init__(self) -> None:
        self.data = bytearray()

    def __call__(self, data: bytes) -> None:
        self.data += data
