"""Which local action runs a pipeline action: the executor's `ActionRunner` for a real run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, cast

import docker

from simulator.codebuild import BuildOutcome, run_build
from simulator.codebuild.parameters import ValueSource
from simulator.codebuild.phases import Status
from simulator.pipeline.actions.codebuild import (
    ActionInputError,
    BuildInputs,
    LocalSettings,
    build_request,
    parse_action_variables,
    report_summaries,
)
from simulator.pipeline.actions.deploy import deploy
from simulator.pipeline.actions.source import Revision, export_source, source_variables
from simulator.pipeline.approvals.gate import GatePolicy
from simulator.pipeline.executor import ActionContext, ActionOutcome
from simulator.pipeline.model import Category
from simulator.pipeline.recording import StoreRecorder
from simulator.pipeline.statuses import ActionStatus
from simulator.pipeline.views.console import SharedConsole, labelled_json, labelled_text, pipeline_line
from simulator.reporting.masking import Masker
from simulator.reporting.render import Destination, json_line, text_line
from simulator.state import StateFolder


@dataclass(frozen=True)
class BuildEngine:
    """What every build of the run shares: one engine client, one state folder, one masker."""

    client: docker.DockerClient
    state: StateFolder
    masker: Masker
    value_source: ValueSource  # the local values file, or AWS with --aws
    image_map: Mapping[str, str]
    overrides: Mapping[str, str]  # `pipeline run --env`: above every build's own variables


@dataclass
class LocalActions:
    repository: Path
    revision: Revision
    recorder: StoreRecorder
    engine: BuildEngine
    gates: GatePolicy
    console: SharedConsole
    json_events: bool
    buckets: Path

    def __call__(self, context: ActionContext) -> ActionOutcome:
        action = context.action
        if action.is_source:
            return self._source(context)
        if action.is_approval:
            return self.recorder.approval_gate(
                context, self.gates, cast(TextIO, self.console), lambda line: self._say(line, context)
            )
        if action.is_codebuild:
            return self._build(context)
        if action.type.category is Category.DEPLOY:
            return deploy(action, context.configuration, context.artifacts, self.buckets)
        return ActionOutcome(ActionStatus.SKIPPED, f"{action.type} has no local equivalent: it was not run.")

    def _say(self, line: str, context: ActionContext) -> None:
        text = self.engine.masker.mask(line)
        stage, action = context.stage.name, context.action.name
        self.console.write(pipeline_line(text, json_events=self.json_events, stage=stage, action=action))
        self.console.flush()

    def _source(self, context: ActionContext) -> ActionOutcome:
        outputs = {}
        for name in context.action.output_artifacts:
            folder = self.recorder.output_folder(context.stage.name, context.action.name, name)
            export_source(self.repository, self.revision, folder)
            outputs[name] = folder
        what = "the working tree (uncommitted files included)" if self.revision.worktree else self.revision.commit
        return ActionOutcome(
            ActionStatus.SUCCEEDED,
            f"Source: {what}",
            source_variables(context.action, self.revision),
            outputs,
            self.revision.commit,
        )

    def _build(self, context: ActionContext) -> ActionOutcome:
        action, stage = context.action, context.stage
        if action.project is None:
            return ActionOutcome(ActionStatus.FAILED, f"The CodeBuild project of {action.name} is not defined.")
        outputs = {name: self.recorder.output_folder(stage.name, action.name, name) for name in action.output_artifacts}
        root = next(iter(outputs.values())).parent if outputs else self.engine.state.root / "unused-outputs"
        inputs = BuildInputs(
            {name: context.artifacts[name] for name in action.input_artifacts if name in context.artifacts},
            root,
            self.revision.commit,
        )
        try:
            variables = parse_action_variables(context.configuration.get("EnvironmentVariables", "[]"))
            request = build_request(
                context.pipeline.name,
                action,
                action.project,
                variables,
                inputs,
                LocalSettings(self.engine.value_source, self.engine.image_map, self.engine.overrides),
            )
        except ActionInputError as error:
            return ActionOutcome(ActionStatus.FAILED, str(error))
        log_path = self.recorder.log_path(stage.name, action.name)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "w", encoding="utf-8") as log_file:
            outcome = run_build(
                request,
                client=self.engine.client,
                state=self.engine.state,
                events=[self._console_destination(stage.name, action.name), (text_line, log_file)],
                masker=self.engine.masker,
                cancel=context.cancel,
            )
        # Reports are saved even when the build failed (UPLOAD_ARTIFACTS is always attempted, CB §3.2): kept either way.
        self.recorder.save_report_summaries(
            stage.name, action.name, report_summaries(request.buildspec.buildspec, outcome.result.reports)
        )
        return _build_outcome(outcome, outputs)

    def _console_destination(self, stage: str, action: str) -> Destination:
        render = (
            labelled_json(json_line, stage, action) if self.json_events else labelled_text(text_line, stage, action)
        )
        return render, cast(TextIO, self.console)


def _build_outcome(outcome: BuildOutcome, outputs: Mapping[str, Path]) -> ActionOutcome:
    result = outcome.result
    build_id = result.build_id
    if result.status is Status.SUCCEEDED:
        return ActionOutcome(
            ActionStatus.SUCCEEDED,
            f"Build {build_id} SUCCEEDED",
            dict(outcome.exported_variables),
            dict(outputs),
            build_id,
        )
    failed = next((p for p in result.phases if p.status is not None and p.status is not Status.SUCCEEDED), None)
    reason = ""
    if failed is not None and failed.contexts:
        reason = f": {failed.phase_type.value}: {failed.contexts[0].status_code}: {failed.contexts[0].message}"
    status = ActionStatus.ABANDONED if result.status is Status.STOPPED else ActionStatus.FAILED
    return ActionOutcome(status, f"Build {build_id} {result.status.value}{reason}", {}, {}, build_id)
