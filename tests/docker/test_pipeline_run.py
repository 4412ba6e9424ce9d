"""Pipelines end to end, with real containers (CP §1.5, CP §1.7, CP §1.12, CP §3, CP §7).

The fixture's pipeline: Source -> Build (Unit and Lint at run order 1, Package at 2 taking both outputs beside the
source) -> Approve (a gate whose CustomData uses Package's exported VERSION) -> Deploy (Publish reads Package's
artifact).
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import leftover_containers, simulator
from tests.terminal import Terminal

pytestmark = pytest.mark.docker

PIPELINE = "stages/pipeline.yml"
EXECUTION = re.compile(r"execution ([0-9a-f-]{36})")


def execution_id(stdout: str) -> str:
    match = EXECUTION.search(stdout)
    assert match, stdout
    return match.group(1)


def store_rows(source: Path, query: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(source / ".simulator" / "pipelines.db") as db:
        return db.execute(query, args).fetchall()


def action_status(source: Path, execution: str) -> dict[str, str]:
    rows = store_rows(
        source,
        "SELECT action, status FROM action_executions WHERE execution_id = ? ORDER BY attempt",
        execution,
    )
    return {str(action): str(status) for action, status in rows}


def spans(stdout: str, name: str) -> tuple[float, float]:
    times = {}
    for line in stdout.splitlines():
        for edge in ("start", "end"):
            marker = f"| {name}-{edge} "
            if marker in line:
                times[edge] = float(line.split(marker)[1])
    return times["start"], times["end"]


def test_a_gate_stops_the_run_and_an_approval_from_another_process_carries_it_on(fixture_source):
    source = fixture_source("pipeline_chain")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True).stdout.strip()
    first = simulator("pipeline", "run", PIPELINE, "--no-input", cwd=source)
    # CP §1.12: no terminal, so the execution stops at the gate with its state saved, a distinct exit code.
    assert first.code == 4, first.stdout[-3000:] + first.stderr
    execution = execution_id(first.stdout)
    assert f"Execution {execution} waits at Approve/Gate. Answer with:" in first.stdout
    # CP §1.5: Unit and Lint (run order 1) overlap in time; Package (run order 2) starts after both ended.
    unit, lint = spans(first.stdout, "unit"), spans(first.stdout, "lint")
    assert max(unit[0], lint[0]) < min(unit[1], lint[1])
    # CP §3: the other inputs at CODEBUILD_SRC_DIR_<name>; CP §1.7: exported variables in the next action's env.
    assert "Build/Package | unit" in first.stdout.splitlines()
    assert action_status(source, execution) == {
        "Source": "Succeeded",
        "Unit": "Succeeded",
        "Lint": "Succeeded",
        "Package": "Succeeded",
        "Gate": "InProgress",
    }
    (custom_data,) = store_rows(source, "SELECT custom_data FROM approvals WHERE execution_id = ?", execution)[0]
    assert custom_data == f"Ship 1.0-unit-ok of {head}?"
    # The first process has exited: a second one answers, and carries the execution on (nobody else runs it).
    second = simulator("pipeline", "approve", execution, "--summary", "checked on dev", cwd=source)
    assert second.code == 0, second.stdout[-3000:] + second.stderr
    assert f"Deploy/Publish | publishing {head} unit-ok codepipeline/shop-chain" in second.stdout.splitlines()
    assert f"Execution {execution} Succeeded." in second.stdout
    assert "Build/Unit" not in second.stdout  # nothing built before the gate is built again
    status = simulator("pipeline", "status", execution, cwd=source)
    assert status.code == 0
    assert "Approved by" in status.stdout and "checked on dev" in status.stdout
    assert status.stdout.splitlines()[0] == f"Execution {execution} of shop-chain: Succeeded"
    assert leftover_containers() == []


def test_a_failed_build_stops_the_chain_and_a_running_sibling_finishes(fixture_source):
    # CP §1.5, CP §7 item 2: a failed action fails its stage and the execution; nothing later starts.
    source = fixture_source("pipeline_chain")
    lint = source / "lint.yml"
    lint.write_text(lint.read_text().replace('test -z "$FAIL_LINT"', "exit 3"))
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "break lint"], cwd=source)
    result = simulator("pipeline", "run", PIPELINE, "--no-input", cwd=source)
    assert result.code == 1, result.stdout[-3000:] + result.stderr
    execution = execution_id(result.stdout)
    assert action_status(source, execution) == {
        "Source": "Succeeded",
        "Unit": "Succeeded",  # ran beside Lint: it finishes
        "Lint": "Failed",
    }
    last = result.stdout.splitlines()[-1]
    assert last.startswith(f"Execution {execution} Failed at Build/Lint: Build Lint:")
    assert "COMMAND_EXECUTION_ERROR: Error while executing command: exit 3. Reason: exit status 3" in last


def test_a_rejection_fails_the_execution_and_nothing_after_the_gate_runs(fixture_source):
    # CP §1.12: Rejected -> the action, the stage and the execution Failed.
    source = fixture_source("pipeline_chain")
    first = simulator("pipeline", "run", PIPELINE, "--no-input", cwd=source)
    assert first.code == 4, first.stdout[-3000:] + first.stderr
    execution = execution_id(first.stdout)
    rejected = simulator("pipeline", "reject", execution, "--summary", "not today", cwd=source)
    assert rejected.code == 0, rejected.stderr
    assert rejected.stdout.splitlines() == [
        f"Approve/Gate of execution {execution}: Rejected.",
        f"Execution {execution} Failed: the gate was rejected.",
    ]
    (status,) = store_rows(source, "SELECT status FROM executions WHERE id = ?", execution)[0]
    assert status == "Failed"
    assert "Publish" not in action_status(source, execution)
    # CP §1.12: answering again is refused with CodePipeline's exception name.
    again = simulator("pipeline", "approve", execution, "--summary", "oops", cwd=source)
    assert again.code == 2
    assert again.stderr.startswith("error: ")
    assert "Exception" in again.stderr


def test_a_gate_answered_at_a_real_terminal(fixture_source):
    # CP §1.12: with a terminal, the run stops at the gate and asks; the person approves with a summary.
    source = fixture_source("pipeline_chain")
    terminal = Terminal([sys.executable, "-m", "simulator", "pipeline", "run", PIPELINE], source)
    try:
        terminal.read_until(b"[a]pprove / [r]eject: ")
        terminal.write(b"a\n")
        terminal.read_until(b"characters): ")
        terminal.write(b"ship it\n")
        terminal.read_until(b"Succeeded.")
    finally:
        code = terminal.finish()
    assert code == 0
    text = terminal.text
    assert "Deploy/Publish | publishing " in text
    prompt = text.split("\nApproval needed: ", 1)[1].split("\n  Or from another terminal")[0]
    # What got the execution here, from the store: each earlier action, its artifacts, exported variables and the
    # unit build's JUnit report, whose failing test case did not fail the build (CB §1.8, CB §3.2).
    times = r"\d+\.\ds$|\d+\.\ds(?=  artifacts)|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    lines = [re.sub(times, "T", line) for line in prompt.splitlines()]
    commit = lines[1].split(" of ")[1].rstrip("?")
    assert [line for line in lines if "Expires:" not in line] == [
        "stage Approve, action Gate",
        f"  Ship 1.0-unit-ok of {commit}?",
        "  What got the execution here:",
        "    ✔ Source/Source  Succeeded  T  artifacts: Src",
        f"        CommitId={commit}  CommitMessage=fixture",
        "        AuthorDate=T  CommitterDate=T  RepositoryName=shop",
        "        BranchName=main",
        "    ✔ Build/Unit     Succeeded  T  artifacts: UnitOut",
        "        TAG=unit-ok",
        "        reports: unit 2 passed, 1 failed (tests.test_cart.test_total)",
        "    ✔ Build/Lint     Succeeded  T  artifacts: LintOut",
        "    ✔ Build/Package  Succeeded  T  artifacts: Pkg",
        "        VERSION=1.0-unit-ok",
    ]


def test_the_execution_record_is_json_free_of_secrets_and_kept_per_action(fixture_source):
    source = fixture_source("pipeline_chain")
    result = simulator("pipeline", "run", PIPELINE, "--approve-all", "--log-format", "json", cwd=source)
    assert result.code == 0, result.stdout[-3000:] + result.stderr
    # One JSON event per line, the pipeline's own lines included (found by the review: they were plain text).
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(event["stage"], event["action"]) for event in events if "stage" in event} == {
        ("Build", "Unit"),
        ("Build", "Lint"),
        ("Build", "Package"),
        ("Deploy", "Publish"),
        ("Approve", "Gate"),
    }
    assert [event["line"] for event in events if event["event"] == "pipeline"][-1].endswith(" Succeeded.")
    execution = execution_id(result.stdout)
    logs = sorted(
        p.name for p in (source / ".simulator" / "pipelines" / "shop-chain" / execution / "logs").rglob("*.log")
    )
    assert logs == ["Lint.1.log", "Package.1.log", "Publish.1.log", "Unit.1.log"]


def test_two_gates_side_by_side_are_answered_one_by_one_and_never_reopened(fixture_source):
    # Found by the review: a carried-on run reopened the other waiting gate as a new attempt with a new token,
    # after which no answer could name it; the hint also named no gate.
    source = fixture_source("pipeline_chain")
    pipeline = source / PIPELINE
    pipeline.write_text(
        pipeline.read_text().replace(
            "      - {name: Gate, kind: approval,",
            "      - {name: Security, kind: approval, custom-data: 'Security review'}\n"
            "      - {name: Gate, kind: approval,",
        )
    )
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "two gates"], cwd=source)
    first = simulator("pipeline", "run", PIPELINE, "--no-input", cwd=source)
    assert first.code == 4, first.stdout[-3000:] + first.stderr
    execution = execution_id(first.stdout)
    assert f"Execution {execution} waits at 2 gates. Answer each with:" in first.stdout
    assert (
        f'  python -m simulator pipeline approve {execution} --stage Approve --action Security --summary "..."'
        in first.stdout.splitlines()
    )
    one = simulator("pipeline", "approve", execution, "--action", "Security", "--summary", "ok", cwd=source)
    assert one.code == 4, one.stdout[-3000:] + one.stderr
    assert f"Execution {execution} waits at Approve/Gate. Answer with:" in one.stdout
    two = simulator("pipeline", "approve", execution, "--action", "Gate", "--summary", "ship", cwd=source)
    assert two.code == 0, two.stdout[-3000:] + two.stderr
    attempts = store_rows(
        source, "SELECT action, count(*) FROM approvals WHERE execution_id = ? GROUP BY action", execution
    )
    assert sorted(attempts) == [("Gate", 1), ("Security", 1)]
