"""What one build is asked to do, and what it hands back: the engine's whole public surface.

The request says what CodeBuild's StartBuild says (buildspec, sources, environment overrides, image, privileged
mode, timeout, initiator, project), never how a caller shows it; the command line and the pipeline both fill it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simulator.buildspec import LoadedBuildspec
from simulator.codebuild.parameters import LocalValues, ValueSource
from simulator.codebuild.phases import STOPPABLE_PHASES, PhaseType
from simulator.codebuild.result import BuildResult
from simulator.codebuild.upload import RequiredArtifacts
from simulator.config.flag_values import MAX_TIMEOUT_MINUTES
from simulator.container.image.names import DEFAULT_IMAGE
from simulator.errors import InputError

DEFAULT_TIMEOUT_MINUTES = 60.0
DEFAULT_GIT_CLONE_DEPTH = 1  # CodeBuild's default git clone depth
# CB §4.1: a source identifier becomes part of a variable name, CODEBUILD_SRC_DIR_<identifier>.
_SOURCE_IDENTIFIER = re.compile(r"[A-Za-z0-9_]{1,128}\Z")
# A pipeline's input artifact names (CP §1.2) may hold `-`: CodeBuild still sets
# CODEBUILD_SRC_DIR_<name>, which a shell cannot expand but `printenv` reads (CP §3 inputs 3); the request takes them.
_ARTIFACT_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}\Z")


@dataclass(frozen=True)
class BuildRequest:
    buildspec: LoadedBuildspec
    source: Path  # the primary source: CODEBUILD_SRC_DIR
    project: str
    initiator: str
    secondary_sources: Mapping[str, Path] = field(default_factory=dict)  # identifier -> folder
    # CODEBUILD_RESOLVED_SOURCE_VERSION when the caller knows it (a pipeline's source artifact has no .git);
    # by default the source folder's git HEAD.
    source_version: str | None = None
    environment_overrides: Mapping[str, str] = field(default_factory=dict)
    # StartBuild's PARAMETER_STORE and SECRETS_MANAGER overrides: variable -> parameter name / secret reference,
    # resolved from `value_source` as the buildspec's own are, masked as they are, and above the buildspec.
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    secret_overrides: Mapping[str, str] = field(default_factory=dict)
    # Where parameter-store and secrets-manager values come from: the local values file, or AWS (`--aws`).
    value_source: ValueSource = field(default_factory=LocalValues)
    image: str = DEFAULT_IMAGE  # the name the build reports (CODEBUILD_BUILD_IMAGE)
    image_map: Mapping[str, str] = field(default_factory=dict)  # curated name -> local image
    privileged: bool = False  # recorded; honoured once builds can run Docker
    timeout_minutes: float = DEFAULT_TIMEOUT_MINUTES
    git_clone_depth: int = DEFAULT_GIT_CLONE_DEPTH  # 0: the whole history
    mount_source: bool = False  # bind-mount the sources instead of copying them
    inject_host_ca: bool = True
    artifacts_dir: Path | None = None  # default: the build's folder in the state folder
    secondary_artifacts_dir: Path | None = None  # each at <folder>/<identifier>; default: in the build's folder
    required_artifacts: RequiredArtifacts = field(default_factory=RequiredArtifacts)  # what the caller will take
    # A local option CodeBuild has not (`run --phase`): the build ends after this buildspec phase, routed as usual.
    stop_after: PhaseType | None = None

    def __post_init__(self) -> None:
        if self.stop_after is not None and self.stop_after not in STOPPABLE_PHASES:
            raise InputError(f"A build can stop after a buildspec phase only, not after {self.stop_after.value}.")
        for identifier in self.secondary_sources:
            if not _ARTIFACT_NAME.match(identifier):
                check_source_identifier(identifier)  # says why
        check_timeout(self.timeout_minutes)
        if self.git_clone_depth < 0:
            raise InputError(f"The git clone depth {self.git_clone_depth} is negative: pass 0 (all) or more.")
        buildspec = self.buildspec.buildspec
        if buildspec.batch is not None and not buildspec.has_phases:
            raise InputError(
                f"The buildspec {self.buildspec.path} has only a batch section: it needs batch mode, which the "
                "simulator does not run yet; run the buildspec each batch task names instead."
            )
        check_no_nul({**buildspec.env.variables, **self.environment_overrides})
        typed = [*self.environment_overrides, *self.parameter_overrides, *self.secret_overrides]
        twice = sorted({name for name in typed if typed.count(name) > 1})
        if twice:
            raise InputError(f"The override {twice[0]} is given with two types: give each variable once.")


@dataclass(frozen=True)
class BuildOutcome:
    result: BuildResult
    build_dir: Path  # build.log, summary.json
    exported_variables: Mapping[str, str]
    artifacts_dir: Path | None  # the primary artifact's files, None when the build saved none
    secondary_artifacts: Mapping[str, Path]  # identifier -> folder
    host_problems: tuple[str, ...] = ()  # what went wrong on the host's side (a full disk): one sentence each


@dataclass(frozen=True)
class FailedCommand:
    """The build's first failing command: where it went wrong, and where a shell stepping into it starts."""

    phase: PhaseType
    command: str
    user: str | None  # the `run-as` user it ran as; None for root
    state_saved: bool  # its variables and working directory, at the failure, were set aside (version 0.2)


@dataclass(frozen=True)
class FinishedContainer:
    """A build's container after the build ended and was recorded, before it is removed."""

    name: str
    shell: tuple[str, ...]  # the command, inside the container, that opens a shell in the build's state
    failed_command: FailedCommand | None


# Called once the build's record is written, with its container still there and its removal still registered;
# True keeps the container after the build (`run --keep`), False lets it go as usual.
ContainerHandler = Callable[[BuildResult, FinishedContainer], bool]


@dataclass(frozen=True)
class BuildOptions:
    """How a caller runs a build, beside what the build is asked (the request) and what the process shares."""

    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)  # the host's environment
    # When given, gets the build's container once the build is recorded (to open a shell in it, or keep it).
    on_container: ContainerHandler | None = None


def check_source_identifier(identifier: str) -> None:
    if not _SOURCE_IDENTIFIER.match(identifier):
        raise InputError(
            f"The source identifier {identifier!r} is not valid: use letters, digits and underscores only "
            f"(it becomes the variable CODEBUILD_SRC_DIR_<identifier>)."
        )


def check_no_nul(variables: Mapping[str, str]) -> None:
    """A NUL cannot be in a process's environment: Docker would refuse the container, quoting every variable."""
    for name, value in variables.items():
        if "\x00" in value:
            raise InputError(f"The variable {name} holds a NUL character, which no environment can carry: remove it.")


def check_timeout(minutes: float) -> None:
    if not 0 < minutes <= MAX_TIMEOUT_MINUTES:
        raise InputError(
            f"The timeout {minutes:g} minutes is out of range: pass more than 0 and at most "
            f"{MAX_TIMEOUT_MINUTES:g} minutes (CodeBuild's limit)."
        )
