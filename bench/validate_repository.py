"""`validate` with no file on this repository, as the CI dry-run and the pre-push hook run it: one process each.

Beside two baselines measured in the same run, alternating: Python's own start-up, and `validate` of one
buildspec (the floor every validate pays: start-up and the loaders). Two scopes of the repository:
- whole: every build file, the deliberately broken test fixtures included (validate exits 1 there, by design);
- project: without tests/ (--exclude 'tests/*'): the platform's buildspecs, stages/ and examples/, what a user's
  repository holds.
Target (issue 7): the repository under 0.5 s. Prints figures; asserts nothing.
Run: python bench/validate_repository.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys

from timing import ROOT, timed

VALIDATE = [sys.executable, "-m", "simulator", "validate"]
CASES = {
    "python start-up": ([sys.executable, "-c", "pass"], (0,)),
    "validate one buildspec": ([*VALIDATE, "buildspecs/buildspec-dev.yml"], (0,)),
    "validate (project)": ([*VALIDATE, "--exclude", "tests/*"], (0,)),
    "validate (whole)": (VALIDATE, (1,)),
}
TARGET_SECONDS = 0.5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(repeat):
        for name, (command, ok) in CASES.items():  # alternating, so a busy moment hits every case alike
            times[name].append(timed(command, ROOT, ok))
    print(f"{'case':<24} {'median s':>9} {'min s':>7} {'max s':>7}  (n={repeat}, target {TARGET_SECONDS} s)")
    for name, seconds in times.items():
        print(f"{name:<24} {statistics.median(seconds):>9.3f} {min(seconds):>7.3f} {max(seconds):>7.3f}")


if __name__ == "__main__":
    main()
