"""The wire format between the host and the in-container agent (see agent.sh): pure, no Docker here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

RECORD_SEPARATOR = b"\x1e"


class EnvMode(StrEnum):
    INHERIT = "inherit"  # the container's environment, as the image and `docker create` set it
    CLEAN = "clean"  # an empty environment: the script restores the saved shell session itself


def handshake(nonce: str) -> bytes:
    """The agent's first line: the nonce of its end markers, sent where no other process can read it."""
    if not nonce.isalnum():
        raise ValueError("the nonce must be letters and digits only")
    return f"{nonce}\n".encode()


@dataclass(frozen=True)
class AgentRequest:
    """One script for the agent to run."""

    request_id: int
    script: str
    shell: str = "sh"
    user: str | None = None
    env_mode: EnvMode = EnvMode.INHERIT

    def encode(self) -> bytes:
        lines = self.script.split("\n")
        user = self.user or "-"
        if " " in self.shell or " " in user:
            raise ValueError("shell and user names cannot contain spaces")
        header = f"{self.request_id} {self.env_mode.value} {self.shell} {user} {len(lines)}"
        return ("\n".join([header, *lines]) + "\n").encode()


@dataclass(frozen=True)
class Output:
    data: bytes


@dataclass(frozen=True)
class Finished:
    request_id: int
    exit_status: int


StreamEvent = Output | Finished


class ReplyParser:
    """Splits the agent's output stream into command output and end-of-command markers.

    The marker may arrive split across reads, so a tail that could be the start of one is held back
    until the next read decides it.
    """

    def __init__(self, nonce: str) -> None:
        self._prefix = b"\n" + RECORD_SEPARATOR + nonce.encode() + b" "
        self._marker = re.compile(re.escape(self._prefix) + rb"(\d+) (\d+)" + RECORD_SEPARATOR + b"\n")
        self._pending = b""
        # A held-back newline already handed out as output (`release`): it stays at the head of `_pending` so
        # that a marker can still start with it, but is never handed out twice.
        self._released = False

    def feed(self, data: bytes) -> list[StreamEvent]:
        self._pending += data
        events: list[StreamEvent] = []
        while True:
            match = self._marker.search(self._pending)
            if match is None:
                break
            if match.start():
                events.append(Output(self._unreleased(self._pending[: match.start()])))
            events.append(Finished(int(match.group(1)), int(match.group(2))))
            self._pending = self._pending[match.end() :]
            self._released = False
        held = self._held_back_length()
        ready = self._pending[: len(self._pending) - held]
        if ready:
            output = self._unreleased(ready)
            if output:
                events.append(Output(output))
            self._pending = self._pending[len(ready) :]
        return [event for event in events if not isinstance(event, Output) or event.data]

    def release(self) -> list[StreamEvent]:
        """Nothing more came for a while: a line's held-back newline is handed out, so the line shows now.

        Only a lone newline is released (a command printing a line, then working on); a longer tail is a marker
        on its way. If a marker does follow, it still starts with this newline, which is not handed out again.
        """
        if self._pending != b"\n" or self._released:
            return []
        self._released = True
        return [Output(b"\n")]

    def _unreleased(self, data: bytes) -> bytes:
        if self._released:
            self._released = False
            return data[1:]  # the newline handed out by release()
        return data

    def flush(self) -> bytes:
        """What is left when the stream ends (the agent died mid-command)."""
        rest, self._pending = self._pending, b""
        return rest

    def _held_back_length(self) -> int:
        """Length of the longest tail of the pending bytes that could still grow into a marker."""
        start = self._pending.rfind(b"\n")
        if start < 0:
            return 0
        tail = self._pending[start:]
        if tail.startswith(self._prefix[: len(tail)]) or tail.startswith(self._prefix):
            return len(tail)
        return 0
