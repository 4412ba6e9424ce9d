"""The process entry point: signals are handled before anything else is imported.

SIGTERM is turned into KeyboardInterrupt, so a `kill` stops a build the way Ctrl-C does; an interrupt that
arrives while Python is still importing, or after the command has finished, still exits 130 without a
traceback.
"""

import signal
import sys
from types import FrameType

STOPPED = 130  # simulator.errors.ExitCode.STOPPED, without importing the package yet


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def entry() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        from simulator.cli.main import main

        return main()
    except KeyboardInterrupt:
        stop_listening()
        print("Interrupted.", file=sys.stderr)
        return STOPPED


def stop_listening() -> None:
    """Once the process has decided how it ends, further Ctrl-C or SIGTERM cannot change that."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
