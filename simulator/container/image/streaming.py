"""Running a long host command with its output streamed line by line, stopped as a whole on Ctrl-C."""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess

from simulator.container.image.progress import REBUILD_HINT, Progress
from simulator.errors import EnvironmentProblem

_ERROR_TAIL_LINES = 15


def run_streaming(command: list[str], progress: Progress, *, what: str) -> None:
    """Run command, passing each output line to progress; on failure raise with the last lines."""
    tail: collections.deque[str] = collections.deque(maxlen=_ERROR_TAIL_LINES)
    # A session of its own so that on Ctrl-C the whole tree (debootstrap runs dpkg in a chroot) is
    # stopped here, before the work directory is removed, instead of racing the cleanup.
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.rstrip("\n")
            tail.append(line)
            progress(line)
        returncode = process.wait()
    except BaseException:
        _stop_process_group(process)
        raise
    if returncode != 0:
        raise EnvironmentProblem(
            f"{what} failed with exit code {returncode}; fix the problem shown in its last lines and run "
            f"`{REBUILD_HINT}` again:\n" + "\n".join(tail)
        )


def _stop_process_group(process: subprocess.Popen[str]) -> None:
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
