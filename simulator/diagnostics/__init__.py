"""What every loader of the user's files shares: diagnostics, the position-keeping YAML source, the mapping of
pydantic errors to file positions, safe reading of the files, and the one formatter that prints diagnostics."""

from simulator.diagnostics import rules
from simulator.diagnostics.diagnostic import Diagnostic, Severity, printable, quote
from simulator.diagnostics.formatter import FORMATS, render
from simulator.diagnostics.positions import Positions, error_location
from simulator.diagnostics.pydantic_messages import common_message
from simulator.diagnostics.source_file import MAX_FILE_BYTES, UnreadableFile, read_text
from simulator.diagnostics.yaml_compose import BASE_NODE_BUDGET, MAX_DEPTH, YamlSourceError, compose
from simulator.diagnostics.yaml_source import (
    Loc,
    NodeRef,
    SourceDocument,
    SourceProblem,
    Tagged,
    crumb,
    describe,
    is_blank,
    to_document,
)

__all__ = [
    "BASE_NODE_BUDGET",
    "FORMATS",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "Diagnostic",
    "Loc",
    "NodeRef",
    "Positions",
    "Severity",
    "SourceDocument",
    "SourceProblem",
    "Tagged",
    "UnreadableFile",
    "YamlSourceError",
    "common_message",
    "compose",
    "crumb",
    "describe",
    "error_location",
    "is_blank",
    "printable",
    "quote",
    "read_text",
    "render",
    "rules",
    "to_document",
]
