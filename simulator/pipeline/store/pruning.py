"""`pipeline prune --keep N`: the newest N executions of each pipeline stay, with their artifacts and logs.

An active execution (running, or waiting at a gate, even one whose runner has exited) is never removed, whatever
its age: its gate may still be answered and its artifacts read. Rows go first, in one transaction, then the
folders; a crash in between leaves only folders no row names, which the next prune sweeps.
"""

from __future__ import annotations

import shutil
import uuid

from simulator.pipeline.statuses import ExecutionStatus
from simulator.pipeline.store.database import Database
from simulator.pipeline.store.errors import ValidationException
from simulator.state import StateFolder


def check_keep(keep: int) -> None:
    """Refused before anything is judged or removed."""
    if keep < 0:
        raise ValidationException(f"--keep takes a number of executions, 0 or more, not {keep}.")


def prune(database: Database, state: StateFolder, keep: int, pipeline: str | None = None) -> tuple[str, ...]:
    """Remove executions older than each pipeline's `keep` newest (all pipelines, or the one named); the ids
    removed, oldest first. The caller checks `keep` (`check_keep`) and then judges (`PipelineStore.judge`), so a
    bad `keep` touches nothing and a crashed run counts as ended."""
    with database.write() as db:
        pipelines = (
            [pipeline]
            if pipeline is not None
            else [r[0] for r in db.execute("SELECT DISTINCT pipeline FROM executions")]
        )
        doomed: list[tuple[str, str]] = []
        for name in pipelines:
            rows = db.execute(
                "SELECT id, status FROM executions WHERE pipeline = ? ORDER BY started_at DESC, rowid DESC", (name,)
            ).fetchall()
            doomed += [(name, r["id"]) for r in reversed(rows[keep:]) if not ExecutionStatus(r["status"]).is_active]
        for _, execution_id in doomed:
            db.execute("DELETE FROM executions WHERE id = ?", (execution_id,))
    for name, execution_id in doomed:
        shutil.rmtree(state.execution_dir(name, execution_id), ignore_errors=True)
    for name in pipelines:
        _sweep(database, state, name)
    return tuple(execution_id for _, execution_id in doomed)


def _sweep(database: Database, state: StateFolder, pipeline: str) -> None:
    """Folders of executions no row names (a prune interrupted between its commit and its removals).

    The folders are listed before the rows are read: an execution's row is committed before its folder is made,
    so a run starting meanwhile is always among the rows read, and its folder is never taken for a leftover.
    """
    folder = state.pipelines_dir / pipeline
    if not folder.is_dir():
        return
    candidates = [child for child in folder.iterdir() if child.is_dir() and _is_uuid(child.name)]
    with database.read() as db:
        known = {r[0] for r in db.execute("SELECT id FROM executions WHERE pipeline = ?", (pipeline,))}
    for child in candidates:
        if child.name not in known:
            shutil.rmtree(child, ignore_errors=True)


def _is_uuid(name: str) -> bool:
    try:
        return str(uuid.UUID(name)) == name
    except ValueError:
        return False
