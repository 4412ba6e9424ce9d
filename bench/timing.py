"""What the benchmarks share: the wall time of one simulator command, run the way a user runs it."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], cwd: Path, ok: tuple[int, ...] = (0,), package_root: Path = ROOT) -> float:
    """Seconds the command took, with the simulator imported from `package_root` (this checkout by default); a
    failed command (an exit code not in `ok`) ends the benchmark with its output, never a figure."""
    environ = {**os.environ, "PYTHONPATH": str(package_root)}
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=environ, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode not in ok:
        said = (completed.stdout + completed.stderr).decode(errors="replace")
        raise SystemExit(f"{' '.join(command[:7])}... failed:\n{said[-2000:]}")
    return elapsed
