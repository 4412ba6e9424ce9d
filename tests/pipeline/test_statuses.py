"""Status rules, table-driven (CP §1.5, CP §1.10, CP §1.12)."""

from __future__ import annotations

import pytest

from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus, StageStatus, stage_status_from

A = ActionStatus


@pytest.mark.parametrize(
    ("actions", "stage"),
    [
        # CP §1.5: one failure fails the stage even while a sibling still runs
        ((A.SUCCEEDED, A.FAILED), StageStatus.FAILED),
        ((A.IN_PROGRESS, A.FAILED), StageStatus.FAILED),
        ((A.IN_PROGRESS, A.SUCCEEDED), StageStatus.IN_PROGRESS),
        ((A.SUCCEEDED, A.SUCCEEDED), StageStatus.SUCCEEDED),
        # a deploy with no local equivalent is done, not failed, and not the whole stage's success
        ((A.SUCCEEDED, A.SKIPPED), StageStatus.SUCCEEDED),
        ((A.SKIPPED,), StageStatus.SKIPPED),
        # CP §1.10: a superseded gate leaves its stage Cancelled
        ((A.SUCCEEDED, A.ABANDONED), StageStatus.CANCELLED),
        ((A.ABANDONED, A.FAILED), StageStatus.FAILED),
        ((), StageStatus.SUCCEEDED),
    ],
)
def test_a_stage_status_follows_its_actions(actions, stage):
    assert stage_status_from(actions) is stage


@pytest.mark.parametrize(
    ("status", "active"),
    [
        (ExecutionStatus.IN_PROGRESS, True),
        (ExecutionStatus.STOPPING, True),
        (ExecutionStatus.STOPPED, False),
        (ExecutionStatus.SUCCEEDED, False),
        (ExecutionStatus.SUPERSEDED, False),
        (ExecutionStatus.FAILED, False),
    ],
)
def test_only_running_executions_are_active(status, active):
    assert status.is_active is active


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (ApprovalStatus.APPROVED, True),
        (ApprovalStatus.REJECTED, True),
        (ApprovalStatus.WAITING, False),
        (ApprovalStatus.EXPIRED, False),
        (ApprovalStatus.SUPERSEDED, False),
    ],
)
def test_only_approved_and_rejected_are_answers(status, answer):
    """CP §1.12: PutApprovalResult takes Approved or Rejected."""
    assert status.is_answer is answer


def test_the_names_are_codepipelines():
    assert [s.value for s in ExecutionStatus] == [
        "InProgress",
        "Stopping",
        "Stopped",
        "Succeeded",
        "Superseded",
        "Failed",
    ]
    assert [s.value for s in ActionStatus if s is not ActionStatus.SKIPPED] == [
        "InProgress",
        "Succeeded",
        "Failed",
        "Abandoned",
    ]
