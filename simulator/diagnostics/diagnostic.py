"""One problem found in a file the user wrote, at a 1-based line and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    path: Path
    line: int
    column: int
    severity: Severity
    message: str
    # Which check found it (`buildspec/runtime-version`, ...), for formats that group by rule (SARIF). Not part of
    # equality: the same problem found by two paths (a buildspec named twice) is one problem.
    rule: str = field(default="", compare=False)

    def format(self) -> str:
        """`FILE:LINE:COL: severity: message`, the text format's line."""
        return f"{printable(str(self.path))}:{self.line}:{self.column}: {self.severity}: {printable(self.message)}"


def quote(name: str) -> str:
    """A name the user wrote, quoted for a message: 'name', with control characters escaped as repr does.

    A key may hold a newline, a CR or an ANSI escape; unescaped, it would forge a diagnostic line of its own
    or garble the terminal.
    """
    return repr(name)


def printable(text: str) -> str:
    """The text with every character that is not printable escaped; printable text is left exactly as it is.

    The last guard before a line is printed: messages quote names already, but a path or a library's message
    may still hold a control character.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
