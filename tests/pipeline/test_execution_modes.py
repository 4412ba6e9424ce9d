"""CP §1.10, execution modes: executions of one pipeline run at once on real threads (and one in
a child process), each with its own connection to the real SQLite store, through the executor and the store's
recorder; only the actions are fakes, which block on events the test sets. Nothing is timed: the test waits for
the store to show a state, with generous limits, and the runs poll every few milliseconds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from simulator.cancellation import CancelToken
from simulator.pipeline.executor import ActionContext, ActionOutcome, ExecutionResult, RunEnding, run_execution
from simulator.pipeline.model import ExecutionMode, Pipeline, PipelineType
from simulator.pipeline.recording import StoreRecorder
from simulator.pipeline.start_and_resume import RunOptions, _finish
from simulator.pipeline.statuses import ActionStatus, ExecutionStatus
from simulator.pipeline.store import PipelineStore
from simulator.state import StateFolder
from tests.pipeline.test_executor import SOURCE, act, pipeline

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 60.0  # seconds: a limit for a slow machine, never a measure of speed
POLL = 0.01


def shop(mode: ExecutionMode, *, deploy: bool = True) -> Pipeline:
    stages = pipeline(
        ("Source", [act("Checkout", SOURCE, outputs=["Src"])]),
        ("Build", [act("Compile", inputs=["Src"])]),
        ("Deploy", [act("Ship", inputs=["Src"])]),
    ).stages
    return Pipeline("shop", stages if deploy else stages[:2], stages[0].where, PipelineType.V2, mode)


@dataclass
class Actions:
    """Fake actions: each records when it ran; one given an event waits for it first."""

    holds: dict[tuple[str, str], threading.Event] = field(default_factory=dict)
    started: dict[tuple[str, str], threading.Event] = field(default_factory=dict)
    spans: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hold(self, execution_id: str, action: str) -> threading.Event:
        return self.holds.setdefault((execution_id, action), threading.Event())

    def has_started(self, execution_id: str, action: str) -> threading.Event:
        with self.lock:
            return self.started.setdefault((execution_id, action), threading.Event())

    def __call__(self, context: ActionContext) -> ActionOutcome:
        key = (context.execution_id, context.action.name)
        began = time.monotonic()
        self.has_started(*key).set()
        held = self.holds.get(key)
        if held is not None and not held.wait(PATIENCE):
            return ActionOutcome(ActionStatus.FAILED, "the test never let it go on")
        with self.lock:
            self.spans[key] = (began, time.monotonic())
        outputs = {name: Path(f"/store/{name}") for name in context.action.output_artifacts}
        return ActionOutcome(ActionStatus.SUCCEEDED, "done", outputs=outputs)


class _QuickRecorder(StoreRecorder):
    poll_seconds = POLL  # a run waiting in front of a stage looks again sooner than a real one


class Run:
    """One execution on its own thread and its own store connection, as `pipeline run` does it."""

    def __init__(self, state: StateFolder, model: Pipeline, actions: Actions) -> None:
        self.store = PipelineStore(state)
        self.model = model
        self.id = self.store.start_execution(model.name, mode=model.execution_mode)
        self.cancel = CancelToken()
        self.said: list[str] = []
        self.recorder = _QuickRecorder(self.store, self.id, model, cancel=self.cancel, say=self.said.append)
        self.result: ExecutionResult | None = None
        self._thread = threading.Thread(target=self._run, args=(actions,), name=self.id)
        self._thread.start()

    def _run(self, actions: Actions) -> None:
        result = run_execution(self.model, self.id, actions, self.recorder, cancel=self.cancel)
        _finish(self.store, self.id, result, RunOptions(file=Path("p.yml"), repository=Path(".")))
        self.result = result

    def join(self) -> ExecutionResult:
        self._thread.join(PATIENCE)
        assert not self._thread.is_alive(), f"execution {self.id} did not end"
        assert self.result is not None
        self.store.close()
        return self.result


def eventually(what: Callable[[], object], expected: object) -> None:
    deadline = time.monotonic() + PATIENCE
    while (seen := what()) != expected:
        assert time.monotonic() < deadline, f"still {seen!r}, never {expected!r}"
        time.sleep(POLL)


def reason(state: StateFolder, execution_id: str) -> str:
    with PipelineStore(state) as store:
        return store.execution(execution_id).status_reason


def status(state: StateFolder, execution_id: str) -> tuple[ExecutionStatus, str]:
    with PipelineStore(state) as store:
        execution = store.execution(execution_id)
    return execution.status, execution.status_reason


def waiting_for(stage: str, holder: str, mode: str, queued: str = "") -> str:
    return f"waiting for stage {stage}: execution {holder} holds it{queued} (CP §1.10, {mode})"


@pytest.fixture
def state(tmp_path: Path) -> StateFolder:
    return StateFolder(tmp_path / ".simulator")


def test_superseded_two_executions_never_overlap_inside_a_stage(state):
    """CP §1.10 SUPERSEDED.1-2: the stage runs one execution at a time; the next waits in front of it, and says so."""
    actions = Actions()
    model = shop(ExecutionMode.SUPERSEDED)
    first = Run(state, model, actions)
    first_compiles, first_ships = actions.hold(first.id, "Compile"), actions.hold(first.id, "Ship")
    assert actions.has_started(first.id, "Compile").wait(PATIENCE)
    second = Run(state, model, actions)
    second_compiles = actions.hold(second.id, "Compile")
    eventually(lambda: reason(state, second.id), waiting_for("Build", first.id, "SUPERSEDED"))
    with PipelineStore(state) as store:
        waiting = store.execution(second.id)
    # `pipeline status`: still InProgress, its next stage not entered, the reason saying who holds it.
    assert (waiting.status, [stage.name for stage in waiting.stages]) == (ExecutionStatus.IN_PROGRESS, ["Source"])
    first_compiles.set()
    assert actions.has_started(first.id, "Ship").wait(PATIENCE)
    second_compiles.set()  # now in Build: it reaches Deploy while the first still runs there
    eventually(lambda: reason(state, second.id), waiting_for("Deploy", first.id, "SUPERSEDED"))
    first_ships.set()
    assert (first.join(), second.join()) == (ExecutionResult(RunEnding.SUCCEEDED),) * 2
    assert second.said == [
        f"Execution {second.id} waits for stage {stage}: execution {first.id} holds it (CP §1.10, SUPERSEDED)"
        for stage in ("Build", "Deploy")
    ]
    assert first.said == []
    for action in ("Compile", "Ship"):
        assert actions.spans[(first.id, action)][1] <= actions.spans[(second.id, action)][0]
    assert status(state, second.id) == (ExecutionStatus.SUCCEEDED, "")


def test_superseded_a_newer_execution_arriving_in_front_supersedes_the_one_waiting_there(state):
    """CP §1.10 SUPERSEDED.3: only one waits per stage; the superseded one stops for good, between stages."""
    actions = Actions()
    model = shop(ExecutionMode.SUPERSEDED)
    first = Run(state, model, actions)
    release = actions.hold(first.id, "Compile")
    assert actions.has_started(first.id, "Compile").wait(PATIENCE)
    middle = Run(state, model, actions)
    eventually(lambda: reason(state, middle.id), waiting_for("Build", first.id, "SUPERSEDED"))
    third = Run(state, model, actions)
    eventually(lambda: reason(state, third.id), waiting_for("Build", first.id, "SUPERSEDED"))
    why = f"Superseded by execution {third.id}, which arrived in front of stage Build (CP §1.10)"
    assert middle.join() == ExecutionResult(RunEnding.SUPERSEDED, "Build", None, why)
    assert status(state, middle.id) == (ExecutionStatus.SUPERSEDED, why)
    release.set()
    assert (first.join(), third.join()) == (ExecutionResult(RunEnding.SUCCEEDED),) * 2
    assert third.recorder.superseded == [middle.id]
    assert {key for key in actions.spans if key[0] == middle.id} == {(middle.id, "Checkout")}  # never in Build
    assert actions.spans[(first.id, "Compile")][1] <= actions.spans[(third.id, "Compile")][0]


def test_queued_executions_go_through_one_by_one_in_arrival_order(state):
    """CP §1.10 QUEUED: each waits its turn in front of the locked stage; none is superseded."""
    actions = Actions()
    model = shop(ExecutionMode.QUEUED, deploy=False)
    first = Run(state, model, actions)
    release = actions.hold(first.id, "Compile")
    assert actions.has_started(first.id, "Compile").wait(PATIENCE)
    second = Run(state, model, actions)
    second_may_go = actions.hold(second.id, "Compile")
    eventually(lambda: reason(state, second.id), waiting_for("Build", first.id, "QUEUED"))
    third = Run(state, model, actions)
    eventually(lambda: reason(state, third.id), waiting_for("Build", first.id, "QUEUED", ", 1 queued before it"))
    release.set()
    assert actions.has_started(second.id, "Compile").wait(PATIENCE)
    eventually(lambda: reason(state, third.id), waiting_for("Build", second.id, "QUEUED"))
    second_may_go.set()
    results = [run.join() for run in (first, second, third)]
    assert results == [ExecutionResult(RunEnding.SUCCEEDED)] * 3
    compiles = [actions.spans[(run.id, "Compile")] for run in (first, second, third)]
    assert compiles[0][1] <= compiles[1][0] and compiles[1][1] <= compiles[2][0]
    assert [run.recorder.superseded for run in (first, second, third)] == [[], [], []]
    waits = f"Execution {third.id} waits for stage Build:"
    behind_first = f"{waits} execution {first.id} holds it, 1 queued before it (CP §1.10, QUEUED)"
    behind_second = f"{waits} execution {second.id} holds it (CP §1.10, QUEUED)"
    # Between the first leaving and the second entering, the third may look once and see the second first in line.
    between = f"{waits} execution {second.id} enters it first (CP §1.10, QUEUED)"
    assert third.said in ([behind_first, behind_second], [behind_first, between, behind_second])


def test_queued_a_stage_waiting_at_a_gate_is_waited_for_not_superseded(state):
    """CP §1.10 item 4 and QUEUED: a pending approval keeps its stage locked; the next one waits, the gate stays
    open."""
    gated = pipeline(("Source", [act("Checkout", SOURCE, outputs=["Src"])]), ("Build", [act("Compile")])).stages
    with PipelineStore(state) as store:
        older = store.start_execution("shop", mode=ExecutionMode.QUEUED)
        store.start_stage(older, "Build")
        store.open_gate(store.start_action(older, "Build", "Approve", owned=False))
    actions = Actions()
    newer = Run(state, Pipeline("shop", gated, gated[0].where, PipelineType.V2, ExecutionMode.QUEUED), actions)
    eventually(lambda: reason(state, newer.id), waiting_for("Build", older, "QUEUED"))
    newer.cancel.cancel()
    assert newer.join().status is RunEnding.STOPPED
    assert status(state, older) == (ExecutionStatus.IN_PROGRESS, "")


def test_parallel_executions_run_through_the_same_stage_at_once(state):
    """CP §1.10 PARALLEL: no stage locking at all; never superseded."""
    actions = Actions()
    model = shop(ExecutionMode.PARALLEL)
    first = Run(state, model, actions)
    release = actions.hold(first.id, "Compile")
    assert actions.has_started(first.id, "Compile").wait(PATIENCE)
    second = Run(state, model, actions)
    # The second gets into Build while the first still runs there; held, the first could only end then.
    assert actions.has_started(second.id, "Compile").wait(PATIENCE)
    release.set()
    assert (first.join(), second.join()) == (ExecutionResult(RunEnding.SUCCEEDED),) * 2
    one, two = actions.spans[(first.id, "Compile")], actions.spans[(second.id, "Compile")]
    assert max(one[0], two[0]) < min(one[1], two[1])
    assert (first.said, second.said, second.recorder.superseded) == ([], [], [])


_HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from simulator.pipeline.store import PipelineStore
    from simulator.state import StateFolder

    store = PipelineStore(StateFolder(Path(sys.argv[1])))
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    store.start_action(execution_id, "Build", "Compile")
    print(execution_id, flush=True)
    time.sleep(120)
    """
)


def test_a_holder_whose_process_died_releases_its_stage(state):
    """CP §1.10 item 5: a failure releases the stage lock; a killed holder is judged Failed, so it blocks nobody."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(state.root)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert holder.stdout is not None
    holder_id = holder.stdout.readline().strip()
    holder.stdout.close()
    try:
        actions = Actions()
        waiting = Run(state, shop(ExecutionMode.SUPERSEDED), actions)
        eventually(lambda: reason(state, waiting.id), waiting_for("Build", holder_id, "SUPERSEDED"))
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=PATIENCE)
    assert waiting.join() == ExecutionResult(RunEnding.SUCCEEDED)
    gone = f"pid {holder.pid} on {socket.gethostname()} is gone (killed, or it crashed)"
    assert status(state, holder_id) == (
        ExecutionStatus.FAILED,
        f"Action Build/Compile failed: the simulator process running it ended: {gone}",
    )


def test_ctrl_c_while_waiting_in_front_of_a_stage_ends_the_execution_stopped(state):
    """CP §1.10: the wait is the run's like any other: its cancel token (Ctrl-C) ends it Stopped, never in the stage."""
    actions = Actions()
    model = shop(ExecutionMode.SUPERSEDED)
    first = Run(state, model, actions)
    release = actions.hold(first.id, "Compile")
    assert actions.has_started(first.id, "Compile").wait(PATIENCE)
    second = Run(state, model, actions)
    eventually(lambda: reason(state, second.id), waiting_for("Build", first.id, "SUPERSEDED"))
    second.cancel.cancel("Ctrl-C")
    assert second.join() == ExecutionResult(RunEnding.STOPPED, "Build", None, "stopped while waiting for stage Build")
    assert status(state, second.id) == (ExecutionStatus.STOPPED, "stopped while waiting for stage Build")
    release.set()
    assert first.join() == ExecutionResult(RunEnding.SUCCEEDED)
    with PipelineStore(state) as store:
        assert [stage.name for stage in store.execution(second.id).stages] == ["Source"]
