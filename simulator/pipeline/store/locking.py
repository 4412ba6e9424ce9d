"""Stage locks (CP §1.10): who may enter a stage, who waits in front of it, who is superseded; each decided in one
write transaction, so two processes arriving at once cannot both get in.

- SUPERSEDED (the default): a stage runs one execution at a time. An execution arriving at a stage another one
  runs in waits in front of it, and only one waits there: of two, the older is superseded and stops for good.
  Superseding happens between stages, never inside one, except for the issue's rule: an execution reaching a
  stage where an older one waits at a gate (and runs nothing else there) supersedes it at once.
- QUEUED: a stage, running or waiting at a gate, is waited for, in the order the executions arrived in front of it
  (`waiting_turn`); none is superseded.
- PARALLEL: no lock; never superseded.

An execution arrives in front of the next stage in the transaction that ends its stage (`leave_stage`), so one
behind it cannot slip past in between: a free stage goes to whoever waits first in front of it.

A stage is released when its holder leaves it or ends, however it ends; the store judges (`PipelineStore.judge`)
before each decision, so a holder whose process died is Failed first and blocks nobody. A failed execution can be
retried until a newer one enters that stage.

Each function runs inside the transaction `PipelineStore` opened for it, given the clock's reading.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from simulator.pipeline.model import ExecutionMode
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus, StageStatus
from simulator.pipeline.store.errors import StageNotRetryableException
from simulator.pipeline.store.lookups import require_execution, require_stage
from simulator.pipeline.store.transitions import WHERE_ATTEMPT, end_execution, settle_stage, start_stage_row

# "Older" is by start time, then by insertion: two executions started in the same clock tick keep their order.
_OLDER = "(e.started_at < n.started_at OR (e.started_at = n.started_at AND e.rowid < n.rowid))"
_NEWER = "(e.started_at > n.started_at OR (e.started_at = n.started_at AND e.rowid > n.rowid))"
_ACTIVE = (ExecutionStatus.IN_PROGRESS, ExecutionStatus.STOPPING)
_PASSED = (StageStatus.SUCCEEDED, StageStatus.SKIPPED)


@dataclass(frozen=True)
class Entered:
    """The execution is in the stage (its row started in the same transaction)."""

    superseded: tuple[str, ...] = ()  # older executions it superseded on its way in


@dataclass(frozen=True)
class Waits:
    """The execution waits in front of the stage, recorded so that `pipeline status` shows it."""

    stage: str
    blocker: str  # "execution Y holds it"
    mode: ExecutionMode
    superseded: tuple[str, ...] = ()  # the older one that waited in front before it

    @property
    def reason(self) -> str:
        return f"waiting for stage {self.stage}: {self.blocker} (CP §1.10, {self.mode})"

    def line(self, execution_id: str) -> str:
        return f"Execution {execution_id} waits for stage {self.stage}: {self.blocker} (CP §1.10, {self.mode})"


@dataclass(frozen=True)
class Ended:
    """The execution ended while it waited (superseded, or judged crashed): it may not enter any more."""

    status: ExecutionStatus
    reason: str


StageEntry = Entered | Waits | Ended


def enter_stage(db: sqlite3.Connection, execution_id: str, stage: str, now: float) -> StageEntry:
    """Call as the execution arrives at `stage`, and again while it `Waits`, until it has `Entered` or `Ended`;
    inside one write transaction, after judging, so a holder whose process died has released the stage."""
    me = require_execution(db, execution_id)
    if me["status"] not in _ACTIVE:
        return Ended(ExecutionStatus(me["status"]), me["status_reason"])
    mode = ExecutionMode(me["mode"])
    if mode is ExecutionMode.PARALLEL or _inside(db, execution_id, stage):
        return _enter(db, me, stage, now)  # inside already: carried on after its gate was answered
    if mode is ExecutionMode.QUEUED:
        return _queue(db, me, stage, now)
    return _supersede_or_wait(db, me, stage, now)


def leave_stage(
    db: sqlite3.Connection, execution_id: str, stage: str, next_stage: str | None, now: float
) -> StageStatus:
    """The stage's end, settled from its actions; passed, the execution is in front of `next_stage` from the same
    transaction on, its turn there taken."""
    require_stage(db, execution_id, stage)
    status = settle_stage(db, execution_id, stage, None, now)
    me = require_execution(db, execution_id)
    locked = me["mode"] != ExecutionMode.PARALLEL and me["status"] in _ACTIVE
    if next_stage is not None and status in _PASSED and locked:
        _take_turn(db, execution_id, next_stage)
    return status


def _supersede_or_wait(db: sqlite3.Connection, me: sqlite3.Row, stage: str, now: float) -> StageEntry:
    superseded = _supersede_at_gates(db, me["id"], stage, now)
    holder = _holder(db, me, stage)
    waiter = _waiters(db, me, stage)[:1]
    if waiter and holder is None:
        # The stage is free and the one before this one is about to take it: not superseded, it goes in first.
        waits = Waits(stage, f"execution {waiter[0]} enters it first", ExecutionMode.SUPERSEDED, tuple(superseded))
        _wait(db, me, waits)
        return waits
    if waiter and _is_older(db, me["id"], waiter[0]):
        why = f"Superseded by execution {waiter[0]}, which waits in front of stage {stage} (CP §1.10)"
        end_execution(db, me["id"], ExecutionStatus.SUPERSEDED, why, now)
        return Ended(ExecutionStatus.SUPERSEDED, why)
    if waiter:
        why = f"Superseded by execution {me['id']}, which arrived in front of stage {stage} (CP §1.10)"
        if end_execution(db, waiter[0], ExecutionStatus.SUPERSEDED, why, now):
            superseded += waiter
    if holder is None:
        return _enter(db, me, stage, now, superseded)
    waits = Waits(stage, f"execution {holder} holds it", ExecutionMode.SUPERSEDED, tuple(superseded))
    _wait(db, me, waits)
    return waits


def _queue(db: sqlite3.Connection, me: sqlite3.Row, stage: str, now: float) -> StageEntry:
    holder = _holder(db, me, stage)
    ahead = _waiters(db, me, stage)
    if holder is None and not ahead:
        return _enter(db, me, stage, now)
    if holder is None:
        blocker = f"execution {ahead[0]} enters it first"
    elif ahead:
        blocker = f"execution {holder} holds it, {len(ahead)} queued before it"
    else:
        blocker = f"execution {holder} holds it"
    waits = Waits(stage, blocker, ExecutionMode.QUEUED)
    _wait(db, me, waits)
    return waits


def _enter(
    db: sqlite3.Connection, me: sqlite3.Row, stage: str, now: float, superseded: list[str] | None = None
) -> Entered:
    if me["waiting_stage"] is not None:
        db.execute(
            "UPDATE executions SET waiting_stage = NULL, waiting_turn = NULL, status_reason = '' WHERE id = ?",
            (me["id"],),
        )
    start_stage_row(db, me["id"], stage, now)
    return Entered(tuple(superseded or ()))


def _wait(db: sqlite3.Connection, me: sqlite3.Row, waits: Waits) -> None:
    _take_turn(db, me["id"], waits.stage)
    db.execute("UPDATE executions SET status_reason = ? WHERE id = ?", (waits.reason, me["id"]))


def _take_turn(db: sqlite3.Connection, execution_id: str, stage: str) -> None:
    """In front of the stage; the turn is taken once, on arrival, and kept while it waits there."""
    db.execute(
        "UPDATE executions SET waiting_turn = CASE WHEN waiting_stage IS ? THEN waiting_turn"
        " ELSE (SELECT coalesce(max(waiting_turn), 0) + 1 FROM executions) END, waiting_stage = ? WHERE id = ?",
        (stage, stage, execution_id),
    )


def _inside(db: sqlite3.Connection, execution_id: str, stage: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM stage_executions WHERE execution_id = ? AND stage = ? AND status IN (?, ?)",
        (execution_id, stage, StageStatus.IN_PROGRESS, StageStatus.STOPPING),
    ).fetchone()
    return row is not None


def _holder(db: sqlite3.Connection, me: sqlite3.Row, stage: str) -> str | None:
    """The other active execution of the pipeline in `stage`, running or at a gate; PARALLEL ones lock nothing."""
    row = db.execute(
        "SELECT e.id FROM stage_executions s JOIN executions e ON e.id = s.execution_id"
        " WHERE e.pipeline = ? AND s.stage = ? AND s.status IN (?, ?) AND e.status IN (?, ?) AND e.mode != ?"
        " AND e.id != ? ORDER BY s.started_at, s.rowid LIMIT 1",
        (
            me["pipeline"],
            stage,
            StageStatus.IN_PROGRESS,
            StageStatus.STOPPING,
            *_ACTIVE,
            ExecutionMode.PARALLEL,
            me["id"],
        ),
    ).fetchone()
    return None if row is None else str(row["id"])


def _waiters(db: sqlite3.Connection, me: sqlite3.Row, stage: str) -> list[str]:
    """The other executions waiting in front of `stage` that came before this one, first come first."""
    rows = db.execute(
        "SELECT id FROM executions WHERE pipeline = ? AND waiting_stage = ? AND status IN (?, ?) AND id != ?"
        " AND (? IS NULL OR waiting_turn < ?) ORDER BY waiting_turn",
        (me["pipeline"], stage, *_ACTIVE, me["id"], me["waiting_turn"], me["waiting_turn"]),
    ).fetchall()
    return [str(row["id"]) for row in rows]


def _is_older(db: sqlite3.Connection, execution_id: str, than: str) -> bool:
    row = db.execute(
        f"SELECT 1 FROM executions e JOIN executions n ON n.id = ? WHERE e.id = ? AND {_OLDER}", (than, execution_id)
    ).fetchone()
    return row is not None


def _supersede_at_gates(db: sqlite3.Connection, execution_id: str, stage: str, now: float) -> list[str]:
    """The older executions waiting at a gate in `stage` with nothing else running there, now Superseded (their
    gate closed, the action Abandoned, the stage Cancelled)."""
    gates = db.execute(
        "SELECT a.token, a.execution_id, a.action, a.attempt FROM approvals a"
        " JOIN executions e ON e.id = a.execution_id JOIN executions n ON n.id = ?"
        " WHERE a.stage = ? AND a.status = ? AND e.pipeline = n.pipeline AND e.mode = ? AND e.status = ?"
        f" AND {_OLDER} AND NOT EXISTS (SELECT 1 FROM action_executions r WHERE r.execution_id = e.id"
        " AND r.stage = a.stage AND r.status = ? AND r.owner_pid IS NOT NULL) ORDER BY e.started_at",
        (
            execution_id,
            stage,
            ApprovalStatus.WAITING,
            ExecutionMode.SUPERSEDED,
            ExecutionStatus.IN_PROGRESS,
            ActionStatus.IN_PROGRESS,
        ),
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
    return superseded


def stage_holder(db: sqlite3.Connection, pipeline: str, stage: str) -> str | None:
    """The active SUPERSEDED or QUEUED execution that holds `stage` locked (in it, or waiting at its gate)."""
    row = db.execute(
        "SELECT e.id FROM stage_executions s JOIN executions e ON e.id = s.execution_id"
        " WHERE e.pipeline = ? AND s.stage = ? AND s.status IN (?, ?) AND e.status IN (?, ?) AND e.mode != ?"
        " ORDER BY s.started_at, s.rowid LIMIT 1",
        (pipeline, stage, StageStatus.IN_PROGRESS, StageStatus.STOPPING, *_ACTIVE, ExecutionMode.PARALLEL),
    ).fetchone()
    return None if row is None else str(row["id"])


def check_retryable(db: sqlite3.Connection, execution_id: str, stage: str) -> None:
    """CP §1.10 item 5 and CP §1.11: only a failed stage of an ended execution, and only until a newer execution
    enters it."""
    execution = require_execution(db, execution_id)
    entered = require_stage(db, execution_id, stage)
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
            "retry it (CP §1.10: a stage is retried only until a newer execution enters it)."
        )
