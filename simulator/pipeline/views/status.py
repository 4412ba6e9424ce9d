"""An execution as the terminal picture `pipeline status` prints: its stages as a chain, a mark and a duration per
action, approvals with who answered, when and with what summary.

Pure: it reads a store snapshot and returns lines. Colour is the caller's choice (`wants_colour`): only on a
terminal, never when `NO_COLOR` is set to anything non-empty (https://no-color.org). An action still running shows
how long it has run so far, measured against `now`; a finished one its start-to-end time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TextIO

from simulator.codebuild.test_reports import summary_text
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus
from simulator.pipeline.store.snapshots import ActionExecution, Approval, Execution, StageExecution

MARKS: Mapping[ActionStatus, str] = {
    ActionStatus.SUCCEEDED: "✔",
    ActionStatus.FAILED: "✘",
    ActionStatus.IN_PROGRESS: "…",
    ActionStatus.ABANDONED: "-",
    ActionStatus.SKIPPED: "↷",
}
STAGE_MARK = "●"
LINK = "│"
ARROW = "▼"

_GREEN, _RED, _YELLOW, _DIM, _BOLD, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[1m", "\x1b[0m"
# Keyed by the status's text: executions, stages and actions share CodePipeline's spellings.
_COLOURS: Mapping[str, str] = {
    "Succeeded": _GREEN,
    "Failed": _RED,
    "InProgress": _YELLOW,
    "Stopping": _YELLOW,
    "Stopped": _DIM,
    "Superseded": _DIM,
    "Cancelled": _DIM,
    "Abandoned": _DIM,
    "Skipped": _DIM,
}


def wants_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only for a person at a terminal who has not asked for none (an empty NO_COLOR does not count)."""
    if environ.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def status_lines(execution: Execution, *, now: datetime, colour: bool = False) -> list[str]:
    paint = _Paint(colour)
    took = took_text(execution.started_at, execution.ended_at, now)
    lines = [
        f"Execution {execution.id} of {execution.pipeline}: {paint.status(execution.status)}",
        f"  started {execution.started_at:%Y-%m-%d %H:%M:%S}, {took}",
    ]
    if execution.status_reason and execution.status is not ExecutionStatus.SUCCEEDED:
        lines.append(f"  {execution.status_reason}")
    for index, stage in enumerate(execution.stages):
        lines.append(ARROW if index else "")
        lines += _stage_lines(stage, now, paint)
    return lines


def _stage_lines(stage: StageExecution, now: datetime, paint: _Paint) -> list[str]:
    took = took_text(stage.started_at, stage.ended_at, now)
    lines = [f"{paint.status(STAGE_MARK, stage.status)} {paint.bold(stage.name)}  {paint.status(stage.status)}  {took}"]
    width = max((len(action.name) for action in stage.actions), default=0)
    for action in stage.actions:
        lines.append(f"{LINK}  {_action_line(action, width, now, paint)}")
        lines += [f"{LINK}      {detail}" for detail in _details(action, paint)]
    return lines


def _action_line(action: ActionExecution, width: int, now: datetime, paint: _Paint, label: str | None = None) -> str:
    mark = paint.status(MARKS.get(action.status, "?"), action.status)
    status = paint.status(f"{action.status:<10}", action.status)
    name = action.name if label is None else label
    return f"{mark} {name:<{width}}  {status} {took_text(action.started_at, action.ended_at, now)}"


def _details(action: ActionExecution, paint: _Paint) -> list[str]:
    variables = [f"{name}={value}" for name, value in action.output_variables.items()]
    return [*_outcome_lines(action, paint), *variables, *report_lines(action)]


def _outcome_lines(action: ActionExecution, paint: _Paint) -> list[str]:
    """How it ended, when the mark does not say it all: a gate's answer, a failure's summary and error."""
    lines: list[str] = []
    if action.approval is not None:
        lines += _approval_lines(action.approval, paint)
    elif action.summary and action.status is not ActionStatus.SUCCEEDED:
        lines.append(action.summary)
    answered = action.approval is not None and action.approval.answered_by is not None
    # A rejection's error repeats the answer's line ("Rejected by bob: ..."): said once.
    if action.error and action.error != action.summary and not answered:
        lines.append(paint.status(action.error, ActionStatus.FAILED))
    return lines


def report_lines(action: ActionExecution) -> list[str]:
    """`reports: unit 12 passed, 1 failed (tests.test_cart.test_total)`, one per report group."""
    return [f"reports: {summary_text(summary)}" for summary in action.reports]


def action_line(action: ActionExecution, width: int, now: datetime, label: str) -> str:
    """`✔ Build/Unit  Succeeded  2.8s`, uncoloured, the action called `label`: as the gate's prompt lists it."""
    return _action_line(action, width, now, _Paint(False), label)


def outcome_lines(action: ActionExecution) -> list[str]:
    """The lines `status` shows under an action about how it ended (answer, failure), uncoloured."""
    return _outcome_lines(action, _Paint(False))


def _approval_lines(approval: Approval, paint: _Paint) -> list[str]:
    if approval.status is ApprovalStatus.WAITING:
        lines = [f"waiting for an answer since {approval.opened_at:%Y-%m-%d %H:%M:%S}"]
        if approval.custom_data:
            lines.append(f"CustomData: {approval.custom_data}")
        lines.append(f"expires {approval.expires_at:%Y-%m-%d %H:%M:%S}")
        lines.append(
            f'answer: python -m simulator pipeline approve {approval.execution_id} --summary "..." (or reject)'
        )
        return lines
    if approval.answered_by and approval.answered_at:
        summary = f': "{approval.summary}"' if approval.summary else ""
        return [
            f"{paint.bold(str(approval.status))} by {approval.answered_by}"
            f" at {approval.answered_at:%Y-%m-%d %H:%M:%S}{summary}"
        ]
    if approval.status is ApprovalStatus.EXPIRED:
        return [f"Expired at {approval.expires_at:%Y-%m-%d %H:%M:%S}: nobody answered within its TimeoutInMinutes"]
    return [str(approval.status)]


def took_text(started_at: datetime, ended_at: datetime | None, now: datetime) -> str:
    """How long it took, or how long it has been running so far."""
    if ended_at is None:
        return f"running for {duration_text(now - started_at)}"
    return duration_text(ended_at - started_at)


def duration_text(duration: timedelta) -> str:
    """`0.4s`, `12.3s`, `2m 05s`, `1h 02m`: short enough to read at a glance, exact enough to compare."""
    seconds = max(duration.total_seconds(), 0.0)
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    return f"{whole // 3600}h {whole % 3600 // 60:02d}m"


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def status(self, text: str, status: str | None = None) -> str:
        code = _COLOURS.get(str(text if status is None else status))
        return f"{code}{text}{_RESET}" if self.enabled and code else str(text)

    def bold(self, text: str) -> str:
        return f"{_BOLD}{text}{_RESET}" if self.enabled else text
