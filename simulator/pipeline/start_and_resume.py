"""Starting an execution, and carrying one on (an approval answered later, a retry): the executor wired to the
store, the build engine and the console. The command line only parses flags and prints what comes back."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import docker

from simulator.cancellation import CancelToken
from simulator.codebuild.aws_values import AwsTarget
from simulator.codebuild.parameters import ValueSource
from simulator.container.image.names import resolve_image_name
from simulator.container.image.provision import ensure_image
from simulator.errors import InputError
from simulator.pipeline.actions.dispatch import BuildEngine, LocalActions
from simulator.pipeline.actions.source import Revision, resolve_revision
from simulator.pipeline.approvals.gate import GatePolicy
from simulator.pipeline.executor import ExecutionResult, RunEnding, RunScope, run_execution
from simulator.pipeline.model import Pipeline
from simulator.pipeline.recording import StoreRecorder
from simulator.pipeline.redeploy import redeploy_inputs
from simulator.pipeline.statuses import ExecutionStatus, StageStatus
from simulator.pipeline.store import Execution, PipelineStore, StageNotRetryableException
from simulator.pipeline.views.console import SharedConsole, pipeline_line
from simulator.pipeline.views.progress import LiveProgress
from simulator.reporting.masking import Masker
from simulator.state import StateFolder

LAST_EXECUTIONS_LOOKED_AT = 50  # `--from` alone looks this far back for an execution that kept what it needs


@dataclass(frozen=True)
class RunOptions:
    """What a run is asked to do; everything but the gate policy is kept with the execution."""

    file: Path
    repository: Path
    parameters: Mapping[str, str] = field(default_factory=dict)  # NoEcho ones are not kept: given again if needed
    pipeline_id: str | None = None
    source_revision: str | None = None
    worktree: bool = False
    parallel: int = 2
    until: str | None = None
    from_stage: str | None = None  # with from_execution: a redeploy of that execution's artifacts
    from_execution: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    image_map: Mapping[str, str] = field(default_factory=dict)
    environment: Mapping[str, str] = field(default_factory=dict)  # --env: above every build's variables
    json_events: bool = False
    values_file: Path | None = None  # --values: kept as a path (never its values), so approve and retry read it too
    aws: AwsTarget | None = None  # --aws: its profile and region names are kept, as the values file's path is


@dataclass(frozen=True)
class RunContext:
    """What the process gives every run: the engine, the state, the masker, the console, the stop token."""

    client: docker.DockerClient
    state: StateFolder
    store: PipelineStore
    masker: Masker
    console: SharedConsole
    cancel: CancelToken
    value_source: ValueSource  # parameter-store and secrets-manager values: the local file, or AWS
    gates: GatePolicy
    progress: Any  # Callable[[str], None]: image build progress


@dataclass(frozen=True)
class _Seed:
    """Where a run starts when not at the first stage, and what it starts with (a redeploy, CP §1.11)."""

    from_stage: str | None = None
    artifacts: Mapping[str, Path] = field(default_factory=dict)
    variables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    rerun_stage: str | None = None  # a retry with ALL_ACTIONS


@dataclass(frozen=True)
class RunOutcome:
    execution_id: str
    result: ExecutionResult
    superseded: tuple[str, ...] = ()
    json_events: bool = False  # how the command reports it: text lines, or JSON events


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start(pipeline: Pipeline, options: RunOptions, context: RunContext) -> RunOutcome:
    _check_stage(pipeline, options.until, "--until")
    _check_stage(pipeline, options.from_stage, "--from")
    names = [stage.name for stage in pipeline.stages]
    if options.from_stage and options.until and names.index(options.until) < names.index(options.from_stage):
        raise InputError(f"--until {options.until} comes before --from {options.from_stage}: nothing would run.")
    if options.from_stage is not None:
        if options.from_execution is not None:
            earlier = context.store.execution(options.from_execution)
        else:
            earlier = newest_redeployable_execution(pipeline, options.from_stage, context.store)
        return _redeploy(pipeline, options, options.from_stage, earlier, context)
    revision = resolve_revision(options.repository, options.source_revision, worktree=options.worktree)
    variables = _pipeline_variables(pipeline, options.variables)
    _ensure_images(pipeline, options, context)
    execution_id = context.store.start_execution(
        pipeline.name,
        source_revision=revision.commit,
        variables=variables,
        mode=pipeline.execution_mode,
        definition=_definition(pipeline, options, revision),
    )
    _say(context, options, _started_line(pipeline, execution_id, revision).rstrip("\n"))
    return _execute(pipeline, execution_id, options, revision, variables, context, _Seed())


def _redeploy(
    pipeline: Pipeline, options: RunOptions, from_stage: str, earlier: Execution, context: RunContext
) -> RunOutcome:
    """A new execution from `from_stage`, on the earlier execution's revision, artifacts and variables."""
    handed = redeploy_inputs(pipeline, earlier, from_stage)
    revision = Revision(**earlier.definition["revision"])
    declared = {variable.name for variable in pipeline.variables}
    variables = _pipeline_variables(
        pipeline, {**{k: v for k, v in earlier.variables.items() if k in declared}, **options.variables}
    )
    _ensure_images(pipeline, options, context)
    definition = {
        **_definition(pipeline, options, revision),
        "from_stage": from_stage,
        "from_execution": earlier.id,
        "earlier_variables": {namespace: dict(values) for namespace, values in handed.variables.items()},
    }
    execution_id = context.store.start_execution(
        pipeline.name,
        trigger=f"Redeploy of {earlier.id}",
        source_revision=revision.commit,
        variables=variables,
        mode=pipeline.execution_mode,
        definition=definition,
    )
    artifacts = {}
    for name, (stage, action, folder) in handed.artifacts.items():
        copy = context.store.artifact_folder(execution_id, name, stage=stage, action=action)
        shutil.copytree(folder, copy, symlinks=True, dirs_exist_ok=True)
        artifacts[name] = copy
    _say(
        context,
        options,
        f"Pipeline {pipeline.name}: execution {execution_id} started at stage {from_stage} with the artifacts of "
        f"execution {earlier.id} (commit {revision.commit[:12]})",
    )
    seed = _Seed(from_stage, artifacts, handed.variables)
    return _execute(pipeline, execution_id, options, revision, variables, context, seed)


def newest_redeployable_execution(pipeline: Pipeline, from_stage: str, store: PipelineStore) -> Execution:
    """`--from STAGE` without `--execution`: the newest execution of the pipeline that still keeps everything the
    stages from STAGE on take (the seed's -DeployOnly: reuse the last build)."""
    for summary in store.list_executions(pipeline.name, limit=LAST_EXECUTIONS_LOOKED_AT):
        earlier = store.execution(summary.id)
        try:
            redeploy_inputs(pipeline, earlier, from_stage)
        except InputError:
            continue
        return earlier
    raise InputError(
        f"--from {from_stage}: no recent execution of {pipeline.name} got past the stages before {from_stage} "
        "(pipeline list shows them): run the pipeline up to there first, or give --execution ID."
    )


def resume_after_gate(pipeline: Pipeline, execution_id: str, context: RunContext) -> RunOutcome:
    """Continue an execution from where it stands (after a gate was answered)."""
    execution = context.store.execution(execution_id)
    options = _unchanged_options(execution, InputError)
    _ensure_images(pipeline, options, context)
    context.store.claim_execution(execution_id)
    return _resume(pipeline, execution, options, context, rerun_stage=None)


def retry(pipeline: Pipeline, execution_id: str, context: RunContext, *, all_actions: bool = False) -> RunOutcome:
    """RetryStageExecution (CP §1.11): the failed stage again, its failed actions (FAILED_ACTIONS) or all of them
    (ALL_ACTIONS), on the artifacts stored by the stages before it; then on to the next gate or the end."""
    execution = context.store.execution(execution_id)
    stage = failed_stage(execution)
    context.store.check_retryable(execution_id, stage)
    options = _unchanged_options(execution, StageNotRetryableException)
    _ensure_images(pipeline, options, context)
    context.store.reopen_execution(execution_id)
    mode = "ALL_ACTIONS" if all_actions else "FAILED_ACTIONS"
    _say(context, options, f"Pipeline {pipeline.name}: retrying stage {stage} of execution {execution_id} ({mode})")
    return _resume(pipeline, execution, options, context, rerun_stage=stage if all_actions else None)


def failed_stage(execution: Execution) -> str:
    """The stage a retry runs again: the one the execution failed (or was stopped) in."""
    ended = [s.name for s in execution.stages if s.status in (StageStatus.FAILED, StageStatus.STOPPED)]
    if execution.status not in (ExecutionStatus.FAILED, ExecutionStatus.STOPPED) or not ended:
        raise StageNotRetryableException(
            f"execution {execution.id} is {execution.status}; only a Failed or Stopped execution has a stage to retry."
        )
    return ended[-1]


def _unchanged_options(execution: Execution, refusal: type[InputError]) -> RunOptions:
    options = options_from(execution.definition)
    try:
        check_unchanged(options.file, execution.definition, execution.id)
    except InputError as error:
        raise refusal(str(error)) from None
    return options


def _resume(
    pipeline: Pipeline,
    execution: Execution,
    options: RunOptions,
    context: RunContext,
    *,
    rerun_stage: str | None,
) -> RunOutcome:
    definition = execution.definition
    revision = Revision(**definition["revision"])
    seed = _Seed(rerun_stage=rerun_stage)
    if definition.get("from_stage"):
        # A redeploy picked up again: it starts where it started, on the artifacts copied into it then.
        seed = _Seed(
            definition["from_stage"], dict(execution.artifacts), definition.get("earlier_variables", {}), rerun_stage
        )
    return _execute(pipeline, execution.id, options, revision, dict(execution.variables), context, seed)


def check_unchanged(file: Path, definition: Mapping[str, Any], execution_id: str) -> None:
    try:
        same = fingerprint(file) == definition.get("fingerprint")
    except OSError:
        same = False
    if not same:
        raise InputError(
            f"{file} changed (or is gone) since execution {execution_id} started: CodePipeline cannot carry on an "
            "execution whose pipeline changed; start a new one with pipeline run."
        )


def options_from(definition: Mapping[str, Any]) -> RunOptions:
    return RunOptions(
        file=Path(definition["file"]),
        repository=Path(definition["repository"]),
        parameters=definition.get("parameters", {}),
        pipeline_id=definition.get("pipeline_id"),
        parallel=int(definition.get("parallel", 2)),
        until=definition.get("until"),
        image_map=definition.get("image_map", {}),
        environment=definition.get("environment", {}),
        json_events=bool(definition.get("json_events", False)),
        values_file=Path(definition["values_file"]) if definition.get("values_file") else None,
        aws=AwsTarget(**definition["aws"]) if definition.get("aws") is not None else None,
    )


def _execute(
    pipeline: Pipeline,
    execution_id: str,
    options: RunOptions,
    revision: Revision,
    variables: Mapping[str, str],
    context: RunContext,
    seed: _Seed,
) -> RunOutcome:
    progress = LiveProgress(context.console, json_events=options.json_events)
    recorder = StoreRecorder(
        context.store,
        execution_id,
        pipeline,
        rerun_stage=seed.rerun_stage,
        watch=progress,
        cancel=context.cancel,
        say=lambda text: _say(context, options, text),
    )
    runner = LocalActions(
        repository=options.repository,
        revision=revision,
        recorder=recorder,
        engine=BuildEngine(
            context.client,
            context.state,
            context.masker,
            context.value_source,
            options.image_map,
            options.environment,
        ),
        gates=context.gates,
        console=context.console,
        json_events=options.json_events,
        buckets=context.state.root / "s3",
    )
    with progress:
        result = run_execution(
            pipeline,
            execution_id,
            runner,
            recorder,
            cancel=context.cancel,
            parallel=options.parallel,
            scope=RunScope(
                pipeline_variables=variables,
                from_stage=seed.from_stage,
                until_stage=options.until,
                earlier_artifacts=seed.artifacts,
                earlier_variables=seed.variables,
            ),
        )
    _finish(context.store, execution_id, result, options)
    return RunOutcome(execution_id, result, tuple(recorder.superseded), options.json_events)


def _finish(store: PipelineStore, execution_id: str, result: ExecutionResult, options: RunOptions) -> None:
    if result.status is RunEnding.WAITING:
        store.release_execution(execution_id)  # nobody runs it while it waits: not judged crashed
        return
    ending = {
        RunEnding.SUCCEEDED: ExecutionStatus.SUCCEEDED,
        RunEnding.FAILED: ExecutionStatus.FAILED,
        RunEnding.STOPPED: ExecutionStatus.STOPPED,
        RunEnding.SUPERSEDED: ExecutionStatus.SUPERSEDED,  # the store has ended it so already: this changes nothing
    }[result.status]
    reason = result.summary
    if ending is ExecutionStatus.SUCCEEDED and options.until is not None and result.stage is None:
        reason = f"ran --until {options.until}"
    store.finish_execution(execution_id, ending, reason)


def _definition(pipeline: Pipeline, options: RunOptions, revision: Revision) -> dict[str, Any]:
    return {
        "file": str(options.file.resolve()),
        "fingerprint": fingerprint(options.file),
        "repository": str(options.repository),
        "parameters": {k: v for k, v in options.parameters.items() if v not in pipeline.secret_values},
        "pipeline_id": options.pipeline_id,
        "parallel": options.parallel,
        "until": options.until,
        "image_map": dict(options.image_map),
        "environment": dict(options.environment),
        "json_events": options.json_events,
        "values_file": str(options.values_file.resolve()) if options.values_file else None,
        "aws": asdict(options.aws) if options.aws is not None else None,
        "revision": {
            "commit": revision.commit,
            "tree": revision.tree,
            "message": revision.message,
            "author_date": revision.author_date,
            "committer_date": revision.committer_date,
            "local_branch": revision.local_branch,
            "worktree": revision.worktree,
        },
    }


def _pipeline_variables(pipeline: Pipeline, given: Mapping[str, str]) -> dict[str, str]:
    """V2 `#{variables.Name}`: each declared variable's default, overridden by `--variable` (CP §1.7)."""
    declared = {variable.name: variable for variable in pipeline.variables}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise InputError(
            f"--variable {unknown[0]} is not declared in the pipeline's Variables: declare it, or check its name."
        )
    values = {name: variable.default for name, variable in declared.items() if variable.default is not None}
    values.update(given)
    missing = sorted(set(declared) - set(values))
    if missing:
        raise InputError(f"The pipeline variable {missing[0]} has no default: pass --variable {missing[0]}=VALUE.")
    return values


def _check_stage(pipeline: Pipeline, name: str | None, flag: str) -> None:
    if name is not None and name not in [stage.name for stage in pipeline.stages]:
        stages = ", ".join(stage.name for stage in pipeline.stages)
        raise InputError(f"{flag} {name}: the pipeline has no such stage (its stages: {stages}).")


def _ensure_images(pipeline: Pipeline, options: RunOptions, context: RunContext) -> None:
    images = {
        resolve_image_name(action.project.image, options.image_map)
        for _, action in pipeline.actions()
        if action.is_codebuild and action.project is not None
    }
    for image in sorted(images):
        ensure_image(context.client, image, context.progress)


def _say(context: RunContext, options: RunOptions, text: str) -> None:
    context.console.write(pipeline_line(context.masker.mask(text), json_events=options.json_events))
    context.console.flush()


def _started_line(pipeline: Pipeline, execution_id: str, revision: Revision) -> str:
    if revision.worktree:
        source = f"the working tree with its uncommitted files (HEAD {revision.commit[:12]})"
    else:
        source = f"commit {revision.commit[:12]}"
    return f"Pipeline {pipeline.name}: execution {execution_id} started from {source}\n"
