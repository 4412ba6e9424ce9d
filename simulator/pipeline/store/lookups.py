"""Row lookups that refuse what is not there: the execution, stage or action a caller named, or the exception
CodePipeline would answer with (`errors.py`). Each runs inside the caller's transaction, so what it found stays
true until that transaction ends."""

from __future__ import annotations

import sqlite3

from simulator.pipeline.store.errors import (
    ActionNotFoundException,
    PipelineExecutionNotFoundException,
    StageNotFoundException,
)


def require_execution(db: sqlite3.Connection, execution_id: str) -> sqlite3.Row:
    row = db.execute("SELECT * FROM executions WHERE id = ?", (execution_id,)).fetchone()
    if row is None:
        raise PipelineExecutionNotFoundException(f"there is no pipeline execution with the id {execution_id!r}.")
    return row  # type: ignore[no-any-return]


def require_stage(db: sqlite3.Connection, execution_id: str, stage: str) -> sqlite3.Row:
    require_execution(db, execution_id)
    row = db.execute(
        "SELECT * FROM stage_executions WHERE execution_id = ? AND stage = ?", (execution_id, stage)
    ).fetchone()
    if row is None:
        raise StageNotFoundException(f"execution {execution_id} has not entered a stage named {stage!r}.")
    return row  # type: ignore[no-any-return]


def require_action(db: sqlite3.Connection, execution_id: str, stage: str, action: str) -> None:
    row = db.execute(
        "SELECT 1 FROM action_executions WHERE execution_id = ? AND stage = ? AND action = ?",
        (execution_id, stage, action),
    ).fetchone()
    if row is None:
        raise ActionNotFoundException(
            f"stage {stage!r} of execution {execution_id} has not run an action named {action!r}."
        )
