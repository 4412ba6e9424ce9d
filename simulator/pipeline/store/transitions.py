"""The changes of state nobody's runner wrote: a failure judged from outside, a gate's timeout, a dead owner.

Each runs inside the caller's write transaction and only moves what is still active, so the first judgement
stands: an action judged crashed cannot be finished later as Succeeded by a runner that was merely slow.
"""

from __future__ import annotations

import sqlite3

from simulator.pipeline.statuses import (
    ActionStatus,
    ApprovalStatus,
    ExecutionStatus,
    StageStatus,
    stage_status_from,
)
from simulator.pipeline.store.owner import ProcessIdentity
from simulator.pipeline.store.rows import latest_actions
from simulator.pipeline.store.snapshots import ActionRef

WHERE_ATTEMPT = " WHERE execution_id = ? AND stage = ? AND action = ? AND attempt = ?"


def key(ref: ActionRef) -> tuple[str, str, str, int]:
    return (ref.execution_id, ref.stage, ref.action, ref.attempt)


def owner_columns(owner: ProcessIdentity) -> tuple[int, str, str]:
    return (owner.pid, owner.host, owner.started)


def end_execution(db: sqlite3.Connection, execution_id: str, status: ExecutionStatus, reason: str, now: float) -> bool:
    """Only an active execution ends, and only once: the first judgement stands. An ended one waits in front of no
    stage any more (CP §1.10), however it ended."""
    cursor = db.execute(
        "UPDATE executions SET status = ?, status_reason = ?, ended_at = ?, owner_pid = NULL, owner_host = NULL,"
        " owner_started = NULL, waiting_stage = NULL, waiting_turn = NULL WHERE id = ? AND status IN (?, ?)",
        (status, reason, now, execution_id, ExecutionStatus.IN_PROGRESS, ExecutionStatus.STOPPING),
    )
    return cursor.rowcount == 1


def start_stage_row(db: sqlite3.Connection, execution_id: str, stage: str, now: float) -> None:
    """The execution is in the stage (again, on a retry: the row is reused, its actions' attempts kept)."""
    db.execute(
        "INSERT INTO stage_executions (execution_id, stage, status, started_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (execution_id, stage) DO UPDATE SET status = excluded.status,"
        " started_at = excluded.started_at, ended_at = NULL",
        (execution_id, stage, StageStatus.IN_PROGRESS, now),
    )


def settle_stage(
    db: sqlite3.Connection, execution_id: str, stage: str, status: StageStatus | None, now: float
) -> StageStatus:
    """The stage's end: the status given, or the one its actions' latest attempts make (CP §1.5)."""
    if status is None:
        status = stage_status_from(a.status for a in latest_actions(db, execution_id, stage))
    db.execute(
        "UPDATE stage_executions SET status = ?, ended_at = ? WHERE execution_id = ? AND stage = ?",
        (status, now, execution_id, stage),
    )
    return status


def fail_action(
    db: sqlite3.Connection, execution_id: str, stage: str, action: str, attempt: int, error: str, now: float
) -> None:
    """An action failed without its runner saying so (judged crashed, rejected, timed out): it, its stage and
    its execution end Failed (CP §1.5, CP §1.12)."""
    db.execute(
        "UPDATE action_executions SET status = ?, ended_at = ?, error = ?, owner_pid = NULL, owner_host = NULL,"
        " owner_started = NULL" + WHERE_ATTEMPT + " AND status = ?",
        (ActionStatus.FAILED, now, error, execution_id, stage, action, attempt, ActionStatus.IN_PROGRESS),
    )
    db.execute(
        "UPDATE stage_executions SET status = ?, ended_at = ? WHERE execution_id = ? AND stage = ?"
        " AND status IN (?, ?)",
        (StageStatus.FAILED, now, execution_id, stage, StageStatus.IN_PROGRESS, StageStatus.STOPPING),
    )
    end_execution(db, execution_id, ExecutionStatus.FAILED, f"Action {stage}/{action} failed: {error}", now)


def expire_gates(db: sqlite3.Connection, now: float) -> None:
    rows = db.execute(
        "SELECT * FROM approvals WHERE status = ? AND expires_at <= ?", (ApprovalStatus.WAITING, now)
    ).fetchall()
    for row in rows:
        db.execute("UPDATE approvals SET status = ? WHERE token = ?", (ApprovalStatus.EXPIRED, row["token"]))
        error = f"the approval timed out: nobody answered within {row['timeout_minutes']} minutes (TimeoutInMinutes)"
        fail_action(db, row["execution_id"], row["stage"], row["action"], row["attempt"], error, now)


def fail_orphans(db: sqlite3.Connection, owner: ProcessIdentity, now: float) -> None:
    owner_match = "owner_pid = ? AND owner_host = ? AND coalesce(owner_started, '') = ?"
    why = f"the simulator process running it ended: {owner.describe()} is gone (killed, or it crashed)"
    for row in db.execute(
        f"SELECT execution_id, stage, action, attempt FROM action_executions WHERE status = ? AND {owner_match}",
        (ActionStatus.IN_PROGRESS, *owner_columns(owner)),
    ).fetchall():
        fail_action(db, row[0], row[1], row[2], row[3], why, now)
    # An execution between actions when its owner died; one waiting at a gate is not failed, the gate outlives
    # its runner (`approve` continues it from another process).
    for (execution_id,) in db.execute(
        f"SELECT id FROM executions WHERE status IN (?, ?) AND {owner_match} AND NOT EXISTS"
        " (SELECT 1 FROM approvals WHERE execution_id = executions.id AND status = ?)",
        (ExecutionStatus.IN_PROGRESS, ExecutionStatus.STOPPING, *owner_columns(owner), ApprovalStatus.WAITING),
    ).fetchall():
        stopping = db.execute("SELECT status FROM executions WHERE id = ?", (execution_id,)).fetchone()[0]
        end = ExecutionStatus.STOPPED if stopping == ExecutionStatus.STOPPING else ExecutionStatus.FAILED
        db.execute(
            "UPDATE stage_executions SET status = ?, ended_at = ? WHERE execution_id = ? AND status IN (?, ?)",
            (StageStatus(end.value), now, execution_id, StageStatus.IN_PROGRESS, StageStatus.STOPPING),
        )
        end_execution(db, execution_id, end, f"The execution stopped: {why}", now)
