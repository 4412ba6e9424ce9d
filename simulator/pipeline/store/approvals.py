"""Approval gates (CP §1.12): opened with a token, answered once, by whichever process gets there first.

An answer is one write transaction that reads the gate and updates it only if it still waits, so of two
processes answering at once exactly one wins and the other is told who did. A gate past its expiry is judged
Failed inside the same transaction, so a late answer cannot slip in after the timeout. The answer also writes
its consequence (the action Succeeded, or the action, stage and execution Failed), so the state is true even if
no process is waiting to carry on.

Each function here runs inside the write or read transaction `PipelineStore` opens for it, and is given the
clock's reading; the store masks the free text (custom data, the answer's summary, who answered) before it
comes here.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass

from simulator.pipeline.model import DEFAULT_APPROVAL_TIMEOUT_MINUTES
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus
from simulator.pipeline.store.errors import (
    ActionNotFoundException,
    ApprovalAlreadyCompletedException,
    InvalidApprovalTokenException,
    StageNotFoundException,
    ValidationException,
)
from simulator.pipeline.store.lookups import require_action, require_execution
from simulator.pipeline.store.owner import ProcessIdentity, is_running
from simulator.pipeline.store.rows import approval_from, owner_of
from simulator.pipeline.store.snapshots import ActionRef, Approval
from simulator.pipeline.store.transitions import WHERE_ATTEMPT, expire_gates, fail_action, owner_columns

SUMMARY_LIMIT = 512  # PutApprovalResult's `summary`: 0-512 characters


@dataclass(frozen=True)
class Answer:
    approval: Approval
    # True when no live process waits at the gate: whoever answered carries the execution on (`approve`); False
    # when the runner still waits at its prompt and takes the answer itself.
    continue_here: bool


@dataclass(frozen=True)
class ApprovalResult:
    """PutApprovalResult's `result` (the answer and its summary), and who gave it."""

    status: ApprovalStatus
    summary: str
    by: str


def open_gate(
    db: sqlite3.Connection,
    ref: ActionRef,
    *,
    custom_data: str,
    external_link: str,
    notification_arn: str,
    timeout_minutes: int | None,
    now: float,
) -> Approval:
    """The approval action `ref` (started with `owned=False`) now waits; its token is also its external
    execution id, the token PARALLEL mode answers with (CP §1.10)."""
    minutes = DEFAULT_APPROVAL_TIMEOUT_MINUTES if timeout_minutes is None else timeout_minutes
    token = str(uuid.uuid4())
    require_action(db, ref.execution_id, ref.stage, ref.action)
    db.execute(
        "INSERT INTO approvals (token, execution_id, stage, action, attempt, status, custom_data, external_link,"
        " notification_arn, timeout_minutes, opened_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            token,
            ref.execution_id,
            ref.stage,
            ref.action,
            ref.attempt,
            ApprovalStatus.WAITING,
            custom_data,
            external_link,
            notification_arn,
            minutes,
            now,
            now + minutes * 60,
        ),
    )
    db.execute(
        "UPDATE action_executions SET external_execution_id = ?" + WHERE_ATTEMPT,
        (token, ref.execution_id, ref.stage, ref.action, ref.attempt),
    )
    return approval_from(db.execute("SELECT * FROM approvals WHERE token = ?", (token,)).fetchone())


def check_result(result: ApprovalResult) -> None:
    """Refused as the API refuses it, before anything is read or masked."""
    if not result.status.is_answer:
        raise ValidationException(f"an approval is answered Approved or Rejected, not {result.status}.")
    if len(result.summary) > SUMMARY_LIMIT:
        raise ValidationException(
            f"the summary is {len(result.summary)} characters long; an approval's summary takes at most"
            f" {SUMMARY_LIMIT}."
        )


def answer(
    db: sqlite3.Connection,
    execution_id: str,
    result: ApprovalResult,
    *,
    stage: str | None,
    action: str | None,
    token: str | None,
    now: float,
) -> Answer:
    """PutApprovalResult: the one gate that waits in the execution (or the one named) takes the answer, `result`
    checked (`check_result`) and masked already."""
    expire_gates(db, now)
    execution = require_execution(db, execution_id)
    gates = _gates(db, execution_id, stage, action, token)
    waiting = [gate for gate in gates if gate["status"] == ApprovalStatus.WAITING]
    if waiting and not ExecutionStatus(execution["status"]).is_active:
        # Found by the review: a gate left open by a run stopped at its prompt took an answer nothing used.
        raise InvalidApprovalTokenException(
            f"execution {execution_id} is {execution['status']}: its gates can no longer be answered."
        )
    if len(waiting) > 1:
        names = ", ".join(f"{g['stage']}/{g['action']}" for g in waiting)
        raise ValidationException(f"several approvals wait in execution {execution_id} ({names}): name one.")
    if not waiting:
        raise _not_waiting(execution_id, execution["status"], gates)
    gate = waiting[0]
    status, summary, by = result.status, result.summary, result.by
    taken = db.execute(
        "UPDATE approvals SET status = ?, summary = ?, answered_by = ?, answered_at = ? WHERE token = ? AND status = ?",
        (status, summary, by, now, gate["token"], ApprovalStatus.WAITING),
    )
    if taken.rowcount != 1:  # cannot happen under BEGIN IMMEDIATE; kept so the rule does not rest on it
        raise ApprovalAlreadyCompletedException(f"the approval {gate['stage']}/{gate['action']} was just answered.")
    key = (execution_id, gate["stage"], gate["action"], gate["attempt"])
    said = f"{status} by {by}" + (f": {summary}" if summary else "")
    if status is ApprovalStatus.REJECTED:
        fail_action(db, *key, said, now)  # CP §1.12: a rejection fails the action, the stage, the execution
        continue_here = False
    else:
        db.execute(
            "UPDATE action_executions SET status = ?, ended_at = ?, summary = ?" + WHERE_ATTEMPT,
            (ActionStatus.SUCCEEDED, now, said, *key),
        )
        continue_here = _take_over(db, execution)
    row = db.execute("SELECT * FROM approvals WHERE token = ?", (gate["token"],)).fetchone()
    return Answer(approval_from(row), continue_here)


def read_gate(db: sqlite3.Connection, token: str) -> Approval:
    """The gate as the transaction sees it (the store judges expiry first)."""
    row = db.execute("SELECT * FROM approvals WHERE token = ?", (token,)).fetchone()
    if row is None:
        raise InvalidApprovalTokenException(f"no approval has the token {token!r}.")
    return approval_from(row)


def _gates(
    db: sqlite3.Connection, execution_id: str, stage: str | None, action: str | None, token: str | None
) -> list[sqlite3.Row]:
    """The gates the answer may be for, latest attempt last; a name that matches nothing is refused by name."""
    rows = db.execute(
        "SELECT * FROM approvals WHERE execution_id = ? ORDER BY opened_at, rowid", (execution_id,)
    ).fetchall()
    if stage is not None:
        rows = [r for r in rows if r["stage"] == stage]
        if not rows and not _entered(db, execution_id, stage):
            raise StageNotFoundException(f"execution {execution_id} has not entered a stage named {stage!r}.")
    if action is not None:
        rows = [r for r in rows if r["action"] == action]
        if not rows:
            where = f"stage {stage!r}" if stage is not None else "any stage"
            raise ActionNotFoundException(
                f"no approval action named {action!r} has opened in {where} of execution {execution_id}."
            )
    if token is not None:
        rows = [r for r in rows if r["token"] == token]
        if not rows:
            raise InvalidApprovalTokenException(f"the token {token!r} is not one of execution {execution_id}'s.")
    return rows


def _entered(db: sqlite3.Connection, execution_id: str, stage: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM stage_executions WHERE execution_id = ? AND stage = ?", (execution_id, stage)
        ).fetchone()
        is not None
    )


def _not_waiting(execution_id: str, status: str, gates: list[sqlite3.Row]) -> Exception:
    if not gates:
        return InvalidApprovalTokenException(
            f"no approval waits in execution {execution_id}: it is {status} and has opened no such gate."
        )
    last = approval_from(gates[-1])
    gate = f"the approval {last.stage}/{last.action} of execution {execution_id}"
    if last.status is ApprovalStatus.EXPIRED:
        done = f"timed out at {last.expires_at:%Y-%m-%d %H:%M:%S} UTC"
    elif last.status is ApprovalStatus.SUPERSEDED:
        done = "was superseded by a newer execution"
    else:
        when = f"{last.answered_at:%Y-%m-%d %H:%M:%S} UTC" if last.answered_at else "earlier"
        done = f"was already answered: {last.status} by {last.answered_by} at {when}"
    return ApprovalAlreadyCompletedException(f"{gate} {done}.")


def _take_over(db: sqlite3.Connection, execution: sqlite3.Row) -> bool:
    """Whether the answering process must carry the execution on; if so it becomes its owner, so a crash of the
    answerer is judged like any other."""
    if execution["status"] != ExecutionStatus.IN_PROGRESS:
        return False
    owner = owner_of(execution)
    if owner is not None and is_running(owner) is not False:
        return False
    db.execute(
        "UPDATE executions SET owner_pid = ?, owner_host = ?, owner_started = ? WHERE id = ?",
        (*owner_columns(ProcessIdentity.current()), execution["id"]),
    )
    return True
