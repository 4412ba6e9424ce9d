"""The process entry point: signals are handled before anything else is imported.

SIGTERM is turned into KeyboardInterrupt, so a `kill` stops a build the way Ctrl-C does; an interrupt that
arrives while Python is still importing, or after the command has finished, still exits 130 without a
traceback. While the package is imported, an interrupt is only noted: raised inside a C extension's import
(pydantic-core builds its validators then) it would come out as that library's own error, with a traceback.
"""

import signal
import sys
from types import FrameType

STOPPED = 130  # simulator.errors.ExitCode.STOPPED, without importing the package yet


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def entry() -> int:
    received: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda number, _frame: received.append(number))
    from simulator.cli.main import import_command, main

    import_command(sys.argv[1:])
    if received:
        return _interrupted()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = main()
        # A signal after the command finished must not turn its exit code into a death by signal; one that is
        # already pending is raised by signal.signal() itself, and so ends here as an interrupt.
        stop_listening()
    except KeyboardInterrupt:
        return _interrupted()
    return code


def _interrupted() -> int:
    stop_listening()
    print("Interrupted.", file=sys.stderr)
    return STOPPED


def stop_listening() -> None:
    """Once the process has decided how it ends, further Ctrl-C or SIGTERM cannot change that."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    forget_caught_interrupts()


def forget_caught_interrupts() -> None:
    """Keep a caught Ctrl-C from turning the exit code into a death by SIGINT.

    CPython 3.11 notes "a KeyboardInterrupt went unhandled" whenever source text run by exec() or eval() ends
    with one, even if it is caught further up, and `python -m` then exits by SIGINT instead of with its code.
    dataclasses and namedtuple exec source text to build their methods, so a Ctrl-C landing in a lazy import
    (found in CI: `run` stopped 0.4 s after start exited -2, not 130) left that note behind. Every exec() of
    text clears the note first; this one, run once signals are ignored, cannot be interrupted to set it again.
    """
    exec("None")
