"""SUPERSEDED mode's stage locks, as far as they matter on one machine (§1.10).

The issue's rule, narrower than the cloud's queueing in front of a locked stage: a newer execution that reaches a
stage where an older one waits at a gate supersedes the older one, which stops for good (its gate is closed, its
action Abandoned, its stage Cancelled, the execution Superseded with the newer one's id). QUEUED and PARALLEL
executions are never superseded. A failed execution can be retried until a newer one enters that stage.
"""

from __future__ import annotations

from simulator.pipeline.model import ExecutionMode
from simulator.pipeline.store.errors import StageNotRetryableException
from simulator.pipeline.store.statuses import ActionStatus, ApprovalStatus, ExecutionStatus, StageStatus
from simulator.pipeline.store.store import PipelineStore
from simulator.pipeline.store.transitions import WHERE_ATTEMPT, end_execution

# "Older" is by start time, then by insertion: two executions started in the same clock tick keep their order.
_OLDER = "(e.started_at < n.started_at OR (e.started_at = n.started_at AND e.rowid < n.rowid))"
_NEWER = "(e.started_at > n.started_at OR (e.started_at = n.started_at AND e.rowid > n.rowid))"


def supersede_waiting(store: PipelineStore, execution_id: str, stage: str) -> tuple[str, ...]:
    """Call as `execution_id` enters `stage`: the older executions waiting at a gate there, now Superseded."""
    now = store.clock()
    with store.db.write() as db:
        row = store._require_execution(db, execution_id)
        if row["mode"] != ExecutionMode.SUPERSEDED:
            return ()
        gates = db.execute(
            "SELECT a.token, a.execution_id, a.action, a.attempt FROM approvals a"
            " JOIN executions e ON e.id = a.execution_id JOIN executions n ON n.id = ?"
            f" WHERE a.stage = ? AND a.status = ? AND e.pipeline = n.pipeline AND e.mode = ? AND e.status = ?"
            f" AND {_OLDER} ORDER BY e.started_at",
            (execution_id, stage, ApprovalStatus.WAITING, ExecutionMode.SUPERSEDED, ExecutionStatus.IN_PROGRESS),
        ).fetchall()
        superseded: list[str] = []
        for gate in gates:
            older = gate["execution_id"]
            why = f"Superseded by execution {execution_id}, which reached stage {stage}"
            db.execute("UPDATE approvals SET status = ? WHERE token = ?", (ApprovalStatus.SUPERSEDED, gate["token"]))
            db.execute(
                "UPDATE action_executions SET status = ?, ended_at = ?, error = ?" + WHERE_ATTEMPT,
                (ActionStatus.ABANDONED, now, why, older, stage, gate["action"], gate["attempt"]),
            )
            db.execute(
                "UPDATE stage_executions SET status = ?, ended_at = ? WHERE execution_id = ? AND stage = ?",
                (StageStatus.CANCELLED, now, older, stage),
            )
            if end_execution(db, older, ExecutionStatus.SUPERSEDED, why, now):
                superseded.append(older)
        return tuple(superseded)


def stage_holder(store: PipelineStore, pipeline: str, stage: str, *, other_than: str | None = None) -> str | None:
    """The active SUPERSEDED or QUEUED execution that holds `stage` locked (in it, or waiting at its gate)."""
    store.judge()
    with store.db.read() as db:
        row = db.execute(
            "SELECT e.id FROM stage_executions s JOIN executions e ON e.id = s.execution_id"
            " WHERE e.pipeline = ? AND s.stage = ? AND s.status IN (?, ?) AND e.status IN (?, ?) AND e.mode != ?"
            " AND e.id IS NOT ? ORDER BY s.started_at LIMIT 1",
            (
                pipeline,
                stage,
                StageStatus.IN_PROGRESS,
                StageStatus.STOPPING,
                ExecutionStatus.IN_PROGRESS,
                ExecutionStatus.STOPPING,
                ExecutionMode.PARALLEL,
                other_than,
            ),
        ).fetchone()
    return None if row is None else str(row["id"])


def check_retryable(store: PipelineStore, execution_id: str, stage: str) -> None:
    """§1.10.5 and §1.11: only a failed stage of an ended execution, and only until a newer execution enters it."""
    store.judge()
    with store.db.read() as db:
        execution = store._require_execution(db, execution_id)
        entered = store._require_stage(db, execution_id, stage)
        if execution["status"] not in (ExecutionStatus.FAILED, ExecutionStatus.STOPPED) or entered["status"] not in (
            StageStatus.FAILED,
            StageStatus.STOPPED,
        ):
            raise StageNotRetryableException(
                f"stage {stage} of execution {execution_id} is {entered['status']} in a {execution['status']} "
                "execution; only a failed stage of a failed or stopped execution can be retried."
            )
        if execution["mode"] == ExecutionMode.PARALLEL:
            return
        newer = db.execute(
            "SELECT e.id FROM stage_executions s JOIN executions e ON e.id = s.execution_id"
            f" JOIN executions n ON n.id = ? WHERE s.stage = ? AND e.pipeline = n.pipeline AND {_NEWER}"
            " ORDER BY e.started_at LIMIT 1",
            (execution_id, stage),
        ).fetchone()
    if newer is not None:
        raise StageNotRetryableException(
            f"execution {newer['id']} has entered stage {stage} since, so execution {execution_id} can no longer "
            "retry it (§1.10: a stage is retried only until a newer execution enters it)."
        )
