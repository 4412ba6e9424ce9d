"""The executor's `Recorder`, kept in the execution store: what ran, what it made, and what to reuse."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

from simulator.pipeline.executor import ActionOutcome
from simulator.pipeline.model import ExecutionMode, Pipeline
from simulator.pipeline.store import ActionRef, Approval, ApprovalStatus, PipelineStore, supersede_waiting
from simulator.pipeline.store.statuses import ActionStatus
from simulator.pipeline.variables import Withheld
from simulator.reporting.masking import MASK

_REUSED = (ActionStatus.SUCCEEDED, ActionStatus.SKIPPED)


class ActionWatch(Protocol):
    def started(self, stage: str, action: str) -> None: ...

    def finished(self, stage: str, action: str) -> None: ...


class StoreRecorder:
    def __init__(
        self,
        store: PipelineStore,
        execution_id: str,
        pipeline: Pipeline,
        *,
        rerun_stage: str | None = None,
        watch: ActionWatch | None = None,
    ) -> None:
        """`rerun_stage`: a retry with ALL_ACTIONS (§1.11), whose stage's earlier successes are not reused.
        `watch` hears when an action other than a gate starts and ends (live progress)."""
        self.store = store
        self._watch = watch
        self.execution_id = execution_id
        self._pipeline = pipeline
        self._rerun_stage = rerun_stage
        self._refs: dict[tuple[str, str], ActionRef] = {}
        self._lock = threading.Lock()
        self.superseded: list[str] = []  # older executions this one superseded at a gate (§1.10)

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

    def stage_entered(self, stage: str) -> None:
        if self._pipeline.execution_mode is ExecutionMode.SUPERSEDED:
            self.superseded += supersede_waiting(self.store, self.execution_id, stage)
        self.store.start_stage(self.execution_id, stage)

    def stage_left(self, stage: str) -> None:
        """Settles the stage from its actions, unless it was settled already (its times stay as they were)."""
        try:
            recorded = self.store.execution(self.execution_id).stage(stage)
        except KeyError:
            return
        if recorded.status.is_active or recorded.ended_at is None:
            self.store.finish_stage(self.execution_id, stage)

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
