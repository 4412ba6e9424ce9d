"""Stopping a build: the cancel token, the Ctrl-C and SIGTERM handlers that set it, and the blocks signals wait for.

It imports nothing else from the simulator, so any layer (the engine, the Docker adapter, the command line) may
use it.
"""

from simulator.cancellation.token import CancelToken

__all__ = ["CancelToken"]
