"""The question a gate asks at a terminal, while watching for an answer given from another terminal (CP §1.12).

The person types `a` (approve) or `r` (reject), then a summary of at most 512 characters (PutApprovalResult's
limit; an empty one is allowed, as the API allows). While nobody has typed anything, the prompt looks every
`poll_seconds` for an answer recorded elsewhere (`pipeline approve` in another terminal) and takes it. The gate's
expiry and a stop request end the wait without an answer.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TextIO

MAX_SUMMARY = 512  # PutApprovalResult's summary: 0 to 512 characters


class Stop(Protocol):
    """What ends the wait without an answer: the run's cancel token, or the gate closing (superseded)."""

    @property
    def cancelled(self) -> bool: ...


@dataclass(frozen=True)
class Wait:
    """How long the question waits: until `cancel` or `expires_at` (on `clock`), looking for an answer given
    elsewhere every `poll_seconds` while nobody types."""

    cancel: Stop
    expires_at: float
    poll_seconds: float = 0.5
    clock: Callable[[], float] = time.time


@dataclass(frozen=True)
class Answer:
    approved: bool
    summary: str
    by: str


class _Lines:
    """Line reading from a file descriptor that can give up waiting: select, then os.read."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""
        self.closed = False

    def next(self, wait_seconds: float) -> str | None:
        if b"\n" not in self._buffer and not self.closed:
            ready, _, _ = select.select([self._fd], [], [], wait_seconds)
            if ready:
                chunk = os.read(self._fd, 4096)
                self._buffer += chunk
                self.closed = not chunk
        if b"\n" in self._buffer or (self.closed and self._buffer):
            line, _, self._buffer = self._buffer.partition(b"\n")
            return line.decode(errors="replace").rstrip("\r")
        return None


def ask(
    question: str,
    *,
    answers_from: int,
    to: TextIO,
    elsewhere: Callable[[], Answer | None],
    by: str,
    wait: Wait,
) -> Answer | None:
    """The answer, or None when the gate expired, the run was stopped or the terminal closed."""
    cancel, expires_at, poll_seconds, clock = wait.cancel, wait.expires_at, wait.poll_seconds, wait.clock
    lines = _Lines(answers_from)
    decision: bool | None = None
    _say(to, f"{question} [a]pprove / [r]eject: ")
    while not cancel.cancelled and clock() < expires_at:
        recorded = elsewhere()
        if recorded is not None and decision is None:
            _say(to, f"\nAnswered elsewhere by {recorded.by}: {'approved' if recorded.approved else 'rejected'}.\n")
            return recorded
        line = lines.next(poll_seconds)
        if line is None:
            if lines.closed:
                break
            continue
        if decision is None:
            decision = _decision(line)
            if decision is None:
                _say(to, "Type a to approve or r to reject: ")
                continue
            _say(to, f"Summary for the {'approval' if decision else 'rejection'} (up to {MAX_SUMMARY} characters): ")
            continue
        if len(line) > MAX_SUMMARY:
            _say(to, f"The summary has {len(line)} characters; at most {MAX_SUMMARY}, please: ")
            continue
        return Answer(decision, line, by)
    _say(to, "\n")  # the question stays unanswered: what ended the wait is said on a line of its own
    return None


def _decision(line: str) -> bool | None:
    word = line.strip().lower()
    if word in ("a", "approve", "approved", "y", "yes"):
        return True
    if word in ("r", "reject", "rejected", "n", "no"):
        return False
    return None


def _say(to: TextIO, text: str) -> None:
    to.write(text)
    to.flush()
