"""The terminal picture of an execution (`pipeline status`), on snapshots built by hand: the rendering is pure.

Statuses and approval fields are CodePipeline's (CP §1.5 for stages and actions, CP §1.12 for
approvals); the drawing is ours.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from simulator.codebuild.test_reports import Outcome, ReportSummary
from simulator.pipeline.model import ExecutionMode
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus, StageStatus
from simulator.pipeline.store.snapshots import ActionExecution, Approval, Execution, StageExecution
from simulator.pipeline.views.status import duration_text, status_lines, wants_colour

T0 = datetime(2026, 12, 2, 6, 0, 0, tzinfo=UTC)
ID = "0f6c1c9e-6a51-4c1e-9b4e-2f1a6c1d2e3f"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def action(name: str, status: ActionStatus, start: float, end: float | None, **fields: object) -> ActionExecution:
    return ActionExecution(
        stage="S",
        name=name,
        attempt=1,
        status=status,
        started_at=at(start),
        ended_at=None if end is None else at(end),
        **fields,  # type: ignore[arg-type]
    )


def gate(status: ApprovalStatus, **fields: object) -> Approval:
    values: dict[str, object] = {
        "token": "tok", "execution_id": ID, "stage": "ApproveDev", "action": "Approve", "status": status,
        "custom_data": "", "external_link": "", "notification_arn": "", "timeout_minutes": 60,
        "opened_at": at(10), "expires_at": at(3610),
    }  # fmt: skip
    return Approval(**{**values, **fields})  # type: ignore[arg-type]


def execution(status: ExecutionStatus, *stages: StageExecution, end: float | None = 40, reason: str = "") -> Execution:
    return Execution(
        id=ID, pipeline="shop", status=status, status_reason=reason, mode=ExecutionMode.SUPERSEDED,
        started_at=T0, ended_at=None if end is None else at(end), trigger="StartPipelineExecution",
        source_revision="abc123", stages=stages,
    )  # fmt: skip


SOURCE = StageExecution(
    "Source",
    StageStatus.SUCCEEDED,
    at(0),
    at(2),
    (action("Checkout", ActionStatus.SUCCEEDED, 0, 1.5, output_variables={"CommitId": "abc123"}),),
)

CASES = [
    pytest.param(
        execution(ExecutionStatus.SUCCEEDED, SOURCE),
        [
            f"Execution {ID} of shop: Succeeded",
            "  started 2026-12-02 06:00:00, 40.0s",
            "",
            "● Source  Succeeded  2.0s",
            "│  ✔ Checkout  Succeeded  1.5s",
            "│      CommitId=abc123",
        ],
        id="a succeeded stage shows its action's mark, duration and variables",
    ),
    pytest.param(
        execution(
            ExecutionStatus.FAILED,
            SOURCE,
            StageExecution(
                "Build",
                StageStatus.FAILED,
                at(2),
                at(40),
                (
                    action("Unit", ActionStatus.SUCCEEDED, 2, 30, summary="Build succeeded"),
                    action("Lint", ActionStatus.FAILED, 2, 5, summary="Build failed", error="exit status 3"),
                ),
            ),
            reason="Stage Build failed",
        ),
        [
            f"Execution {ID} of shop: Failed",
            "  started 2026-12-02 06:00:00, 40.0s",
            "  Stage Build failed",
            "",
            "● Source  Succeeded  2.0s",
            "│  ✔ Checkout  Succeeded  1.5s",
            "│      CommitId=abc123",
            "▼",
            "● Build  Failed  38.0s",
            "│  ✔ Unit  Succeeded  28.0s",
            "│  ✘ Lint  Failed     3.0s",
            "│      Build failed",
            "│      exit status 3",
        ],
        id="a failed stage: the chain, names aligned, the failure's summary and error",
    ),
    pytest.param(
        execution(
            ExecutionStatus.IN_PROGRESS,
            StageExecution(
                "ApproveDev",
                StageStatus.IN_PROGRESS,
                at(10),
                None,
                (
                    action(
                        "Approve",
                        ActionStatus.IN_PROGRESS,
                        10,
                        None,
                        approval=gate(ApprovalStatus.WAITING, custom_data="Deploy abc123 to dev?"),
                    ),
                ),
            ),
            end=None,
        ),
        [
            f"Execution {ID} of shop: InProgress",
            "  started 2026-12-02 06:00:00, running for 2m 05s",
            "",
            "● ApproveDev  InProgress  running for 1m 55s",
            "│  … Approve  InProgress running for 1m 55s",
            "│      waiting for an answer since 2026-12-02 06:00:10",
            "│      CustomData: Deploy abc123 to dev?",
            "│      expires 2026-12-02 07:00:10",
            f'│      answer: python -m simulator pipeline approve {ID} --summary "..." (or reject)',
        ],
        id="a waiting gate: running time so far, CustomData, expiry and how to answer",
    ),
    pytest.param(
        execution(
            ExecutionStatus.SUCCEEDED,
            StageExecution(
                "ApproveDev",
                StageStatus.SUCCEEDED,
                at(10),
                at(100),
                (
                    action(
                        "Approve",
                        ActionStatus.SUCCEEDED,
                        10,
                        100,
                        summary="Approved by alice: ship it",
                        approval=gate(
                            ApprovalStatus.APPROVED, summary="ship it", answered_by="alice", answered_at=at(100)
                        ),
                    ),
                ),
            ),
        ),
        [
            f"Execution {ID} of shop: Succeeded",
            "  started 2026-12-02 06:00:00, 40.0s",
            "",
            "● ApproveDev  Succeeded  1m 30s",
            "│  ✔ Approve  Succeeded  1m 30s",
            '│      Approved by alice at 2026-12-02 06:01:40: "ship it"',
        ],
        id="an answered gate: who, when and the summary",
    ),
    pytest.param(
        execution(
            ExecutionStatus.FAILED,
            StageExecution(
                "ApproveProd",
                StageStatus.FAILED,
                at(10),
                at(70),
                (
                    action(
                        "Approve",
                        ActionStatus.FAILED,
                        10,
                        70,
                        error="Rejected by bob: not on a Friday",
                        approval=gate(
                            ApprovalStatus.REJECTED, summary="not on a Friday", answered_by="bob", answered_at=at(70)
                        ),
                    ),
                ),
            ),
        ),
        [
            f"Execution {ID} of shop: Failed",
            "  started 2026-12-02 06:00:00, 40.0s",
            "",
            "● ApproveProd  Failed  1m 00s",
            "│  ✘ Approve  Failed     1m 00s",
            '│      Rejected by bob at 2026-12-02 06:01:10: "not on a Friday"',
        ],
        id="a rejected gate: the answer once, not again as the action's error (CP §1.12)",
    ),
    pytest.param(
        execution(
            ExecutionStatus.FAILED,
            StageExecution(
                "ApproveDev",
                StageStatus.FAILED,
                at(10),
                at(3610),
                (
                    action(
                        "Approve",
                        ActionStatus.FAILED,
                        10,
                        3610,
                        summary="Expired",
                        approval=gate(ApprovalStatus.EXPIRED),
                    ),
                ),
            ),
            end=3610,
            reason="Approval expired",
        ),
        [
            f"Execution {ID} of shop: Failed",
            "  started 2026-12-02 06:00:00, 1h 00m",
            "  Approval expired",
            "",
            "● ApproveDev  Failed  1h 00m",
            "│  ✘ Approve  Failed     1h 00m",
            "│      Expired at 2026-12-02 07:00:10: nobody answered within its TimeoutInMinutes",
        ],
        id="an expired gate says so (CP §1.12)",
    ),
    pytest.param(
        execution(
            ExecutionStatus.SUCCEEDED,
            StageExecution(
                "Deploy",
                StageStatus.SKIPPED,
                at(0),
                at(0),
                (action("Ecs", ActionStatus.SKIPPED, 0, 0, summary="Amazon ECS has no local equivalent"),),
            ),
        ),
        [
            f"Execution {ID} of shop: Succeeded",
            "  started 2026-12-02 06:00:00, 40.0s",
            "",
            "● Deploy  Skipped  0.0s",
            "│  ↷ Ecs  Skipped    0.0s",
            "│      Amazon ECS has no local equivalent",
        ],
        id="a skipped deploy shows its reason, never as succeeded",
    ),
    pytest.param(
        execution(
            ExecutionStatus.FAILED,
            StageExecution(
                "Build",
                StageStatus.FAILED,
                at(0),
                at(9),
                (
                    action(
                        "Unit",
                        ActionStatus.SUCCEEDED,
                        0,
                        9,
                        output_variables={"TAG": "unit-ok"},
                        reports=(
                            ReportSummary(
                                "unit",
                                "JUNITXML",
                                files=1,
                                counts={Outcome.PASSED: 12, Outcome.FAILED: 1},
                                failed_tests=("tests.test_cart.test_total",),
                            ),
                            ReportSummary("coverage", "CLOVERXML", problems=("CLOVERXML reports are not summed up.",)),
                        ),
                    ),
                ),
            ),
        ),
        [
            f"Execution {ID} of shop: Failed",
            "  started 2026-12-02 06:00:00, 40.0s",
            "",
            "● Build  Failed  9.0s",
            "│  ✔ Unit  Succeeded  9.0s",
            "│      TAG=unit-ok",
            "│      reports: unit 12 passed, 1 failed (tests.test_cart.test_total)",
            "│      reports: coverage: CLOVERXML reports are not summed up.",
        ],
        id="a build's report summaries, one line per report group, below its variables (CB §1.8)",
    ),
]


@pytest.mark.parametrize(("snapshot", "expected"), CASES)
def test_the_picture(snapshot: Execution, expected: list[str]) -> None:
    assert status_lines(snapshot, now=at(125)) == expected


def test_colour_marks_statuses_and_takes_nothing_away() -> None:
    snapshot = execution(ExecutionStatus.SUCCEEDED, SOURCE)
    coloured = status_lines(snapshot, now=at(125), colour=True)
    assert coloured[0] == f"Execution {ID} of shop: \x1b[32mSucceeded\x1b[0m"
    assert coloured[3] == "\x1b[32m●\x1b[0m \x1b[1mSource\x1b[0m  \x1b[32mSucceeded\x1b[0m  2.0s"
    plain = [line.replace("\x1b[32m", "").replace("\x1b[1m", "").replace("\x1b[0m", "") for line in coloured]
    assert plain == status_lines(snapshot, now=at(125))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "environ", "expected"),
    [
        (Terminal(), {}, True),
        (Terminal(), {"NO_COLOR": "1"}, False),
        (Terminal(), {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value asks for no colour
        (io.StringIO(), {}, False),  # a pipe or a file gets no escape codes
    ],
)
def test_colour_only_on_a_terminal_without_no_color(stream: io.StringIO, environ: dict[str, str], expected: bool):
    assert wants_colour(stream, environ) is expected


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.04, "0.0s"), (12.34, "12.3s"), (59.9, "59.9s"), (60, "1m 00s"), (125, "2m 05s"), (3725, "1h 02m")],
)
def test_durations(seconds: float, text: str) -> None:
    assert duration_text(timedelta(seconds=seconds)) == text
