"""Ctrl-C and SIGTERM during a build set its cancel token, escalating on repeats (pure logic, real signals)."""

import os
import signal

import pytest

from simulator.cancellation import CancelToken
from simulator.cancellation.signals import signals_cancel


def test_each_signal_escalates_and_the_third_gives_up_waiting(capfd):
    token = CancelToken()
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), signals_cancel(token):
        os.kill(os.getpid(), signal.SIGINT)
        assert (token.requests, token.reason) == (1, "SIGINT")
        os.kill(os.getpid(), signal.SIGTERM)
        assert token.requests == 2
        os.kill(os.getpid(), signal.SIGINT)
        raise AssertionError("the third signal should have raised")
    assert signal.getsignal(signal.SIGINT) is before
    assert capfd.readouterr().err == (
        "Stopping the build (press Ctrl-C again to skip saving its artifacts).\n"
        "Skipping the saving of artifacts (press Ctrl-C again to give up waiting).\n"
    )
