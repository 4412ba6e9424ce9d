"""A pipeline file loaded with its checks: the pipeline, or None when it does not load, and every diagnostic of the
file (load errors, or the checks' errors and warnings). The template's secrets go to the masker before anything is
printed. `pipeline run`, `approve`, `retry`, `validate` and the pre-push hook all load a pipeline this way."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.diagnostics import Diagnostic
from simulator.errors import InputError
from simulator.reporting.masking import Masker

if TYPE_CHECKING:  # the model only when a pipeline loads: `validate` of buildspecs alone never imports it
    from simulator.pipeline.model import Pipeline


@dataclass(frozen=True)
class Checked:
    pipeline: Pipeline | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def failed(self) -> bool:
        return self.pipeline is None or any(d.severity == "error" for d in self.diagnostics)


def load_checked(path: Path, parameters: dict[str, str], pipeline: str | None, masker: Masker) -> Checked:
    """The pipeline and every diagnostic of the file (load errors, or the checks' errors and warnings)."""
    # Imported here: the checks and the loaders are most of the pipeline package's start-up.
    from simulator.pipeline.checks import check_pipeline
    from simulator.pipeline.errors import PipelineFileError
    from simulator.pipeline.loader import load_pipeline

    if _missing(path):
        raise InputError(f"{path}: no such file.")
    try:
        loaded = load_pipeline(path, parameters, pipeline)
    except PipelineFileError as error:
        masker.add(parameters.values())  # a NoEcho value given on the command line is never echoed
        return Checked(None, error.diagnostics)
    masker.add(loaded.secret_values)
    return Checked(loaded, check_pipeline(loaded, repository_of(path)))


def repository_of(path: Path) -> Path:
    """The git repository the file is in (where a source action's revision comes from), else the current folder."""
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return Path.cwd()


def _missing(path: Path) -> bool:
    try:
        return not path.exists()
    except OSError:
        return False
