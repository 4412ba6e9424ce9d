"""What every pipeline subcommand shares: the file, its template parameters, the pipeline to pick, and loading
it with its checks, secrets handed to the masker before anything is printed."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.cli.here import current_state
from simulator.diagnostics import Diagnostic, render
from simulator.errors import InputError
from simulator.reporting.masking import Masker

if TYPE_CHECKING:
    from simulator.pipeline.model import Pipeline
    from simulator.pipeline.store import PipelineStore


def add_file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        nargs="?",
        type=Path,
        metavar="FILE",
        help="a CloudFormation template or a stages/*.yml file (default: `pipeline` in .simulator.yml, or "
        "SIMULATOR_PIPELINE_FILE)",
    )
    add_template_options(parser)


def pipeline_file(args: argparse.Namespace) -> Path:
    """FILE, or the project's default pipeline file (simulator/config): one of them is needed."""
    if args.file is None:
        raise InputError(
            "Which pipeline? Pass FILE, or name it once as `pipeline: FILE` in .simulator.yml "
            "(or SIMULATOR_PIPELINE_FILE)."
        )
    return Path(args.file)


def add_template_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        type=parameter,
        metavar="KEY=VALUE",
        help="a template parameter's value (repeatable); also AWS::Region, AWS::AccountId, AWS::StackName",
    )
    parser.add_argument("--pipeline", metavar="LOGICAL_ID", help="the pipeline to use when a template has several")


def parameter(text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    if not equals or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key, value


@dataclass(frozen=True)
class Checked:
    pipeline: Pipeline | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def failed(self) -> bool:
        return self.pipeline is None or any(d.severity == "error" for d in self.diagnostics)


def load_checked(path: Path, parameters: dict[str, str], pipeline: str | None, masker: Masker) -> Checked:
    """The pipeline and every diagnostic of the file (load errors, or the checks' errors and warnings)."""
    # Imported here: loading the pipeline package costs a `run` of a buildspec a third of its start-up.
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


def print_diagnostics(diagnostics: tuple[Diagnostic, ...], masker: Masker) -> None:
    sys.stderr.write(masker.mask(render(diagnostics, "text")))


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


def recorded_store(masker: Masker) -> PipelineStore:
    """The execution store of this repository, for commands that only read what pipeline runs recorded."""
    from simulator.pipeline.store import PipelineStore

    state = current_state()
    if not state.pipelines_db.exists():
        raise InputError(f"No pipeline has run here yet ({state.pipelines_db} does not exist).")
    return PipelineStore(state, masker=masker)
