"""CodeBuild's phases, statuses and failure routing (CB §3): pure data and functions."""

from __future__ import annotations

from enum import StrEnum

from simulator.buildspec.on_failure import OnFailure, OnFailureMode


class PhaseType(StrEnum):
    SUBMITTED = "SUBMITTED"
    QUEUED = "QUEUED"
    PROVISIONING = "PROVISIONING"
    DOWNLOAD_SOURCE = "DOWNLOAD_SOURCE"
    INSTALL = "INSTALL"
    PRE_BUILD = "PRE_BUILD"
    BUILD = "BUILD"
    POST_BUILD = "POST_BUILD"
    UPLOAD_ARTIFACTS = "UPLOAD_ARTIFACTS"
    FINALIZING = "FINALIZING"
    COMPLETED = "COMPLETED"


class Status(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    FAULT = "FAULT"
    TIMED_OUT = "TIMED_OUT"
    IN_PROGRESS = "IN_PROGRESS"
    STOPPED = "STOPPED"


ORDER: tuple[PhaseType, ...] = tuple(PhaseType)

# The buildspec's own phases, in the order they run, with their YAML names.
COMMAND_PHASES: dict[PhaseType, str] = {
    PhaseType.INSTALL: "install",
    PhaseType.PRE_BUILD: "pre_build",
    PhaseType.BUILD: "build",
    PhaseType.POST_BUILD: "post_build",
}

# CB §3.2: where a build goes when a phase fails and the phase sets no `on-failure`.
_DEFAULT_ROUTE_ON_FAILURE: dict[PhaseType, PhaseType] = {
    PhaseType.PROVISIONING: PhaseType.FINALIZING,
    PhaseType.DOWNLOAD_SOURCE: PhaseType.FINALIZING,
    PhaseType.INSTALL: PhaseType.FINALIZING,
    PhaseType.PRE_BUILD: PhaseType.FINALIZING,
    PhaseType.BUILD: PhaseType.POST_BUILD,
    PhaseType.POST_BUILD: PhaseType.UPLOAD_ARTIFACTS,
    PhaseType.UPLOAD_ARTIFACTS: PhaseType.FINALIZING,
    PhaseType.FINALIZING: PhaseType.COMPLETED,
}


def following(phase: PhaseType) -> PhaseType:
    return ORDER[ORDER.index(phase) + 1]


def next_phase(phase: PhaseType, status: Status, on_failure: OnFailure | None = None) -> PhaseType:
    """The phase that runs after `phase` ended with `status`.

    CB §2: CONTINUE goes on to the next phase; ABORT ends the build (POST_BUILD and
    UPLOAD_ARTIFACTS are skipped, inferred). RETRY forms are parsed but not simulated yet: they take the
    default route, as if no `on-failure` were set.
    """
    if status is Status.SUCCEEDED or phase is PhaseType.FINALIZING:
        return following(phase)
    if status in (Status.TIMED_OUT, Status.STOPPED):
        return PhaseType.FINALIZING
    mode = on_failure.mode if on_failure else None
    if mode is OnFailureMode.CONTINUE:
        return following(phase)
    if mode is OnFailureMode.ABORT:
        return PhaseType.FINALIZING
    return _DEFAULT_ROUTE_ON_FAILURE[phase]


# `run --phase PHASE`: the buildspec phases one may stop after (CodeBuild itself has no such option).
STOPPABLE_PHASES: tuple[PhaseType, ...] = tuple(COMMAND_PHASES)
_CUT_BY_STOP = frozenset({*COMMAND_PHASES, PhaseType.UPLOAD_ARTIFACTS})


def cut_after(upcoming: PhaseType, stop_after: PhaseType | None) -> PhaseType:
    """The phase that runs instead of `upcoming` when the build is to end after `stop_after`.

    The phases up to `stop_after` are routed as CodeBuild routes them (a failure still skips what it skips);
    a buildspec phase or UPLOAD_ARTIFACTS past it does not run, and the build goes to FINALIZING, which
    always runs (it freezes the exported variables).
    """
    if stop_after is None or upcoming not in _CUT_BY_STOP:
        return upcoming
    return PhaseType.FINALIZING if ORDER.index(upcoming) > ORDER.index(stop_after) else upcoming
