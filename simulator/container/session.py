"""What the build needs from a container, as a narrow Protocol: the phase machine depends on this only."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import IO, Protocol

from simulator.container.protocol import AgentRequest

OutputSink = Callable[[bytes], None]
StopCheck = Callable[[], bool]


@dataclass(frozen=True)
class CommandOutcome:
    exit_status: int
    started: float  # time.time() seconds
    finished: float

    def __bool__(self) -> bool:
        return self.exit_status == 0


class DeadlineReached(Exception):
    """The build's time ran out while a command was running; the container is no longer usable."""


class StopRequested(Exception):
    """The build's owner asked it to stop (its cancel token) while the session was waiting."""


class SessionLost(Exception):
    """The container or its agent ended while a command was running."""


class Session(Protocol):
    def run(
        self, request: AgentRequest, on_output: OutputSink, deadline: float | None, stop: StopCheck | None = None
    ) -> CommandOutcome:
        """Run one script through the agent; stream its output to `on_output` as it comes.

        Raises DeadlineReached once the deadline passes, StopRequested as soon as `stop()` turns true (checked
        at least every 50 ms while waiting); the command is still running then, until `recover`.
        """
        ...

    def write_file(self, path: str, content: bytes) -> None:
        """Put one file into the container (its folder exists)."""
        ...

    def open_file(self, path: str) -> AbstractContextManager[IO[bytes]]:
        """One regular file inside the container, readable without holding it all in memory."""
        ...

    def recover(self, timeout: float) -> bool:
        """End whatever command is still running so the session takes requests again; False if it cannot."""
        ...
