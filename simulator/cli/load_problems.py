"""Printing what loading a file found (its errors and warnings, as `FILE:LINE:COL: severity: message` lines on
stderr), always through the masker: a message may quote a value of the file, and the file may hold a secret the
masker already knows (a NoEcho parameter, a credential given with --env). Every command prints load problems here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from simulator.diagnostics import Diagnostic, render
from simulator.reporting.masking import Masker


def print_load_problems(diagnostics: Iterable[Diagnostic], masker: Masker) -> None:
    sys.stderr.write(masker.mask(render(list(diagnostics), "text")))
