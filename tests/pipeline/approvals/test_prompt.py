"""CP §1.12: a gate's question at a real pseudo-terminal, and answers from elsewhere."""

from __future__ import annotations

import io
import os
import pty
import time

import pytest

from simulator.cancellation import CancelToken
from simulator.pipeline.approvals.prompt import MAX_SUMMARY, Answer, Wait, ask


@pytest.fixture
def terminal():
    controller, answers = pty.openpty()
    yield controller, answers
    os.close(controller)
    os.close(answers)


def run_ask(answers, *, elsewhere=lambda: None, cancel=None, expires_in=30.0):
    shown = io.StringIO()
    answer = ask(
        "Approve stage ApproveDev, action Approve?",
        answers_from=answers,
        to=shown,
        elsewhere=elsewhere,
        by="dev",
        wait=Wait(cancel=cancel or CancelToken(), expires_at=time.time() + expires_in, poll_seconds=0.05),
    )
    return answer, shown.getvalue()


def test_approve_with_a_summary_typed_at_the_terminal(terminal):
    controller, answers = terminal
    os.write(controller, b"a\nLooks good on dev\n")
    answer, shown = run_ask(answers)
    assert answer == Answer(True, "Looks good on dev", "dev")
    assert shown == (
        "Approve stage ApproveDev, action Approve? [a]pprove / [r]eject: "
        f"Summary for the approval (up to {MAX_SUMMARY} characters): "
    )


def test_reject_after_a_word_it_does_not_know(terminal):
    controller, answers = terminal
    os.write(controller, b"maybe\nr\nbroken checkout\n")
    answer, shown = run_ask(answers)
    assert answer == Answer(False, "broken checkout", "dev")
    assert "Type a to approve or r to reject: " in shown


def test_a_summary_over_512_characters_is_asked_again(terminal):
    controller, answers = terminal
    os.write(controller, b"a\n" + b"x" * 513 + b"\nshort\n")
    answer, shown = run_ask(answers)
    assert answer == Answer(True, "short", "dev")
    assert "The summary has 513 characters; at most 512, please: " in shown


def test_an_answer_given_elsewhere_is_taken_while_nobody_types(terminal):
    _, answers = terminal
    given = Answer(True, "from the other terminal", "ops")
    calls = []

    def elsewhere():
        calls.append(1)
        return given if len(calls) > 3 else None

    answer, shown = run_ask(answers, elsewhere=elsewhere)
    assert answer == given
    assert shown.endswith("\nAnswered elsewhere by ops: approved.\n")


def test_an_expired_gate_or_a_stop_ends_the_wait_without_an_answer(terminal):
    _, answers = terminal
    started = time.monotonic()
    # The question is left on a line of its own, so the run's next line (why it ended) starts afresh.
    assert run_ask(answers, expires_in=0.2) == (
        None,
        "Approve stage ApproveDev, action Approve? [a]pprove / [r]eject: \n",
    )
    assert time.monotonic() - started < 5
    cancel = CancelToken()
    cancel.cancel("SIGINT")
    assert run_ask(answers, cancel=cancel) == (
        None,
        "Approve stage ApproveDev, action Approve? [a]pprove / [r]eject: \n",
    )


def test_a_closed_input_ends_the_wait_without_an_answer():
    read_end, write_end = os.pipe()
    os.close(write_end)
    try:
        assert run_ask(read_end)[0] is None
    finally:
        os.close(read_end)
