"""What the gate's prompt shows at a terminal (CP §1.12: the stage and action, CustomData with
its variables resolved, ExternalEntityLink, the expiry) and what got the execution there: each earlier action's
status, duration, artifacts, exported variables (masked as stored, CP §1.7) and test report summaries
(CB §1.8). Recorded with the real store in a fresh state folder; no Docker."""

from __future__ import annotations

from datetime import UTC, datetime

from simulator.cancellation import CancelToken
from simulator.codebuild.test_reports import summarise
from simulator.pipeline.approvals.gate import describe
from simulator.pipeline.approvals.history import earlier_action_lines
from simulator.pipeline.executor import ActionContext
from simulator.pipeline.loader import load_pipeline
from simulator.pipeline.model import ExecutionMode
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus, StageStatus
from simulator.pipeline.store import ActionExecution, Approval, Execution, PipelineStore, StageExecution
from simulator.reporting.masking import Masker
from simulator.state import StateFolder
from tests.conftest import FIXTURES
from tests.pipeline.store.conftest import Clock

CHAIN = load_pipeline(FIXTURES / "pipeline_chain" / "stages" / "pipeline.yml")
SECRET = "hunter2"
COMMIT = "df1afb3120e3b125ce8047c71a7750fe54d536cd"


def record_up_to_the_gate(store: PipelineStore, clock: Clock) -> tuple[str, Approval]:
    """Source and Build as the fixture's chain records them (one report group, one failing test), then the gate."""
    execution_id = store.start_execution("shop-chain", source_revision=COMMIT)

    def action(stage: str, name: str, seconds: float, outputs: list[str], variables: dict[str, str]) -> None:
        ref = store.start_action(execution_id, stage, name)
        folders = {out: store.artifact_folder(execution_id, out, stage=stage, action=name) for out in outputs}
        if name == "Unit":
            store.save_report_summaries(ref, [summarise("unit", "JUNITXML", FIXTURES / "report_files" / "failing")])
        clock.advance(seconds)
        store.finish_action(ref, ActionStatus.SUCCEEDED, output_variables=variables, output_artifacts=folders)

    store.start_stage(execution_id, "Source")
    message = "Add the cart total\n\nThe long story of the change, which the prompt leaves out."
    action("Source", "Source", 0.4, ["Src"], {"CommitId": COMMIT, "CommitMessage": message, "BranchName": "main"})
    store.finish_stage(execution_id, "Source")
    store.start_stage(execution_id, "Build")
    action("Build", "Unit", 2.8, ["UnitOut"], {"TAG": "unit-ok"})
    action("Build", "Lint", 2.7, ["LintOut"], {})
    action("Build", "Package", 1.1, ["Pkg"], {"VERSION": "1.0-unit-ok", "TOKEN": f"token-{SECRET}"})
    store.finish_stage(execution_id, "Build")
    store.start_stage(execution_id, "Approve")
    ref = store.start_action(execution_id, "Approve", "Gate", owned=False)
    gate = store.open_gate(ref, custom_data=f"Ship 1.0-unit-ok of {COMMIT}?", external_link="https://dev.example")
    return execution_id, gate


def test_the_prompt_shows_the_gate_and_every_action_that_got_the_execution_there(tmp_path):
    clock = Clock()
    with PipelineStore(StateFolder(tmp_path / ".simulator"), masker=Masker([SECRET]), clock=clock) as store:
        execution_id, gate = record_up_to_the_gate(store, clock)
        execution = store.execution(execution_id)
    stage = CHAIN.stage("Approve")
    context = ActionContext(execution_id, CHAIN, stage, stage.action("Gate"), {}, {}, CancelToken())
    now = datetime.fromtimestamp(clock.now + 5, UTC)

    text = describe(context, gate, execution, now)

    assert text.splitlines() == [
        "",
        "Approval needed: stage Approve, action Gate",
        f"  Ship 1.0-unit-ok of {COMMIT}?",
        "  Review: https://dev.example",
        "  Expires: 2023-11-21 22:13 UTC",
        "  What got the execution here:",
        "    ✔ Source/Source  Succeeded  0.4s  artifacts: Src",
        f"        CommitId={COMMIT}  CommitMessage=Add the cart total…",  # its first line, cut
        "        BranchName=main",  # the next would pass 100 characters
        "    ✔ Build/Unit     Succeeded  2.8s  artifacts: UnitOut",
        "        TAG=unit-ok",
        "        reports: unit 2 passed, 1 failed (tests.test_cart.test_total)",
        "    ✔ Build/Lint     Succeeded  2.7s  artifacts: LintOut",
        "    ✔ Build/Package  Succeeded  1.1s  artifacts: Pkg",
        "        VERSION=1.0-unit-ok  TOKEN=token-***",  # masked by the store when it was written
        f'  Or from another terminal: python -m simulator pipeline approve {execution_id} --summary "..."',
    ]


def test_a_gate_that_is_the_first_action_has_nothing_before_it(tmp_path):
    clock = Clock()
    with PipelineStore(StateFolder(tmp_path / ".simulator"), clock=clock) as store:
        execution_id = store.start_execution("shop-chain")
        store.start_stage(execution_id, "Approve")
        gate = store.open_gate(store.start_action(execution_id, "Approve", "Gate", owned=False))
        execution = store.execution(execution_id)
    stage = CHAIN.stage("Approve")
    context = ActionContext(execution_id, CHAIN, stage, stage.action("Gate"), {}, {}, CancelToken())

    text = describe(context, gate, execution, datetime.fromtimestamp(clock.now, UTC))

    assert text.splitlines() == [
        "",
        "Approval needed: stage Approve, action Gate",
        "  Expires: 2023-11-21 22:13 UTC",
        f'  Or from another terminal: python -m simulator pipeline approve {execution_id} --summary "..."',
    ]


def test_an_earlier_gate_shows_its_answer_and_an_action_still_running_beside_the_gate_its_time_so_far():
    def at(seconds: float) -> datetime:
        return datetime(2026, 12, 2, 6, 0, seconds, tzinfo=UTC)

    approval = Approval(
        "tok", "e", "ApproveDev", "Approve", ApprovalStatus.APPROVED, "", "", "", 60, at(3), at(50),
        summary="dev looks good", answered_by="alice", answered_at=at(9),
    )  # fmt: skip
    stages = (
        StageExecution("ApproveDev", StageStatus.SUCCEEDED, at(3), at(9), (
            ActionExecution("ApproveDev", "Approve", 1, ActionStatus.SUCCEEDED, at(3), at(9), approval=approval),
        )),
        StageExecution("ApproveProd", StageStatus.IN_PROGRESS, at(10), None, (
            ActionExecution("ApproveProd", "Approve", 1, ActionStatus.IN_PROGRESS, at(10), None),
            ActionExecution("ApproveProd", "Smoke", 1, ActionStatus.IN_PROGRESS, at(10), None),
        )),
    )  # fmt: skip
    execution = Execution(
        "e", "shop", ExecutionStatus.IN_PROGRESS, "", ExecutionMode.SUPERSEDED, at(0), None, "manual", None,
        stages=stages,
    )  # fmt: skip

    assert earlier_action_lines(execution, "ApproveProd", "Approve", at(14)) == [
        "✔ ApproveDev/Approve  Succeeded  6.0s",
        '    Approved by alice at 2026-12-02 06:00:09: "dev looks good"',
        "… ApproveProd/Smoke   InProgress running for 4.0s",
    ]
