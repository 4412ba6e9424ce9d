"""The engine's one entry point, called as a pipeline will call it: several builds in one process, on worker
threads, each stopped through its own cancel token (CB §3.2 for the stop, CB §4.1 for sources)."""

from __future__ import annotations

import io
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import pytest

from simulator.buildspec import parse_buildspec
from simulator.cancellation import CancelToken
from simulator.codebuild import BuildRequest, run_build
from simulator.codebuild.parameters import LocalValues
from simulator.codebuild.phases import Status
from simulator.reporting.masking import Masker
from simulator.reporting.render import text_line
from simulator.state import StateFolder
from tests.conftest import agent_lines, leftover_containers, simulator

pytestmark = pytest.mark.docker

QUICK = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo built-$CODEBUILD_BUILD_NUMBER > out.txt\n"
QUICK += "artifacts:\n  files: [out.txt]\n"
SLOW = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo started-slow\n      - sleep 60\n"


class Console(io.StringIO):
    """A console shared by threads that can wait for a line to appear."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            return super().write(text)

    def wait_for(self, line: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if line in self.getvalue().splitlines():
                    return
            time.sleep(0.05)
        raise AssertionError(f"never saw {line!r}")


@pytest.fixture
def client():
    engine = docker.from_env()
    yield engine
    engine.close()


def request(source: Path, text: str, project: str, **fields) -> BuildRequest:
    (source / "buildspec.yml").write_text(text)
    loaded = parse_buildspec(text, source / "buildspec.yml")
    return BuildRequest(buildspec=loaded, source=source, project=project, initiator="codepipeline/shop", **fields)


def test_two_builds_at_once_in_one_process_and_stopping_one_stops_only_it(tmp_path, client):
    state = StateFolder(tmp_path / "state")
    masker = Masker()
    quick_source, slow_source = tmp_path / "quick", tmp_path / "slow"
    quick_source.mkdir()
    slow_source.mkdir()
    consoles = {"quick": Console(), "slow": Console()}
    tokens = {"quick": CancelToken(), "slow": CancelToken()}
    requests = {
        # The quick build is still running when the slow one is stopped: the stop must not reach it.
        "quick": request(quick_source, QUICK.replace("> out.txt", "> out.txt && sleep 2"), "shop"),
        "slow": request(slow_source, SLOW, "shop"),
    }

    def build(name: str):
        return run_build(
            requests[name],
            client=client,
            state=state,
            events=[(text_line, consoles[name])],
            masker=masker,
            cancel=tokens[name],
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        slow = pool.submit(build, "slow")
        quick = pool.submit(build, "quick")
        consoles["slow"].wait_for("started-slow")
        tokens["slow"].cancel("a sibling action failed")
        slow_outcome, quick_outcome = slow.result(timeout=120), quick.result(timeout=120)

    assert slow_outcome.result.status is Status.STOPPED
    assert quick_outcome.result.status is Status.SUCCEEDED
    assert {slow_outcome.result.build_number, quick_outcome.result.build_number} == {1, 2}
    assert slow_outcome.build_dir != quick_outcome.build_dir
    assert slow_outcome.build_dir.parent == quick_outcome.build_dir.parent == state.builds_dir
    for outcome in (slow_outcome, quick_outcome):
        summary = json.loads((outcome.build_dir / "summary.json").read_text())
        assert (summary["id"], summary["buildStatus"]) == (outcome.result.build_id, outcome.result.status.value)
        assert summary["initiator"] == "codepipeline/shop"
        assert leftover_containers(outcome.result.build_id) == []
    assert quick_outcome.artifacts_dir is not None
    number = quick_outcome.result.build_number
    assert (quick_outcome.artifacts_dir / "out.txt").read_text() == f"built-{number}\n"
    assert "Phase context status code: BUILD_STOPPED Message: Build was stopped by the user" in agent_lines(
        consoles["slow"].getvalue()
    )
    assert not (quick_source / ".simulator").exists() and not (slow_source / ".simulator").exists()


def test_exported_variables_and_secondary_artifacts_come_back_in_the_outcome(tmp_path, client):
    text = (
        "version: 0.2\nenv:\n  exported-variables: [IMAGE_TAG]\nphases:\n  build:\n    commands:\n"
        "      - export IMAGE_TAG=v7\n      - mkdir -p web api && echo w > web/index.html && echo a > api/app.py\n"
        "artifacts:\n  files: ['**/*']\n  secondary-artifacts:\n"
        "    web:\n      base-directory: web\n      files: ['**/*']\n"
        "    api:\n      base-directory: api\n      files: ['**/*']\n"
    )
    source = tmp_path / "src"
    source.mkdir()
    outcome = run_build(
        request(source, text, "shop"),
        client=client,
        state=StateFolder(tmp_path / "state"),
        events=[],
        masker=Masker(),
        cancel=CancelToken(),
    )
    assert outcome.result.status is Status.SUCCEEDED
    assert outcome.exported_variables == {"IMAGE_TAG": "v7"}
    assert sorted(outcome.secondary_artifacts) == ["api", "web"]
    assert (outcome.secondary_artifacts["web"] / "index.html").read_text() == "w\n"
    assert (outcome.secondary_artifacts["api"] / "app.py").read_text() == "a\n"


def test_secondary_sources_are_at_their_variables_end_to_end(fixture_source, tmp_path):
    source = fixture_source("session_v02")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "config.txt").write_text("from-extra\n")
    (source / "secondary.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        '      - echo "dir=$CODEBUILD_SRC_DIR_extra"\n'
        "      - cat $CODEBUILD_SRC_DIR_extra/config.txt\n"
        '      - test "$(dirname $CODEBUILD_SRC_DIR)" = "$(dirname $(dirname $CODEBUILD_SRC_DIR_extra))"\n'
    )
    result = simulator("run", "secondary.yml", "--source", f"extra={extra}", cwd=source)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "from-extra" in lines
    dir_line = next(line for line in lines if line.startswith("dir="))
    assert dir_line.startswith("dir=/codebuild/output/src") and dir_line.endswith("/secSrc/extra")


def test_a_buildspec_outside_the_source_shows_its_name_and_no_host_path(fixture_source, tmp_path):
    source = fixture_source("session_v02")
    outside = tmp_path / "elsewhere" / "outside.yml"
    outside.parent.mkdir()
    outside.write_text("version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n")
    result = simulator("run", str(outside), cwd=source)
    assert result.code == 0, result.stderr
    assert "YAML location is outside.yml" in agent_lines(result.stdout)
    assert str(outside.parent) not in result.stdout


def test_a_file_and_folder_collision_between_base_directories_fails_upload_masked_with_a_summary(tmp_path, client):
    # Once found: this crashed after the build ran (exit 3, no summary) and printed the secret in the path.
    text = (
        "version: 0.2\nenv:\n  parameter-store:\n    NAME: /shop/name\nphases:\n  build:\n    commands:\n"
        '      - mkdir -p "a" "b/$NAME" && echo f > "a/$NAME" && echo g > "b/$NAME/inner"\n'
        "artifacts:\n  base-directory: '*'\n  files: ['**/*']\n"
    )
    source = tmp_path / "src"
    source.mkdir()
    console = Console()
    outcome = run_build(
        request(source, text, "shop", value_source=LocalValues(parameters={"/shop/name": "hunter2"})),
        client=client,
        state=StateFolder(tmp_path / "state"),
        events=[(text_line, console)],
        masker=Masker(),
        cancel=CancelToken(),
    )
    assert outcome.result.status is Status.FAILED
    upload = next(p for p in outcome.result.phases if p.phase_type.value == "UPLOAD_ARTIFACTS")
    assert upload.contexts[0].status_code == "CLIENT_ERROR"
    assert "folder" in upload.contexts[0].message, upload.contexts[0].message
    summary = (outcome.build_dir / "summary.json").read_text()
    assert json.loads(summary)["buildStatus"] == "FAILED"
    for written in (console.getvalue(), (outcome.build_dir / "build.log").read_text(), summary):
        assert "hunter2" not in written
        assert "***" in written


def test_typed_overrides_resolve_from_the_values_file_beat_the_buildspec_and_are_masked(tmp_path, client):
    # CB §1.4: start-build overrides (a pipeline action's or a project's typed variables) win over
    # the buildspec's env; PARAMETER_STORE and SECRETS_MANAGER ones resolve from the local values, masked.
    source = tmp_path / "src"
    source.mkdir()
    text = (
        "version: 0.2\nenv:\n  variables:\n    DB_PASSWORD: from-buildspec\n    STAGE: buildspec\n"
        "phases:\n  build:\n    commands:\n"
        '      - echo "stage=$STAGE"\n      - echo "db=$DB_PASSWORD" > seen.txt\n      - echo "db=$DB_PASSWORD"\n'
        '      - echo "token=$TOKEN"\n'
        "artifacts:\n  files: [seen.txt]\n"
    )
    values = LocalValues(parameters={"/shop/db": "db-s3cret"}, secrets={"shop/token": "tok-s3cret"})
    console = Console()
    outcome = run_build(
        request(
            source,
            text,
            "typed",
            value_source=values,
            environment_overrides={"STAGE": "override"},
            parameter_overrides={"DB_PASSWORD": "/shop/db"},
            secret_overrides={"TOKEN": "shop/token"},
        ),
        client=client,
        state=StateFolder(tmp_path / "state"),
        events=[(text_line, console)],
        masker=Masker(),
        cancel=CancelToken(),
    )
    assert outcome.result.status is Status.SUCCEEDED
    lines = console.getvalue().splitlines()
    assert [line for line in lines if "=" in line and " " not in line] == ["stage=override", "db=***", "token=***"]
    assert outcome.artifacts_dir is not None
    assert (outcome.artifacts_dir / "seen.txt").read_text() == "db=db-s3cret\n"  # the build saw the real value
    assert "s3cret" not in (outcome.build_dir / "build.log").read_text()
