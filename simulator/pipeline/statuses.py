"""The statuses an execution, a stage, an action and an approval can have, with CodePipeline's names.

Executions (`PipelineExecutionStatus`), stages (`StageExecutionStatus`) and actions (`ActionExecutionStatus`) use
the API's spellings, so `status` reads like `aws codepipeline get-pipeline-execution`. Two additions are ours and
said so: an action may be `Skipped` (a deploy with no local equivalent, which the issue wants reported, never
shown as Succeeded), and an approval has its own life (`Waiting` until answered, timed out or superseded), which
the API only shows through the action's status and the `ApprovalResult`.

They live here, above the store: the executor, the recorder, the reports and the store all speak them, and the
executor, which runs a pipeline without knowing where it is kept, need not import the store to do so.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class ExecutionStatus(StrEnum):
    IN_PROGRESS = "InProgress"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    SUCCEEDED = "Succeeded"
    SUPERSEDED = "Superseded"
    FAILED = "Failed"

    @property
    def is_active(self) -> bool:
        """Still running or waiting at a gate: never pruned, and its stages may still change."""
        return self in (ExecutionStatus.IN_PROGRESS, ExecutionStatus.STOPPING)


class StageStatus(StrEnum):
    IN_PROGRESS = "InProgress"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELLED = "Cancelled"  # left when its execution was superseded at a gate in it (CP §1.10)
    SKIPPED = "Skipped"

    @property
    def is_active(self) -> bool:
        return self in (StageStatus.IN_PROGRESS, StageStatus.STOPPING)


class ActionStatus(StrEnum):
    IN_PROGRESS = "InProgress"  # an approval waiting for its answer is InProgress too, as in CodePipeline
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    ABANDONED = "Abandoned"  # its execution was superseded or stopped while it ran or waited
    SKIPPED = "Skipped"  # ours: no local equivalent (a CodeDeploy deploy, ...), reported with the reason

    @property
    def is_final(self) -> bool:
        return self is not ActionStatus.IN_PROGRESS


class ApprovalStatus(StrEnum):
    WAITING = "Waiting"
    APPROVED = "Approved"  # PutApprovalResult's two answers (CP §1.12)
    REJECTED = "Rejected"
    EXPIRED = "Expired"  # TimeoutInMinutes passed: the action fails, like a rejection (CP §1.12)
    SUPERSEDED = "Superseded"  # a newer execution reached this stage (CP §1.10)

    @property
    def is_answer(self) -> bool:
        return self in (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED)


def stage_status_from(actions: Iterable[ActionStatus]) -> StageStatus:
    """A stage's status from its actions' (latest attempts'), as CP §1.5 rules it.

    One failure fails the stage even while siblings still run (they finish, nothing later starts); a stage is
    Succeeded only when every action is done and none failed: Skipped actions count as done, not as failures.
    """
    statuses = list(actions)
    if ActionStatus.FAILED in statuses:
        return StageStatus.FAILED
    if ActionStatus.IN_PROGRESS in statuses:
        return StageStatus.IN_PROGRESS
    if ActionStatus.ABANDONED in statuses:
        return StageStatus.CANCELLED
    if statuses and all(status is ActionStatus.SKIPPED for status in statuses):
        return StageStatus.SKIPPED
    return StageStatus.SUCCEEDED
