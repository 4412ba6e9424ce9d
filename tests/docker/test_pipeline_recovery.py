"""Picking executions up again, with real containers: retry (CP §1.11, CP §1.10), a redeploy with
`run --from STAGE --execution ID`, `pipeline logs`, `pipeline prune`, and the truth after a `kill -9` (CP §7).

Lint's outcome depends on something outside the source artifact, so that a retry (which reuses the stored
artifact of the original commit) can fail or succeed: the parameter-store value /shop/lint-mode from the local
values file, `fail`, `slow` (sleeps, for the crash) or `pass`.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, leftover_containers, simulator
from tests.docker.test_pipeline_run import PIPELINE, action_status, execution_id, store_rows

pytestmark = pytest.mark.docker

LINT = """version: 0.2
env:
  parameter-store:
    LINT_MODE: /shop/lint-mode
phases:
  build:
    commands:
      - 'if [ "$LINT_MODE" = slow ]; then for i in $(seq 300); do echo lint-sleeping; sleep 1; done; fi'
      - test "$LINT_MODE" != fail
      - echo lint > lint.txt
artifacts:
  files: [lint.txt]
"""


def commit(source: Path, message: str) -> str:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "commit", "-qam", message], cwd=source, check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True).stdout.strip()


def lint_source(fixture_source, mode: str) -> tuple[Path, str]:
    source = fixture_source("pipeline_chain")
    (source / "lint.yml").write_text(LINT)
    head = commit(source, "lint reads /shop/lint-mode")
    lint_mode(source, mode)
    return source, head


def lint_mode(source: Path, mode: str) -> None:
    (source / ".simulator").mkdir(exist_ok=True)
    (source / ".simulator" / "parameters.yml").write_text(f"parameter-store:\n  /shop/lint-mode: {mode}\n")


def attempts(source: Path, execution: str) -> dict[str, int]:
    rows = store_rows(
        source,
        "SELECT action, max(attempt) FROM action_executions WHERE execution_id = ? GROUP BY action",
        execution,
    )
    return {str(action): int(str(count)) for action, count in rows}


def read_until(fd: int, wanted: list[str], timeout: float = 400) -> list[str]:
    """The lines read until every wanted one has been seen (a line starting with it)."""
    deadline = time.monotonic() + timeout
    buffer = b""
    while not all(any(line.startswith(w) for line in buffer.decode(errors="replace").splitlines()) for w in wanted):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"never saw {wanted}; saw {buffer[-3000:]!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        chunk = os.read(fd, 65536) if ready else b""
        assert chunk or not ready, f"the run ended before {wanted}; saw {buffer[-3000:]!r}"
        buffer += chunk
    return buffer.decode(errors="replace").splitlines()


def test_retry_runs_the_failed_actions_again_on_the_stored_artifacts_until_a_newer_execution_enters(
    fixture_source,
):
    # CP §1.11: FAILED_ACTIONS re-runs only what failed; ALL_ACTIONS the whole stage; both on the stored artifacts.
    source, head = lint_source(fixture_source, "fail")
    first = simulator("pipeline", "run", PIPELINE, "--no-input", cwd=source)
    assert first.code == 1, first.stdout[-3000:] + first.stderr
    older = execution_id(first.stdout)

    again = simulator("pipeline", "retry", older, "--no-input", cwd=source)
    assert again.code == 1, again.stdout[-3000:] + again.stderr
    assert (
        again.stdout.splitlines()[0]
        == f"Pipeline shop-chain: retrying stage Build of execution {older} (FAILED_ACTIONS)"
    )
    assert "Build/Unit" not in again.stdout  # it succeeded: not run again
    assert attempts(source, older) == {"Source": 1, "Unit": 1, "Lint": 2}
    assert again.stdout.splitlines()[-1].startswith(f"Execution {older} Failed at Build/Lint: Build Lint:")

    second = simulator("pipeline", "run", PIPELINE, "--no-input", cwd=source)
    assert second.code == 1, second.stdout[-3000:] + second.stderr
    newer = execution_id(second.stdout)
    # CP §1.10: once a newer execution has entered the stage, the older one can no longer retry it.
    refused = simulator("pipeline", "retry", older, cwd=source)
    assert refused.code == 2
    assert refused.stderr == (
        f"error: StageNotRetryableException: execution {newer} has entered stage Build since, so execution "
        f"{older} can no longer retry it (CP §1.10: a stage is retried only until a newer execution enters it).\n"
    )
    assert attempts(source, older) == {"Source": 1, "Unit": 1, "Lint": 2}

    # Outside the artifact the cause is fixed; inside, HEAD moves to a commit whose Unit would fail: the retry
    # takes the stored source artifact of the original commit, so Unit still passes.
    lint_mode(source, "pass")
    unit = source / "unit.yml"
    unit.write_text(unit.read_text().replace("sleep 1.5", "exit 9"))
    commit(source, "break unit at HEAD")
    retried = simulator("pipeline", "retry", newer, "--all-actions", "--no-input", cwd=source)
    assert retried.code == 4, retried.stdout[-3000:] + retried.stderr  # carried on to the gate
    assert f"Execution {newer} waits at Approve/Gate. Answer with:" in retried.stdout
    assert "Build/Unit | unit-start" in " ".join(retried.stdout.splitlines())
    assert attempts(source, newer) == {"Source": 1, "Unit": 2, "Lint": 2, "Package": 1, "Gate": 1}
    assert action_status(source, newer) == {
        "Source": "Succeeded",
        "Unit": "Succeeded",
        "Lint": "Succeeded",
        "Package": "Succeeded",
        "Gate": "InProgress",
    }
    (custom_data,) = store_rows(source, "SELECT custom_data FROM approvals WHERE execution_id = ?", newer)[0]
    assert custom_data == f"Ship 1.0-unit-ok of {head}?"

    # An execution that has not failed has no stage to retry.
    waiting = simulator("pipeline", "retry", newer, cwd=source)
    assert waiting.code == 2
    assert waiting.stderr == (
        f"error: StageNotRetryableException: execution {newer} is InProgress; only a Failed or Stopped execution "
        "has a stage to retry.\n"
    )
    assert leftover_containers() == []


def test_run_from_a_stage_redeploys_an_earlier_execution_then_logs_and_prune(fixture_source):
    source, head = lint_source(fixture_source, "pass")
    first = simulator("pipeline", "run", PIPELINE, "--approve-all", cwd=source)
    assert first.code == 0, first.stdout[-3000:] + first.stderr
    earlier = execution_id(first.stdout)
    commit_after = source / "publish.yml"
    commit_after.write_text(commit_after.read_text().replace("publishing", "published-later"))
    assert commit(source, "a later version") != head

    # The redeploy of a previous version: Deploy only, on the earlier execution's commit, artifacts and variables.
    redeploy = simulator("pipeline", "run", PIPELINE, "--from", "Deploy", "--execution", earlier, cwd=source)
    assert redeploy.code == 0, redeploy.stdout[-3000:] + redeploy.stderr
    later = execution_id(redeploy.stdout)
    assert redeploy.stdout.splitlines()[0] == (
        f"Pipeline shop-chain: execution {later} started at stage Deploy with the artifacts of execution "
        f"{earlier} (commit {head[:12]})"
    )
    assert f"Deploy/Publish | publishing {head} unit-ok codepipeline/shop-chain" in redeploy.stdout.splitlines()
    assert not [line for line in redeploy.stdout.splitlines() if line.startswith(("Build/", "Source/"))]
    assert action_status(source, later) == {"Publish": "Succeeded"}
    assert redeploy.stdout.splitlines()[-1] == f"Execution {later} Succeeded."
    # The seed's -DeployOnly: --from alone takes the last execution that built what Deploy needs (not the redeploy,
    # which built nothing itself).
    again = simulator("pipeline", "run", PIPELINE, "--from", "Deploy", cwd=source)
    assert again.code == 0, again.stdout[-3000:] + again.stderr
    third = execution_id(again.stdout)
    assert again.stdout.splitlines()[0] == (
        f"Pipeline shop-chain: execution {third} started at stage Deploy with the artifacts of execution "
        f"{earlier} (commit {head[:12]})"
    )

    # pipeline logs: every attempt in the order it ran, or one action; an unknown action names the known ones.
    logs = simulator("pipeline", "logs", earlier, cwd=source)
    assert logs.code == 0, logs.stderr
    assert [line for line in logs.stdout.splitlines() if line.startswith("==> ")] == [
        "==> Source/Source attempt 1 (Succeeded) <==",
        "==> Build/Unit attempt 1 (Succeeded) <==",
        "==> Build/Lint attempt 1 (Succeeded) <==",
        "==> Build/Package attempt 1 (Succeeded) <==",
        "==> Approve/Gate attempt 1 (Succeeded) <==",
        "==> Deploy/Publish attempt 1 (Succeeded) <==",
    ]
    one = simulator("pipeline", "logs", earlier, "Build/Unit", cwd=source)
    assert one.code == 0, one.stderr
    assert one.stdout.splitlines()[0] == "==> Build/Unit attempt 1 (Succeeded) <=="
    assert "unit-end " in one.stdout
    assert "==> Build/Lint" not in one.stdout
    unknown = simulator("pipeline", "logs", earlier, "Nope", cwd=source)
    assert unknown.code == 2
    assert unknown.stderr == (
        f"error: execution {earlier} has run no action named Nope (its actions: Source/Source, Build/Unit, "
        "Build/Lint, Build/Package, Approve/Gate, Deploy/Publish).\n"
    )

    # pipeline prune: the older execution goes, rows and folders; the redeploy keeps its own copy of the artifacts.
    pruned = simulator("pipeline", "prune", "--keep", "2", cwd=source)
    assert pruned.code == 0, pruned.stderr
    assert pruned.stdout.splitlines() == [
        f"Removed execution {earlier} with its artifacts and logs.",
        "Removed 1 execution; kept the newest 2 of each pipeline and any in progress or waiting at a gate.",
    ]
    executions = source / ".simulator" / "pipelines" / "shop-chain"
    assert sorted(p.name for p in executions.iterdir()) == sorted([later, third])
    assert sorted(store_rows(source, "SELECT id FROM executions")) == sorted([(later,), (third,)])
    assert (
        executions / later / "artifacts" / "Pkg" / "pkg.txt"
    ).read_text() == f"{head} unit-ok codepipeline/shop-chain\n"

    # Neither redeploy built anything itself: --from alone has nothing to take now, and says so before it runs.
    nothing = simulator("pipeline", "run", PIPELINE, "--from", "Deploy", cwd=source)
    assert nothing.code == 2
    assert nothing.stderr == (
        "error: --from Deploy: no recent execution of shop-chain got past the stages before Deploy (pipeline list "
        "shows them): run the pipeline up to there first, or give --execution ID.\n"
    )


def test_a_kill_9_during_a_build_is_told_truthfully_and_retry_continues(fixture_source):
    # CP §7 (crash truth): the killed run's action shows Failed with the reason, its container is pruned, and a
    # retry runs the failed action again from the stored artifacts (nothing already built is lost).
    source, _ = lint_source(fixture_source, "slow")
    errors = source.parent / "run.stderr"
    with errors.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "simulator", "pipeline", "run", PIPELINE, "--no-input"],
            cwd=source,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
    try:
        assert process.stdout is not None
        try:
            seen = read_until(process.stdout.fileno(), ["Build/Lint | lint-sleeping"])
        except AssertionError as error:
            raise AssertionError(f"{error}\nstderr: {errors.read_text()[-3000:]}") from None
        execution = execution_id("\n".join(seen))
        # Unit (1.5 s beside Lint) is let finish, so only Lint is running when the runner dies.
        deadline = time.monotonic() + 120
        while action_status(source, execution).get("Unit") != "Succeeded" and time.monotonic() < deadline:
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()

    status = simulator("pipeline", "status", execution, cwd=source)
    assert status.code == 0, status.stderr
    lines = status.stdout.splitlines()
    host = os.uname().nodename
    why = f"the simulator process running it ended: pid {process.pid} on {host} is gone (killed, or it crashed)"
    assert lines[0] == f"Execution {execution} of shop-chain: Failed"
    assert lines[2] == f"  Action Build/Lint failed: {why}"
    lint = lines.index(next(line for line in lines if "✘ Lint" in line and "Failed" in line))
    assert lines[lint + 1].strip().endswith(why)
    assert action_status(source, execution) == {"Source": "Succeeded", "Unit": "Succeeded", "Lint": "Failed"}

    assert leftover_containers() != []  # the killed run's build container
    pruned = simulator("prune", cwd=source)
    assert pruned.code == 0, pruned.stderr
    assert leftover_containers() == []

    lint_mode(source, "pass")
    retried = simulator("pipeline", "retry", execution, "--no-input", cwd=source)
    assert retried.code == 4, retried.stdout[-3000:] + retried.stderr
    assert attempts(source, execution) == {"Source": 1, "Unit": 1, "Lint": 2, "Package": 1, "Gate": 1}
    assert action_status(source, execution)["Lint"] == "Succeeded"
    assert re.search(r"^Build/Package \| unit$", retried.stdout, re.MULTILINE)
    assert leftover_containers() == []
