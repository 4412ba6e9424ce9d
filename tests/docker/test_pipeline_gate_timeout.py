"""A gate nobody answers in time, end to end with real containers (CP §1.12: "Timeout is handled
exactly like a failure"; the action's TimeoutInMinutes, 7 days by default).

No test waits the five minutes the shortest real timeout takes: the gate's expiry in the state database is moved to
a moment just past, which is what the store sees once that much time has gone by.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.conftest import leftover_containers, simulator
from tests.docker.test_pipeline_run import PIPELINE, execution_id, store_rows
from tests.terminal import Terminal

pytestmark = pytest.mark.docker


def let_the_gate_expire(source: Path, execution: str) -> None:
    rows = store_rows(
        source,
        "UPDATE approvals SET expires_at = ? WHERE execution_id = ? AND status = 'Waiting' RETURNING token",
        time.time() - 1,
        execution,
    )
    assert len(rows) == 1


def statuses(source: Path, execution: str) -> tuple[object, ...]:
    (execution_row,) = store_rows(source, "SELECT status, status_reason FROM executions WHERE id = ?", execution)
    (gate_row,) = store_rows(
        source, "SELECT status, error FROM action_executions WHERE execution_id = ? AND action = 'Gate'", execution
    )
    (stage_row,) = store_rows(
        source, "SELECT status FROM stage_executions WHERE execution_id = ? AND stage = 'Approve'", execution
    )
    (approval_row,) = store_rows(source, "SELECT status FROM approvals WHERE execution_id = ?", execution)
    return execution_row, gate_row, stage_row, approval_row


def test_a_gate_that_expires_while_nobody_runs_the_pipeline_fails_it_when_next_looked_at(fixture_source):
    source = fixture_source("pipeline_chain")
    first = simulator("pipeline", "run", PIPELINE, "--no-input", cwd=source)
    assert first.code == 4, first.stdout[-3000:] + first.stderr
    execution = execution_id(first.stdout)
    let_the_gate_expire(source, execution)

    # Judged when the execution is next looked at: status shows the gate, its stage and the execution Failed.
    status = simulator("pipeline", "status", execution, cwd=source)
    assert status.code == 0, status.stderr
    assert status.stdout.splitlines()[0] == f"Execution {execution} of shop-chain: Failed"
    why = "the approval timed out: nobody answered within 10080 minutes (TimeoutInMinutes)"
    assert statuses(source, execution) == (
        ("Failed", f"Action Approve/Gate failed: {why}"),
        ("Failed", why),
        ("Failed",),
        ("Expired",),
    )

    # ... and an answer after the expiry is refused with CodePipeline's exception name, nothing run.
    late = simulator("pipeline", "approve", execution, "--summary", "too late", cwd=source)
    assert late.code == 2
    assert late.stderr.startswith(
        f"error: ApprovalAlreadyCompletedException: the approval Approve/Gate of execution {execution} timed out at "
    )
    assert "Publish" not in {row[0] for row in store_rows(source, "SELECT action FROM action_executions")}
    assert leftover_containers() == []


def test_a_gate_that_expires_while_its_prompt_waits_ends_the_run_failed(fixture_source):
    source = fixture_source("pipeline_chain")
    command = [sys.executable, "-m", "simulator", "pipeline", "run", PIPELINE]
    terminal = Terminal(command, source, env={"NO_COLOR": "1"})
    try:
        terminal.read_until(b"[a]pprove / [r]eject: ")
        execution = execution_id(terminal.text)
        let_the_gate_expire(source, execution)
        terminal.read_until(b"timed out")
    finally:
        code = terminal.finish(timeout=60)
    assert code == 1
    lines = terminal.text.strip().splitlines()
    assert lines[-2] == "Approve Approve/Gate? [a]pprove / [r]eject: "
    assert lines[-1] == f"Execution {execution} Failed at Approve/Gate: The approval timed out before anyone answered."
    (execution_row, gate_row, stage_row, approval_row) = statuses(source, execution)
    assert (execution_row[0], gate_row[0], stage_row, approval_row) == ("Failed", "Failed", ("Failed",), ("Expired",))
    assert leftover_containers() == []
