"""How `validate` scales with the size of a buildspec: one process per size, as a user runs it.

Prints figures; asserts nothing (speed is measured here, never in a timed test).
Run: python bench/validate_size.py [--sizes 1,5,10]  (megabytes)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = '      - echo "command number {n}" && true\n'


def buildspec_of(megabytes: float) -> str:
    lines: list[str] = []
    size, n = 0, 0
    while size < megabytes * 1_000_000:
        lines.append(LINE.format(n=n))
        size += len(lines[-1])
        n += 1
    return "version: 0.2\nphases:\n  build:\n    commands:\n" + "".join(lines)


def seconds_to_validate(path: Path) -> float:
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    command = [sys.executable, "-m", "simulator", "validate", str(path)]
    completed = subprocess.run(command, cwd=ROOT, env=environ, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"validate failed for {path}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,5,10", help="comma-separated sizes in megabytes")
    sizes = [float(size) for size in parser.parse_args().sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'MB':>6} {'seconds':>8} {'s/MB':>6}")
        for megabytes in sizes:
            path = Path(folder) / "buildspec.yml"
            path.write_text(buildspec_of(megabytes))
            elapsed = seconds_to_validate(path)
            print(f"{megabytes:>6g} {elapsed:>8.2f} {elapsed / megabytes:>6.2f}")


if __name__ == "__main__":
    main()
