"""CP §1.5, CP §1.7, CP §1.11, CP §7 item 2: the order actions run in, what a failure stops, what a
picked-up execution reuses. Actions are scripted here (pure logic); real builds are in tests/docker."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from simulator.cancellation import CancelToken
from simulator.pipeline.executor import (
    ActionContext,
    ActionOutcome,
    ExecutionResult,
    RunEnding,
    RunScope,
    run_execution,
)
from simulator.pipeline.model import Action, ActionType, Category, Pipeline, Stage, Where
from simulator.pipeline.statuses import ActionStatus

HERE = Where(Path("p.yml"))
SOURCE = ActionType(Category.SOURCE, "AWS", "CodeCommit")
BUILD = ActionType(Category.BUILD, "AWS", "CodeBuild")
APPROVAL = ActionType(Category.APPROVAL, "AWS", "Manual")


def act(name, kind=BUILD, run_order=1, inputs=(), outputs=(), namespace=None, **configuration) -> Action:
    return Action(name, kind, HERE, run_order, configuration, tuple(inputs), tuple(outputs), namespace)


def pipeline(*stages: tuple[str, list[Action]]) -> Pipeline:
    return Pipeline("shop", tuple(Stage(name, tuple(actions), HERE) for name, actions in stages), HERE)


SHOP = pipeline(
    ("Source", [act("Source", SOURCE, outputs=["Src"], namespace="SourceVariables")]),
    (
        "BuildDev",
        [
            act("Unit", inputs=["Src"], outputs=["UnitOut"]),
            act("Lint", inputs=["Src"]),
            act("Package", run_order=2, inputs=["Src"], outputs=["Pkg"], namespace="Pkg"),
        ],
    ),
    ("ApproveDev", [act("Approve", APPROVAL, CustomData="tag #{Pkg.TAG} of #{SourceVariables.CommitId}")]),
    ("BuildProd", [act("Prod", inputs=["Pkg"], STAGE="#{variables.Target}")]),
)


class Script:
    """Runs actions by a table of outcomes, recording what it was given, when, and on which thread."""

    def __init__(self, statuses=None, delay=0.0):
        self.statuses = statuses or {}
        self.delay = delay
        self.calls: list[tuple[str, dict[str, str], tuple[str, ...]]] = []
        self.spans: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def __call__(self, context: ActionContext) -> ActionOutcome:
        started = time.monotonic()
        time.sleep(self.delay.get(context.action.name, 0.0) if isinstance(self.delay, dict) else self.delay)
        action = context.action
        with self.lock:
            self.calls.append((action.name, dict(context.configuration), tuple(sorted(context.artifacts))))
            self.spans[action.name] = (started, time.monotonic())
        status = self.statuses.get(action.name, ActionStatus.SUCCEEDED)
        variables = {"CommitId": "abc123"} if action.name == "Source" else {"TAG": "1.2.3"}
        outputs = {name: Path(f"/store/{name}") for name in action.output_artifacts}
        return ActionOutcome(status, f"{action.name} said {status.value}", variables, outputs)

    def order(self) -> list[str]:
        return [name for name, _, _ in self.calls]


class Memory:
    """The recorder, in memory: what the store keeps, for pure tests."""

    def __init__(self, earlier=None):
        self.outcomes: dict[tuple[str, str], ActionOutcome] = dict(earlier or {})
        self.events: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()

    def previous(self, stage, action):
        return self.outcomes.get((stage, action))

    def stage_entered(self, stage):
        with self.lock:
            self.events.append(("entered", stage, ""))

    def stage_left(self, stage):
        with self.lock:
            self.events.append(("left", stage, ""))

    def started(self, stage, action):
        with self.lock:
            self.events.append(("started", stage, action))

    def finished(self, stage, action, outcome):
        with self.lock:
            self.outcomes[(stage, action)] = outcome
            self.events.append((outcome.status.value, stage, action))


def execute(script, recorder=None, **options) -> tuple[ExecutionResult, Memory]:
    recorder = recorder or Memory()
    options.setdefault("pipeline_variables", {"Target": "dev"})
    scope = RunScope(**{name: options.pop(name) for name in list(options) if name in RunScope.__dataclass_fields__})
    cancel = options.pop("cancel", CancelToken())
    result = run_execution(SHOP, "exec-1", script, recorder, cancel=cancel, scope=scope, **options)
    return result, recorder


def test_stages_in_order_groups_ascending_and_variables_resolved_as_each_action_starts():
    script = Script()
    result, recorder = execute(script)
    assert result == ExecutionResult(RunEnding.SUCCEEDED)
    order = script.order()
    assert order[0] == "Source"
    assert sorted(order[1:3]) == ["Lint", "Unit"]
    assert order[3:] == ["Package", "Approve", "Prod"]
    stages = [(event, stage) for event, stage, action in recorder.events if event in ("entered", "left")]
    assert stages == [(e, s) for s in ("Source", "BuildDev", "ApproveDev", "BuildProd") for e in ("entered", "left")]
    configuration = {name: config for name, config, _ in script.calls}
    # CP §1.7: from earlier actions only, codepipeline's and V2 pipeline variables.
    assert configuration["Approve"] == {"CustomData": "tag 1.2.3 of abc123"}
    assert configuration["Prod"] == {"STAGE": "dev"}
    artifacts = {name: seen for name, _, seen in script.calls}
    assert artifacts["Package"] == ("Src", "UnitOut")
    assert artifacts["Prod"] == ("Pkg", "Src", "UnitOut")


def test_equal_run_orders_overlap_in_time():
    # CP §1.5: actions with the same RunOrder run in parallel; measured from their own start and end times.
    script = Script(delay=0.3)
    execute(script, parallel=2)
    unit, lint = script.spans["Unit"], script.spans["Lint"]
    assert max(unit[0], lint[0]) < min(unit[1], lint[1])
    package = script.spans["Package"]
    assert package[0] >= max(unit[1], lint[1])  # a higher RunOrder waits for the whole group


def test_parallel_one_runs_a_group_one_at_a_time():
    script = Script(delay=0.1)
    execute(script, parallel=1)
    unit, lint = sorted((script.spans["Unit"], script.spans["Lint"]))
    assert unit[1] <= lint[0]


@pytest.mark.parametrize(
    ("failing", "result", "never_ran"),
    [
        ("Unit", ExecutionResult(RunEnding.FAILED, "BuildDev", "Unit", "Unit said Failed"), {"Package", "Prod"}),
        ("Package", ExecutionResult(RunEnding.FAILED, "BuildDev", "Package", "Package said Failed"), {"Prod"}),
        ("Approve", ExecutionResult(RunEnding.FAILED, "ApproveDev", "Approve", "Approve said Failed"), {"Prod"}),
    ],
)
def test_a_failure_fails_its_stage_and_nothing_later_starts(failing, result, never_ran):
    # CP §1.5, CP §7 item 2: the stage fails; later run orders and stages do not start.
    script = Script({failing: ActionStatus.FAILED})
    got, _ = execute(script)
    assert got == result
    assert never_ran.isdisjoint(script.order())


def test_a_sibling_already_running_finishes_and_one_not_started_is_abandoned():
    failing_first = pipeline(
        ("Source", [act("Source", SOURCE, outputs=["Src"])]),
        ("Build", [act("A", inputs=["Src"]), act("B", inputs=["Src"]), act("C", inputs=["Src"])]),
    )
    script = Script({"A": ActionStatus.FAILED}, delay={"A": 0.05, "B": 0.5})
    recorder = Memory()
    result = run_execution(failing_first, "e", script, recorder, cancel=CancelToken(), parallel=2)
    assert result.status is RunEnding.FAILED
    statuses = {action: o.status for (_, action), o in recorder.outcomes.items()}
    assert statuses == {
        "Source": ActionStatus.SUCCEEDED,
        "A": ActionStatus.FAILED,
        "B": ActionStatus.SUCCEEDED,  # was running beside A: it finishes
        "C": ActionStatus.ABANDONED,  # queued behind the bound of 2: never started
    }


def test_an_unresolvable_variable_fails_the_action_before_it_starts():
    broken = pipeline(
        ("Source", [act("Source", SOURCE, outputs=["Src"])]),
        ("Build", [act("Build", inputs=["Src"], Note="#{Nope.Thing}")]),
    )
    script = Script()
    result = run_execution(broken, "e", script, Memory(), cancel=CancelToken())
    assert result == ExecutionResult(
        RunEnding.FAILED,
        "Build",
        "Build",
        "The variable #{Nope.Thing} cannot be resolved: no earlier action has the namespace 'Nope'.",
    )
    assert script.order() == ["Source"]


def test_a_waiting_gate_ends_the_run_waiting_and_a_later_run_reuses_everything_before_it():
    script = Script({"Approve": ActionStatus.IN_PROGRESS})
    result, recorder = execute(script)
    assert result == ExecutionResult(RunEnding.WAITING, "ApproveDev", "Approve", "Approve said InProgress")
    # The gate is answered: the execution continues from there, nothing built is run again (CP §1.11 reuse).
    recorder.outcomes[("ApproveDev", "Approve")] = ActionOutcome(ActionStatus.SUCCEEDED, "looks good")
    again = Script()
    recorder.events.clear()
    result, _ = execute(again, recorder)
    assert result.status is RunEnding.SUCCEEDED
    assert again.order() == ["Prod"]
    # Stages done before are not entered again (their records keep their times).
    assert [stage for event, stage, _ in recorder.events if event == "entered"] == ["BuildProd"]
    assert [stage for event, stage, _ in recorder.events if event == "left"] == [
        "Source",
        "BuildDev",
        "ApproveDev",
        "BuildProd",
    ]
    assert again.calls[0][2] == ("Pkg", "Src", "UnitOut")


def test_a_cancelled_execution_stops_before_the_next_group():
    cancel = CancelToken()

    class Cancelling(Script):
        def __call__(self, context):
            if context.action.name == "Unit":
                cancel.cancel("SIGINT")
            return super().__call__(context)

    script = Cancelling()
    result, _ = execute(script, cancel=cancel)
    assert (result.status, result.stage) == (RunEnding.STOPPED, "BuildDev")
    assert "Package" not in script.order()


def test_from_and_until_bound_the_stages_run():
    script = Script()
    earlier = {"Pkg": Path("/store/old/Pkg"), "Src": Path("/store/old/Src")}
    result, _ = execute(
        script,
        from_stage="BuildProd",
        until_stage="BuildProd",
        earlier_artifacts=earlier,
    )
    assert result.status is RunEnding.SUCCEEDED
    assert script.order() == ["Prod"]
    assert script.calls[0][2] == ("Pkg", "Src")


def test_a_gate_closed_by_a_newer_execution_ends_the_run_superseded_and_nothing_later_starts():
    # CP §1.10: the superseded execution stops for good; before, a run at the prompt went on into BuildProd.
    script = Script({"Approve": ActionStatus.ABANDONED})
    result, _ = execute(script)
    assert result == ExecutionResult(RunEnding.SUPERSEDED, "ApproveDev", "Approve", "Approve said Abandoned")
    assert "Prod" not in script.order()
