"""`simulator pipeline status [EXECUTION_ID]` and `pipeline list`: executions as the store knows them, truthfully
(an action whose process died shows Failed with that reason; an expired gate shows Failed)."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import Any

from simulator.container.staging import default_source_dir
from simulator.errors import ExitCode, InputError
from simulator.pipeline.store import Execution, PipelineStore
from simulator.pipeline.store.statuses import ActionStatus, ExecutionStatus, StageStatus
from simulator.reporting.masking import Masker
from simulator.state import STATE_DIR_NAME, StateFolder

MARKS = {
    ActionStatus.SUCCEEDED: "✔",
    ActionStatus.FAILED: "✘",
    ActionStatus.IN_PROGRESS: "…",
    ActionStatus.ABANDONED: "-",
    ActionStatus.SKIPPED: "↷",
}


def add_parser(subparsers: Any) -> None:
    status = subparsers.add_parser(
        "status",
        help="an execution's stages, actions, durations and approvals (default: the newest)",
        description="Show an execution as a chain of stages. Example: python -m simulator pipeline status",
    )
    status.add_argument("execution_id", nargs="?", metavar="EXECUTION_ID")
    status.set_defaults(handler=run_status)
    listing = subparsers.add_parser(
        "list",
        help="recent executions, newest first",
        description="List recent executions, newest first. Example: python -m simulator pipeline list",
    )
    listing.add_argument("--limit", type=int, default=20)
    listing.set_defaults(handler=run_list)


def _store(masker: Masker) -> PipelineStore:
    state = StateFolder(default_source_dir(Path.cwd()).resolve() / STATE_DIR_NAME)
    if not state.pipelines_db.exists():
        raise InputError(f"No pipeline has run here yet ({state.pipelines_db} does not exist).")
    return PipelineStore(state, masker=masker)


def run_list(args: argparse.Namespace, masker: Masker) -> int:
    with _store(masker) as store:
        for summary in store.list_executions(limit=args.limit):
            ended = f"{(summary.ended_at - summary.started_at).total_seconds():.0f}s" if summary.ended_at else "-"
            print(
                f"{summary.id}  {summary.pipeline}  {summary.status:<11} {summary.started_at:%Y-%m-%d %H:%M}  {ended}"
            )
    return int(ExitCode.SUCCEEDED)


def run_status(args: argparse.Namespace, masker: Masker) -> int:
    with _store(masker) as store:
        execution_id = args.execution_id
        if execution_id is None:
            newest = store.list_executions(limit=1)
            if not newest:
                raise InputError("No execution is recorded yet: run one with pipeline run.")
            execution_id = newest[0].id
        print("\n".join(status_lines(store.execution(execution_id))))
    return int(ExitCode.SUCCEEDED)


def status_lines(execution: Execution) -> list[str]:
    lines = [f"Execution {execution.id} of {execution.pipeline}: {execution.status}"]
    if execution.status_reason and execution.status is not ExecutionStatus.SUCCEEDED:
        lines.append(f"  {execution.status_reason}")
    for stage in execution.stages:
        lines.append(f"{'│' if stage is not execution.stages[0] else ' '}")
        took = _took(stage.ended_at - stage.started_at if stage.ended_at else None)
        lines.append(f"● {stage.name}  {stage.status}{took}")
        for action in stage.actions:
            mark = MARKS.get(action.status, "?")
            lines.append(f"  {mark} {action.name}  {action.status}{_took(action.duration)}")
            # A failure judged from outside (its process died, a gate timed out) has an error and no summary.
            detail = action.summary or action.error
            if detail and (action.status is not ActionStatus.SUCCEEDED or action.approval is not None):
                lines.append(f"      {detail}")
            if action.approval is not None and action.approval.answered_by:
                approval = action.approval
                lines.append(f"      answered by {approval.answered_by} at {approval.answered_at:%Y-%m-%d %H:%M:%S}")
            for name, value in action.output_variables.items():
                lines.append(f"      {name}={value}")
        if stage.status is StageStatus.FAILED:
            break
    return lines


def _took(duration: timedelta | None) -> str:
    return "" if duration is None else f"  {duration.total_seconds():.1f}s"
