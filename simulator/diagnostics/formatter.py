"""How diagnostics are printed: one function per output format, chosen by name (`validate --format`).

A format turns the whole list into the text to print, so formats that wrap the list in one document (json, a
future sarif) and formats of one line per diagnostic (text, a future github) have the same shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from simulator.diagnostics.diagnostic import Diagnostic


def _text(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(f"{diagnostic.format()}\n" for diagnostic in diagnostics)


def _json(diagnostics: Sequence[Diagnostic]) -> str:
    # json.dumps escapes control characters itself, so names and paths are kept exactly as written.
    return json.dumps([as_json(diagnostic) for diagnostic in diagnostics], indent=2) + "\n"


def as_json(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "file": str(diagnostic.path),
        "line": diagnostic.line,
        "column": diagnostic.column,
        "severity": diagnostic.severity,
        "message": diagnostic.message,
    }


FORMATS: dict[str, Callable[[Sequence[Diagnostic]], str]] = {"text": _text, "json": _json}


def render(diagnostics: Sequence[Diagnostic], format_name: str) -> str:
    """The text to print for `diagnostics` in the named format (one of FORMATS)."""
    return FORMATS[format_name](diagnostics)
