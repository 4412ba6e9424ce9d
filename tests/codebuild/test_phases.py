"""Failure routing between phases: CB §3.2 and CB §2."""

import pytest

from simulator.buildspec.on_failure import parse_on_failure
from simulator.codebuild.phases import PhaseType, Status, next_phase

P = PhaseType


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        (P.DOWNLOAD_SOURCE, P.FINALIZING),
        (P.INSTALL, P.FINALIZING),
        (P.PRE_BUILD, P.FINALIZING),
        (P.BUILD, P.POST_BUILD),  # CB §3.2: POST_BUILD still runs after BUILD fails
        (P.POST_BUILD, P.UPLOAD_ARTIFACTS),  # CB §3.2: UPLOAD_ARTIFACTS still attempted
        (P.UPLOAD_ARTIFACTS, P.FINALIZING),
    ],
)
def test_default_route_on_failure(phase, expected):
    assert next_phase(phase, Status.FAILED) is expected


def test_success_goes_to_the_next_phase_in_order():
    order = [
        P.DOWNLOAD_SOURCE,
        P.INSTALL,
        P.PRE_BUILD,
        P.BUILD,
        P.POST_BUILD,
        P.UPLOAD_ARTIFACTS,
        P.FINALIZING,
    ]
    assert [next_phase(p, Status.SUCCEEDED) for p in order] == [*order[1:], P.COMPLETED]


def test_continue_goes_on_to_the_next_phase():
    assert next_phase(P.PRE_BUILD, Status.FAILED, parse_on_failure("CONTINUE")) is P.BUILD


def test_abort_ends_the_build_without_post_build():
    assert next_phase(P.BUILD, Status.FAILED, parse_on_failure("ABORT")) is P.FINALIZING


def test_retry_takes_the_default_route_until_it_is_simulated():
    assert next_phase(P.BUILD, Status.FAILED, parse_on_failure("RETRY-2")) is P.POST_BUILD


@pytest.mark.parametrize("status", [Status.TIMED_OUT, Status.STOPPED])
def test_timeout_and_stop_go_straight_to_finalizing(status):
    assert next_phase(P.BUILD, status, parse_on_failure("CONTINUE")) is P.FINALIZING


@pytest.mark.parametrize("status", [Status.FAILED, Status.TIMED_OUT, Status.STOPPED])
def test_finalizing_always_completes(status):
    assert next_phase(P.FINALIZING, status) is P.COMPLETED
