"""`--run dev` and `--run pipeline` through real `git push`, with real containers: the pushed commit is what builds
(not the working tree), the records stay in the user's `.simulator/` after the checkout is gone, a failure shows
the failing command's last lines and the full log's path, and a pipeline stops at its first gate as a pass."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time

import pytest

from tests.conftest import FIXTURES, leftover_containers
from tests.hook.conftest import install

pytestmark = pytest.mark.docker

# The build shows it has the pushed commit's clone and not the working tree's untracked file.
CHECKING_BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - echo "built $(git rev-parse HEAD)"
      - test ! -e local.txt
"""
FAILING_BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - echo "running the tests"
      - echo "3 tests failed" && exit 3
    finally:
      - echo "cleaning up"
"""


@pytest.fixture(autouse=True)
def no_leftover_containers():
    before = set(leftover_containers())
    yield
    assert set(leftover_containers()) - before == set()


def timeless(lines: list[str]) -> list[str]:
    return [re.sub(r"\d+\.\d s", "N.N s", line) for line in lines]


def test_run_dev_builds_the_pushed_commit_and_passes(project):
    install(project, "--run", "dev")
    project.write("buildspecs/buildspec-dev.yml", CHECKING_BUILDSPEC)
    sha = project.commit("a build that checks what it got")
    project.write("local.txt", "only in the working tree\n")

    pushed = project.push("origin", "main")

    assert pushed.code == 0, pushed.output
    assert timeless(pushed.hook_lines) == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode dev:",
        "  PASS     buildspecs/buildspec-dev.yml",
        "  ...      dev build buildspecs/buildspec-dev.yml: running (Ctrl-C stops it)",
        "  PASS     dev build buildspecs/buildspec-dev.yml (SUCCEEDED in N.N s)",
        "simulator pre-push: passed in N.NN s.",
    ]
    logs = list((project.work / ".simulator/builds").glob("work:*/build.log"))
    assert len(logs) == 1
    assert f"built {sha}" in logs[0].read_text().splitlines()
    assert project.remote_sha() == sha
    assert project.leftovers() == []


def test_run_dev_refuses_a_failing_build_with_its_last_lines_and_its_log(project):
    install(project, "--run", "dev")
    project.write("buildspecs/buildspec-dev.yml", FAILING_BUILDSPEC)
    sha = project.commit("tests that fail")

    pushed = project.push("origin", "main")

    assert pushed.code == 1, pushed.output
    (log,) = (project.work / ".simulator/builds").glob("work:*/build.log")
    lines = timeless(pushed.hook_lines)
    assert lines[:4] == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode dev:",
        "  PASS     buildspecs/buildspec-dev.yml",
        "  ...      dev build buildspecs/buildspec-dev.yml: running (Ctrl-C stops it)",
        "  FAIL     dev build buildspecs/buildspec-dev.yml (FAILED in N.N s)",
    ]
    assert lines[-7:] == [
        '           | [Container] Running command echo "running the tests"',
        "           | running the tests",
        '           | [Container] Running command echo "3 tests failed" && exit 3',
        "           | 3 tests failed",
        '           | [Container] Command did not exit successfully echo "3 tests failed" && exit 3 exit status 3',
        f"           full log: {log}",
        "simulator pre-push: push refused: 1 failed, in N.NN s. Fix it and push again (git push --no-verify skips "
        "this check).",
    ]
    assert "cleaning up" in log.read_text()  # the full log has what came after, the checkout is gone
    assert project.remote_sha() != sha
    assert project.leftovers() == []


def chain(project) -> None:
    fixture = FIXTURES / "pipeline_chain"
    for path in fixture.rglob("*"):
        if path.is_file():
            project.write(str(path.relative_to(fixture)), path.read_text())
    project.commit("the chain")
    project.git("push", "-q", "origin", "main")
    install(project, "--run", "pipeline")


def test_run_pipeline_runs_up_to_the_first_gate_and_passes(project):
    chain(project)
    project.write("unit.yml", (project.work / "unit.yml").read_text() + "# a comment\n")
    sha = project.commit("unit, touched")

    pushed = project.push("origin", "main")

    assert pushed.code == 0, pushed.output
    lines = timeless(pushed.hook_lines)
    execution = re.search(r"pipeline status ([0-9a-f-]{36})", pushed.output)
    assert execution is not None
    assert lines == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode pipeline:",
        "  PASS     stages/pipeline.yml",
        "  PASS     unit.yml",
        "  ...      pipeline stages/pipeline.yml: running up to its first gate (Ctrl-C stops it)",
        "  PASS     stage Source (N.N s)",
        "  PASS     stage Build (N.N s)",
        "  PASS     stage Approve (gate Gate reached: a gate reached is a pass)",
        "  SKIPPED  stage Deploy (after the gate)",
        "  PASS     pipeline stages/pipeline.yml (waits at its gate; python -m simulator pipeline status "
        f"{execution[1]})",
        "simulator pre-push: passed in N.NN s.",
    ]
    with sqlite3.connect(project.work / ".simulator/pipelines.db") as db:
        assert db.execute("SELECT source_revision FROM executions").fetchall() == [(sha,)]
    assert project.remote_sha() == sha
    assert project.leftovers() == []


def test_run_pipeline_refuses_a_failing_stage_and_skips_the_rest(project):
    chain(project)
    lint = (project.work / "lint.yml").read_text()
    project.write("lint.yml", lint.replace('test -z "$FAIL_LINT"', "echo 'lint found 2 problems' && exit 1"))
    sha = project.commit("lint fails")

    pushed = project.push("origin", "main")

    assert pushed.code == 1, pushed.output
    lines = timeless(pushed.hook_lines)
    (log,) = (project.work / ".simulator/pipelines/shop-chain").glob("*/logs/Build/Lint.1.log")
    assert lines[:6] == [
        f"simulator pre-push: main {sha[:12]} (1 changed file(s)), mode pipeline:",
        "  PASS     lint.yml",
        "  PASS     stages/pipeline.yml",
        "  ...      pipeline stages/pipeline.yml: running up to its first gate (Ctrl-C stops it)",
        "  PASS     stage Source (N.N s)",
        "  FAIL     stage Build (Failed)",
    ]
    build = re.search(r"Build Lint:([0-9a-f-]{36})", lines[6])
    assert build is not None
    assert lines[6] == (
        f"           Lint: Build Lint:{build[1]} FAILED: BUILD: COMMAND_EXECUTION_ERROR: Error while executing "
        "command: echo 'lint found 2 problems' && exit 1. Reason: exit status 1"
    )
    assert lines[-8:] == [
        "           | [Container] Running command echo 'lint found 2 problems' && exit 1",
        "           | lint found 2 problems",
        "           | [Container] Command did not exit successfully echo 'lint found 2 problems' && exit 1 "
        "exit status 1",
        f"           full log: {log}",
        "  SKIPPED  stage Approve (not reached)",
        "  SKIPPED  stage Deploy (not reached)",
        lines[-2],
        "simulator pre-push: push refused: 1 failed, in N.NN s. Fix it and push again (git push --no-verify skips "
        "this check).",
    ]
    assert re.fullmatch(
        r"  FAIL     pipeline stages/pipeline.yml \(failed; python -m simulator pipeline status [0-9a-f-]{36}\)",
        lines[-2],
    )
    assert project.remote_sha() != sha
    assert project.leftovers() == []


def test_ctrl_c_during_the_dev_build_stops_it_and_leaves_nothing(project):
    """Ctrl-C at the terminal reaches the push's whole process group: git, the hook, not the build (a session of
    its own), to which the hook passes it on once. The build ends STOPPED, its container and the checkout go."""
    install(project, "--run", "dev")
    project.write("buildspecs/buildspec-dev.yml", SLOW_BUILDSPEC)
    sha = project.commit("a slow build")
    push = subprocess.Popen(
        ["git", "push", "origin", "main"],
        cwd=project.work,
        env=project.environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group, as a terminal's foreground job
    )
    try:
        log = _wait_for(lambda: _running_build_log(project))
        os.killpg(push.pid, signal.SIGINT)
        push.wait(timeout=60)
        summary = log.parent / "summary.json"
        _wait_for(lambda: summary.is_file() and project.leftovers() == [] and summary)
    finally:
        if push.poll() is None:
            os.killpg(push.pid, signal.SIGKILL)
    assert json.loads(summary.read_text())["buildStatus"] == "STOPPED"
    assert project.remote_sha() != sha
    assert leftover_containers(json.loads(summary.read_text())["id"]) == []


SLOW_BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - echo "started" && sleep 120
"""


def _running_build_log(project):
    for log in (project.work / ".simulator/builds").glob("*/build.log"):
        if 'Running command echo "started"' in log.read_text():
            return log
    return None


def _wait_for(condition, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s")
