"""What the simulator costs over a raw `docker run`, for the same trivial commands in the same image.

Prints figures; asserts nothing (speed is measured here, never in a timed test).
Run: python bench/overhead.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from timing import ROOT, timed

IMAGE = "simulator/codebuild-standard:7.0-local"


def median_of(repeat: int, command: list[str], cwd: Path) -> float:
    return statistics.median(timed(command, cwd) for _ in range(repeat))


def buildspec(count: int) -> str:
    commands = "".join(f"      - 'true {index}'\n" for index in range(count))
    return f"version: 0.2\nphases:\n  build:\n    commands:\n{commands}"


def measure(count: int, repeat: int, workdir: Path) -> tuple[float, float, float]:
    source = workdir / f"n{count}"
    source.mkdir()
    (source / "buildspec.yml").write_text(buildspec(count))
    raw = ["docker", "run", "--rm", IMAGE, "sh", "-c", "; ".join(f"true {i}" for i in range(count))]
    ours = [sys.executable, "-m", "simulator", "run", "buildspec.yml", "--source", str(source)]
    validate = [sys.executable, "-m", "simulator", "validate", "buildspec.yml"]
    return median_of(repeat, raw, source), median_of(repeat, ours, source), median_of(repeat, validate, source)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is printed")
    args = parser.parse_args()
    timed(["docker", "image", "inspect", IMAGE], ROOT)  # fails clearly when the image is missing
    with tempfile.TemporaryDirectory() as scratch:
        figures = {count: measure(count, args.repeat, Path(scratch)) for count in (3, 300)}
    print(f"median of {args.repeat} runs each, image {IMAGE}")
    print(f"{'commands':>8}  {'docker run':>10}  {'simulator':>10}  {'extra':>8}  {'validate':>9}")
    for count, (raw, ours, validate) in figures.items():
        print(f"{count:>8}  {raw:>9.3f}s  {ours:>9.3f}s  {ours - raw:>7.3f}s  {validate:>8.3f}s")
    (raw3, ours3, _), (raw300, ours300, _) = figures[3], figures[300]
    per_command = ((ours300 - raw300) - (ours3 - raw3)) / 297 * 1000
    print(f"extra cost per additional command: {per_command:.2f} ms (target: at most 5 ms)")
    print(f"extra cost for 3 commands: {ours3 - raw3:.3f} s (target: at most 1.5 s)")


if __name__ == "__main__":
    main()
