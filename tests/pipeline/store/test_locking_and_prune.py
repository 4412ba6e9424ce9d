"""SUPERSEDED stage locking and retry limits (codepipeline-semantics §1.10, §1.11); prune keeping active executions."""

from __future__ import annotations

import pytest

from simulator.pipeline.model import ExecutionMode
from simulator.pipeline.store import (
    ActionStatus,
    ApprovalAlreadyCompletedException,
    ApprovalStatus,
    ExecutionStatus,
    StageNotRetryableException,
    StageStatus,
    ValidationException,
    answer,
    check_retryable,
    open_gate,
    prune,
    stage_holder,
    supersede_waiting,
)


def _waiting_at(store, stage: str, mode: ExecutionMode = ExecutionMode.SUPERSEDED) -> str:
    execution_id = store.start_execution("shop", mode=mode)
    store.start_stage(execution_id, stage)
    open_gate(store, store.start_action(execution_id, stage, "Approve", owned=False))
    return execution_id


def test_a_newer_execution_reaching_the_gate_stage_supersedes_the_waiting_one(store, clock):
    """§1.10: superseded between stages; the older one stops for good and both show so."""
    older = _waiting_at(store, "ApproveDev")
    clock.advance(10)
    newer = store.start_execution("shop")
    assert stage_holder(store, "shop", "ApproveDev", other_than=newer) == older
    assert supersede_waiting(store, newer, "ApproveDev") == (older,)
    store.start_stage(newer, "ApproveDev")
    execution = store.execution(older)
    assert (execution.status, execution.status_reason) == (
        ExecutionStatus.SUPERSEDED,
        f"Superseded by execution {newer}, which reached stage ApproveDev",
    )
    stage = execution.stage("ApproveDev")
    assert (stage.status, stage.action("Approve").status, stage.action("Approve").approval.status) == (
        StageStatus.CANCELLED,
        ActionStatus.ABANDONED,
        ApprovalStatus.SUPERSEDED,
    )
    with pytest.raises(ApprovalAlreadyCompletedException) as refusal:
        answer(store, older, status=ApprovalStatus.APPROVED, summary="", by="a")
    assert str(refusal.value) == (
        f"ApprovalAlreadyCompletedException: the approval ApproveDev/Approve of execution {older} was superseded "
        "by a newer execution."
    )
    assert store.execution(newer).status is ExecutionStatus.IN_PROGRESS
    assert stage_holder(store, "shop", "ApproveDev") == newer


@pytest.mark.parametrize(
    ("older_mode", "stage", "pipeline", "superseded"),
    [
        (ExecutionMode.SUPERSEDED, "ApproveDev", "shop", True),
        (ExecutionMode.QUEUED, "ApproveDev", "shop", False),  # V2 QUEUED: none is superseded
        (ExecutionMode.PARALLEL, "ApproveDev", "shop", False),
        (ExecutionMode.SUPERSEDED, "ApproveProd", "shop", False),  # waits at another stage
        (ExecutionMode.SUPERSEDED, "ApproveDev", "cart", False),  # another pipeline
    ],
)
def test_who_is_superseded(store, clock, older_mode, stage, pipeline, superseded):
    older = store.start_execution(pipeline, mode=older_mode)
    store.start_stage(older, stage)
    open_gate(store, store.start_action(older, stage, "Approve", owned=False))
    clock.advance(1)
    newer = store.start_execution("shop")
    assert supersede_waiting(store, newer, "ApproveDev") == ((older,) if superseded else ())


def test_an_older_execution_never_supersedes_a_newer_one(store, clock):
    older = store.start_execution("shop")
    clock.advance(1)
    newer = _waiting_at(store, "ApproveDev")
    assert supersede_waiting(store, older, "ApproveDev") == ()
    assert store.execution(newer).status is ExecutionStatus.IN_PROGRESS


def _failed_in(store, stage: str) -> str:
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, stage)
    store.finish_action(store.start_action(execution_id, stage, "Compile"), ActionStatus.FAILED, error="exit 1")
    store.finish_stage(execution_id, stage)
    store.finish_execution(execution_id, ExecutionStatus.FAILED)
    return execution_id


def test_a_failed_stage_is_retryable_until_a_newer_execution_enters_it(store, clock):
    """§1.10.5: after another execution enters the stage, the failed one can no longer be retried."""
    failed = _failed_in(store, "Build")
    check_retryable(store, failed, "Build")
    clock.advance(1)
    newer = store.start_execution("shop")
    store.start_stage(newer, "Source")
    check_retryable(store, failed, "Build")  # not yet in Build
    store.start_stage(newer, "Build")
    with pytest.raises(StageNotRetryableException) as refusal:
        check_retryable(store, failed, "Build")
    assert str(refusal.value) == (
        f"StageNotRetryableException: execution {newer} has entered stage Build since, so execution {failed} can "
        "no longer retry it (§1.10: a stage is retried only until a newer execution enters it)."
    )


def test_a_stage_that_did_not_fail_is_not_retried(store):
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    with pytest.raises(StageNotRetryableException) as refusal:
        check_retryable(store, execution_id, "Build")
    assert str(refusal.value) == (
        f"StageNotRetryableException: stage Build of execution {execution_id} is InProgress in a InProgress "
        "execution; only a failed stage of a failed or stopped execution can be retried."
    )


def _ended_with_artifact(store, status=ExecutionStatus.SUCCEEDED) -> str:
    execution_id = store.start_execution("shop")
    folder = store.artifact_folder(execution_id, "SourceOutput", stage="Source", action="Checkout")
    (folder / "app.py").write_text("print('hi')\n")
    store.finish_execution(execution_id, status)
    return execution_id


def test_prune_keeps_the_newest_and_every_active_execution(store, clock, state):
    oldest_waiting = _waiting_at(store, "ApproveDev")
    clock.advance(1)
    running = store.start_execution("shop")
    clock.advance(1)
    ended = []
    for status in (ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED, ExecutionStatus.SUCCEEDED):
        ended.append(_ended_with_artifact(store, status))
        clock.advance(1)
    other_pipeline = store.start_execution("cart")
    store.finish_execution(other_pipeline, ExecutionStatus.SUCCEEDED)
    assert prune(store, keep=1, pipeline="shop") == (ended[0], ended[1])
    assert {e.id for e in store.list_executions()} == {oldest_waiting, running, ended[2], other_pipeline}
    for gone in ended[:2]:
        assert not state.execution_dir("shop", gone).exists()
    assert (state.execution_dir("shop", ended[2]) / "artifacts" / "SourceOutput" / "app.py").is_file()
    assert store.execution(oldest_waiting).waiting_approvals != ()


def test_prune_zero_removes_every_ended_execution_of_every_pipeline(store):
    ended = _ended_with_artifact(store)
    running = store.start_execution("cart")
    assert prune(store, keep=0) == (ended,)
    assert [e.id for e in store.list_executions()] == [running]


def test_prune_sweeps_folders_no_execution_names(store, state):
    kept = _ended_with_artifact(store)
    leftover = state.pipelines_dir / "shop" / "3f0c8a52-0000-4000-8000-000000000000"
    (leftover / "artifacts").mkdir(parents=True)
    not_ours = state.pipelines_dir / "shop" / "notes"
    not_ours.mkdir()
    assert prune(store, keep=5) == ()
    assert (leftover.exists(), not_ours.exists(), state.execution_dir("shop", kept).exists()) == (False, True, True)


def test_prune_takes_a_count(store):
    with pytest.raises(ValidationException) as refusal:
        prune(store, keep=-1)
    assert str(refusal.value) == "ValidationException: --keep takes a number of executions, 0 or more, not -1."
