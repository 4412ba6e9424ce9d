"""What got the execution to a gate, for the person asked to answer it: every action before it, with what `status`
shows of it (mark, status, duration, an earlier gate's answer, a failure, the variables it exported, its test
reports) and the artifacts it made.

One screen is the aim, so it is denser than `status`: one flat list of Stage/Action lines, the variables packed
several to a line, and a value shown on one line cut at `LINE_WIDTH` (a commit message can run to pages);
`pipeline status` shows everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from simulator.pipeline.store.snapshots import ActionExecution, Execution
from simulator.pipeline.views.status import action_line, outcome_lines, report_lines

LINE_WIDTH = 100
DETAIL_INDENT = "    "


def earlier_action_lines(execution: Execution, stage: str, action: str, now: datetime) -> list[str]:
    """Every action of every stage entered, but the gate itself; empty for a gate that is the first action."""
    earlier = [a for entered in execution.stages for a in entered.actions if (a.stage, a.name) != (stage, action)]
    width = max((len(_label(a)) for a in earlier), default=0)
    return [line for each in earlier for line in _action_lines(each, width, now)]


def _action_lines(action: ActionExecution, width: int, now: datetime) -> list[str]:
    line = action_line(action, width, now, _label(action))
    if action.output_artifacts:
        line += f"  artifacts: {', '.join(action.output_artifacts)}"
    variables = _packed(f"{name}={value}" for name, value in action.output_variables.items())
    details = [*outcome_lines(action), *variables, *report_lines(action)]
    return [line, *(DETAIL_INDENT + _one_line(detail) for detail in details)]


def _label(action: ActionExecution) -> str:
    return f"{action.stage}/{action.name}"


def _packed(items: Iterable[str]) -> list[str]:
    """As many `name=value` to a line as fit in LINE_WIDTH, two spaces apart."""
    lines: list[str] = []
    for item in (_one_line(item) for item in items):
        if lines and len(lines[-1]) + 2 + len(item) <= LINE_WIDTH:
            lines[-1] += f"  {item}"
        else:
            lines.append(item)
    return lines


def _one_line(text: str) -> str:
    first, *rest = text.splitlines() or [""]
    if rest or len(first) > LINE_WIDTH:
        return first[: LINE_WIDTH - 1] + "…"
    return first
