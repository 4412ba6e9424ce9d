"""The pipeline model from an evaluated template: the `AWS::CodePipeline::Pipeline` resource and the
`AWS::CodeBuild::Project` resources its CodeBuild actions name (CP §1.1-§1.3, CP §1.8, CP §2, CP §6)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from pydantic_core import ErrorDetails

from simulator.diagnostics import Diagnostic, Loc, crumb, quote
from simulator.pipeline import model
from simulator.pipeline.buildspec_text import is_inline
from simulator.pipeline.cloudformation import schema
from simulator.pipeline.cloudformation.intrinsics import UNRESOLVED, Evaluator
from simulator.pipeline.cloudformation.source import Resource, TemplateSource
from simulator.pipeline.errors import PipelineFileError, error_at
from simulator.pipeline.schema_errors import Wording, all_keys, validate

PIPELINE_TYPE = "AWS::CodePipeline::Pipeline"
PROJECT_TYPE = "AWS::CodeBuild::Project"

_PIPELINE_KEYS = all_keys(
    schema.PipelineProperties,
    schema.StageDeclaration,
    schema.ActionDeclaration,
    schema.ActionTypeIdDeclaration,
    schema.OutputArtifactRef,
    schema.VariableDeclaration,
    schema.Trigger,
)
_CONDITION_KEYS = ("BeforeEntry", "OnSuccess", "OnFailure")


def build(source: TemplateSource, evaluator: Evaluator, chosen: str | None) -> model.Pipeline:
    resource = _pick_pipeline(source, evaluator, chosen)
    prefix: Loc = ("Resources", resource.logical_id, "Properties")
    properties = evaluator.value(resource.properties, prefix)
    checked = validate(
        schema.PipelineProperties,
        properties,
        source.positions,
        prefix,
        wording=Wording(_PIPELINE_KEYS, named=lambda loc: _named(resource.logical_id, loc), skip=_unresolved),
    )
    errors = list(evaluator.errors)
    if isinstance(checked, list):
        raise PipelineFileError(source.path, _unique([*errors, *checked]))
    projects = _Projects(source, evaluator)
    pipeline = _Pipeline(source, resource, checked, projects).pipeline()
    errors = [*evaluator.errors, *projects.errors]
    if errors:
        raise PipelineFileError(source.path, _unique(errors))
    return pipeline


def _pick_pipeline(source: TemplateSource, evaluator: Evaluator, chosen: str | None) -> Resource:
    candidates = [
        resource
        for resource in source.resources.values()
        if resource.type == PIPELINE_TYPE and _exists(resource, source, evaluator)
    ]
    names = ", ".join(resource.logical_id for resource in candidates)
    top = model.Where(source.path)
    if chosen is not None:
        for resource in candidates:
            if resource.logical_id == chosen:
                return resource
        found = f"its pipelines are {names}" if candidates else "it defines none"
        raise PipelineFileError(source.path, [error_at(top, f"the template has no pipeline {quote(chosen)}; {found}")])
    if not candidates:
        message = f"the template defines no {PIPELINE_TYPE} resource"
        raise PipelineFileError(source.path, [*evaluator.errors, error_at(source.where(("Resources",)), message)])
    if len(candidates) > 1:
        message = f"the template defines {len(candidates)} pipelines ({names}): pick one with --pipeline LOGICAL_ID"
        raise PipelineFileError(source.path, [error_at(source.where(("Resources",), at_key=True), message)])
    return candidates[0]


def _exists(resource: Resource, source: TemplateSource, evaluator: Evaluator) -> bool:
    """A resource whose Condition is false is not created (CloudFormation's `Condition` attribute)."""
    if resource.condition is None:
        return True
    where = source.where(("Resources", resource.logical_id, "Condition"))
    return evaluator.condition(resource.condition, where) is not False


def _unresolved(error: ErrorDetails) -> bool:
    return error["input"] is UNRESOLVED


def _named(logical_id: str, loc: Loc) -> str:
    return f"{logical_id}.{crumb(loc)}" if loc else logical_id


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(diagnostics))


def configuration_text(value: object) -> str:
    """CP §1.3: configuration values are strings; YAML's booleans and numbers are already their text here."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return json.dumps(value, separators=(",", ":"))


class _Projects:
    """The CodeBuild projects of the template, each evaluated once, when an action names it."""

    def __init__(self, source: TemplateSource, evaluator: Evaluator) -> None:
        self.source = source
        self.evaluator = evaluator
        self.errors: list[Diagnostic] = []
        self._built: dict[str, model.CodeBuildProject | None] = {}

    def named(self, name: str) -> model.CodeBuildProject | None:
        """The project `ProjectName` names (its physical name, or its logical id); None if there is none."""
        for resource in self.source.resources.values():
            if resource.type != PROJECT_TYPE or not _exists(resource, self.source, self.evaluator):
                continue
            if name in (self.evaluator.physical_name(resource.logical_id), resource.logical_id):
                if resource.logical_id not in self._built:
                    self._built[resource.logical_id] = self._build(resource)
                return self._built[resource.logical_id]
        return None

    def _build(self, resource: Resource) -> model.CodeBuildProject | None:
        prefix: Loc = ("Resources", resource.logical_id, "Properties")
        properties = self.evaluator.value(resource.properties, prefix)
        checked = validate(
            schema.ProjectProperties,
            properties,
            self.source.positions,
            prefix,
            wording=Wording(named=lambda loc: _named(resource.logical_id, loc), skip=_unresolved),
        )
        if isinstance(checked, list):
            self.errors.extend(checked)
            return None
        buildspec = checked.Source.BuildSpec
        environment = checked.Environment
        return model.CodeBuildProject(
            name=self.evaluator.physical_name(resource.logical_id),
            where=self.source.where(("Resources", resource.logical_id), at_key=True),
            buildspec=buildspec,
            buildspec_is_inline=buildspec is not None and is_inline(buildspec),
            image=environment.Image,
            environment_variables=tuple(
                model.EnvironmentVariable(variable.Name, variable.Value, variable.Type)
                for variable in environment.EnvironmentVariables
            ),
            privileged=environment.PrivilegedMode,
            timeout_minutes=checked.TimeoutInMinutes,
            buildspec_where=self.source.where((*prefix, "Source", "BuildSpec")) if buildspec is not None else None,
        )


class _Pipeline:
    def __init__(
        self, source: TemplateSource, resource: Resource, checked: schema.PipelineProperties, projects: _Projects
    ) -> None:
        self.source = source
        self.resource = resource
        self.checked = checked
        self.projects = projects
        self.prefix: Loc = ("Resources", resource.logical_id, "Properties")

    def _where(self, *loc: str | int) -> model.Where:
        return self.source.where((*self.prefix, *loc))

    def _locations(self, base: Loc, keys: Mapping[str, Loc]) -> dict[str, model.Where]:
        return {key: self.source.where((*self.prefix, *base, *loc)) for key, loc in keys.items()}

    def pipeline(self) -> model.Pipeline:
        checked = self.checked
        top: dict[str, Loc] = {"ExecutionMode": ("ExecutionMode",), "PipelineType": ("PipelineType",)}
        top |= {"Variables": ("Variables",), "Triggers": ("Triggers",)}
        top |= {f"Triggers.{index}": ("Triggers", index) for index in range(len(checked.Triggers))}
        top |= {f"Variables.{index}": ("Variables", index, "Name") for index in range(len(checked.Variables))}
        return model.Pipeline(
            name=checked.Name or self.resource.logical_id,
            stages=tuple(self._stage(index, stage) for index, stage in enumerate(checked.Stages)),
            where=self.source.where(("Resources", self.resource.logical_id), at_key=True),
            pipeline_type=checked.PipelineType or model.PipelineType.V1,
            execution_mode=checked.ExecutionMode or model.ExecutionMode.SUPERSEDED,
            variables=tuple(
                model.PipelineVariable(variable.Name, variable.DefaultValue, variable.Description)
                for variable in checked.Variables
            ),
            secret_values=tuple(self.projects.evaluator.secret_values),
            triggers=tuple(trigger.GitConfiguration.SourceActionName for trigger in checked.Triggers),
            locations=self._locations((), top),
        )

    def _stage(self, index: int, stage: schema.StageDeclaration) -> model.Stage:
        base: Loc = ("Stages", index)
        conditions = tuple(name for name in _CONDITION_KEYS if getattr(stage, name) is not None)
        keys: dict[str, Loc] = {"Name": ("Name",), **{name: (name,) for name in conditions}}
        return model.Stage(
            name=stage.Name,
            actions=tuple(self._action((*base, "Actions", position), a) for position, a in enumerate(stage.Actions)),
            where=self._where(*base),
            conditions=conditions,
            locations=self._locations(base, keys),
        )

    def _action(self, base: Loc, action: schema.ActionDeclaration) -> model.Action:
        configuration = _configuration(action.Configuration)
        if isinstance(configuration, str):
            self.projects.errors.append(error_at(self._where(*base, "Configuration"), configuration))
            configuration = {}
        keys: dict[str, Loc] = {
            name: (name,) for name in ("Name", "RunOrder", "Namespace", "TimeoutInMinutes", "ActionTypeId")
        }
        keys["ActionTypeId.Provider"] = ("ActionTypeId", "Provider")
        keys |= {f"InputArtifacts.{i}": ("InputArtifacts", i, "Name") for i in range(len(action.InputArtifacts))}
        keys |= {f"OutputArtifacts.{i}": ("OutputArtifacts", i, "Name") for i in range(len(action.OutputArtifacts))}
        keys |= {f"Configuration.{key}": ("Configuration", key) for key in configuration}
        kind = action.ActionTypeId
        action_type = model.ActionType(kind.Category, kind.Owner, kind.Provider, kind.Version)
        project = None
        if action_type.provider == "CodeBuild" and configuration.get("ProjectName"):
            project = self.projects.named(configuration["ProjectName"])
        return model.Action(
            name=action.Name,
            type=action_type,
            where=self._where(*base),
            run_order=action.RunOrder,
            configuration=configuration,
            input_artifacts=tuple(artifact.Name for artifact in action.InputArtifacts),
            output_artifacts=tuple(artifact.Name for artifact in action.OutputArtifacts),
            namespace=action.Namespace,
            timeout_minutes=action.TimeoutInMinutes,
            region=action.Region,
            project=project,
            locations=self._locations(base, keys),
        )


def _configuration(given: dict[str, object] | str | None) -> dict[str, str] | str:
    """The configuration as strings, or why a JSON string is not a configuration."""
    if given is None:
        return {}
    if isinstance(given, str):
        # CP §1.3: Configuration may be written as a JSON string.
        try:
            given = json.loads(given)
        except json.JSONDecodeError as error:
            return f"Configuration is not valid JSON ({error.msg} at column {error.colno})"
        if not isinstance(given, dict):
            return "Configuration written as JSON must be an object of keys and values"
    return {key: configuration_text(value) for key, value in given.items()}


def stack_name_of(path: Path) -> str:
    """A stack name from the file's name, as `aws cloudformation deploy --stack-name` would be given one."""
    name = "".join(char if char.isalnum() else "-" for char in path.stem).strip("-")
    return name or "local-stack"
