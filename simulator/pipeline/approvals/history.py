"""What got the execution to a gate, for the person asked to answer it: every action before it, as `status` shows
them (mark, status, duration, the answer of an earlier gate, the variables it exported, its test reports), with
the artifacts it made.

One screen is the aim: a value is shown on one line and cut at `VALUE_WIDTH` (a commit message can run to pages);
`pipeline status` shows everything.
"""

from __future__ import annotations

from datetime import datetime

from simulator.pipeline.store.snapshots import ActionExecution, Execution
from simulator.reporting.pipeline_status import action_details, action_line

VALUE_WIDTH = 100


def what_got_here(execution: Execution, stage: str, action: str, now: datetime) -> list[str]:
    """Every stage entered and its actions, but for the gate itself; empty for a gate that is the first action."""
    lines: list[str] = []
    for entered in execution.stages:
        earlier = [a for a in entered.actions if (a.stage, a.name) != (stage, action)]
        if not earlier:
            continue
        width = max(len(a.name) for a in earlier)
        lines.append(entered.name)
        for each in earlier:
            lines += _action_lines(each, width, now)
    return lines


def _action_lines(action: ActionExecution, width: int, now: datetime) -> list[str]:
    line = action_line(action, width, now)
    if action.output_artifacts:
        line += f"  artifacts: {', '.join(action.output_artifacts)}"
    return [f"  {line}", *(f"      {_one_line(detail)}" for detail in action_details(action))]


def _one_line(text: str) -> str:
    first, *rest = text.splitlines() or [""]
    if rest or len(first) > VALUE_WIDTH:
        return first[: VALUE_WIDTH - 1] + "…"
    return first
