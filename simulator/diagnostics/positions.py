"""Point a location in a converted YAML document (or a pydantic error about it) at its line and column."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic_core import ErrorDetails
from yaml.nodes import Node

from simulator.diagnostics.diagnostic import Diagnostic, Severity
from simulator.diagnostics.yaml_source import Loc, NodeRef, is_blank


class Positions:
    """Where each location of one document is in its file, for diagnostics about that file."""

    def __init__(self, path: Path, nodes: Mapping[Loc, NodeRef]) -> None:
        self.path = path
        self.nodes = nodes

    def at(self, loc: Loc, severity: Severity, message: str, *, at_key: bool = False) -> Diagnostic:
        """At the value of `loc`, or its key when `at_key` (or when the value is blank and has no text)."""
        # A missing key has no node of its own: point at the mapping that should have held it.
        while loc not in self.nodes:
            loc, at_key = loc[:-1], False
        return self.at_node(_pick(self.nodes[loc], at_key), severity, message)

    def at_node(self, node: Node, severity: Severity, message: str) -> Diagnostic:
        mark = node.start_mark
        return Diagnostic(self.path, mark.line + 1, mark.column + 1, severity, message)


def error_location(error: ErrorDetails) -> tuple[Loc, bool]:
    """The location a pydantic error is about, and whether it is about the key rather than the value."""
    loc = tuple(error["loc"])
    # pydantic marks an error in a mapping's key (not its value) with a trailing "[key]".
    in_key = loc[-1:] == ("[key]",)
    loc = loc[:-1] if in_key else loc
    return loc, in_key or error["type"] == "extra_forbidden"


def _pick(ref: NodeRef, at_key: bool) -> Node:
    if ref.key is not None and (at_key or is_blank(ref.value)):
        return ref.key
    return ref.value
