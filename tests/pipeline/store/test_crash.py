"""Truth after a crash: what a killed process was running shows Failed with the reason (issue 6 item 4).

Real processes, killed with SIGKILL, so nothing of theirs runs after the signal.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus, StageStatus
from simulator.pipeline.store import PipelineStore, ProcessIdentity
from simulator.pipeline.store.owner import is_running

ROOT = Path(__file__).resolve().parents[2]

_RUNNER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from simulator.pipeline.store import PipelineStore
    from simulator.pipeline.statuses import ActionStatus
    from simulator.state import StateFolder

    store = PipelineStore(StateFolder(Path(sys.argv[1])))
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Source")
    store.finish_action(store.start_action(execution_id, "Source", "Checkout"), ActionStatus.SUCCEEDED)
    store.finish_stage(execution_id, "Source")
    if sys.argv[2] == "build":
        store.start_stage(execution_id, "Build")
        store.start_action(execution_id, "Build", "Compile")
    elif sys.argv[2] == "gate":
        store.start_stage(execution_id, "ApproveDev")
        store.open_gate(store.start_action(execution_id, "ApproveDev", "Approve", owned=False))
    print(execution_id, flush=True)
    time.sleep(120)
    """
)


def _runner_killed(state, where: str, *, reap: bool = True) -> tuple[str, subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", _RUNNER, str(state.root), where],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    execution_id = process.stdout.readline().strip()
    process.stdout.close()
    os.kill(process.pid, signal.SIGKILL)
    if reap:
        process.wait(timeout=30)
    else:
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # ended, left a zombie
    return execution_id, process


def test_a_build_whose_runner_was_killed_shows_failed_with_the_reason(state):
    execution_id, process = _runner_killed(state, "build")
    with PipelineStore(state) as store:
        execution = store.execution(execution_id)
    gone = f"pid {process.pid} on {socket.gethostname()} is gone (killed, or it crashed)"
    compile_ = execution.stage("Build").action("Compile")
    assert (compile_.status, compile_.error, compile_.owner) == (
        ActionStatus.FAILED,
        f"the simulator process running it ended: {gone}",
        None,
    )
    assert compile_.ended_at is not None
    assert execution.stage("Build").status is StageStatus.FAILED
    assert execution.stage("Source").status is StageStatus.SUCCEEDED  # nothing already done is lost
    assert (execution.status, execution.status_reason) == (
        ExecutionStatus.FAILED,
        f"Action Build/Compile failed: the simulator process running it ended: {gone}",
    )


def test_a_killed_runner_not_yet_reaped_is_already_gone(state):
    """A zombie has ended: its parent not having waited for it yet changes nothing."""
    execution_id, process = _runner_killed(state, "build", reap=False)
    try:
        with PipelineStore(state) as store:
            assert store.execution(execution_id).status is ExecutionStatus.FAILED
    finally:
        process.wait(timeout=30)


def test_a_runner_killed_between_actions_fails_its_execution(state):
    execution_id, process = _runner_killed(state, "between")
    with PipelineStore(state) as store:
        [summary] = store.list_executions()
    assert (summary.id, summary.status, summary.status_reason) == (
        execution_id,
        ExecutionStatus.FAILED,
        f"The execution stopped: the simulator process running it ended: pid {process.pid} on "
        f"{socket.gethostname()} is gone (killed, or it crashed)",
    )


def test_a_gate_outlives_its_runner(state):
    """CP §1.12: the execution waits for a person, whoever runs the pipeline; `approve` carries it on later."""
    execution_id, _ = _runner_killed(state, "gate")
    with PipelineStore(state) as store:
        execution = store.execution(execution_id)
    assert execution.status is ExecutionStatus.IN_PROGRESS
    [gate] = execution.waiting_approvals
    assert (gate.stage, gate.action, gate.status) == ("ApproveDev", "Approve", ApprovalStatus.WAITING)
    assert execution.stage("ApproveDev").action("Approve").status is ActionStatus.IN_PROGRESS


def test_a_reused_pid_is_not_taken_for_the_process_that_had_it(store):
    """The pid is this test's own, but the start mark is another process's: that process has ended."""
    me = ProcessIdentity.current()
    assert is_running(me) is True
    assert is_running(ProcessIdentity(me.pid, me.host, "another-boot/12345")) is False
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    store.start_action(execution_id, "Build", "Compile")
    with store.db.write() as db:
        db.execute("UPDATE action_executions SET owner_started = 'another-boot/12345'")
        db.execute("UPDATE executions SET owner_started = 'another-boot/12345'")
    assert store.execution(execution_id).stage("Build").action("Compile").status is ActionStatus.FAILED


def test_a_process_on_another_host_is_not_judged_from_here(store):
    me = ProcessIdentity.current()
    assert is_running(ProcessIdentity(me.pid, me.host + "-elsewhere", me.started)) is None
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    store.start_action(execution_id, "Build", "Compile")
    with store.db.write() as db:
        db.execute("UPDATE action_executions SET owner_host = 'build-server-7', owner_pid = 1")
        db.execute("UPDATE executions SET owner_host = 'build-server-7', owner_pid = 1")
    assert store.execution(execution_id).status is ExecutionStatus.IN_PROGRESS


def test_a_finish_after_the_judgement_does_not_overwrite_it(store):
    """The first judgement stands: a runner that was only slow cannot turn a Failed action Succeeded."""
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    ref = store.start_action(execution_id, "Build", "Compile")
    with store.db.write() as db:
        db.execute("UPDATE action_executions SET owner_started = 'another-boot/1'")
    store.judge()
    assert store.finish_action(ref, ActionStatus.SUCCEEDED) is False
    assert store.execution(execution_id).stage("Build").action("Compile").status is ActionStatus.FAILED


@pytest.mark.parametrize("stopping", [True, False])
def test_an_execution_being_stopped_when_its_runner_died_is_stopped(store, stopping):
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    with store.db.write() as db:
        db.execute("UPDATE executions SET owner_started = 'another-boot/1'")
        if stopping:
            db.execute("UPDATE executions SET status = 'Stopping'")
    execution = store.execution(execution_id)
    expected = ExecutionStatus.STOPPED if stopping else ExecutionStatus.FAILED
    assert (execution.status, execution.stage("Build").status.value) == (expected, expected.value)
