"""The pipeline as CodePipeline sees it, whichever file it came from (CP §1, CP §2).

Both loaders (the CloudFormation template and the native `stages/*.yml`) produce these frozen values; the checks,
the planner and the executor read nothing else. Every element keeps where it was written (`Where`), so a check can
point at the line a person has to change. Values are already resolved from the template (no `!Ref` left); they may
still hold CodePipeline's own `#{Namespace.Key}` references, resolved only when an execution reaches them (CP §1.7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

DEFAULT_RUN_ORDER = 1  # CP §1.5
DEFAULT_BUILDSPEC = "buildspec.yml"  # CB §1.1: a project without BuildSpec reads this
DEFAULT_APPROVAL_TIMEOUT_MINUTES = 7 * 24 * 60  # CP §1.12: the account default, 7 days


@dataclass(frozen=True)
class Where:
    """A position in the user's file, 1-based, for diagnostics."""

    path: Path
    line: int = 1
    column: int = 1


# Where the parts of an element were written, keyed by their CloudFormation names as a dotted path
# ("RunOrder", "InputArtifacts.1", "Configuration.ProjectName"), whichever format the file is in: a check points
# at the very value a person has to change, and at the element itself for anything not listed.
Locations = Mapping[str, Where]


def _located(locations: Locations, fallback: Where, parts: tuple[str | int, ...]) -> Where:
    return locations.get(".".join(str(part) for part in parts), fallback)


class PipelineType(StrEnum):
    V1 = "V1"
    V2 = "V2"


class ExecutionMode(StrEnum):
    SUPERSEDED = "SUPERSEDED"  # the default (CP §1.10)
    QUEUED = "QUEUED"  # V2 only
    PARALLEL = "PARALLEL"  # V2 only


class Category(StrEnum):
    SOURCE = "Source"
    BUILD = "Build"
    TEST = "Test"
    DEPLOY = "Deploy"
    INVOKE = "Invoke"
    APPROVAL = "Approval"
    COMPUTE = "Compute"


class VariableType(StrEnum):
    """A CodeBuild environment variable's type (CP §1.8, CP §2.2)."""

    PLAINTEXT = "PLAINTEXT"
    PARAMETER_STORE = "PARAMETER_STORE"
    SECRETS_MANAGER = "SECRETS_MANAGER"


@dataclass(frozen=True)
class ActionType:
    """`ActionTypeId` (CP §1.3): e.g. Build / AWS / CodeBuild / 1."""

    category: Category
    owner: str
    provider: str
    version: str = "1"

    def __str__(self) -> str:
        return f"{self.category.value}/{self.owner}/{self.provider}/{self.version}"


@dataclass(frozen=True)
class EnvironmentVariable:
    name: str
    value: str
    type: VariableType = VariableType.PLAINTEXT


@dataclass(frozen=True)
class CodeBuildProject:
    """The parts of an `AWS::CodeBuild::Project` a local build needs (CP §2)."""

    name: str
    where: Where
    # `Source.BuildSpec`: a path relative to the primary source, or the buildspec's text itself (CP §2.1); None means
    # the default `buildspec.yml` at the primary source's root.
    buildspec: str | None = None
    buildspec_is_inline: bool = False
    image: str = "aws/codebuild/standard:7.0"
    environment_variables: tuple[EnvironmentVariable, ...] = ()
    privileged: bool = False
    timeout_minutes: int = 60
    buildspec_where: Where | None = None  # where `buildspec` was written, when it was


@dataclass(frozen=True)
class Action:
    name: str
    type: ActionType
    where: Where
    run_order: int = DEFAULT_RUN_ORDER
    # Configuration values are strings (CP §1.3); booleans and numbers written in YAML arrive as their text.
    configuration: Mapping[str, str] = field(default_factory=dict)
    input_artifacts: tuple[str, ...] = ()
    output_artifacts: tuple[str, ...] = ()
    namespace: str | None = None
    timeout_minutes: int | None = None  # manual approval only (CP §1.3, CP §1.12)
    region: str | None = None
    # A CodeBuild action's project, resolved by the loader from `Configuration.ProjectName`; None otherwise, or
    # when the project is not defined in the file (a check reports that).
    project: CodeBuildProject | None = None
    locations: Locations = field(default_factory=dict)

    def at(self, *parts: str | int) -> Where:
        return _located(self.locations, self.where, parts)

    @property
    def is_source(self) -> bool:
        return self.type.category is Category.SOURCE

    @property
    def is_approval(self) -> bool:
        return self.type.category is Category.APPROVAL and self.type.provider == "Manual"

    @property
    def is_codebuild(self) -> bool:
        return self.type.provider == "CodeBuild" and self.type.category in (Category.BUILD, Category.TEST)

    @property
    def primary_source(self) -> str | None:
        """CP §1.8: `PrimarySource`, or the only input."""
        given = self.configuration.get("PrimarySource")
        if given:
            return given
        return self.input_artifacts[0] if len(self.input_artifacts) == 1 else None


@dataclass(frozen=True)
class Stage:
    name: str
    actions: tuple[Action, ...]
    where: Where
    # V2 stage conditions present (`BeforeEntry`, `OnSuccess`, `OnFailure`), kept so a check can flag them on V1.
    conditions: tuple[str, ...] = ()
    locations: Locations = field(default_factory=dict)

    def at(self, *parts: str | int) -> Where:
        return _located(self.locations, self.where, parts)

    def run_order_groups(self) -> tuple[tuple[Action, ...], ...]:
        """CP §1.5: actions by ascending RunOrder; one group's actions run in parallel."""
        orders = sorted({action.run_order for action in self.actions})
        return tuple(tuple(a for a in self.actions if a.run_order == order) for order in orders)

    def action(self, name: str) -> Action:
        for action in self.actions:
            if action.name == name:
                return action
        raise KeyError(name)


@dataclass(frozen=True)
class PipelineVariable:
    """A V2 pipeline-level variable, `#{variables.Name}` (CP §1.7)."""

    name: str
    default: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Pipeline:
    name: str
    stages: tuple[Stage, ...]
    where: Where
    pipeline_type: PipelineType = PipelineType.V1
    execution_mode: ExecutionMode = ExecutionMode.SUPERSEDED
    variables: tuple[PipelineVariable, ...] = ()
    # Values a NoEcho template parameter resolved to: masked like secrets wherever they appear.
    secret_values: tuple[str, ...] = ()
    # V2 triggers (CP §1.9), by the source action each names (`GitConfiguration.SourceActionName`).
    triggers: tuple[str, ...] = ()
    locations: Locations = field(default_factory=dict)

    def at(self, *parts: str | int) -> Where:
        return _located(self.locations, self.where, parts)

    def actions(self) -> tuple[tuple[Stage, Action], ...]:
        return tuple((stage, action) for stage in self.stages for action in stage.actions)

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)
