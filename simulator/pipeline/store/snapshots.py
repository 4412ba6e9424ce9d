"""What `status`, `list` and the HTML page read: frozen values, taken in one read transaction.

Only the latest attempt of each action is shown (a retry replaces what the console shows, as CodePipeline's
`GetPipelineExecution` does); earlier attempts stay in the database for the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from simulator.codebuild.test_reports import ReportSummary
from simulator.pipeline.model import ExecutionMode
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus, StageStatus
from simulator.pipeline.store.owner import ProcessIdentity


@dataclass(frozen=True)
class ActionRef:
    """One attempt of one action of one execution: what a runner holds while the action runs."""

    execution_id: str
    stage: str
    action: str
    attempt: int


@dataclass(frozen=True)
class Approval:
    token: str
    execution_id: str
    stage: str
    action: str
    status: ApprovalStatus
    custom_data: str
    external_link: str
    notification_arn: str
    timeout_minutes: int
    opened_at: datetime
    expires_at: datetime
    summary: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None


@dataclass(frozen=True)
class ActionExecution:
    stage: str
    name: str
    attempt: int
    status: ActionStatus
    started_at: datetime
    ended_at: datetime | None
    summary: str = ""
    error: str = ""
    external_execution_id: str | None = None  # a build id, or an approval's token
    output_variables: Mapping[str, str] = field(default_factory=dict)
    input_artifacts: Mapping[str, Path] = field(default_factory=dict)  # artifact name -> its folder
    output_artifacts: Mapping[str, Path] = field(default_factory=dict)
    log_path: Path | None = None
    owner: ProcessIdentity | None = None  # the process running it; None once done, or while a gate waits
    approval: Approval | None = None
    reports: tuple[ReportSummary, ...] = ()  # a build's test reports, one per report group (report_files.py)

    @property
    def duration(self) -> timedelta | None:
        return None if self.ended_at is None else self.ended_at - self.started_at


@dataclass(frozen=True)
class StageExecution:
    name: str
    status: StageStatus
    started_at: datetime
    ended_at: datetime | None
    actions: tuple[ActionExecution, ...] = ()

    def action(self, name: str) -> ActionExecution:
        for action in self.actions:
            if action.name == name:
                return action
        raise KeyError(name)


@dataclass(frozen=True)
class ExecutionSummary:
    """A line of `pipeline list`."""

    id: str
    pipeline: str
    status: ExecutionStatus
    status_reason: str
    mode: ExecutionMode
    started_at: datetime
    ended_at: datetime | None
    trigger: str
    source_revision: str | None


@dataclass(frozen=True)
class Execution(ExecutionSummary):
    """Everything `pipeline status` shows: stages in the order they were entered, their actions, approvals."""

    variables: Mapping[str, str] = field(default_factory=dict)
    definition: Mapping[str, Any] = field(default_factory=dict)  # how to run it again: file, revision, options
    stages: tuple[StageExecution, ...] = ()
    artifacts: Mapping[str, Path] = field(default_factory=dict)  # every artifact of the execution -> its folder
    owner: ProcessIdentity | None = None

    def stage(self, name: str) -> StageExecution:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    @property
    def waiting_approvals(self) -> tuple[Approval, ...]:
        return tuple(
            action.approval
            for stage in self.stages
            for action in stage.actions
            if action.approval is not None and action.approval.status is ApprovalStatus.WAITING
        )
