"""The native pipeline format: a small YAML file in `stages/` for teams without a CloudFormation template.

It keeps CodePipeline's words (stages, actions, run order, namespaces, input and output artifacts) and drops its
ceremony: an action says what it is with `kind` (source, build, test, approval, deploy) instead of an
`ActionTypeId`, and a build names its buildspec, image and timeout itself instead of through a separate CodeBuild
project. Keys are lowercase with dashes, as in a buildspec. An example, the platform's, is `stages/pipeline.yml`:

    name: shop-pipeline
    stages:
      - name: Source
        actions:
          - {name: Source, kind: source, provider: GitHub, outputs: [SourceOutput], namespace: SourceVariables}
      - name: Build
        actions:
          - name: Build
            kind: build
            buildspec: buildspecs/buildspec-dev.yml
            inputs: [SourceOutput]
            env:
              COMMIT_ID: '#{SourceVariables.CommitId}'
              DB_PASSWORD: {parameter-store: /shop/dev/db-password}

Choices: `env` holds the action's environment variables (CodePipeline's `EnvironmentVariables`, so `#{...}`
references resolve in them and they win over the buildspec's); a build's project is named by `project`, or after
the action. A build in a deploy stage (Terraform, say) is `kind: build`; `kind: deploy` is for CodePipeline's
deploy providers (S3, CloudFormation, CodeDeploy, ECS...). Every unknown key is an error, with a suggestion.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from simulator.diagnostics import Loc, Positions, SourceDocument
from simulator.pipeline import model
from simulator.pipeline.buildspec_text import is_inline
from simulator.pipeline.errors import PipelineFileError
from simulator.pipeline.schema_errors import RULE_ERROR, Wording, all_keys, validate

KINDS = ("source", "build", "test", "approval", "deploy")
SOURCE_PROVIDERS = ("CodeStarSourceConnection", "GitHub", "CodeCommit", "S3", "ECR")


class _Native(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class EnvValue(_Native):
    """A variable's value: text, or `{parameter-store: NAME}`, or `{secrets-manager: ID}` (CP §1.8's types)."""

    text: str | None = None
    parameter_store: str | None = Field(None, alias="parameter-store")
    secrets_manager: str | None = Field(None, alias="secrets-manager")

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        # Plain text is written as itself; one model for all three keeps pydantic to one error per mistake.
        return {"text": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one(self) -> EnvValue:
        if sum(value is not None for value in (self.text, self.parameter_store, self.secrets_manager)) != 1:
            raise PydanticCustomError(RULE_ERROR, "must be text, {parameter-store: NAME} or {secrets-manager: ID}")
        return self


class _Action(_Native):
    name: str
    run_order: int = Field(model.DEFAULT_RUN_ORDER, alias="run-order")
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    namespace: str | None = None


class SourceAction(_Action):
    kind: Literal["source"]
    provider: Literal["CodeStarSourceConnection", "GitHub", "CodeCommit", "S3", "ECR"] = "CodeStarSourceConnection"
    configuration: dict[str, str] = {}


class BuildAction(_Action):
    kind: Literal["build", "test"]
    project: str | None = None
    buildspec: str | None = None
    image: str = "aws/codebuild/standard:7.0"
    timeout: int = Field(60, ge=5, le=2160)
    privileged: bool = False
    env: dict[str, EnvValue] = {}
    primary_source: str | None = Field(None, alias="primary-source")


class ApprovalAction(_Action):
    kind: Literal["approval"]
    custom_data: str | None = Field(None, alias="custom-data")
    external_link: str | None = Field(None, alias="external-link")
    notification_arn: str | None = Field(None, alias="notification-arn")
    timeout: int | None = None


class DeployAction(_Action):
    kind: Literal["deploy"]
    provider: str
    configuration: dict[str, str] = {}


AnyAction = Annotated[SourceAction | BuildAction | ApprovalAction | DeployAction, Field(discriminator="kind")]


class NativeStage(_Native):
    name: str
    actions: tuple[AnyAction, ...] = Field(min_length=1)


class NativeVariable(_Native):
    name: str
    default: str | None = None
    description: str = ""


class NativePipeline(_Native):
    name: str
    pipeline_type: model.PipelineType = Field(model.PipelineType.V1, alias="pipeline-type")
    execution_mode: model.ExecutionMode = Field(model.ExecutionMode.SUPERSEDED, alias="execution-mode")
    variables: tuple[NativeVariable, ...] = ()
    stages: tuple[NativeStage, ...]


_KEYS = all_keys(
    NativePipeline, NativeStage, NativeVariable, SourceAction, BuildAction, ApprovalAction, DeployAction, EnvValue
)

_CATEGORIES = {
    "source": model.Category.SOURCE,
    "build": model.Category.BUILD,
    "test": model.Category.TEST,
    "approval": model.Category.APPROVAL,
    "deploy": model.Category.DEPLOY,
}


def is_native(data: object) -> bool:
    return isinstance(data, dict) and "stages" in data and "phases" not in data


def native_from_document(document: SourceDocument, path: Path) -> model.Pipeline:
    positions = Positions(path, document.nodes)
    errors = [positions.at_node(problem.node, "error", problem.message) for problem in document.problems]
    checked = validate(NativePipeline, document.data, positions, wording=Wording(_KEYS, translate=_without_kind))
    if isinstance(checked, list):
        raise PipelineFileError(path, [*errors, *checked])
    if errors:
        raise PipelineFileError(path, errors)
    return _Builder(positions).pipeline(checked)


def _without_kind(loc: Loc) -> Loc:
    """A tagged union puts the tag into pydantic's location (`actions.0.build.image`): take it out again."""
    parts = list(loc)
    for index in range(len(parts) - 2):
        if parts[index] == "actions" and isinstance(parts[index + 1], int) and parts[index + 2] in KINDS:
            del parts[index + 2]
            break
    return tuple(parts)


class _Builder:
    def __init__(self, positions: Positions) -> None:
        self.positions = positions

    def where(self, loc: Loc, *, at_key: bool = False) -> model.Where:
        diagnostic = self.positions.at(loc, "error", "", at_key=at_key)
        return model.Where(diagnostic.path, diagnostic.line, diagnostic.column)

    def pipeline(self, checked: NativePipeline) -> model.Pipeline:
        locations = {
            "Name": self.where(("name",)),
            "PipelineType": self.where(("pipeline-type",)),
            "ExecutionMode": self.where(("execution-mode",)),
            "Variables": self.where(("variables",), at_key=True),
        }
        locations |= {f"Variables.{i}": self.where(("variables", i, "name")) for i in range(len(checked.variables))}
        return model.Pipeline(
            name=checked.name,
            stages=tuple(self.stage(("stages", index), stage) for index, stage in enumerate(checked.stages)),
            where=self.where(()),
            pipeline_type=checked.pipeline_type,
            execution_mode=checked.execution_mode,
            variables=tuple(model.PipelineVariable(v.name, v.default, v.description) for v in checked.variables),
            locations=locations,
        )

    def stage(self, base: Loc, stage: NativeStage) -> model.Stage:
        return model.Stage(
            name=stage.name,
            actions=tuple(self.action((*base, "actions", i), action) for i, action in enumerate(stage.actions)),
            where=self.where(base),
            locations={"Name": self.where((*base, "name"))},
        )

    def action(self, base: Loc, action: SourceAction | BuildAction | ApprovalAction | DeployAction) -> model.Action:
        keys: dict[str, Loc] = {
            "Name": ("name",),
            "RunOrder": ("run-order",),
            "Namespace": ("namespace",),
            "ActionTypeId": ("kind",),
            "ActionTypeId.Provider": ("provider",) if isinstance(action, SourceAction | DeployAction) else ("kind",),
            "TimeoutInMinutes": ("timeout",),
            "Configuration.ProjectName": ("project",) if getattr(action, "project", None) else ("kind",),
            "Configuration.PrimarySource": ("primary-source",),
            "Configuration.EnvironmentVariables": ("env",),
            "Configuration.CustomData": ("custom-data",),
            "Configuration.ExternalEntityLink": ("external-link",),
            "Configuration.NotificationArn": ("notification-arn",),
        }
        keys |= {f"InputArtifacts.{i}": ("inputs", i) for i in range(len(action.inputs))}
        keys |= {f"OutputArtifacts.{i}": ("outputs", i) for i in range(len(action.outputs))}
        if isinstance(action, SourceAction | DeployAction):
            keys |= {f"Configuration.{key}": ("configuration", key) for key in action.configuration}
        where = self.where(base)
        configuration, project, timeout = self._specifics(base, action, where)
        return model.Action(
            name=action.name,
            type=_action_type(action),
            where=where,
            run_order=action.run_order,
            configuration=configuration,
            input_artifacts=action.inputs,
            output_artifacts=action.outputs,
            namespace=action.namespace,
            timeout_minutes=timeout,
            project=project,
            locations={key: self.where((*base, *loc)) for key, loc in keys.items()},
        )

    def _specifics(
        self, base: Loc, action: SourceAction | BuildAction | ApprovalAction | DeployAction, where: model.Where
    ) -> tuple[dict[str, str], model.CodeBuildProject | None, int | None]:
        if isinstance(action, BuildAction):
            name = action.project or action.name
            configuration = {"ProjectName": name}
            if action.primary_source is not None:
                configuration["PrimarySource"] = action.primary_source
            if action.env:
                configuration["EnvironmentVariables"] = _variables_json(action.env)
            project = model.CodeBuildProject(
                name=name,
                where=where,
                buildspec=action.buildspec,
                buildspec_is_inline=action.buildspec is not None and is_inline(action.buildspec),
                image=action.image,
                privileged=action.privileged,
                timeout_minutes=action.timeout,
                buildspec_where=self.where((*base, "buildspec")) if action.buildspec is not None else None,
            )
            return configuration, project, None
        if isinstance(action, ApprovalAction):
            given = {
                "CustomData": action.custom_data,
                "ExternalEntityLink": action.external_link,
                "NotificationArn": action.notification_arn,
            }
            return {key: value for key, value in given.items() if value is not None}, None, action.timeout
        return dict(action.configuration), None, None


def _action_type(action: SourceAction | BuildAction | ApprovalAction | DeployAction) -> model.ActionType:
    category = _CATEGORIES[action.kind]
    if isinstance(action, SourceAction):
        # CP §1.4: GitHub (version 1, OAuth) is the one third-party source provider.
        owner = "ThirdParty" if action.provider == "GitHub" else "AWS"
        return model.ActionType(category, owner, action.provider)
    if isinstance(action, BuildAction):
        return model.ActionType(category, "AWS", "CodeBuild")
    if isinstance(action, ApprovalAction):
        return model.ActionType(category, "AWS", "Manual")
    return model.ActionType(category, "AWS", action.provider)


def _variables_json(env: dict[str, EnvValue]) -> str:
    """CP §1.8: CodePipeline's `EnvironmentVariables`, the JSON text the CodeBuild action reads."""
    entries = []
    for name, value in env.items():
        if value.parameter_store is not None:
            entries.append({"name": name, "value": value.parameter_store, "type": "PARAMETER_STORE"})
        elif value.secrets_manager is not None:
            entries.append({"name": name, "value": value.secrets_manager, "type": "SECRETS_MANAGER"})
        else:
            entries.append({"name": name, "value": str(value.text), "type": "PLAINTEXT"})
    return json.dumps(entries, separators=(",", ":"))
