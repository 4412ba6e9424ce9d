"""What the engine needs to report an event: a name and fields. structlog's bound loggers satisfy it; tests
pass a list-backed one. Each event's wording lives in simulator.reporting.render.TEMPLATES."""

from __future__ import annotations

from typing import Protocol


class EventLog(Protocol):
    def info(self, event: str, **fields: object) -> object: ...
