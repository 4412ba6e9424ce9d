"""`simulator validate FILE...`: check buildspecs without Docker, as `FILE:LINE:COL: error: message` lines."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from simulator.buildspec import BuildspecError, Diagnostic, load_buildspec
from simulator.errors import InputError
from simulator.reporting.masking import Masker


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("validate", help="check buildspecs without running them (no Docker needed)")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, _masker: Masker) -> int:
    diagnostics: list[Diagnostic] = []
    for path in args.files:
        diagnostics += check(path)
    if args.format == "json":
        print(json.dumps([_as_json(d) for d in diagnostics], indent=2))
    else:
        for diagnostic in diagnostics:
            print(diagnostic.format())
    return 1 if any(d.severity == "error" for d in diagnostics) else 0


def check(path: Path) -> list[Diagnostic]:
    if not path.is_file():
        return [Diagnostic(path, 1, 1, "error", "file not found")]
    try:
        return list(load_buildspec(path).warnings)
    except BuildspecError as error:
        return list(error.diagnostics)
    except InputError as error:
        return [Diagnostic(path, 1, 1, "error", str(error))]


def _as_json(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "file": str(diagnostic.path),
        "line": diagnostic.line,
        "column": diagnostic.column,
        "severity": diagnostic.severity,
        "message": diagnostic.message,
    }
