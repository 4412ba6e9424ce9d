"""The executor's `Recorder`, kept in the execution store: what ran, what it made, and what to reuse."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from simulator.cancellation import CancelToken
from simulator.pipeline.executor import ActionOutcome, ExecutionResult, RunEnding
from simulator.pipeline.model import Pipeline
from simulator.pipeline.store import (
    ActionRef,
    Approval,
    ApprovalStatus,
    Ended,
    Entered,
    ExecutionStatus,
    PipelineStore,
    enter_stage,
    leave_stage,
)
from simulator.pipeline.store.statuses import ActionStatus
from simulator.pipeline.variables import Withheld
from simulator.reporting.masking import MASK

_REUSED = (ActionStatus.SUCCEEDED, ActionStatus.SKIPPED)
_ENDED_WAITING = {ExecutionStatus.SUPERSEDED: RunEnding.SUPERSEDED, ExecutionStatus.STOPPED: RunEnding.STOPPED}
POLL_SECONDS = 0.5  # how often a run waiting in front of a stage looks again (§1.10)


def _silent(_: str) -> None:
    pass


class ActionWatch(Protocol):
    def started(self, stage: str, action: str) -> None: ...

    def finished(self, stage: str, action: str) -> None: ...


class StoreRecorder:
    def __init__(  # noqa: PLR0913 - temporary: its parameters are being grouped on another branch
        self,
        store: PipelineStore,
        execution_id: str,
        pipeline: Pipeline,
        *,
        rerun_stage: str | None = None,
        watch: ActionWatch | None = None,
        cancel: CancelToken | None = None,
        say: Callable[[str], None] = _silent,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        """`rerun_stage`: a retry with ALL_ACTIONS (§1.11), whose stage's earlier successes are not reused.
        `watch` hears when an action other than a gate starts and ends (live progress); `cancel` ends a wait in
        front of a stage; `say` gets the line saying who the run waits for."""
        self.store = store
        self._watch = watch
        self.execution_id = execution_id
        self._pipeline = pipeline
        self._rerun_stage = rerun_stage
        self._cancel = cancel if cancel is not None else CancelToken()
        self._say = say
        self._poll_seconds = poll_seconds
        self._refs: dict[tuple[str, str], ActionRef] = {}
        self._lock = threading.Lock()
        self.superseded: list[str] = []  # older executions this one superseded (§1.10)

    def previous(self, stage: str, action: str) -> ActionOutcome | None:
        if stage == self._rerun_stage:
            return None
        try:
            recorded = self.store.execution(self.execution_id).stage(stage).action(action)
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
        """The store decides (§1.10); while the stage is held this process polls it, saying once who holds it."""
        said = ""
        while True:
            entry = enter_stage(self.store, self.execution_id, stage)
            if isinstance(entry, Ended):
                return ExecutionResult(_ENDED_WAITING.get(entry.status, RunEnding.FAILED), stage, None, entry.reason)
            self.superseded += entry.superseded
            if isinstance(entry, Entered):
                return None
            if entry.line(self.execution_id) != said:
                said = entry.line(self.execution_id)
                self._say(said)
            if self._cancel.wait(self._poll_seconds):
                return ExecutionResult(RunEnding.STOPPED, stage, None, f"stopped while waiting for stage {stage}")

    def stage_left(self, stage: str) -> None:
        """Settles the stage from its actions, unless it was settled already (its times stay as they were); passed,
        the execution is in front of the next stage at once, so none behind it can overtake it (§1.10)."""
        try:
            recorded = self.store.execution(self.execution_id).stage(stage)
        except KeyError:
            return
        if recorded.status.is_active or recorded.ended_at is None:
            leave_stage(self.store, self.execution_id, stage, self._after(stage))

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
            ref = self.store.start_action(self.execution_id, stage, action, owned=not is_gate)
        with self._lock:
            self._refs[(stage, action)] = ref
        if self._watch is not None and not is_gate:
            self._watch.started(stage, action)

    def waiting_gate(self, stage: str, action: str) -> tuple[int, Approval] | None:
        """The attempt and approval of a gate of this action still waiting for its answer."""
        try:
            recorded = self.store.execution(self.execution_id).stage(stage).action(action)
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
        self.store.finish_action(
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
        return self.store.artifact_folder(self.execution_id, artifact, stage=stage, action=action)
