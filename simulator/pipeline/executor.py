"""One pipeline execution: stages in order, run-order groups ascending, equal run orders in parallel
(CP §1.5, CP §7 item 2).

The executor knows the pipeline model, an `ActionRunner` that does one action, and a `Recorder` that keeps what
happened; it never touches Docker or the build engine. It can pick an execution up where it stopped (a gate that was
answered later, a retry, a run from a stage): an action that already succeeded in this execution is not run again,
its outputs and variables are reused (CP §1.11).

Choices (the reference is silent or says inferred):
- `--parallel N` bounds how many actions run at once. Once an action of a group fails, actions of that group that
  have not started yet are not started (Abandoned, a CodePipeline action status); those running finish (CP §1.5).
- A run-order group is done when all its actions are; a later group or stage starts only if all succeeded.
- An approval without an answer ends the run Waiting at that gate, with everything before it kept.
- Entering a stage is the recorder's to decide (CP §1.10's stage locks): it may wait in front of it, or end the run
  there, superseded or stopped, without entering.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from simulator.cancellation import CancelToken
from simulator.errors import SimulatorError
from simulator.pipeline.model import Action, Pipeline, Stage
from simulator.pipeline.statuses import ActionStatus
from simulator.pipeline.variables import (
    CODEPIPELINE_NAMESPACE,
    PIPELINE_VARIABLES_NAMESPACE,
    UnresolvedReference,
    resolve_all,
)


class RunEnding(StrEnum):
    """How one run of the executor ended (the execution's own status is the store's)."""

    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    STOPPED = "Stopped"
    WAITING = "Waiting"  # at a gate nobody has answered: CodePipeline shows the execution InProgress
    SUPERSEDED = "Superseded"  # a newer execution took its place (CP §1.10)


@dataclass(frozen=True)
class ActionOutcome:
    status: ActionStatus  # IN_PROGRESS: a gate still waiting for its answer
    summary: str = ""  # why it failed, was skipped, or what the approver said
    variables: Mapping[str, str] = field(default_factory=dict)  # its output variables (CP §1.7)
    outputs: Mapping[str, Path] = field(default_factory=dict)  # output artifact name -> folder
    external_id: str | None = None  # a build id, an approval token

    @property
    def done(self) -> bool:
        """Counts as passed for what comes after it."""
        return self.status in (ActionStatus.SUCCEEDED, ActionStatus.SKIPPED)


@dataclass(frozen=True)
class ActionContext:
    execution_id: str
    pipeline: Pipeline
    stage: Stage
    action: Action
    configuration: Mapping[str, str]  # with #{...} resolved
    artifacts: Mapping[str, Path]  # every artifact produced so far in this execution
    cancel: CancelToken


class ActionRunner(Protocol):
    def __call__(self, context: ActionContext) -> ActionOutcome: ...


class Recorder(Protocol):
    """Where an execution's progress is kept (the execution store)."""

    def previous(self, stage: str, action: str) -> ActionOutcome | None:
        """The action's outcome already recorded in this execution, if it succeeded (or was skipped)."""

    def stage_entered(self, stage: str) -> ExecutionResult | None:
        """Before the stage's first action, waiting while another execution holds it (CP §1.10). None once the
        execution is in; else how the run ends without entering (superseded or stopped while it waited)."""

    def stage_left(self, stage: str) -> None:
        """After the stage's last group, however it ended."""

    def started(self, stage: str, action: str) -> None: ...

    def finished(self, stage: str, action: str, outcome: ActionOutcome) -> None:
        """Also for an outcome still IN_PROGRESS: a gate left waiting."""


@dataclass(frozen=True)
class ExecutionResult:
    status: RunEnding
    stage: str | None = None  # where it failed, stopped or waits
    action: str | None = None
    summary: str = ""


@dataclass(frozen=True)
class RunScope:
    """Which stages one run covers, and what it starts with: `earlier_*` seed a run that starts at `from_stage` with
    another execution's artifacts and variables (a redeploy)."""

    pipeline_variables: Mapping[str, str] = field(default_factory=dict)
    from_stage: str | None = None
    until_stage: str | None = None
    earlier_artifacts: Mapping[str, Path] = field(default_factory=dict)
    earlier_variables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass
class _Known:
    """What the execution has produced so far: artifacts by name, variables by namespace."""

    artifacts: dict[str, Path]
    variables: dict[str, dict[str, str]]

    def add(self, action: Action, outcome: ActionOutcome) -> None:
        self.artifacts.update(outcome.outputs)
        if action.namespace:
            self.variables[action.namespace] = dict(outcome.variables)


@dataclass(frozen=True)
class _Run:
    """One run of the executor: what every group and action of it shares."""

    pipeline: Pipeline
    execution_id: str
    runner: ActionRunner
    recorder: Recorder
    known: _Known
    cancel: CancelToken
    parallel: int


def run_execution(
    pipeline: Pipeline,
    execution_id: str,
    runner: ActionRunner,
    recorder: Recorder,
    *,
    cancel: CancelToken,
    parallel: int = 2,
    scope: RunScope | None = None,
) -> ExecutionResult:
    """Run (or continue) one execution; `scope` (default: every stage, nothing earlier) says which stages, and
    what the run starts with."""
    scope = scope or RunScope()
    known = _Known(
        dict(scope.earlier_artifacts),
        {
            **{namespace: dict(values) for namespace, values in scope.earlier_variables.items()},
            CODEPIPELINE_NAMESPACE: {"PipelineExecutionId": execution_id},
            PIPELINE_VARIABLES_NAMESPACE: dict(scope.pipeline_variables),
        },
    )
    run = _Run(pipeline, execution_id, runner, recorder, known, cancel, parallel)
    stages = _stages_between(pipeline.stages, scope.from_stage, scope.until_stage)
    for stage in stages:
        if _already_done(stage, recorder, known):
            recorder.stage_left(stage.name)  # a gate answered since: its stage is settled now
            continue  # picked up again after this stage: it is not entered a second time
        refused = recorder.stage_entered(stage.name)
        if refused is not None:
            return refused
        try:
            for group in stage.run_order_groups():
                result = _run_group(run, stage, group)
                if result is not None:
                    return result
        finally:
            recorder.stage_left(stage.name)
    return ExecutionResult(RunEnding.SUCCEEDED)


def _already_done(stage: Stage, recorder: Recorder, known: _Known) -> bool:
    earlier = [(action, recorder.previous(stage.name, action.name)) for action in stage.actions]
    if not all(outcome is not None and outcome.done for _, outcome in earlier):
        return False
    for action, outcome in earlier:
        if outcome is not None:
            known.add(action, outcome)
    return True


def _stages_between(stages: Sequence[Stage], first: str | None, last: str | None) -> Sequence[Stage]:
    names = [stage.name for stage in stages]
    start = names.index(first) if first is not None else 0
    end = names.index(last) + 1 if last is not None else len(stages)
    return stages[start:end]


def _run_group(run: _Run, stage: Stage, group: Sequence[Action]) -> ExecutionResult | None:
    """Run one run-order group; None when every action in it passed."""
    recorder, known, cancel, parallel = run.recorder, run.known, run.cancel, run.parallel
    pending: list[Action] = []
    for action in group:
        earlier = recorder.previous(stage.name, action.name)
        if earlier is not None and earlier.done:
            known.add(action, earlier)  # picked up again: reuse what it made
        else:
            pending.append(action)
    outcomes: dict[str, ActionOutcome] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix=f"{stage.name}") as pool:
        running: dict[Future[ActionOutcome], Action] = {}
        queue = list(pending)
        while queue or running:
            stop_starting = cancel.cancelled or any(not o.done for o in outcomes.values())
            while queue and len(running) < max(1, parallel) and not stop_starting:
                action = queue.pop(0)
                start = _starter(run, stage, action)
                running[pool.submit(start)] = action
            if stop_starting:
                for action in queue:
                    outcome = ActionOutcome(ActionStatus.ABANDONED, "not started: an action it runs beside failed")
                    recorder.finished(stage.name, action.name, outcome)
                    outcomes[action.name] = outcome
                queue.clear()
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                action = running.pop(future)
                outcome = future.result()
                outcomes[action.name] = outcome
                if outcome.done:
                    known.add(action, outcome)
    return _group_result(stage, group, outcomes, cancel)


def _starter(run: _Run, stage: Stage, action: Action) -> Callable[[], ActionOutcome]:
    # The configuration is resolved as the action starts (CP §1.7), against what exists at that moment.
    variables = {namespace: dict(values) for namespace, values in run.known.variables.items()}
    artifacts = dict(run.known.artifacts)
    recorder = run.recorder

    def start() -> ActionOutcome:
        recorder.started(stage.name, action.name)
        try:
            configuration = resolve_all(action.configuration, variables)
        except UnresolvedReference as error:
            outcome = ActionOutcome(ActionStatus.FAILED, str(error))
        else:
            context = ActionContext(run.execution_id, run.pipeline, stage, action, configuration, artifacts, run.cancel)
            try:
                outcome = run.runner(context)
            except SimulatorError as error:  # a sentence for the user already
                outcome = ActionOutcome(ActionStatus.FAILED, str(error))
            except Exception as error:  # an action's own failure must not take its siblings down
                outcome = ActionOutcome(ActionStatus.FAILED, f"unexpected {type(error).__name__}: {error}")
        recorder.finished(stage.name, action.name, outcome)
        return outcome

    return start


def _group_result(
    stage: Stage, group: Sequence[Action], outcomes: Mapping[str, ActionOutcome], cancel: CancelToken
) -> ExecutionResult | None:
    # In the file's order, so the result names the first action that did not pass.
    stuck = [(action, outcomes[action.name]) for action in group if not outcomes.get(action.name, _PASSED).done]
    if cancel.cancelled:
        action, outcome = stuck[0] if stuck else (None, None)
        return ExecutionResult(
            RunEnding.STOPPED, stage.name, action.name if action else None, outcome.summary if outcome else ""
        )
    for wanted, status in (
        (ActionStatus.FAILED, RunEnding.FAILED),
        (ActionStatus.IN_PROGRESS, RunEnding.WAITING),
        # Abandoned while nothing failed and no stop was asked: only a gate closed by a newer execution (CP §1.10).
        (ActionStatus.ABANDONED, RunEnding.SUPERSEDED),
    ):
        for action, outcome in stuck:
            if outcome.status is wanted:
                return ExecutionResult(status, stage.name, action.name, outcome.summary)
    return None


_PASSED = ActionOutcome(ActionStatus.SUCCEEDED)
