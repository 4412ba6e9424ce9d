"""Loading a pipeline file the way `validate` does, its diagnostics as `LINE:COL: severity: message` lines."""

from __future__ import annotations

from pathlib import Path

from simulator.pipeline.checks import check_pipeline
from simulator.pipeline.errors import PipelineFileError
from simulator.pipeline.loader import load_pipeline
from tests.conftest import FIXTURES

CASES = FIXTURES / "pipeline"


def short(diagnostics: object) -> list[str]:
    return [f"{d.line}:{d.column}: {d.severity}: {d.message}" for d in diagnostics]  # type: ignore[attr-defined]


def problems(path: Path, parameters: dict[str, str] | None = None, pipeline: str | None = None) -> list[str]:
    """Load errors, or else the checks' errors and warnings, with the file's folder as the repository."""
    try:
        loaded = load_pipeline(path, parameters, pipeline)
    except PipelineFileError as error:
        assert all(d.path == path for d in error.diagnostics)
        return short(error.diagnostics)
    return short(check_pipeline(loaded, path.parent))


def write(folder: Path, text: str, name: str = "pipeline.yml") -> Path:
    path = folder / name
    path.write_text(text)
    return path
