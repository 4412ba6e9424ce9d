"""What a pipeline run costs over its builds run one by one with `run`, side by side in one run.

Two pipelines, each run with --approve-all against the same buildspecs run one by one with
`python -m simulator run`, each build given the inputs and variables the pipeline would give it:
- chain: tests/fixtures/pipeline_chain (Source -> Unit and Lint in parallel -> Package -> a gate -> Publish), small
  builds, so the pipeline's own cost shows;
- platform: the platform's examples/pipeline-template.yml (Source -> BuildDev -> ApproveDev -> BuildProd ->
  ApproveProd), the real builds (pytest, Maven, npm, Terraform).
Prints figures; asserts nothing.
Run: python bench/pipeline_overhead.py [--repeat N] [--only chain|platform]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from timing import ROOT, timed

RUN = [sys.executable, "-m", "simulator", "run"]
PIPELINE = [sys.executable, "-m", "simulator", "pipeline", "run"]


@dataclass(frozen=True)
class Scenario:
    name: str
    actions: int
    builds: int
    one_by_one: Callable[[Path, Path], float]  # (repository, scratch folder) -> seconds
    pipeline: Callable[[Path, int], float]  # (repository, --parallel) -> seconds
    repository: Callable[[Path], Path]


def git_repository(folders: dict[str, Path], workdir: Path) -> Path:
    source = workdir / "shop"
    for name, folder in folders.items():
        target = source / name if name else source
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns("target", "node_modules", "dist", "build"))
    quiet = {"cwd": source, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q", "-b", "main"], **quiet)
    subprocess.run(["git", "add", "-A"], **quiet)
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "-m", "bench"], **quiet)
    return source


def head(source: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True).stdout.strip()


# -- chain: the fixture's four small builds ----------------------------------------------------------------------


def chain_inputs(workdir: Path) -> dict[str, Path]:
    folders = {}
    for name, files in {
        "UnitOut": {"unit.txt": "unit\n"},
        "LintOut": {"lint.txt": "lint\n"},
        "Pkg": {"pkg.txt": "x\n"},
    }.items():
        folder = workdir / name
        folder.mkdir(exist_ok=True)
        for file, text in files.items():
            (folder / file).write_text(text)
        folders[name] = folder
    return folders


def chain_one_by_one(source: Path, workdir: Path) -> float:
    given = chain_inputs(workdir)
    env = ["--env", "COMMIT=abc", "--env", "UNIT_TAG=unit-ok"]
    return sum(
        (
            timed([*RUN, "unit.yml"], source),
            timed([*RUN, "lint.yml"], source),
            timed([*RUN, "package.yml", *_sources(given, "UnitOut", "LintOut"), *env], source),
            timed([*RUN, "publish.yml", *_sources(given, "Pkg")], source),
        )
    )


def _sources(given: dict[str, Path], *names: str) -> list[str]:
    return [flag for name in names for flag in ("--source", f"{name}={given[name]}")]


def chain_pipeline(source: Path, parallel: int) -> float:
    return timed([*PIPELINE, "stages/pipeline.yml", "--approve-all", "--parallel", str(parallel)], source)


# -- platform: the template's two real builds ---------------------------------------------------------------------

PLATFORM_VALUES = ["--parameters", "examples/parameters.yml"]


def platform_one_by_one(source: Path, workdir: Path) -> float:
    """The variables the template's projects and actions give each build (DEPLOY_ENV and SITE_URL from the
    projects, COMMIT_ID, DEV_BUILD_VERSION and STACK from the actions), and the dev bundle beside the prod build."""
    dev_bundle = workdir / "dev-bundle"
    shutil.rmtree(dev_bundle, ignore_errors=True)
    dev = [
        *RUN,
        "buildspecs/buildspec-dev.yml",
        *PLATFORM_VALUES,
        *("--env", "DEPLOY_ENV=dev", "--env", "SITE_URL=https://dev.shop.example.com"),
        *("--env", f"COMMIT_ID={head(source)}", "--artifacts", str(dev_bundle)),
    ]
    prod = [
        *RUN,
        "buildspecs/buildspec-prod.yml",
        *PLATFORM_VALUES,
        *("--env", "DEPLOY_ENV=prod", "--env", "SITE_URL=https://shop.example.com"),
        *("--env", "DEV_BUILD_VERSION=1.0.1-local", "--env", "STACK=ecommerce-ai-platform"),
        *("--source", f"DevBuildOutput={dev_bundle}"),
    ]
    return timed(dev, source) + timed(prod, source)


def platform_pipeline(source: Path, parallel: int) -> float:
    command = [*PIPELINE, "examples/pipeline-template.yml", "--approve-all", "--values", "examples/parameters.yml"]
    return timed([*command, "--parallel", str(parallel)], source)


SCENARIOS = {
    "chain": Scenario(
        "tests/fixtures/pipeline_chain",
        actions=6,
        builds=4,
        one_by_one=chain_one_by_one,
        pipeline=chain_pipeline,
        repository=lambda workdir: git_repository({"": ROOT / "tests" / "fixtures" / "pipeline_chain"}, workdir),
    ),
    "platform": Scenario(
        "examples/pipeline-template.yml",
        actions=5,
        builds=2,
        one_by_one=platform_one_by_one,
        pipeline=platform_pipeline,
        repository=lambda workdir: git_repository(
            {name: ROOT / name for name in ("buildspecs", "examples", "stages")}, workdir
        ),
    ),
}


def measure(scenario: Scenario, repeat: int) -> None:
    builds, runs, serial = [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        source = scenario.repository(workdir)
        for _ in range(repeat):  # alternating, so both see the same machine
            builds.append(scenario.one_by_one(source, workdir))
            runs.append(scenario.pipeline(source, 2))
            serial.append(scenario.pipeline(source, 1))
    sum_of_builds, whole, one_at_a_time = statistics.median(builds), statistics.median(runs), statistics.median(serial)
    print(f"{scenario.name}: {scenario.actions} actions, {scenario.builds} builds; median of {repeat} runs each")
    print(f"  the builds one by one with run: {sum_of_builds:7.2f} s")
    print(f"  pipeline run --approve-all:     {whole:7.2f} s (--parallel 2)")
    print(f"  the same with --parallel 1:     {one_at_a_time:7.2f} s")
    target = 1 + 0.3 * scenario.actions
    cost = one_at_a_time - sum_of_builds
    print(f"  pipeline's own cost, one build at a time: {cost:+.2f} s (target: at most {target:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=sorted(SCENARIOS))
    args = parser.parse_args()
    for name, scenario in SCENARIOS.items():
        if args.only in (None, name):
            measure(scenario, args.repeat)


if __name__ == "__main__":
    main()
