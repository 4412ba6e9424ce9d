"""An interactive shell in a build container, attached to the user's terminal (`run --shell-on-failure`).

It goes through the docker command line (`docker exec -it`) rather than the SDK's exec: the docker client already
does everything a terminal needs (raw mode, window size, Ctrl-C and Ctrl-D passed through as keys), and it reads
the same DOCKER_HOST as the SDK does. What the shell starts with is the container's business (the simulator's
entry script inside it); nothing of the build's environment travels on this command line, which `ps` shows.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
import termios
from collections.abc import Sequence
from types import FrameType
from typing import Any

# Signals that end the shell from outside (the terminal closed, `kill`): the simulator then removes the container.
# Ctrl-C is not among them: the docker client puts the terminal in raw mode, so Ctrl-C reaches the shell as a key.
_ENDING = (signal.SIGTERM, signal.SIGHUP)


def docker_command() -> str | None:
    return shutil.which("docker")


def enter_command(container: str, shell: Sequence[str], user: str | None) -> list[str]:
    """What the user types to get the same shell (the build's state, its `run-as` user) in a kept container."""
    as_user = ["-u", user] if user else []
    return ["docker", "exec", "-it", "-e", "TERM", *as_user, container, *shell]


def remove_command(container: str) -> list[str]:
    return ["docker", "rm", "-f", container]


def open_shell(argv: Sequence[str]) -> str | None:
    """Run `argv` on this terminal until it exits; the name of the signal that ended it from outside, if any.

    While it runs, a SIGINT sent to the simulator itself (not typed: typed Ctrl-C goes to the shell) is ignored,
    as a shell ignores it while its foreground job runs; SIGTERM and SIGHUP end the shell. The terminal's settings
    are put back afterwards, in case the docker client was killed in raw mode.
    """
    saved = _terminal_settings()
    ended_by: list[str] = []
    process = subprocess.Popen(list(argv))

    def end(signum: int, _frame: FrameType | None) -> None:
        ended_by.append(signal.Signals(signum).name)
        with contextlib.suppress(OSError):
            process.kill()

    def ignore(_signum: int, _frame: FrameType | None) -> None:
        """A handler, not SIG_IGN: an ignored signal would stay ignored in the docker client it starts."""

    previous = {signum: signal.signal(signum, end) for signum in _ENDING}
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, ignore)
    try:
        process.wait()
    finally:
        if process.poll() is None:  # interrupted in a way no handler saw: never leave the client running
            process.kill()
            process.wait()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _restore_terminal(saved)
    return ended_by[0] if ended_by else None


def _terminal_settings() -> list[Any] | None:
    try:
        return termios.tcgetattr(sys.stdin.fileno())
    except (termios.error, OSError, ValueError):
        return None


def _restore_terminal(saved: list[Any] | None) -> None:
    if saved is None:
        return
    with contextlib.suppress(termios.error, OSError, ValueError):
        termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)
