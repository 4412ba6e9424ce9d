"""Printing what loading a file found (its errors and warnings, as `FILE:LINE:COL: severity: message` lines on
stderr), always through the masker: a message may quote a value of the file, and the file may hold a secret the
masker already knows (a NoEcho parameter, a credential given with --env). Every command prints load problems here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from simulator.buildspec import BuildspecError, LoadedBuildspec, load_buildspec
from simulator.diagnostics import Diagnostic, render
from simulator.reporting.masking import Masker


def print_load_problems(diagnostics: Iterable[Diagnostic], masker: Masker) -> None:
    sys.stderr.write(masker.mask(render(list(diagnostics), "text")))


def load_buildspec_reporting(path: Path, masker: Masker) -> LoadedBuildspec:
    """The buildspec, its warnings printed; when it does not load, every error and warning printed before the
    error goes on up (`run` and `plan` load a buildspec so)."""
    try:
        loaded = load_buildspec(path)
    except BuildspecError as error:
        print_load_problems((*error.diagnostics, *error.warnings), masker)
        raise
    print_load_problems(loaded.warnings, masker)
    return loaded
