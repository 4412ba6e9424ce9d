"""What a pipeline run costs over its builds run one by one with `run`, side by side in one run.

The pipeline is tests/fixtures/pipeline_chain (Source -> Unit and Lint in parallel -> Package -> a gate -> Publish),
run with --approve-all; the baseline runs the same four buildspecs with `python -m simulator run`, each with the
inputs the pipeline would give it. Prints figures; asserts nothing.
Run: python bench/pipeline_overhead.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "pipeline_chain"
ACTIONS = 6  # Source, Unit, Lint, Package, Gate, Publish


def timed(command: list[str], cwd: Path) -> float:
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=environ, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command[2:6])}... failed:\n{completed.stdout.decode()[-2000:]}")
    return elapsed


def repository(workdir: Path) -> Path:
    source = workdir / "shop"
    shutil.copytree(FIXTURE, source)
    quiet = {"cwd": source, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q", "-b", "main"], **quiet)
    subprocess.run(["git", "add", "-A"], **quiet)
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "-m", "bench"], **quiet)
    return source


def inputs(workdir: Path) -> dict[str, Path]:
    folders = {}
    for name, files in {
        "UnitOut": {"unit.txt": "unit\n"},
        "LintOut": {"lint.txt": "lint\n"},
        "Pkg": {"pkg.txt": "x\n"},
    }.items():
        folder = workdir / name
        folder.mkdir()
        for file, text in files.items():
            (folder / file).write_text(text)
        folders[name] = folder
    return folders


def one_by_one(source: Path, given: dict[str, Path]) -> float:
    run = [sys.executable, "-m", "simulator", "run"]
    env = ["--env", "COMMIT=abc", "--env", "UNIT_TAG=unit-ok"]
    return sum(
        (
            timed([*run, "unit.yml"], source),
            timed([*run, "lint.yml"], source),
            timed(
                [
                    *run,
                    "package.yml",
                    "--source",
                    f"UnitOut={given['UnitOut']}",
                    "--source",
                    f"LintOut={given['LintOut']}",
                    *env,
                ],
                source,
            ),
            timed([*run, "publish.yml", *_sources(given, "Pkg")], source),
        )
    )


def _sources(given: dict[str, Path], *names: str) -> list[str]:
    return [flag for name in names for flag in ("--source", f"{name}={given[name]}")]


def pipeline(source: Path, parallel: int) -> float:
    command = [sys.executable, "-m", "simulator", "pipeline", "run", "stages/pipeline.yml", "--approve-all"]
    return timed([*command, "--parallel", str(parallel)], source)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    builds, runs, serial = [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        source, given = repository(workdir), inputs(workdir)
        for _ in range(repeat):  # alternating, so both see the same machine
            builds.append(one_by_one(source, given))
            runs.append(pipeline(source, parallel=2))
            serial.append(pipeline(source, parallel=1))
    sum_of_builds, whole, one_at_a_time = statistics.median(builds), statistics.median(runs), statistics.median(serial)
    print(f"median of {repeat} runs each, pipeline tests/fixtures/pipeline_chain ({ACTIONS} actions, 4 builds)")
    print(f"four builds one by one with run: {sum_of_builds:.2f} s")
    print(f"pipeline run --approve-all:      {whole:.2f} s (Unit and Lint at once, --parallel 2)")
    print(f"  the same with --parallel 1:    {one_at_a_time:.2f} s")
    target = 1 + 0.3 * ACTIONS
    cost = one_at_a_time - sum_of_builds
    print(f"pipeline's own cost, one build at a time: {cost:+.2f} s (target: at most {target:.1f} s)")


if __name__ == "__main__":
    main()
