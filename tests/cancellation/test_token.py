"""The cancel token: set from any thread, seen by whoever waits (pure logic)."""

import threading

from simulator.cancellation import CancelToken


def test_a_token_cancelled_from_another_thread_wakes_a_waiter():
    token = CancelToken()
    threading.Timer(0.05, token.cancel, args=("a sibling action failed",)).start()
    assert token.wait(timeout=5) is True
    assert (token.cancelled, token.reason) == (True, "a sibling action failed")


def test_a_fresh_token_is_not_cancelled():
    token = CancelToken()
    assert (token.cancelled, token.requests, token.wait(timeout=0.01)) == (False, 0, False)
