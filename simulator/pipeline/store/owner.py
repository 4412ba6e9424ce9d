"""Which process runs an action, told apart from a later process that happens to get the same pid.

A pid alone is not enough: after a `kill -9` the number is free, and another process may take it before anyone
reads the state. The kernel's boot id and the process's start time (in clock ticks since boot, field 22 of
`/proc/<pid>/stat`) make the pair unique for the life of the machine. Where `/proc` is missing (macOS), only the
pid is compared; that is the best the platform offers without a helper.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessIdentity:
    pid: int
    host: str
    started: str  # "<boot id>/<start ticks>", or "" where the platform cannot tell

    @classmethod
    def current(cls) -> ProcessIdentity:
        return _current(os.getpid())

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}"


@cache
def _current(pid: int) -> ProcessIdentity:
    # Keyed by pid, so a forked child (a test's worker, a multiprocessing pool) gets its own identity.
    return ProcessIdentity(pid, socket.gethostname(), _start_mark(pid) or "")


def is_running(identity: ProcessIdentity) -> bool | None:
    """True while that very process runs; False once it has ended (a zombie has ended); None when this machine
    cannot tell (the process ran on another host)."""
    if identity.host != socket.gethostname():
        return None
    mark = _start_mark(identity.pid)
    if mark is not None:
        return not identity.started or mark == identity.started
    if _PROC.joinpath("self").exists():
        return False  # /proc works here and has no such live process
    try:
        os.kill(identity.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _start_mark(pid: int) -> str | None:
    """The boot id and start time of a live process; None when there is no such process (or it is a zombie)."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
        boot = (_PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return f"{boot}/{fields[19]}"
