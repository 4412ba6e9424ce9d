"""The platform's pipeline, end to end, from its CloudFormation template and from stages/pipeline.yml: the same
execution either way (issue 6 item 5; CP §6, CP §7)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, leftover_containers, simulator

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """The platform's buildspecs, sample code, template and native file as a repository of their own."""
    repository = tmp_path_factory.mktemp("platform") / "shop"
    for folder in ("buildspecs", "examples", "stages"):
        shutil.copytree(ROOT / folder, repository / folder, ignore=shutil.ignore_patterns("target", "node_modules"))
    quiet = {"cwd": repository, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q", "-b", "main"], **quiet)
    subprocess.run(["git", "add", "-A"], **quiet)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "platform"], **quiet)
    return repository


def execution(repository: Path, stdout: str) -> list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]]:
    match = re.search(r"Execution ([0-9a-f-]{36}) Succeeded\.", stdout)
    assert match, stdout[-3000:]
    with sqlite3.connect(repository / ".simulator" / "pipelines.db") as db:
        rows = db.execute(
            "SELECT stage, action, status, output_variables, output_artifacts FROM action_executions"
            " WHERE execution_id = ? ORDER BY started_at",
            (match.group(1),),
        ).fetchall()
    return [
        (stage, action, status, tuple(sorted(json.loads(variables))), tuple(sorted(_files(json.loads(outputs)))))
        for stage, action, status, variables, outputs in rows
    ]


def _files(outputs: dict[str, str]) -> list[str]:
    return [f"{name}:{path.relative_to(folder)}" for name, folder in outputs.items() for path in _walk(Path(folder))]


def _walk(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_the_template_and_the_native_file_give_the_same_execution(platform):
    runs = {}
    for file in ("examples/pipeline-template.yml", "stages/pipeline.yml"):
        result = simulator(
            "pipeline", "run", file, "--approve-all", "--values", "examples/parameters.yml", cwd=platform, timeout=900
        )
        assert result.code == 0, result.stdout[-3000:] + result.stderr
        runs[file] = execution(platform, result.stdout)
    template, native = runs.values()
    assert [row[:3] for row in template] == [
        ("Source", "Source", "Succeeded"),
        ("BuildDev", "BuildDev", "Succeeded"),
        ("ApproveDev", "ApproveDev", "Succeeded"),
        ("BuildProd", "BuildProd", "Succeeded"),
        ("ApproveProd", "ApproveProd", "Succeeded"),
    ]
    assert template == native
    for build, bundle in ((template[1], "DevBuildOutput"), (template[3], "ProdBuildOutput")):
        assert build[3] == ("BUILD_VERSION", "FRONTEND_BUCKET", "IMAGE_TAG")
        # Terraform planned and applied with local state: the state travels in the bundle the next stages read.
        assert {f"{bundle}:terraform.tfstate", f"{bundle}:outputs.json", f"{bundle}:build-info.json"} <= set(build[4])
    assert leftover_containers() == []


def test_the_template_stops_at_approve_dev_then_at_approve_prod(platform):
    # Issue 6 item 5; CP §1.12: with nobody at a terminal each gate stops the run (exit 4), and an approval carries
    # the execution on to the next gate, reusing everything built before it.
    template = "examples/pipeline-template.yml"
    first = simulator("pipeline", "run", template, "--values", "examples/parameters.yml", cwd=platform, timeout=900)
    assert first.code == 4, first.stdout[-3000:] + first.stderr
    match = re.search(r"Execution ([0-9a-f-]{36}) waits at ApproveDev/ApproveDev\. Answer with:", first.stdout)
    assert match, first.stdout[-3000:]
    execution = match.group(1)
    assert "BuildProd/" not in first.stdout

    to_prod = simulator("pipeline", "approve", execution, "--summary", "dev looks right", cwd=platform, timeout=900)
    assert to_prod.code == 4, to_prod.stdout[-3000:] + to_prod.stderr
    assert f"Execution {execution} waits at ApproveProd/ApproveProd. Answer with:" in to_prod.stdout
    assert "BuildDev/" not in to_prod.stdout  # the dev build is not run again
    assert "BuildProd/BuildProd | " in to_prod.stdout

    signed_off = simulator("pipeline", "approve", execution, "--summary", "ship it", cwd=platform)
    assert signed_off.code == 0, signed_off.stdout[-3000:] + signed_off.stderr
    assert signed_off.stdout.splitlines()[-1] == f"Execution {execution} Succeeded."
    with sqlite3.connect(platform / ".simulator" / "pipelines.db") as db:
        answers = db.execute(
            "SELECT stage, status, summary FROM approvals WHERE execution_id = ? ORDER BY opened_at", (execution,)
        ).fetchall()
    assert answers == [("ApproveDev", "Approved", "dev looks right"), ("ApproveProd", "Approved", "ship it")]
    assert leftover_containers() == []
