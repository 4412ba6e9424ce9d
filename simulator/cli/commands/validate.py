"""`simulator validate FILE...`: check buildspecs and pipeline files (a CloudFormation template or a native
stages/*.yml, told apart by their content) without Docker, as `FILE:LINE:COL: error: message` lines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from simulator.buildspec import BuildspecError, load_buildspec
from simulator.cli.commands.pipeline.options import add_template_options, load_checked
from simulator.diagnostics import FORMATS, Diagnostic, render
from simulator.errors import InputError
from simulator.reporting.masking import Masker


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate", help="check buildspecs and pipeline files without running them (no Docker needed)"
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=tuple(FORMATS), default="text")
    add_template_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, masker: Masker) -> int:
    from simulator.pipeline.loader import file_kind  # the pipeline package only when validate runs

    diagnostics: list[Diagnostic] = []
    for path in args.files:
        if file_kind(path) == "other":
            diagnostics += check(path)
        else:
            diagnostics += load_checked(path, dict(args.parameter), args.pipeline, masker).diagnostics
    sys.stdout.write(masker.mask(render(diagnostics, args.format)))
    return 1 if any(d.severity == "error" for d in diagnostics) else 0


def check(path: Path) -> list[Diagnostic]:
    """Every error and warning of one file, in file order: warnings are shown even when there are errors."""
    if _missing(path):
        return [Diagnostic(path, 1, 1, "error", "file not found")]
    try:
        return list(load_buildspec(path).warnings)
    except BuildspecError as error:
        return sorted((*error.diagnostics, *error.warnings), key=lambda d: (d.line, d.column))
    except InputError as error:
        return [Diagnostic(path, 1, 1, "error", str(error))]


def _missing(path: Path) -> bool:
    try:
        return not path.exists()
    except OSError:
        return False  # the loader says why it cannot be read (a name too long, a loop of links)
