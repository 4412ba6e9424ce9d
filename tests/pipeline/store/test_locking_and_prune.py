"""SUPERSEDED stage locking and retry limits (CP §1.10, CP §1.11); prune keeping active executions."""

from __future__ import annotations

import pytest

from simulator.pipeline.model import ExecutionMode
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus, StageStatus
from simulator.pipeline.store import (
    ActionRef,
    ApprovalAlreadyCompletedException,
    ApprovalResult,
    Ended,
    Entered,
    StageNotRetryableException,
    ValidationException,
    Waits,
)


def _waiting_at(store, stage: str, mode: ExecutionMode = ExecutionMode.SUPERSEDED) -> str:
    execution_id = store.start_execution("shop", mode=mode)
    store.start_stage(execution_id, stage)
    store.open_gate(store.start_action(execution_id, stage, "Approve", owned=False))
    return execution_id


def test_a_newer_execution_reaching_the_gate_stage_supersedes_the_waiting_one(store, clock):
    """CP §1.10: superseded between stages; the older one stops for good and both show so."""
    older = _waiting_at(store, "ApproveDev")
    clock.advance(10)
    newer = store.start_execution("shop")
    assert store.stage_holder("shop", "ApproveDev") == older
    assert store.enter_stage(newer, "ApproveDev") == Entered(superseded=(older,))
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
        store.answer(older, ApprovalResult(ApprovalStatus.APPROVED, "", "a"))
    assert str(refusal.value) == (
        f"ApprovalAlreadyCompletedException: the approval ApproveDev/Approve of execution {older} was superseded "
        "by a newer execution."
    )
    assert store.execution(newer).status is ExecutionStatus.IN_PROGRESS
    assert store.stage_holder("shop", "ApproveDev") == newer


@pytest.mark.parametrize(
    ("older_mode", "stage", "pipeline", "entry"),
    [
        (ExecutionMode.SUPERSEDED, "ApproveDev", "shop", "superseded"),
        # CP §1.10 item 4, QUEUED: a stage with a pending approval stays locked; none is superseded.
        (ExecutionMode.QUEUED, "ApproveDev", "shop", "waits"),
        (ExecutionMode.PARALLEL, "ApproveDev", "shop", "enters"),  # PARALLEL locks nothing
        (ExecutionMode.SUPERSEDED, "ApproveProd", "shop", "enters"),  # waits at another stage
        (ExecutionMode.SUPERSEDED, "ApproveDev", "cart", "enters"),  # another pipeline
    ],
)
def test_who_is_superseded(store, clock, older_mode, stage, pipeline, entry):
    older = store.start_execution(pipeline, mode=older_mode)
    store.start_stage(older, stage)
    store.open_gate(store.start_action(older, stage, "Approve", owned=False))
    clock.advance(1)
    newer = store.start_execution("shop")
    expected = {
        "superseded": Entered(superseded=(older,)),
        "waits": Waits("ApproveDev", f"execution {older} holds it", ExecutionMode.SUPERSEDED),
        "enters": Entered(),
    }[entry]
    assert store.enter_stage(newer, "ApproveDev") == expected
    assert store.execution(older).status is (
        ExecutionStatus.SUPERSEDED if entry == "superseded" else ExecutionStatus.IN_PROGRESS
    )


def test_a_gate_waiter_still_running_an_action_beside_its_gate_is_not_superseded(store, clock):
    """CP §1.10 item 3: never inside a stage; the issue's gate rule only takes an execution that does nothing but
    wait."""
    older = _waiting_at(store, "ApproveDev")
    store.start_action(older, "ApproveDev", "Notes")  # runs beside the gate, owned by this process
    clock.advance(1)
    newer = store.start_execution("shop")
    assert store.enter_stage(newer, "ApproveDev") == Waits(
        "ApproveDev", f"execution {older} holds it", ExecutionMode.SUPERSEDED
    )
    assert store.execution(older).status is ExecutionStatus.IN_PROGRESS


def test_an_older_execution_never_supersedes_a_newer_one(store, clock):
    older = store.start_execution("shop")
    clock.advance(1)
    newer = _waiting_at(store, "ApproveDev")
    assert store.enter_stage(older, "ApproveDev") == Waits(
        "ApproveDev", f"execution {newer} holds it", ExecutionMode.SUPERSEDED
    )
    assert store.execution(newer).status is ExecutionStatus.IN_PROGRESS


def _failed_in(store, stage: str) -> str:
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, stage)
    store.finish_action(store.start_action(execution_id, stage, "Compile"), ActionStatus.FAILED, error="exit 1")
    store.finish_stage(execution_id, stage)
    store.finish_execution(execution_id, ExecutionStatus.FAILED)
    return execution_id


def test_a_failed_stage_is_retryable_until_a_newer_execution_enters_it(store, clock):
    """CP §1.10 item 5: after another execution enters the stage, the failed one can no longer be retried."""
    failed = _failed_in(store, "Build")
    store.check_retryable(failed, "Build")
    clock.advance(1)
    newer = store.start_execution("shop")
    store.start_stage(newer, "Source")
    store.check_retryable(failed, "Build")  # not yet in Build
    store.start_stage(newer, "Build")
    with pytest.raises(StageNotRetryableException) as refusal:
        store.check_retryable(failed, "Build")
    assert str(refusal.value) == (
        f"StageNotRetryableException: execution {newer} has entered stage Build since, so execution {failed} can "
        "no longer retry it (CP §1.10: a stage is retried only until a newer execution enters it)."
    )


def test_a_stage_that_did_not_fail_is_not_retried(store):
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    with pytest.raises(StageNotRetryableException) as refusal:
        store.check_retryable(execution_id, "Build")
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
    assert store.prune(keep=1, pipeline="shop") == (ended[0], ended[1])
    assert {e.id for e in store.list_executions()} == {oldest_waiting, running, ended[2], other_pipeline}
    for gone in ended[:2]:
        assert not state.execution_dir("shop", gone).exists()
    assert (state.execution_dir("shop", ended[2]) / "artifacts" / "SourceOutput" / "app.py").is_file()
    assert store.execution(oldest_waiting).waiting_approvals != ()


def test_prune_zero_removes_every_ended_execution_of_every_pipeline(store):
    ended = _ended_with_artifact(store)
    running = store.start_execution("cart")
    assert store.prune(keep=0) == (ended,)
    assert [e.id for e in store.list_executions()] == [running]


def test_prune_sweeps_folders_no_execution_names(store, state):
    kept = _ended_with_artifact(store)
    leftover = state.pipelines_dir / "shop" / "3f0c8a52-0000-4000-8000-000000000000"
    (leftover / "artifacts").mkdir(parents=True)
    not_ours = state.pipelines_dir / "shop" / "notes"
    not_ours.mkdir()
    assert store.prune(keep=5) == ()
    assert (leftover.exists(), not_ours.exists(), state.execution_dir("shop", kept).exists()) == (False, True, True)


def test_prune_takes_a_count(store):
    with pytest.raises(ValidationException) as refusal:
        store.prune(keep=-1)
    assert str(refusal.value) == "ValidationException: --keep takes a number of executions, 0 or more, not -1."


def _running_in(store, stage: str, mode: ExecutionMode = ExecutionMode.SUPERSEDED) -> str:
    execution_id = store.start_execution("shop", mode=mode)
    store.start_stage(execution_id, stage)
    store.start_action(execution_id, stage, "Compile")
    return execution_id


def test_an_older_execution_arriving_where_a_newer_one_waits_is_the_one_superseded(store, clock):
    """CP §1.10 SUPERSEDED.3: one waits per stage, and of two the older gives way, whichever came first."""
    older = store.start_execution("shop")
    clock.advance(1)
    holder = _running_in(store, "Build")
    clock.advance(1)
    newer = store.start_execution("shop")
    assert store.enter_stage(newer, "Build") == Waits("Build", f"execution {holder} holds it", ExecutionMode.SUPERSEDED)
    why = f"Superseded by execution {newer}, which waits in front of stage Build (CP §1.10)"
    assert store.enter_stage(older, "Build") == Ended(ExecutionStatus.SUPERSEDED, why)
    assert store.execution(older).status_reason == why
    assert store.execution(newer).status_reason == (
        f"waiting for stage Build: execution {holder} holds it (CP §1.10, SUPERSEDED)"
    )


def test_the_waiting_reason_goes_once_the_stage_is_entered(store, clock):
    """CP §1.10 SUPERSEDED.2: the holder leaving releases the stage to the one waiting in front."""
    holder = _running_in(store, "Build")
    clock.advance(1)
    waiting = store.start_execution("shop")
    assert isinstance(store.enter_stage(waiting, "Build"), Waits)
    assert [stage.name for stage in store.execution(waiting).stages] == []
    store.finish_execution(holder, ExecutionStatus.FAILED, "exit 1")  # CP §1.10 item 5: a failure releases the lock
    assert store.enter_stage(waiting, "Build") == Entered()
    execution = store.execution(waiting)
    assert (execution.status_reason, [(s.name, s.status) for s in execution.stages]) == (
        "",
        [("Build", StageStatus.IN_PROGRESS)],
    )


def test_queued_turns_follow_arrival_not_start_time(store, clock):
    """CP §1.10 QUEUED: arrival order in front of the stage, even for an older execution that arrives later."""
    older = store.start_execution("shop", mode=ExecutionMode.QUEUED)
    holder = _running_in(store, "Build", ExecutionMode.QUEUED)
    newer = store.start_execution("shop", mode=ExecutionMode.QUEUED)  # the same clock tick: no time decides
    assert store.enter_stage(newer, "Build") == Waits("Build", f"execution {holder} holds it", ExecutionMode.QUEUED)
    assert store.enter_stage(older, "Build") == Waits(
        "Build", f"execution {holder} holds it, 1 queued before it", ExecutionMode.QUEUED
    )
    store.finish_execution(holder, ExecutionStatus.SUCCEEDED)
    assert store.enter_stage(older, "Build") == Waits(
        "Build", f"execution {newer} enters it first", ExecutionMode.QUEUED
    )
    assert store.enter_stage(newer, "Build") == Entered()
    assert store.enter_stage(older, "Build") == Waits("Build", f"execution {newer} holds it", ExecutionMode.QUEUED)
    assert [store.execution(e).status for e in (older, newer)] == [ExecutionStatus.IN_PROGRESS] * 2


def test_an_execution_back_in_its_own_stage_after_its_gate_is_not_held_up(store, clock):
    """Carried on after an answer, an execution re-enters the stage it holds, whoever queues in front of it."""
    holder = _waiting_at(store, "ApproveDev", ExecutionMode.QUEUED)
    clock.advance(1)
    queued = store.start_execution("shop", mode=ExecutionMode.QUEUED)
    assert isinstance(store.enter_stage(queued, "ApproveDev"), Waits)
    store.answer(holder, ApprovalResult(ApprovalStatus.APPROVED, "ok", "a"))
    assert store.enter_stage(holder, "ApproveDev") == Entered()


@pytest.mark.parametrize("mode", [ExecutionMode.SUPERSEDED, ExecutionMode.QUEUED])
def test_leaving_a_stage_puts_the_execution_in_front_of_the_next_so_none_overtakes_it(store, clock, mode):
    """CP §1.10: an execution that finishes a stage is in front of the next at once; the one behind cannot pass."""
    ahead = _running_in(store, "Build", mode)
    clock.advance(1)
    behind = store.start_execution("shop", mode=mode)
    store.finish_action(ActionRef(ahead, "Build", "Compile", 1), ActionStatus.SUCCEEDED)
    assert store.leave_stage(ahead, "Build", "Deploy") is StageStatus.SUCCEEDED
    assert store.enter_stage(behind, "Build") == Entered()
    store.finish_action(store.start_action(behind, "Build", "Compile"), ActionStatus.SUCCEEDED)
    store.leave_stage(behind, "Build", "Deploy")
    assert store.enter_stage(behind, "Deploy") == Waits("Deploy", f"execution {ahead} enters it first", mode)
    assert store.execution(ahead).status is ExecutionStatus.IN_PROGRESS  # free stage: it goes in, not superseded
    assert store.enter_stage(ahead, "Deploy") == Entered()
    assert store.enter_stage(behind, "Deploy") == Waits("Deploy", f"execution {ahead} holds it", mode)


def test_a_failed_stage_puts_the_execution_in_front_of_nothing(store):
    execution_id = _running_in(store, "Build")
    store.finish_action(ActionRef(execution_id, "Build", "Compile", 1), ActionStatus.FAILED, error="exit 2")
    assert store.leave_stage(execution_id, "Build", "Deploy") is StageStatus.FAILED
    with store.db.read() as db:
        row = db.execute("SELECT waiting_stage, waiting_turn FROM executions WHERE id = ?", (execution_id,)).fetchone()
    assert tuple(row) == (None, None)
