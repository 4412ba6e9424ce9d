"""`simulator validate [FILE...]`: check buildspecs and pipeline files (a CloudFormation template or a native
stages/*.yml, told apart by their content) without Docker, as `FILE:LINE:COL: error: message` lines, or as JSON,
GitHub annotations or SARIF.

With no FILE, every build file of the repository around the current folder (see validation/discovery.py), and
every buildspec a pipeline's CodeBuild project names. Beyond each file's schema: what a buildspec asks of its
image (runtimes, users, shell) and what a pipeline needs from the buildspecs it runs (outputs, exported variables).
A buildspec is judged against the image of the projects that run it, or `run`'s default image when none does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from simulator.cli.commands.pipeline.options import add_template_options
from simulator.cli.current_repository import current_repository
from simulator.diagnostics import FORMATS, render
from simulator.reporting.masking import Masker
from simulator.validation.validator import Validation

EXAMPLES = (
    "python -m simulator validate                                   # every build file of this repository",
    "python -m simulator validate --format github --strict          # in a GitHub Actions job",
    "python -m simulator validate --format sarif > validate.sarif   # for code scanning",
    "python -m simulator validate buildspecs/buildspec-dev.yml stages/pipeline.yml",
)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check buildspecs and pipeline files without running them (no Docker needed)",
        description="Check buildspecs and pipeline files without running them (no Docker needed).",
        examples=EXAMPLES,
    )
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="a buildspec or pipeline file (default: every build file of the repository around the current folder)",
    )
    parser.add_argument("--format", choices=tuple(FORMATS), default="text")
    parser.add_argument("--strict", action="store_true", help="warnings are errors (and fail with exit 1)")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="with no FILE, skip files whose path from the repository's root matches (repeatable), e.g. 'tests/*'",
    )
    add_template_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, masker: Masker) -> int:
    root = current_repository()
    validation = Validation(masker, dict(args.parameter), args.pipeline)
    if args.files:
        validation.files(args.files)
    else:
        validation.repository(root, args.exclude)
    diagnostics = validation.diagnostics(strict=args.strict)
    sys.stdout.write(masker.mask(render(diagnostics, args.format, root)))
    return 1 if any(d.severity == "error" for d in diagnostics) else 0
