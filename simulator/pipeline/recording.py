"""The executor's `Recorder`, kept in the execution store: what ran, what it made, and what to reuse.

It is also the local actions' only way to the store (`actions/dispatch.py`): an action's log file, its test report
summaries and an approval gate's state go through it, so the actions never hold the store themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, TextIO

from simulator.cancellation import CancelToken
from simulator.codebuild.test_reports import ReportSummary
from simulator.pipeline.approvals.gate import GatePolicy, run_gate
from simulator.pipeline.executor import ActionContext, ActionOutcome, ExecutionResult, RunEnding
from simulator.pipeline.model import Pipeline
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus
from simulator.pipeline.store import ActionRef, Approval, Ended, Entered, PipelineStore
from simulator.pipeline.variables import Withheld
from simulator.reporting.masking import MASK

_REUSED = (ActionStatus.SUCCEEDED, ActionStatus.SKIPPED)
_ENDED_WAITING = {ExecutionStatus.SUPERSEDED: RunEnding.SUPERSEDED, ExecutionStatus.STOPPED: RunEnding.STOPPED}
POLL_SECONDS = 0.5  # how often a run waiting in front of a stage looks again (CP §1.10)


def _silent(_: str) -> None:
    pass


class ActionWatch(Protocol):
    def started(self, stage: str, action: str) -> None: ...

    def finished(self, stage: str, action: str) -> None: ...


class StoreRecorder:
    poll_seconds = POLL_SECONDS  # a class attribute, not an argument: only tests look again sooner (a subclass)

    def __init__(
        self,
        store: PipelineStore,
        execution_id: str,
        pipeline: Pipeline,
        *,
        rerun_stage: str | None = None,
        watch: ActionWatch | None = None,
        cancel: CancelToken | None = None,
        say: Callable[[str], None] = _silent,
    ) -> None:
        """`rerun_stage`: a retry with ALL_ACTIONS (CP §1.11), whose stage's earlier successes are not reused.
        `watch` hears when an action other than a gate starts and ends (live progress); `cancel` ends a wait in
        front of a stage; `say` gets the line saying who the run waits for."""
        self._store = store
        self._watch = watch
        self.execution_id = execution_id
        self._pipeline = pipeline
        self._rerun_stage = rerun_stage
        self._cancel = cancel if cancel is not None else CancelToken()
        self._say = say
        self._refs: dict[tuple[str, str], ActionRef] = {}
        self._lock = threading.Lock()
        self.superseded: list[str] = []  # older executions this one superseded (CP §1.10)

    def previous(self, stage: str, action: str) -> ActionOutcome | None:
        if stage == self._rerun_stage:
            return None
        try:
            recorded = self._store.execution(self.execution_id).stage(stage).action(action)
        except KeyError:
            return None
        if recorded.status not in _REUSED:
            return None
        return ActionOutcome(
            recorded.status,
            recorded.summary,
            {name: Withheld(value) if MASK in value else value for name, value in recorded.output_variables.items()},
            dict(recorded.output_artifacts),
            recorded.external_execution_id,
        )

    def stage_entered(self, stage: str) -> ExecutionResult | None:
        """The store decides (CP §1.10); while the stage is held this process polls it, saying once who holds it."""
        said = ""
        while True:
            entry = self._store.enter_stage(self.execution_id, stage)
            if isinstance(entry, Ended):
                return ExecutionResult(_ENDED_WAITING.get(entry.status, RunEnding.FAILED), stage, None, entry.reason)
            self.superseded += entry.superseded
            if isinstance(entry, Entered):
                return None
            if entry.line(self.execution_id) != said:
                said = entry.line(self.execution_id)
                self._say(said)
            if self._cancel.wait(self.poll_seconds):
                return ExecutionResult(RunEnding.STOPPED, stage, None, f"stopped while waiting for stage {stage}")

    def stage_left(self, stage: str) -> None:
        """Settles the stage from its actions, unless it was settled already (its times stay as they were); passed,
        the execution is in front of the next stage at once, so none behind it can overtake it (CP §1.10)."""
        try:
            recorded = self._store.execution(self.execution_id).stage(stage)
        except KeyError:
            return
        if recorded.status.is_active or recorded.ended_at is None:
            self._store.leave_stage(self.execution_id, stage, self._after(stage))

    def _after(self, stage: str) -> str | None:
        names = [each.name for each in self._pipeline.stages]
        following = names[names.index(stage) + 1 :]
        return following[0] if following else None

    def started(self, stage: str, action: str) -> None:
        is_gate = self._pipeline.stage(stage).action(action).is_approval
        waiting = self.waiting_gate(stage, action) if is_gate else None
        if waiting is not None:
            # The gate is still open from an earlier run: the same attempt and token wait on, none is reopened.
            ref = ActionRef(self.execution_id, stage, action, waiting[0])
        else:
            ref = self._store.start_action(self.execution_id, stage, action, owned=not is_gate)
        with self._lock:
            self._refs[(stage, action)] = ref
        if self._watch is not None and not is_gate:
            self._watch.started(stage, action)

    def waiting_gate(self, stage: str, action: str) -> tuple[int, Approval] | None:
        """The attempt and approval of a gate of this action still waiting for its answer."""
        try:
            recorded = self._store.execution(self.execution_id).stage(stage).action(action)
        except KeyError:
            return None
        approval = recorded.approval
        if approval is None or approval.status is not ApprovalStatus.WAITING:
            return None
        return recorded.attempt, approval

    def finished(self, stage: str, action: str, outcome: ActionOutcome) -> None:
        if self._watch is not None:
            self._watch.finished(stage, action)
        if outcome.status is ActionStatus.IN_PROGRESS:
            return  # a gate left waiting: `pipeline approve` ends it
        self._store.finish_action(
            self.ref(stage, action),
            outcome.status,
            summary=outcome.summary,
            external_execution_id=outcome.external_id,
            output_variables=outcome.variables,
            output_artifacts=outcome.outputs,
        )

    def ref(self, stage: str, action: str) -> ActionRef:
        with self._lock:
            return self._refs[(stage, action)]

    def output_folder(self, stage: str, action: str, artifact: str) -> Path:
        return self._store.artifact_folder(self.execution_id, artifact, stage=stage, action=action)

    # -- what the local actions keep in the store ---------------------------------------------------------------

    def log_path(self, stage: str, action: str) -> Path:
        """Where the action's current attempt writes its log, for `pipeline logs`."""
        return self._store.log_path(self.ref(stage, action))

    def save_report_summaries(self, stage: str, action: str, summaries: Iterable[ReportSummary]) -> None:
        """The test report summaries of the action's current attempt, kept beside its log."""
        self._store.save_report_summaries(self.ref(stage, action), summaries)

    def approval_gate(
        self, context: ActionContext, policy: GatePolicy, console: TextIO, log: Callable[[str], None]
    ) -> ActionOutcome:
        """Runs the approval action of `context` at its gate (`approvals/gate.py`), which lives in the store: a gate
        left open by an earlier run waits on with its token."""
        stage, action = context.stage.name, context.action.name
        waiting = self.waiting_gate(stage, action)
        opened = waiting[1] if waiting else None
        return run_gate(context, self._store, self.ref(stage, action), policy, console, log, opened=opened)
