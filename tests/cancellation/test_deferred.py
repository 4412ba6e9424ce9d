"""Ctrl-C and SIGTERM wait until a block that must not be cut short is done (pure logic, real signals)."""

import os
import signal

import pytest

from simulator.cancellation.deferred import interrupts_deferred


def test_interrupts_wait_until_the_critical_block_is_done():
    finished = []
    with pytest.raises(KeyboardInterrupt), interrupts_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        finished.append("block ran to its end")
    assert finished == ["block ran to its end"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
