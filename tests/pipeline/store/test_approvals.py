"""Approval gates answered like PutApprovalResult (CP §1.12), from one process or several."""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from simulator.cancellation import CancelToken
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus, StageStatus
from simulator.pipeline.store import (
    SUMMARY_LIMIT,
    ActionNotFoundException,
    ApprovalAlreadyCompletedException,
    ApprovalResult,
    InvalidApprovalTokenException,
    PipelineExecutionNotFoundException,
    PipelineStore,
    ProcessIdentity,
    StageNotFoundException,
    ValidationException,
)
from simulator.state import StateFolder

T0 = datetime.fromtimestamp(1_700_000_000.0, UTC)


def _at_gate(store: PipelineStore, *, timeout_minutes: int | None = None, custom_data: str = "") -> tuple[str, str]:
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "ApproveDev")
    ref = store.start_action(execution_id, "ApproveDev", "Approve", owned=False)
    gate = store.open_gate(
        ref,
        custom_data=custom_data,
        external_link="https://example.test/review",
        notification_arn="arn:aws:sns:us-east-1:000000000000:approvals",
        timeout_minutes=timeout_minutes,
    )
    return execution_id, gate.token


def test_an_open_gate_waits_with_its_token_link_data_and_a_7_day_expiry(store):
    execution_id, token = _at_gate(store, custom_data="Deploy hunter2 to dev?")
    execution = store.execution(execution_id)
    [gate] = execution.waiting_approvals
    assert (gate.token, gate.stage, gate.action) == (token, "ApproveDev", "Approve")
    assert gate.status is ApprovalStatus.WAITING
    assert (gate.custom_data, gate.external_link) == ("Deploy *** to dev?", "https://example.test/review")
    assert gate.notification_arn == "arn:aws:sns:us-east-1:000000000000:approvals"
    assert (gate.opened_at, gate.expires_at, gate.timeout_minutes) == (T0, T0 + timedelta(days=7), 7 * 24 * 60)
    action = execution.stage("ApproveDev").action("Approve")
    assert (action.status, action.external_execution_id, action.owner) == (ActionStatus.IN_PROGRESS, token, None)


def test_approving_succeeds_the_action_and_keeps_the_execution_running(store, clock):
    execution_id, _ = _at_gate(store)
    clock.advance(90)
    given = store.answer(execution_id, ApprovalResult(ApprovalStatus.APPROVED, "looks good", "alice"))
    assert given.continue_here is False  # this process still runs the execution: its runner takes the answer
    assert (given.approval.status, given.approval.summary, given.approval.answered_by) == (
        ApprovalStatus.APPROVED,
        "looks good",
        "alice",
    )
    assert given.approval.answered_at == T0 + timedelta(seconds=90)
    execution = store.execution(execution_id)
    action = execution.stage("ApproveDev").action("Approve")
    assert (action.status, action.summary, action.duration) == (
        ActionStatus.SUCCEEDED,
        "Approved by alice: looks good",
        timedelta(seconds=90),
    )
    assert (execution.status, execution.waiting_approvals) == (ExecutionStatus.IN_PROGRESS, ())


def test_rejecting_fails_the_action_the_stage_and_the_execution(store):
    execution_id, _ = _at_gate(store)
    store.answer(execution_id, ApprovalResult(ApprovalStatus.REJECTED, "", "bob"), stage="ApproveDev", action="Approve")
    execution = store.execution(execution_id)
    assert (execution.stage("ApproveDev").action("Approve").status, execution.stage("ApproveDev").status) == (
        ActionStatus.FAILED,
        StageStatus.FAILED,
    )
    assert (execution.status, execution.status_reason) == (
        ExecutionStatus.FAILED,
        "Action ApproveDev/Approve failed: Rejected by bob",
    )


def test_answering_twice_is_refused_naming_the_first_answer(store, clock):
    execution_id, _ = _at_gate(store)
    store.answer(execution_id, ApprovalResult(ApprovalStatus.APPROVED, "ok", "alice"))
    with pytest.raises(ApprovalAlreadyCompletedException) as refusal:
        store.answer(execution_id, ApprovalResult(ApprovalStatus.REJECTED, "no", "bob"))
    assert str(refusal.value) == (
        f"ApprovalAlreadyCompletedException: the approval ApproveDev/Approve of execution {execution_id} was "
        "already answered: Approved by alice at 2023-11-14 22:13:20 UTC."
    )
    assert refusal.value.exit_code == 2


def test_an_expired_gate_is_judged_failed_when_next_read(store, clock):
    """CP §1.12: a timeout is handled exactly like a failure, even with nobody running the pipeline."""
    execution_id, _ = _at_gate(store, timeout_minutes=5)
    clock.advance(5 * 60 - 1)
    assert store.execution(execution_id).status is ExecutionStatus.IN_PROGRESS
    clock.advance(1)
    execution = store.execution(execution_id)
    action = execution.stage("ApproveDev").action("Approve")
    why = "the approval timed out: nobody answered within 5 minutes (TimeoutInMinutes)"
    assert (action.status, action.error, action.approval.status) == (ActionStatus.FAILED, why, ApprovalStatus.EXPIRED)
    assert (execution.status, execution.status_reason) == (
        ExecutionStatus.FAILED,
        f"Action ApproveDev/Approve failed: {why}",
    )


def test_an_answer_after_the_expiry_is_refused(store, clock):
    execution_id, _ = _at_gate(store, timeout_minutes=5)
    clock.advance(5 * 60)
    with pytest.raises(ApprovalAlreadyCompletedException) as refusal:
        store.answer(execution_id, ApprovalResult(ApprovalStatus.APPROVED, "", "alice"))
    assert str(refusal.value) == (
        f"ApprovalAlreadyCompletedException: the approval ApproveDev/Approve of execution {execution_id} timed out "
        "at 2023-11-14 22:18:20 UTC."
    )
    assert store.execution(execution_id).status is ExecutionStatus.FAILED


def test_the_summary_takes_0_to_512_characters(store):
    execution_id, _ = _at_gate(store)
    with pytest.raises(ValidationException) as refusal:
        store.answer(execution_id, ApprovalResult(ApprovalStatus.APPROVED, "x" * (SUMMARY_LIMIT + 1), "a"))
    assert str(refusal.value) == (
        "ValidationException: the summary is 513 characters long; an approval's summary takes at most 512."
    )
    given = store.answer(execution_id, ApprovalResult(ApprovalStatus.APPROVED, "x" * SUMMARY_LIMIT, "a"))
    assert given.approval.summary == "x" * SUMMARY_LIMIT


def test_waiting_is_not_an_answer(store):
    execution_id, _ = _at_gate(store)
    with pytest.raises(ValidationException) as refusal:
        store.answer(execution_id, ApprovalResult(ApprovalStatus.WAITING, "", "a"))
    assert str(refusal.value) == "ValidationException: an approval is answered Approved or Rejected, not Waiting."


@pytest.mark.parametrize(
    ("kind", "where", "message"),
    [
        (
            PipelineExecutionNotFoundException,
            {"execution_id": "0e4c2a8e-0000-4000-8000-000000000000"},
            "PipelineExecutionNotFoundException: there is no pipeline execution with the id "
            "'0e4c2a8e-0000-4000-8000-000000000000'.",
        ),
        (
            StageNotFoundException,
            {"stage": "ApproveProd"},
            "StageNotFoundException: execution {id} has not entered a stage named 'ApproveProd'.",
        ),
        (
            ActionNotFoundException,
            {"stage": "ApproveDev", "action": "Review"},
            "ActionNotFoundException: no approval action named 'Review' has opened in stage 'ApproveDev' of "
            "execution {id}.",
        ),
        (
            ActionNotFoundException,
            {"stage": "Build", "action": "Compile"},
            "ActionNotFoundException: no approval action named 'Compile' has opened in stage 'Build' of "
            "execution {id}.",
        ),
        (
            InvalidApprovalTokenException,
            {"token": "5d1f6a0c-0000-4000-8000-000000000000"},
            "InvalidApprovalTokenException: the token '5d1f6a0c-0000-4000-8000-000000000000' is not one of "
            "execution {id}'s.",
        ),
    ],
)
def test_an_answer_for_nothing_there_is_refused_by_name(store, kind, where, message):
    execution_id, _ = _at_gate(store)
    store.start_stage(execution_id, "Build")
    store.start_action(execution_id, "Build", "Compile")
    arguments = {"execution_id": execution_id, **where}
    with pytest.raises(kind) as refusal:
        store.answer(**arguments, result=ApprovalResult(ApprovalStatus.APPROVED, "", "a"))
    assert str(refusal.value) == message.format(id=execution_id)
    assert store.execution(execution_id).waiting_approvals != ()  # nothing was answered


def test_an_execution_that_never_reached_a_gate_is_not_waiting(store):
    execution_id = store.start_execution("shop")
    store.finish_execution(execution_id, ExecutionStatus.SUCCEEDED)
    with pytest.raises(InvalidApprovalTokenException) as refusal:
        store.answer(execution_id, ApprovalResult(ApprovalStatus.APPROVED, "", "a"))
    assert str(refusal.value) == (
        f"InvalidApprovalTokenException: no approval waits in execution {execution_id}: it is Succeeded and has "
        "opened no such gate."
    )


def test_two_gates_waiting_at_once_must_be_named(store):
    execution_id, _ = _at_gate(store)
    second = store.start_action(execution_id, "ApproveDev", "SecurityReview", owned=False)
    store.open_gate(second)
    with pytest.raises(ValidationException) as refusal:
        store.answer(execution_id, ApprovalResult(ApprovalStatus.APPROVED, "", "a"))
    assert str(refusal.value) == (
        f"ValidationException: several approvals wait in execution {execution_id} (ApproveDev/Approve, "
        "ApproveDev/SecurityReview): name one."
    )
    store.answer(execution_id, ApprovalResult(ApprovalStatus.APPROVED, "", "a"), action="SecurityReview")
    assert [g.action for g in store.execution(execution_id).waiting_approvals] == ["Approve"]


def test_with_no_runner_left_the_answerer_carries_the_execution_on(store):
    """`approve` after the run exited at the gate: the answering process continues and now owns it."""
    execution_id, _ = _at_gate(store)
    store.release_execution(execution_id)
    given = store.answer(execution_id, ApprovalResult(ApprovalStatus.APPROVED, "", "alice"))
    assert given.continue_here is True
    assert store.execution(execution_id).owner == ProcessIdentity.current()


def _answer_when_released(root: str, execution_id: str, barrier, queue, by: str) -> None:
    with PipelineStore(StateFolder(Path(root))) as store:
        barrier.wait(timeout=30)
        try:
            given = store.answer(execution_id, ApprovalResult(ApprovalStatus.APPROVED, by, by))
        except ApprovalAlreadyCompletedException as refusal:
            queue.put(("refused", by, str(refusal)))
        else:
            queue.put(("won", by, str(given.continue_here)))


def test_of_processes_answering_at_once_exactly_one_wins_and_the_others_are_told(state):
    store = PipelineStore(state)  # the real clock, as the answering processes have
    execution_id, _ = _at_gate(store)
    store.release_execution(execution_id)
    context = multiprocessing.get_context("fork")
    barrier, queue = context.Barrier(4), context.Queue()
    workers = [
        context.Process(target=_answer_when_released, args=(str(state.root), execution_id, barrier, queue, f"p{i}"))
        for i in range(4)
    ]
    for worker in workers:
        worker.start()
    results = sorted(queue.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    [(_, winner, continue_here)] = [r for r in results if r[0] == "won"]
    assert continue_here == "True"
    refusals = [r for r in results if r[0] == "refused"]
    assert len(refusals) == 3
    for _, _, message in refusals:
        assert message.startswith(
            f"ApprovalAlreadyCompletedException: the approval ApproveDev/Approve of execution {execution_id} was "
            f"already answered: Approved by {winner} at "
        )
    approval = store.execution(execution_id).stage("ApproveDev").action("Approve").approval
    store.close()
    assert (approval.answered_by, approval.summary) == (winner, winner)


def _answer_later(root: str, execution_id: str) -> None:
    time.sleep(0.3)
    with PipelineStore(StateFolder(Path(root))) as store:
        store.answer(execution_id, ApprovalResult(ApprovalStatus.REJECTED, "not today", "carol"))


def test_a_waiting_runner_takes_an_answer_given_in_another_process(state):
    with PipelineStore(state) as store:
        execution_id, token = _at_gate(store)
        other = multiprocessing.get_context("fork").Process(target=_answer_later, args=(str(state.root), execution_id))
        other.start()
        got = store.wait_for_answer(token, poll_seconds=0.05, cancel=CancelToken())
        other.join(timeout=30)
    assert got is not None
    assert (got.status, got.summary, got.answered_by) == (ApprovalStatus.REJECTED, "not today", "carol")


def test_waiting_ends_when_the_gate_expires(store, clock):
    _, token = _at_gate(store, timeout_minutes=5)
    threading.Timer(0.1, clock.advance, args=(5 * 60,)).start()
    got = store.wait_for_answer(token, poll_seconds=0.02)
    assert got is not None and got.status is ApprovalStatus.EXPIRED


def test_waiting_ends_unanswered_when_cancelled(store):
    _, token = _at_gate(store)
    cancel = CancelToken()
    threading.Timer(0.1, cancel.cancel, args=("Ctrl-C",)).start()
    assert store.wait_for_answer(token, poll_seconds=0.02, cancel=cancel) is None


def test_waiting_for_an_unknown_token_is_refused(store):
    with pytest.raises(InvalidApprovalTokenException) as refusal:
        store.wait_for_answer("nope", poll_seconds=0.01)
    assert str(refusal.value) == "InvalidApprovalTokenException: no approval has the token 'nope'."


def test_a_gate_left_open_by_a_stopped_run_takes_no_answer(store):
    # Found by the review: Ctrl-C at the prompt left the gate Waiting on a Stopped execution, and approve said
    # "the run waiting at that gate carries on" while nothing ran.
    execution_id, _ = _at_gate(store)
    store.finish_execution(execution_id, ExecutionStatus.STOPPED)
    with pytest.raises(InvalidApprovalTokenException) as refusal:
        store.answer(execution_id, ApprovalResult(ApprovalStatus.APPROVED, "late", "a"))
    assert str(refusal.value) == (
        f"InvalidApprovalTokenException: execution {execution_id} is Stopped: its gates can no longer be answered."
    )
