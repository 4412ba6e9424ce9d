"""`run --phase`, and the failing command set aside for `run --shell-on-failure`: the phase machine against a
fake session (CB §3.2 routing up to the phase asked for; no Docker)."""

from __future__ import annotations

import pytest

from simulator.codebuild.phases import PhaseType, cut_after
from simulator.codebuild.request import FailedCommand
from simulator.codebuild.scripts import FAILURE_DIR, FAILURE_ENV, SAVED_DIR, SAVED_ENV
from tests.codebuild.fake_session import FakeSession
from tests.codebuild.test_machine import FOUR_PHASES, LAST_MACHINE, phases, run

HEAD = [("SUBMITTED", "SUCCEEDED"), ("QUEUED", "SUCCEEDED"), ("PROVISIONING", "SUCCEEDED")]
SET_ASIDE = f"cp {SAVED_ENV} {FAILURE_ENV} && cp {SAVED_DIR} {FAILURE_DIR}"


@pytest.mark.parametrize(
    ("upcoming", "stop_after", "expected"),
    [
        (PhaseType.PRE_BUILD, PhaseType.INSTALL, PhaseType.FINALIZING),
        (PhaseType.POST_BUILD, PhaseType.BUILD, PhaseType.FINALIZING),
        (PhaseType.UPLOAD_ARTIFACTS, PhaseType.POST_BUILD, PhaseType.FINALIZING),
        (PhaseType.BUILD, PhaseType.BUILD, PhaseType.BUILD),
        (PhaseType.FINALIZING, PhaseType.INSTALL, PhaseType.FINALIZING),
        (PhaseType.COMPLETED, PhaseType.INSTALL, PhaseType.COMPLETED),
        (PhaseType.POST_BUILD, None, PhaseType.POST_BUILD),
    ],
)
def test_past_the_phase_asked_for_only_finalizing_is_left(upcoming, stop_after, expected):
    assert cut_after(upcoming, stop_after) is expected


def test_stopping_after_build_skips_post_build_and_upload(tmp_path):
    session = FakeSession()
    result, log = run(FOUR_PHASES, session, tmp_path, stop_after=PhaseType.BUILD)
    assert session.commands == ["install-cmd", "pre-cmd", "build-1", "build-2", "build-finally"]
    assert phases(result) == [
        *HEAD,
        ("DOWNLOAD_SOURCE", "SUCCEEDED"),
        ("INSTALL", "SUCCEEDED"),
        ("PRE_BUILD", "SUCCEEDED"),
        ("BUILD", "SUCCEEDED"),
        ("FINALIZING", "SUCCEEDED"),
        ("COMPLETED", None),
    ]
    assert (result.status.value, result.stopped_after) == ("SUCCEEDED", PhaseType.BUILD)
    assert result.to_json()["stoppedAfterPhase"] == "BUILD"
    assert log.named("stopping_after_phase") == [{"phase": "BUILD"}]


def test_a_failure_before_the_phase_asked_for_routes_as_codebuild_does(tmp_path):
    # PRE_BUILD fails: CodeBuild goes to FINALIZING; the build never reached BUILD, so it says nothing of stopping.
    session = FakeSession(exit_statuses={"pre-cmd": 1})
    result, log = run(FOUR_PHASES, session, tmp_path, stop_after=PhaseType.BUILD)
    assert phases(result)[3:] == [
        ("DOWNLOAD_SOURCE", "SUCCEEDED"),
        ("INSTALL", "SUCCEEDED"),
        ("PRE_BUILD", "FAILED"),
        ("FINALIZING", "SUCCEEDED"),
        ("COMPLETED", None),
    ]
    assert (result.status.value, result.stopped_after) == ("FAILED", None)
    assert "stoppedAfterPhase" not in result.to_json()
    assert log.named("stopping_after_phase") == []


def test_a_build_failure_still_runs_post_build_when_that_is_the_phase_asked_for(tmp_path):
    session = FakeSession(exit_statuses={"build-1": 2})
    result, _ = run(FOUR_PHASES, session, tmp_path, stop_after=PhaseType.POST_BUILD)
    assert session.commands == ["install-cmd", "pre-cmd", "build-1", "build-finally", "post-cmd"]
    assert phases(result)[6:] == [
        ("BUILD", "FAILED"),
        ("POST_BUILD", "SUCCEEDED"),
        ("FINALIZING", "SUCCEEDED"),
        ("COMPLETED", None),
    ]
    assert (result.status.value, result.stopped_after) == ("FAILED", PhaseType.POST_BUILD)


def test_the_first_failing_command_is_set_aside_before_finally_runs(tmp_path):
    session = FakeSession(exit_statuses={"build-1": 2, "post-cmd": 3})
    run(FOUR_PHASES, session, tmp_path, keep_failure_state=True)
    # Set aside once, right after the first failure: `finally` and POST_BUILD go on from the session itself.
    assert session.commands == ["install-cmd", "pre-cmd", "build-1", SET_ASIDE, "build-finally", "post-cmd"]
    assert LAST_MACHINE[0].failed_command == FailedCommand(PhaseType.BUILD, "build-1", None, True)


def test_the_failing_command_is_named_but_not_set_aside_unless_asked(tmp_path):
    session = FakeSession(exit_statuses={"pre-cmd": 1})
    run(FOUR_PHASES.replace("  pre_build:\n", "  pre_build:\n    run-as: builder\n"), session, tmp_path)
    assert SET_ASIDE not in session.commands
    assert LAST_MACHINE[0].failed_command == FailedCommand(PhaseType.PRE_BUILD, "pre-cmd", "builder", False)


def test_version_0_1_has_no_session_to_set_aside(tmp_path):
    session = FakeSession(exit_statuses={"build-1": 1})
    run(FOUR_PHASES.replace("version: 0.2", "version: 0.1"), session, tmp_path, keep_failure_state=True)
    assert SET_ASIDE not in session.commands
    assert LAST_MACHINE[0].failed_command == FailedCommand(PhaseType.BUILD, "build-1", None, False)


def test_a_successful_build_has_no_failing_command(tmp_path):
    run(FOUR_PHASES, FakeSession(), tmp_path, keep_failure_state=True)
    assert LAST_MACHINE[0].failed_command is None
