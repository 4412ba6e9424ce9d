"""GitHub Actions workflow commands: one `::error` or `::warning` annotation per diagnostic.

`::error file=F,line=L,col=C,title=T::message`, escaped as the Actions toolkit does (its `command.ts`): in the
message `%`, CR and LF; in a property also `:` and `,`, which would otherwise end the property. GitHub places an
annotation by its path relative to the repository; a file outside it keeps the path as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from simulator.diagnostics.diagnostic import Diagnostic
from simulator.diagnostics.locations import relative_to_root

_DATA_ESCAPES = (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"))
_PROPERTY_ESCAPES = (*_DATA_ESCAPES, (":", "%3A"), (",", "%2C"))


def github_annotations(diagnostics: Sequence[Diagnostic], root: Path) -> str:
    return "".join(f"{annotation(diagnostic, root)}\n" for diagnostic in diagnostics)


def annotation(diagnostic: Diagnostic, root: Path) -> str:
    relative = relative_to_root(diagnostic.path, root)
    properties = {
        "file": str(relative) if relative is not None else str(diagnostic.path),
        "line": str(diagnostic.line),
        "col": str(diagnostic.column),
        "title": diagnostic.rule or "simulator",
    }
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{diagnostic.severity} {listed}::{escape_data(diagnostic.message)}"


def escape_data(text: str) -> str:
    return _escape(text, _DATA_ESCAPES)


def escape_property(text: str) -> str:
    return _escape(text, _PROPERTY_ESCAPES)


def _escape(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
    # `%` first, so the escapes written after it are not escaped again.
    for char, replacement in escapes:
        text = text.replace(char, replacement)
    return text
