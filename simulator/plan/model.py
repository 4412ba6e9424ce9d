"""A plan as frozen data: what would run, in what order, with what, and nothing that could hold a secret.

Secret values never enter a plan: a parameter-store or secrets-manager variable is `***` with the name it is read
from, so neither a plan nor a diff of two plans can show one. `<...>` in a value marks a part CodeBuild chooses when
the build starts (its id, number, start time, source folder).
"""

from __future__ import annotations

from dataclasses import dataclass

SECRET = "***"


@dataclass(frozen=True)
class Variable:
    name: str
    value: str  # SECRET for parameter-store and secrets-manager values
    origin: str  # "CodeBuild", "host", "buildspec", "parameter-store NAME", "--env", "project", "action", ...
    # Set by the buildspec, the project, the action or the user, not by CodeBuild or the host: what --diff compares
    # (CodeBuild's own variables follow from the image and project options, which are compared themselves).
    declared: bool = True


@dataclass(frozen=True)
class PhasePlan:
    name: str  # the buildspec's name: install, pre_build, build, post_build
    commands: tuple[str, ...]
    finally_: tuple[str, ...] = ()
    run_as: str | None = None
    on_failure: str | None = None  # as written
    runtime_versions: tuple[tuple[str, str], ...] = ()
    # Variables that earlier commands assign (version 0.2 keeps one shell session, CB §1.2): their values are known
    # only when the build runs, so only their names are given.
    assigned_before: tuple[str, ...] = ()


@dataclass(frozen=True)
class Files:
    """An artifact's or a report group's files, as the buildspec names them."""

    paths: tuple[str, ...]
    base_directory: str | None = None
    discard_paths: bool = False
    exclude_paths: tuple[str, ...] = ()
    name: str | None = None  # an artifact's name, shell syntax evaluated at the end of the build


@dataclass(frozen=True)
class ReportPlan:
    group: str
    file_format: str
    files: Files


@dataclass(frozen=True)
class BuildPlan:
    path: str
    version: str
    image: str  # the name the build reports (CODEBUILD_BUILD_IMAGE)
    local_image: str  # the image it runs in here
    project: str
    privileged: bool
    timeout_minutes: float
    shell: str | None
    run_as: str | None
    environment: tuple[Variable, ...]  # what every command of the first phase starts with, by name
    exported_variables: tuple[str, ...]
    phases: tuple[PhasePlan, ...]
    reports: tuple[ReportPlan, ...]
    artifacts: Files | None
    secondary_artifacts: tuple[tuple[str, Files], ...]
    cache_paths: tuple[str, ...]
    notes: tuple[str, ...] = ()  # what the plan cannot show (a batch section, ...)


@dataclass(frozen=True)
class GatePlan:
    timeout_minutes: int
    custom_data: str | None = None
    link: str | None = None
    notification: str | None = None


@dataclass(frozen=True)
class ProjectPlan:
    name: str
    buildspec: str  # a path relative to the primary source, or "inline buildspec"
    image: str
    timeout_minutes: int
    privileged: bool


@dataclass(frozen=True)
class ActionPlan:
    name: str
    type: str  # Category/Owner/Provider/Version
    run_order: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    namespace: str | None = None
    primary_source: str | None = None  # named only when the action has several inputs
    project: ProjectPlan | None = None
    environment: tuple[Variable, ...] = ()  # the project's variables overridden by the action's (CP §1.8)
    gate: GatePlan | None = None
    skipped: bool = False  # no local equivalent: skipped when the pipeline runs here
    configuration: tuple[tuple[str, str], ...] = ()  # what the other fields do not show, by key


@dataclass(frozen=True)
class StagePlan:
    name: str
    actions: tuple[ActionPlan, ...]  # by run order, then as written


@dataclass(frozen=True)
class PipelinePlan:
    path: str
    name: str
    pipeline_type: str
    execution_mode: str
    variables: tuple[tuple[str, str | None], ...]  # V2 pipeline variables and their defaults
    stages: tuple[StagePlan, ...]


Plan = BuildPlan | PipelinePlan


def action_label(stage: str, action: str) -> str:
    """`Stage/Action`, or the one name when a stage's action is named after it (the platform's one-action stages)."""
    return stage if stage == action else f"{stage}/{action}"
