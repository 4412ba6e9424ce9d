"""The structural rules of a pipeline, checked before anything runs (CP §1.2-§1.9, CP §7 item 1).

Every violation is reported, each at the value to change, not only the first. Choices where the reference is
silent or says "inferred":
- An action type the simulator does not know is an error, not a warning: a typo in a provider (`CodeBuld`) would
  otherwise be skipped silently. Deploy and invoke providers with no local equivalent (CodeDeploy, CloudFormation,
  ECS, Lambda...) are known: they are accepted here and reported SKIPPED when an execution reaches them.
- V2-only features on a V1 pipeline (QUEUED or PARALLEL, variables, triggers, stage conditions) are errors, as
  CloudFormation's API refuses them; the message says to set `PipelineType: V2`.
- A `#{Namespace.Key}` whose namespace no earlier action declares can never resolve: an error now, before an
  execution starts. Whether the key exists is known only once the producer has run.
- A buildspec path missing from the repository is a warning: a build may create it before the pipeline reads
  it, and it can only be checked when the build's primary source is a source action's output (the repository).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from simulator.diagnostics import Diagnostic, quote, rules
from simulator.pipeline.errors import error_at, in_file_order, warning_at
from simulator.pipeline.model import Action, Category, ExecutionMode, Pipeline, PipelineType, Stage, Where

MAX_STAGES = 50
MAX_ACTIONS_PER_STAGE = 50
MAX_CODEBUILD_INPUTS = 5
MAX_CODEBUILD_OUTPUTS = 5
APPROVAL_TIMEOUT_MINUTES = (5, 86400)  # CP §1.12
MAX_VARIABLE_FIELD = 1000  # CP §1.3: a configuration field holding variables
RESERVED_NAMESPACES = ("codepipeline", "variables")
CODEPIPELINE_KEYS = ("PipelineExecutionId",)

_NAME = re.compile(r"[A-Za-z0-9.@_-]{1,100}")  # stages, actions, pipelines (CP §1.2)
_ARTIFACT = re.compile(r"[A-Za-z0-9_-]{1,100}")
_NAMESPACE = re.compile(r"[A-Za-z0-9@_-]{1,100}")
_SHELL_SUFFIX = re.compile(r"[A-Za-z0-9_]+")
_PROJECT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,254}")  # CodeBuild's CreateProject name rule
_REFERENCE = re.compile(r"#\{(?P<namespace>[A-Za-z0-9@_-]{1,100})\.(?P<key>[A-Za-z0-9@_.-]{1,128})\}")

# What the simulator knows, by category: (owner, provider) pairs. None marks a provider with no local equivalent,
# which an execution reports SKIPPED; the rest run locally.
RUNS_LOCALLY = "runs locally"
SKIPPED = "skipped"
KNOWN_PROVIDERS: dict[Category, dict[tuple[str, str], str]] = {
    Category.SOURCE: {
        ("ThirdParty", "GitHub"): RUNS_LOCALLY,
        ("AWS", "CodeStarSourceConnection"): RUNS_LOCALLY,
        ("AWS", "CodeCommit"): RUNS_LOCALLY,
        ("AWS", "S3"): RUNS_LOCALLY,
        ("AWS", "ECR"): RUNS_LOCALLY,
    },
    Category.BUILD: {("AWS", "CodeBuild"): RUNS_LOCALLY},
    Category.TEST: {("AWS", "CodeBuild"): RUNS_LOCALLY},
    Category.APPROVAL: {("AWS", "Manual"): RUNS_LOCALLY},
    Category.DEPLOY: {
        ("AWS", "S3"): RUNS_LOCALLY,
        **{
            ("AWS", provider): SKIPPED
            for provider in (
                "CloudFormation",
                "CloudFormationStackSet",
                "CloudFormationStackInstances",
                "CodeDeploy",
                "CodeDeployToECS",
                "ECS",
                "EKS",
                "EC2",
                "ElasticBeanstalk",
                "AppConfig",
                "ServiceCatalog",
                "OpsWorks",
            )
        },
    },
    Category.INVOKE: {("AWS", "Lambda"): SKIPPED, ("AWS", "StepFunctions"): SKIPPED},
    Category.COMPUTE: {("AWS", "Commands"): SKIPPED},
}


def check_pipeline(pipeline: Pipeline, repository: Path | None = None) -> tuple[Diagnostic, ...]:
    """Every error and warning of the pipeline, in file order. `repository` is the folder a source action takes
    (the git repository), where buildspec paths are looked for; None skips that check."""
    return in_file_order(_Checks(pipeline, repository).run())


@dataclass(frozen=True)
class _Slot:
    """When an action runs: its stage's position and its run order; `before` is the order of execution."""

    stage: int
    run_order: int

    def before(self, other: _Slot) -> bool:
        return self.stage < other.stage or (self.stage == other.stage and self.run_order < other.run_order)


class _Checks:
    def __init__(self, pipeline: Pipeline, repository: Path | None) -> None:
        self.pipeline = pipeline
        self.repository = repository
        self.found: list[Diagnostic] = []
        self.slots = {
            id(action): _Slot(index, action.run_order)
            for index, stage in enumerate(pipeline.stages)
            for action in stage.actions
        }
        self.producers: dict[str, Action] = {}
        self.namespaces: dict[str, Action] = {}

    def error(self, where: Where, message: str, rule: str = rules.PIPELINE_STRUCTURE) -> None:
        self.found.append(error_at(where, message, rule))

    def warning(self, where: Where, message: str, rule: str = rules.PIPELINE_STRUCTURE) -> None:
        self.found.append(warning_at(where, message, rule))

    def run(self) -> list[Diagnostic]:
        self._pipeline_level()
        for index, stage in enumerate(self.pipeline.stages):
            self._stage(index, stage)
        self._outputs_and_namespaces()
        for stage, action in self.pipeline.actions():
            self._action(stage, action)
        return self.found

    # -- pipeline and stages -------------------------------------------------------------------------------------

    def _pipeline_level(self) -> None:
        pipeline = self.pipeline
        if not _NAME.fullmatch(pipeline.name):
            self.error(pipeline.at("Name"), f"the pipeline name {quote(pipeline.name)} {_NAME_RULE}")
        count = len(pipeline.stages)
        if count < 2:
            self.error(
                pipeline.where, f"a pipeline needs at least 2 stages (a source stage and another); it has {count}"
            )
        if count > MAX_STAGES:
            self.error(pipeline.where, f"a pipeline has at most {MAX_STAGES} stages; it has {count}")
        names = [stage.name for stage in pipeline.stages]
        for stage in pipeline.stages:
            if names.count(stage.name) > 1 and stage is not _first_named(pipeline.stages, stage.name):
                self.error(
                    stage.at("Name"), f"the stage name {quote(stage.name)} is used twice; stage names are unique"
                )
        self._v2_only()
        sources = (
            {action.name for action in pipeline.stages[0].actions if action.is_source} if pipeline.stages else set()
        )
        for index, name in enumerate(pipeline.triggers):
            if name not in sources:
                self.error(
                    pipeline.at("Triggers", index), f"the trigger names {quote(name)}, which is not a source action"
                )

    def _v2_only(self) -> None:
        pipeline = self.pipeline
        if pipeline.pipeline_type is not PipelineType.V1:
            return
        hint = "set PipelineType: V2 (pipeline-type: V2 in a native file)"
        if pipeline.execution_mode is not ExecutionMode.SUPERSEDED:
            mode = pipeline.execution_mode.value
            self.error(pipeline.at("ExecutionMode"), f"the execution mode {mode} needs a V2 pipeline: {hint}")
        if pipeline.variables:
            self.error(pipeline.at("Variables"), f"pipeline variables need a V2 pipeline: {hint}")
        if pipeline.triggers:
            self.error(pipeline.at("Triggers"), f"triggers need a V2 pipeline: {hint}")
        for stage in pipeline.stages:
            for name in stage.conditions:
                self.error(stage.at(name), f"stage conditions ({name}) need a V2 pipeline: {hint}")

    def _stage(self, index: int, stage: Stage) -> None:
        if not _NAME.fullmatch(stage.name):
            self.error(stage.at("Name"), f"the stage name {quote(stage.name)} {_NAME_RULE}")
        if not stage.actions:
            self.error(stage.where, f"the stage {quote(stage.name)} has no actions; a stage needs at least one")
        if len(stage.actions) > MAX_ACTIONS_PER_STAGE:
            self.error(
                stage.where, f"a stage has at most {MAX_ACTIONS_PER_STAGE} actions; {quote(stage.name)} has more"
            )
        names = [action.name for action in stage.actions]
        for position, action in enumerate(stage.actions):
            if action.name in names[:position]:
                message = f"the action name {quote(action.name)} is used twice in the stage {quote(stage.name)}"
                self.error(action.at("Name"), message)
        # CP §1.2: the first stage holds only source actions, and source actions appear only there.
        if index == 0:
            if stage.actions and not any(action.is_source for action in stage.actions):
                self.error(stage.where, f"the first stage ({quote(stage.name)}) must hold the source actions")
            for action in stage.actions:
                if not action.is_source:
                    kind = "an approval" if action.is_approval else f"a {action.type.category.value} action"
                    message = f"{quote(action.name)} is {kind} in the first stage, which holds only source actions"
                    rule = rules.APPROVAL_IN_SOURCE_STAGE if action.is_approval else rules.PIPELINE_STRUCTURE
                    self.error(action.at("ActionTypeId"), message, rule)
        else:
            for action in stage.actions:
                if action.is_source:
                    message = (
                        f"the source action {quote(action.name)} must be in the first stage, not {quote(stage.name)}"
                    )
                    self.error(action.at("ActionTypeId"), message)

    def _outputs_and_namespaces(self) -> None:
        for _stage, action in self.pipeline.actions():
            for index, name in enumerate(action.output_artifacts):
                if name in self.producers:
                    first = self.producers[name]
                    message = (
                        f"the output artifact {quote(name)} is also produced by {quote(first.name)}"
                        f"; output names are unique in the pipeline"
                    )
                    self.error(action.at("OutputArtifacts", index), message)
                else:
                    self.producers[name] = action
        for _stage, action in self.pipeline.actions():
            namespace = action.namespace
            if namespace is None:
                continue
            where = action.at("Namespace")
            if not _NAMESPACE.fullmatch(namespace):
                self.error(
                    where, f"the namespace {quote(namespace)} may hold only letters, digits, @, _ and - (1 to 100)"
                )
            if namespace in RESERVED_NAMESPACES:
                self.error(where, f"the namespace {quote(namespace)} is reserved by CodePipeline")
            elif namespace in self.namespaces:
                message = (
                    f"the namespace {quote(namespace)} is also declared by "
                    f"{quote(self.namespaces[namespace].name)}"
                    f"; namespaces are unique"
                )
                self.error(where, message)
            else:
                self.namespaces[namespace] = action
            if namespace in self.producers:
                self.error(
                    where,
                    f"the namespace {quote(namespace)} is also an artifact name; namespaces and artifact names "
                    "must differ",
                )

    # -- actions -------------------------------------------------------------------------------------------------

    def _action(self, stage: Stage, action: Action) -> None:
        if not _NAME.fullmatch(action.name):
            self.error(action.at("Name"), f"the action name {quote(action.name)} {_NAME_RULE}")
        if action.run_order < 1:
            self.error(action.at("RunOrder"), f"RunOrder must be a positive whole number, not {action.run_order}")
        self._provider(action)
        self._inputs(action)
        for index, name in enumerate(action.output_artifacts):
            if not _ARTIFACT.fullmatch(name):
                self.error(action.at("OutputArtifacts", index), f"the artifact name {quote(name)} {_ARTIFACT_RULE}")
        if action.is_codebuild:
            self._codebuild(action)
        if action.is_approval:
            self._approval(action)
        elif action.timeout_minutes is not None:
            self.error(action.at("TimeoutInMinutes"), "TimeoutInMinutes is for manual approval actions only")
        self._references(action)
        del stage

    def _provider(self, action: Action) -> None:
        kind = action.type
        known = KNOWN_PROVIDERS.get(kind.category, {})
        if (kind.owner, kind.provider) in known:
            return
        where = action.at("ActionTypeId", "Provider")
        providers = [provider for _owner, provider in known]
        elsewhere = [
            category.value
            for category, table in KNOWN_PROVIDERS.items()
            if any(provider == kind.provider and owner == kind.owner for owner, provider in table)
        ]
        if elsewhere:
            message = f"a {kind.provider} action's category is {' or '.join(elsewhere)}, not {kind.category.value}"
        elif any(provider == kind.provider for provider in providers):
            owners = [owner for owner, provider in known if provider == kind.provider]
            message = f"the {kind.provider} provider's owner is {owners[0]}, not {kind.owner}"
        else:
            close = difflib.get_close_matches(kind.provider, providers, n=1)
            hint = (
                f"; did you mean {quote(close[0])}?"
                if close
                else f"; known {kind.category.value} providers: {', '.join(providers)}"
            )
            message = f"unknown action provider {quote(str(kind))}: the simulator cannot run it{hint}"
        self.error(where, message)

    def _inputs(self, action: Action) -> None:
        slot = self.slots[id(action)]
        for index, name in enumerate(action.input_artifacts):
            where = action.at("InputArtifacts", index)
            if not _ARTIFACT.fullmatch(name):
                self.error(where, f"the artifact name {quote(name)} {_ARTIFACT_RULE}")
            producer = self.producers.get(name)
            if producer is None:
                close = difflib.get_close_matches(name, list(self.producers), n=1)
                hint = f"; did you mean {quote(close[0])}?" if close else ""
                self.error(where, f"the input artifact {quote(name)} is not produced by any action{hint}")
            elif producer is action:
                self.error(where, f"{quote(action.name)} consumes its own output artifact {quote(name)}")
            elif not self.slots[id(producer)].before(slot):
                self.error(
                    where,
                    f"the input artifact {quote(name)} is produced by {quote(producer.name)}"
                    f", which does not run before {quote(action.name)}",
                )
        if action.is_approval and (action.input_artifacts or action.output_artifacts):
            self.error(action.where, f"the approval {quote(action.name)} takes and produces no artifacts")

    def _codebuild(self, action: Action) -> None:
        inputs, outputs = action.input_artifacts, action.output_artifacts
        if not 1 <= len(inputs) <= MAX_CODEBUILD_INPUTS:
            self.error(
                action.where,
                f"a CodeBuild action takes 1 to {MAX_CODEBUILD_INPUTS} input artifacts"
                f"; {quote(action.name)} has {len(inputs)}",
            )
        if len(outputs) > MAX_CODEBUILD_OUTPUTS:
            self.error(
                action.at("OutputArtifacts", MAX_CODEBUILD_OUTPUTS),
                f"a CodeBuild action produces at most {MAX_CODEBUILD_OUTPUTS} output artifacts"
                f"; {quote(action.name)} has {len(outputs)}",
            )
        primary = action.configuration.get("PrimarySource")
        if len(inputs) > 1 and not primary:
            self.error(
                action.where,
                f"{quote(action.name)} has {len(inputs)} input artifacts"
                f": PrimarySource must name the one holding the buildspec",
            )
        if primary and primary not in inputs:
            self.error(
                action.at("Configuration", "PrimarySource"),
                f"PrimarySource {quote(primary)} is not one of the input artifacts ({', '.join(inputs) or 'none'})",
            )
        for index, name in enumerate(inputs):
            if name != action.primary_source and not _SHELL_SUFFIX.fullmatch(name):
                message = (
                    f"the build sees this input at $CODEBUILD_SRC_DIR_{name}, which no shell can expand"
                    f"; name it with letters, digits and _"
                )
                self.warning(action.at("InputArtifacts", index), message)
        project_name = action.configuration.get("ProjectName")
        if not project_name:
            self.error(action.where, f"the CodeBuild action {quote(action.name)} needs Configuration.ProjectName")
        elif not _PROJECT_NAME.fullmatch(project_name):
            self.error(
                action.at("Configuration", "ProjectName"),
                f"the CodeBuild project name {quote(project_name)} would be refused by CodeBuild: 2 to 255 letters, "
                "digits, - and _, starting with a letter or a digit",
            )
        elif action.project is None:
            self.error(
                action.at("Configuration", "ProjectName"),
                f"the project {quote(project_name)} is not defined in this file (an AWS::CodeBuild::Project resource)",
            )
        else:
            self._buildspec(action)

    def _buildspec(self, action: Action) -> None:
        project = action.project
        if project is None or project.buildspec_is_inline or self.repository is None:
            return
        primary = self.producers.get(action.primary_source or "")
        if primary is None or not primary.is_source:
            return
        relative = project.buildspec or "buildspec.yml"
        if not (self.repository / relative).is_file():
            where = project.buildspec_where or action.where
            self.warning(
                where,
                f"the buildspec {quote(relative)} is not in the repository ({self.repository})"
                f"; the build will fail in DOWNLOAD_SOURCE unless something creates it",
                rules.BUILDSPEC_PATH,
            )

    def _approval(self, action: Action) -> None:
        timeout = action.timeout_minutes
        low, high = APPROVAL_TIMEOUT_MINUTES
        if timeout is not None and not low <= timeout <= high:
            self.error(
                action.at("TimeoutInMinutes"),
                f"an approval's TimeoutInMinutes is {low} to {high} (60 days), not {timeout}",
            )

    def _references(self, action: Action) -> None:
        slot = self.slots[id(action)]
        declared = {variable.name for variable in self.pipeline.variables}
        for key, text in action.configuration.items():
            where = action.at("Configuration", key)
            found = list(_REFERENCE.finditer(text))
            if found and len(text) > MAX_VARIABLE_FIELD:
                self.error(
                    where,
                    f"{key} holds variables and is {len(text)} characters; CodePipeline allows {MAX_VARIABLE_FIELD}",
                )
            for match in found:
                for message in self._reference_problems(match["namespace"], match["key"], slot, declared):
                    self.error(where, f"{match[0]} in {key} can never be resolved: {message}", rules.VARIABLE_REFERENCE)

    def _reference_problems(self, namespace: str, key: str, slot: _Slot, declared: set[str]) -> Iterator[str]:
        if namespace == "codepipeline":
            if key not in CODEPIPELINE_KEYS:
                yield f"the codepipeline namespace has only {', '.join(CODEPIPELINE_KEYS)}"
            return
        if namespace == "variables":
            if key not in declared:
                yield f"the pipeline declares no variable {quote(key)}"
            return
        producer = self.namespaces.get(namespace)
        if producer is None:
            close = difflib.get_close_matches(namespace, list(self.namespaces), n=1)
            hint = f"; did you mean {quote(close[0])}?" if close else ""
            yield f"no action declares the namespace {quote(namespace)}{hint}"
        elif not self.slots[id(producer)].before(slot):
            yield (
                f"the namespace {quote(namespace)} belongs to {quote(producer.name)}"
                f", which does not run before this action"
            )


_NAME_RULE = "may hold only letters, digits, '.', '@', '_' and '-' (1 to 100 characters)"
_ARTIFACT_RULE = "may hold only letters, digits, '_' and '-' (1 to 100 characters)"


def _first_named(stages: tuple[Stage, ...], name: str) -> Stage:
    return next(stage for stage in stages if stage.name == name)
