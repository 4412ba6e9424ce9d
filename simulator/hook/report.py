"""What the hook says: one line per file or stage (PASS / FAIL / SKIPPED), under it what failed (the file:line of
each problem, the tail of a failing command's output, where the full log is), and one closing line with the total
time. Everything goes to standard output, which git shows on the terminal of the push (stderr and stdout alike)."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from simulator.diagnostics import printable
from simulator.reporting.masking import Masker

Verdict = Literal["PASS", "FAIL", "SKIPPED"]
PREFIX = "simulator pre-push:"
TAIL_LINES = 15
_INDENT = " " * 11


@dataclass(frozen=True)
class Line:
    verdict: Verdict
    subject: str  # `buildspecs/buildspec-dev.yml`, `dev build buildspecs/buildspec-dev.yml`, `stage Build`
    note: str = ""  # why it was skipped, how long it took, how many warnings
    details: tuple[str, ...] = ()  # diagnostics, or a failing command's last lines
    log: Path | None = None  # the full log
    counted: bool = True  # False: a summary of lines above (a pipeline's stages), not a failure of its own


class Report:
    def __init__(self, masker: Masker, stream: TextIO = sys.stdout) -> None:
        self.masker = masker
        self.stream = stream
        self.failed = 0

    def say(self, text: str) -> None:
        self.stream.write(self.masker.mask(text) + "\n")
        self.stream.flush()

    def heading(self, text: str) -> None:
        self.say(f"{PREFIX} {text}")

    def line(self, line: Line) -> None:
        if line.verdict == "FAIL" and line.counted:
            self.failed += 1
        note = f" ({line.note})" if line.note else ""
        self.say(f"  {line.verdict:<8} {printable(line.subject)}{note}")
        for detail in line.details:
            self.say(f"{_INDENT}{printable(detail)}")
        if line.log is not None:
            self.say(f"{_INDENT}full log: {line.log}")

    def end(self, seconds: float) -> None:
        if self.failed:
            self.heading(
                f"push refused: {self.failed} failed, in {seconds:.2f} s. Fix it and push again "
                "(git push --no-verify skips this check)."
            )
        else:
            self.heading(f"passed in {seconds:.2f} s.")


def since_start() -> float:
    """Seconds since this process started, Python's own start-up included (what the push waited for), from
    /proc (to 10 ms); where there is no /proc, since this module was imported."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat, open("/proc/uptime", encoding="ascii") as uptime:
            started_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
            up = float(uptime.read().split()[0])
        return max(0.0, up - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


_IMPORTED = time.monotonic()


def tail(lines: list[str], count: int = TAIL_LINES) -> tuple[str, ...]:
    kept = [line.rstrip("\n") for line in lines[-count:]]
    return tuple(f"| {line}" for line in kept)
