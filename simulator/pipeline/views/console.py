"""Several builds on one console: each line labelled with the stage and action it came from.

As `docker compose` prefixes each service's lines, a pipeline's text lines read `BuildDev/Unit | ...`; its JSON
events carry `stage` and `action` fields. Actions run on threads at once, so the console is written under a lock,
one whole line at a time.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, MutableMapping
from typing import Any, TextIO

from simulator.reporting.render import Renderer


def labelled_text(render: Renderer, stage: str, action: str) -> Renderer:
    label = f"{stage}/{action} | "

    def line(event_dict: MutableMapping[str, Any]) -> str | None:
        text = render(event_dict)
        return None if text is None else label + text

    return line


def labelled_json(render: Renderer, stage: str, action: str) -> Renderer:
    def line(event_dict: MutableMapping[str, Any]) -> str | None:
        return render({**event_dict, "stage": stage, "action": action})

    return line


class SharedConsole:
    """A stream many threads write whole lines to; `write` and `flush` never interleave two lines."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._clock = clock
        self._written_at = clock()
        self.name = getattr(stream, "name", "<console>")

    def write(self, text: str) -> int:
        with self._lock:
            self._written_at = self._clock()
            return self._stream.write(text)

    def quiet_for(self) -> float:
        """Seconds since the last write: live progress speaks only into a quiet console."""
        with self._lock:
            return self._clock() - self._written_at

    def flush(self) -> None:
        with self._lock:
            self._stream.flush()


def pipeline_line(text: str, *, json_events: bool, stage: str | None = None, action: str | None = None) -> str:
    """One line of the pipeline's own (not a build's): as text, or with `--log-format json` as one JSON event,
    so that every line on a JSON console parses."""
    if not json_events:
        return text + "\n"
    record: dict[str, object] = {"event": "pipeline", "line": text, "time": time.time()}
    if stage is not None:
        record.update(stage=stage, action=action)
    return json.dumps(record) + "\n"
