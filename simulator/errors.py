"""The user-facing error family and the one exit-code table.

The package raises these; only the command line turns them into a sentence and an exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    SUCCEEDED = 0
    BUILD_FAILED = 1  # FAILED or TIMED_OUT
    BAD_INPUT = 2  # bad arguments, invalid buildspec, file missing
    BAD_ENVIRONMENT = 3  # no Docker engine, image missing and cannot be built
    AWAITING_APPROVAL = 4  # a pipeline stopped at a gate nobody could answer here (no terminal, --no-input)
    SUPERSEDED = 5  # a pipeline execution a newer one took the place of (CP §1.10)
    STOPPED = 130  # Ctrl-C / SIGTERM


class SimulatorError(Exception):
    """An error the user can act on; its message is one sentence saying what to do."""

    exit_code: ExitCode = ExitCode.BAD_INPUT
    # What the sentence starts with on stderr; an error made of `FILE:LINE:COL: error: ...` lines has none.
    prefix = "error: "


class InputError(SimulatorError):
    """The user's input (flag, file, buildspec) is wrong."""

    exit_code = ExitCode.BAD_INPUT


class EnvironmentProblem(SimulatorError):
    """The machine is not ready: no Docker engine, no image and no way to build it."""

    exit_code = ExitCode.BAD_ENVIRONMENT
