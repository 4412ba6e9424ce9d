"""How image work talks to the user: a progress callback for long steps, one-line texts for errors."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str], None]

REBUILD_HINT = "python -m simulator image build"


def one_line(value: object) -> str:
    """An engine's or a tool's message on one line, so it fits inside a sentence."""
    return " ".join(str(value).split())
