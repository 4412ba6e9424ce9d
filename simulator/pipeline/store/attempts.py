"""Every attempt of every action of an execution, for `pipeline logs`: a retry's earlier attempts are part of the
record, where `status` shows only the latest."""

from __future__ import annotations

import sqlite3

from simulator.pipeline.store.lookups import require_execution
from simulator.pipeline.store.rows import action_from
from simulator.pipeline.store.snapshots import ActionExecution


def all_attempts(db: sqlite3.Connection, execution_id: str) -> tuple[ActionExecution, ...]:
    """In the order they ran: stages as entered, actions as they first started, then attempt by attempt."""
    require_execution(db, execution_id)
    rows = db.execute(
        "SELECT a.* FROM action_executions a JOIN stage_executions s"
        " ON s.execution_id = a.execution_id AND s.stage = a.stage"
        " WHERE a.execution_id = ? ORDER BY s.rowid,"
        " (SELECT min(rowid) FROM action_executions f WHERE f.execution_id = a.execution_id"
        " AND f.stage = a.stage AND f.action = a.action), a.attempt",
        (execution_id,),
    ).fetchall()
    return tuple(action_from(row) for row in rows)
