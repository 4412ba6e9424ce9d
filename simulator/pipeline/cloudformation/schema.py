"""The shapes of the two resources the simulator reads, after intrinsic functions are evaluated (CP §1.1-§1.3, CP §2).

The pipeline's properties are checked as CloudFormation's resource schema checks them: an unknown property is an
error, as `Encountered unsupported property` is in a real stack. A CodeBuild project has dozens of properties the
simulator has no use for (logs, VPC, cache): only the ones it reads are checked, the rest are allowed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from simulator.pipeline import model
from simulator.pipeline.schema_errors import RULE_ERROR


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Open(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


class ArtifactRef(_Strict):
    Name: str


class OutputArtifactRef(_Strict):
    Name: str
    Files: tuple[str, ...] | None = None


class ActionTypeIdDeclaration(_Strict):
    Category: model.Category
    Owner: Literal["AWS", "ThirdParty", "Custom"]
    Provider: str
    Version: str


class ActionDeclaration(_Strict):
    Name: str
    ActionTypeId: ActionTypeIdDeclaration
    RunOrder: int = 1
    Configuration: dict[str, object] | str | None = None
    InputArtifacts: tuple[ArtifactRef, ...] = ()
    OutputArtifacts: tuple[OutputArtifactRef, ...] = ()
    Namespace: str | None = None
    Region: str | None = None
    RoleArn: str | None = None
    TimeoutInMinutes: int | None = None
    # The V2 Commands action's own keys: accepted, as CloudFormation does; its provider is reported by the checks.
    Commands: tuple[str, ...] | None = None
    OutputVariables: tuple[str, ...] | None = None
    EnvironmentVariables: tuple[dict[str, object], ...] | None = None


class StageDeclaration(_Strict):
    Name: str
    Actions: tuple[ActionDeclaration, ...] = Field(min_length=1)
    Blockers: object = None
    BeforeEntry: object = None
    OnSuccess: object = None
    OnFailure: object = None


class VariableDeclaration(_Strict):
    Name: str
    DefaultValue: str | None = None
    Description: str = ""


class GitConfigurationDeclaration(_Open):
    SourceActionName: str


class Trigger(_Strict):
    ProviderType: str
    GitConfiguration: GitConfigurationDeclaration


class PipelineProperties(_Strict):
    RoleArn: str
    Stages: tuple[StageDeclaration, ...]
    ArtifactStore: dict[str, object] | None = None
    ArtifactStores: tuple[dict[str, object], ...] | None = None
    Name: str | None = None
    PipelineType: model.PipelineType | None = None
    ExecutionMode: model.ExecutionMode | None = None
    DisableInboundStageTransitions: tuple[dict[str, object], ...] | None = None
    RestartExecutionOnUpdate: bool | None = None
    Triggers: tuple[Trigger, ...] = ()
    Variables: tuple[VariableDeclaration, ...] = ()
    Tags: object = None

    @model_validator(mode="after")
    def _one_artifact_store(self) -> PipelineProperties:
        # CP §1.1: exactly one of ArtifactStore and ArtifactStores (requiredXor).
        if (self.ArtifactStore is None) == (self.ArtifactStores is None):
            raise PydanticCustomError(RULE_ERROR, "needs exactly one of ArtifactStore and ArtifactStores")
        return self


class ProjectVariable(_Strict):
    Name: str
    Value: str
    Type: model.VariableType = model.VariableType.PLAINTEXT


class ProjectEnvironmentDeclaration(_Open):
    Image: str
    EnvironmentVariables: tuple[ProjectVariable, ...] = ()
    PrivilegedMode: bool = False


class ProjectSourceDeclaration(_Open):
    Type: str
    BuildSpec: str | None = None


class ProjectProperties(_Open):
    Name: str | None = None
    Source: ProjectSourceDeclaration
    Environment: ProjectEnvironmentDeclaration
    # CP §2.3: 5-2160 minutes today, 60 by default.
    TimeoutInMinutes: int = Field(60, ge=5, le=2160)
