"""What every pipeline subcommand shares: the file, its template parameters, the pipeline to pick, and printing
what loading it found (simulator/pipeline/checked.py loads it), always masked."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.cli.current_repository import current_state
from simulator.errors import InputError
from simulator.reporting.masking import Masker

if TYPE_CHECKING:
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


def recorded_store(masker: Masker) -> PipelineStore:
    """The execution store of this repository, for commands that only read what pipeline runs recorded."""
    from simulator.pipeline.store import PipelineStore

    state = current_state()
    if not state.pipelines_db.exists():
        raise InputError(f"No pipeline has run here yet ({state.pipelines_db} does not exist).")
    return PipelineStore(state, masker=masker)
