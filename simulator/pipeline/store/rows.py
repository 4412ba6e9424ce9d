"""Rows of the state database as the frozen snapshots `status` reads, and back (paths, times, owners)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from simulator.pipeline.model import ExecutionMode
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus
from simulator.pipeline.store.owner import ProcessIdentity
from simulator.pipeline.store.snapshots import ActionExecution, Approval, ExecutionSummary


def owner_of(row: sqlite3.Row) -> ProcessIdentity | None:
    if row["owner_pid"] is None:
        return None
    return ProcessIdentity(row["owner_pid"], row["owner_host"], row["owner_started"] or "")


def latest_actions(db: sqlite3.Connection, execution_id: str, stage: str) -> list[ActionExecution]:
    rows = db.execute(
        "SELECT a.*, (SELECT min(started_at) FROM action_executions f WHERE f.execution_id = a.execution_id"
        " AND f.stage = a.stage AND f.action = a.action) AS first_started, (SELECT min(rowid) FROM action_executions f"
        " WHERE f.execution_id = a.execution_id AND f.stage = a.stage AND f.action = a.action) AS first_row"
        " FROM action_executions a"
        " WHERE a.execution_id = ? AND a.stage = ? AND a.attempt = (SELECT max(attempt) FROM action_executions l"
        " WHERE l.execution_id = a.execution_id AND l.stage = a.stage AND l.action = a.action)"
        " ORDER BY first_started, first_row",
        (execution_id, stage),
    ).fetchall()
    return [action_from(row) for row in rows]


def action_from(row: sqlite3.Row) -> ActionExecution:
    return ActionExecution(
        stage=row["stage"],
        name=row["action"],
        attempt=row["attempt"],
        status=ActionStatus(row["status"]),
        started_at=as_time(row["started_at"]),
        ended_at=as_time_or_none(row["ended_at"]),
        summary=row["summary"],
        error=row["error"],
        external_execution_id=row["external_execution_id"],
        output_variables=json.loads(row["output_variables"]),
        input_artifacts={k: Path(v) for k, v in json.loads(row["input_artifacts"]).items()},
        output_artifacts={k: Path(v) for k, v in json.loads(row["output_artifacts"]).items()},
        log_path=None if row["log_path"] is None else Path(row["log_path"]),
        owner=owner_of(row),
    )


def with_approval(action: ActionExecution, approvals: Mapping[tuple[str, str, int], Approval]) -> ActionExecution:
    approval = approvals.get((action.stage, action.name, action.attempt))
    if approval is None:
        return action
    return ActionExecution(
        **{name: getattr(action, name) for name in ActionExecution.__dataclass_fields__ if name != "approval"},
        approval=approval,
    )


def approval_from(row: sqlite3.Row) -> Approval:
    return Approval(
        token=row["token"],
        execution_id=row["execution_id"],
        stage=row["stage"],
        action=row["action"],
        status=ApprovalStatus(row["status"]),
        custom_data=row["custom_data"],
        external_link=row["external_link"],
        notification_arn=row["notification_arn"],
        timeout_minutes=row["timeout_minutes"],
        opened_at=as_time(row["opened_at"]),
        expires_at=as_time(row["expires_at"]),
        summary=row["summary"],
        answered_by=row["answered_by"],
        answered_at=as_time_or_none(row["answered_at"]),
    )


def summary_from(row: sqlite3.Row) -> ExecutionSummary:
    return ExecutionSummary(
        id=row["id"],
        pipeline=row["pipeline"],
        status=ExecutionStatus(row["status"]),
        status_reason=row["status_reason"],
        mode=ExecutionMode(row["mode"]),
        started_at=as_time(row["started_at"]),
        ended_at=as_time_or_none(row["ended_at"]),
        trigger=row["trigger"],
        source_revision=row["source_revision"],
    )


def as_time(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def as_time_or_none(seconds: float | None) -> datetime | None:
    return None if seconds is None else as_time(seconds)


def paths_json(paths: Mapping[str, Path] | None) -> str:
    return json.dumps({name: str(path) for name, path in (paths or {}).items()})
