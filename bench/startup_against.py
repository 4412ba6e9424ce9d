"""The start-up of the commands a developer types most, this checkout beside an earlier revision, in one run.

A refactoring that moves modules must not make a command import more than it did: `validate` and the pre-push hook
run on every push, `plan` in every pull request. Each case runs with the package imported from this checkout and
from a throwaway worktree of REV (default: the previous commit), alternating, on this repository's own files. No
Docker is needed: none of these commands starts a container. Prints figures; asserts nothing.
Run: python bench/startup_against.py [--baseline REV] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import ROOT, timed

SIMULATOR = [sys.executable, "-m", "simulator"]
CASES = {
    "--help": ["--help"],
    "validate one buildspec": ["validate", "buildspecs/buildspec-dev.yml"],
    "validate a pipeline": ["validate", "stages/pipeline.yml"],
    "plan one buildspec": ["plan", "buildspecs/buildspec-dev.yml"],
    "pipeline show": ["pipeline", "show", "stages/pipeline.yml"],
    "config": ["config"],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default="HEAD~1", metavar="REV")
    parser.add_argument("--repeat", type=int, default=9)
    given = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="simulator-baseline-") as scratch:
        baseline = Path(scratch) / "tree"
        git = ["git", "-C", str(ROOT)]
        subprocess.run([*git, "worktree", "add", "-q", "--detach", str(baseline), given.baseline], check=True)
        try:
            times = _measure(baseline, given.repeat)
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(baseline)], check=True)
    print(f"{'case':<24} {'this checkout':>14} {given.baseline:>14}   (median s, n={given.repeat})")
    for name, (ours, theirs) in times.items():
        print(f"{name:<24} {statistics.median(ours):>14.3f} {statistics.median(theirs):>14.3f}")


def _measure(baseline: Path, repeat: int) -> dict[str, tuple[list[float], list[float]]]:
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in CASES}
    for _ in range(repeat):
        for name, arguments in CASES.items():  # alternating, so a busy moment hits both trees alike
            times[name][0].append(timed([*SIMULATOR, *arguments], ROOT))
            times[name][1].append(timed([*SIMULATOR, *arguments], ROOT, package_root=baseline))
    return times


if __name__ == "__main__":
    main()
