"""How diagnostics are printed: one function per output format, chosen by name (`validate --format`).

A format turns the whole list into the text to print, so formats that wrap the list in one document (json, sarif)
and formats of one line per diagnostic (text, github) have the same shape. `root` is the repository the files are
in: formats read by a code host (github, sarif) name files relative to it, as the host does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from simulator.diagnostics.diagnostic import Diagnostic
from simulator.diagnostics.github import github_annotations
from simulator.diagnostics.sarif import sarif_log

Format = Callable[[Sequence[Diagnostic], Path], str]


def _text(diagnostics: Sequence[Diagnostic], _root: Path) -> str:
    return "".join(f"{diagnostic.format()}\n" for diagnostic in diagnostics)


def _json(diagnostics: Sequence[Diagnostic], _root: Path) -> str:
    # json.dumps escapes control characters itself, so names and paths are kept exactly as written.
    return json.dumps([as_json(diagnostic) for diagnostic in diagnostics], indent=2) + "\n"


def as_json(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "file": str(diagnostic.path),
        "line": diagnostic.line,
        "column": diagnostic.column,
        "severity": diagnostic.severity,
        "message": diagnostic.message,
        "rule": diagnostic.rule,
    }


def _sarif(diagnostics: Sequence[Diagnostic], root: Path) -> str:
    return json.dumps(sarif_log(diagnostics, root), indent=2) + "\n"


FORMATS: dict[str, Format] = {"text": _text, "json": _json, "github": github_annotations, "sarif": _sarif}


def render(diagnostics: Sequence[Diagnostic], format_name: str, root: Path | None = None) -> str:
    """The text to print for `diagnostics` in the named format (one of FORMATS); `root` defaults to the current
    folder."""
    return FORMATS[format_name](diagnostics, Path.cwd() if root is None else root)
