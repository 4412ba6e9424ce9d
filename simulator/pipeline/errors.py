"""The one error a pipeline file raises when it cannot become a model: every problem found, with its position."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from simulator.diagnostics import Diagnostic, printable, rules
from simulator.errors import InputError
from simulator.pipeline.model import Where


class PipelineFileError(InputError):
    """`diagnostics` (never empty) holds every error found, in file order."""

    def __init__(self, path: Path, diagnostics: Iterable[Diagnostic]) -> None:
        self.path = path
        self.diagnostics = in_file_order(diagnostics)
        count = len(self.diagnostics)
        plural = "" if count == 1 else "s"
        super().__init__(
            f"{printable(str(path))} has {count} error{plural}; fix the pipeline and run again. "
            f"First: {self.diagnostics[0].format()}"
        )


def in_file_order(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=lambda d: (str(d.path), d.line, d.column)))


def error_at(where: Where, message: str, rule: str = rules.PIPELINE_STRUCTURE) -> Diagnostic:
    return Diagnostic(where.path, where.line, where.column, "error", message, rule)


def warning_at(where: Where, message: str, rule: str = rules.PIPELINE_STRUCTURE) -> Diagnostic:
    return Diagnostic(where.path, where.line, where.column, "warning", message, rule)
