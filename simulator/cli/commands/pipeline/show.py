"""`simulator pipeline show FILE`: the pipeline as the simulator reads it, checked, without running anything."""

from __future__ import annotations

import argparse
from typing import Any

from simulator.cli.commands.pipeline.options import add_file_options, pipeline_file
from simulator.cli.load_problems import print_load_problems
from simulator.errors import ExitCode
from simulator.pipeline.checked import load_checked
from simulator.pipeline.views.show import describe
from simulator.reporting.masking import Masker


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "show",
        help="print the stages, actions, artifact flow, namespaces and gates (no Docker needed)",
        description="Print a pipeline's stages, actions with their run order, the artifact flow, namespaces and "
        "approval gates. Errors are listed as FILE:LINE:COL lines and exit with 2.",
        examples=("python -m simulator pipeline show examples/pipeline-template.yml",),
    )
    add_file_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, masker: Masker) -> int:
    checked = load_checked(pipeline_file(args), dict(args.parameter), args.pipeline, masker)
    print_load_problems(checked.diagnostics, masker)
    if checked.failed or checked.pipeline is None:
        return int(ExitCode.BAD_INPUT)
    print(masker.mask("\n".join(describe(checked.pipeline))))
    return int(ExitCode.SUCCEEDED)
