"""Timeouts, Ctrl-C, SIGTERM and cleanup: no container is ever left behind (style-anchors habit 15)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import docker
import pytest

from tests.conftest import IMAGE, ROOT, agent_lines, leftover_containers, simulator

pytestmark = pytest.mark.docker


def test_timeout_ends_timed_out_and_removes_the_container(fixture_source, tmp_path):
    # CB §7.1: the build ends TIMED_OUT with the running phase TIMED_OUT
    source = fixture_source("long_sleep")
    summary = tmp_path / "summary.json"
    started = time.monotonic()
    result = simulator("run", "buildspec.yml", "--timeout", "0.05", "--summary-json", str(summary), cwd=source)
    assert time.monotonic() - started < 30
    assert result.code == 1
    record = json.loads(summary.read_text())
    assert record["buildStatus"] == "TIMED_OUT"
    assert [p.get("phaseStatus") for p in record["phases"] if p["phaseType"] == "BUILD"] == ["TIMED_OUT"]
    assert "finally-must-not-run" not in result.stdout
    assert leftover_containers(record["id"]) == []
    # What the build made before its time ran out is handed back all the same.
    assert (Path(record["artifacts"]["location"]) / "partial.txt").read_text() == "partial\n"
    lines = agent_lines(result.stdout)
    assert lines[lines.index("Phase complete: BUILD State: TIMED_OUT") :][:3] == [
        "Phase complete: BUILD State: TIMED_OUT",
        "Phase context status code: BUILD_TIMED_OUT Message: Build has timed out. ",
        f"Build TIMED_OUT: saving the artifacts it made so far to {record['artifacts']['location']}",
    ]


def start_build(source, summary):
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "simulator", "run", "buildspec.yml", "--summary-json", str(summary)],
        cwd=source,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(process, wanted, timeout=60):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip("\n"))
        if line.rstrip("\n") == wanted:
            return seen
    raise AssertionError(f"never saw {wanted!r}; saw {seen}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_stops_the_build_and_removes_the_container(fixture_source, tmp_path, signum):
    source = fixture_source("long_sleep")
    summary = tmp_path / "summary.json"
    process = start_build(source, summary)
    wait_for_line(process, "sleeping-now")
    time.sleep(0.3)  # let `sleep 60` start
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    record = json.loads(summary.read_text())
    assert record["buildStatus"] == "STOPPED"
    assert [p.get("phaseStatus") for p in record["phases"] if p["phaseType"] == "BUILD"] == ["STOPPED"]
    lines = agent_lines(stdout)
    assert lines[lines.index("Phase complete: BUILD State: STOPPED") :][:3] == [
        "Phase complete: BUILD State: STOPPED",
        "Phase context status code: BUILD_STOPPED Message: Build was stopped by the user",
        f"Build STOPPED: saving the artifacts it made so far to {record['artifacts']['location']}",
    ]
    assert leftover_containers(record["id"]) == []
    assert (Path(record["artifacts"]["location"]) / "partial.txt").read_text() == "partial\n"


def test_prune_removes_leftovers_of_dead_runs_and_keeps_running_builds(tmp_path):
    client = docker.from_env()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = socket.gethostname()
    managed = {"simulator.managed": "true", "simulator.owner-host": host}
    leftover = client.containers.create(
        IMAGE, ["true"], labels={**managed, "simulator.owner-pid": finished.stdout.strip()}
    )
    running = client.containers.create(IMAGE, ["true"], labels={**managed, "simulator.owner-pid": str(os.getpid())})
    try:
        result = simulator("prune", cwd=tmp_path)
        assert (result.code, result.stdout) == (0, "1 containers, 0 volumes, 0 networks removed\n")
        assert [c.id for c in client.containers.list(all=True, filters={"label": "simulator.managed=true"})] == [
            running.id
        ]
        with pytest.raises(docker.errors.NotFound):
            leftover.reload()
        assert simulator("prune", "--all", cwd=tmp_path).stdout == "1 containers, 0 volumes, 0 networks removed\n"
    finally:
        for container in (leftover, running):
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True)


def test_missing_image_is_an_environment_error(fixture_source):
    source = fixture_source("session_v02")
    result = simulator("run", "buildspec.yml", "--image", "no-such-image:1.0", cwd=source)
    assert result.code == 3
    *progress, last = result.stderr.splitlines()
    assert progress[0] == "Trying to pull no-such-image:1.0."
    assert last.startswith("error: Image no-such-image:1.0 does not exist locally")
    assert "Traceback" not in result.stderr


def test_second_interrupt_while_stopping_still_exits_130_and_cleans_up(fixture_source, tmp_path):
    # The first Ctrl-C stops gracefully; a second one during that stop forces the exit. Either way the
    # container goes (the autouse fixture checks that none is left behind).
    source = fixture_source("long_sleep")
    process = start_build(source, tmp_path / "summary.json")
    wait_for_line(process, "sleeping-now")
    process.send_signal(signal.SIGINT)
    time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in stderr


@pytest.mark.parametrize("gap", [0.02, 0.1, 0.2])
def test_a_third_interrupt_gives_up_waiting_but_keeps_the_stopped_record(fixture_source, tmp_path, gap):
    # Once found: the third Ctrl-C (give up waiting) lost summary.json; landing during the container's removal
    # (gaps of 0.06 to 0.2 s), it still lost the --summary-json copy. The container goes (autouse check).
    source = fixture_source("long_sleep")
    summary = tmp_path / "summary.json"
    process = start_build(source, summary)
    wait_for_line(process, "sleeping-now")
    for _ in range(3):
        process.send_signal(signal.SIGINT)
        time.sleep(gap)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    record = json.loads(summary.read_text())
    assert record["buildStatus"] == "STOPPED"
    assert [p.get("phaseStatus") for p in record["phases"] if p["phaseType"] == "BUILD"] == ["STOPPED"]
    (build_dir,) = (source / ".simulator" / "builds").iterdir()
    assert json.loads((build_dir / "summary.json").read_text()) == record


def test_a_console_reader_that_leaves_costs_the_build_nothing(tmp_path):
    # Once found: `run ... | head -1` killed the build at the next line, with no summary and no artifacts.
    (tmp_path / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - seq 1 2000\n      - sleep 1\n"
        "      - echo made > out.txt\nartifacts:\n  files: [out.txt]\n"
    )
    summary = tmp_path / "summary.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "run", "buildspec.yml", "--summary-json", str(summary)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    with process:
        process.stdout.readline()
        process.stdout.close()  # as `head -1` does once it has its line
        stderr = process.stderr.read().decode()
    assert process.returncode == 0, stderr
    assert stderr == ""
    record = json.loads(summary.read_text())
    assert record["buildStatus"] == "SUCCEEDED"
    (build_dir,) = (tmp_path / ".simulator" / "builds").iterdir()
    assert (build_dir / "artifacts" / "out.txt").read_text() == "made\n"
    assert (build_dir / "build.log").read_text().count("\n2000\n") == 1


def test_an_image_without_sh_cannot_host_a_build(fixture_source):
    # CB §5.3: CodeBuild needs `sh` in every image.
    client = docker.from_env()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        info = tarfile.TarInfo("README")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"x\n"))
    client.api.import_image_from_data(archive.getvalue(), repository="simulator-test/no-shell", tag="1")
    try:
        result = simulator(
            "run", "buildspec.yml", "--image", "simulator-test/no-shell:1", cwd=fixture_source("session_v02")
        )
    finally:
        client.images.remove("simulator-test/no-shell:1", force=True)
    assert result.code == 3
    assert result.stderr.startswith("error: The build container did not start (")
    assert result.stderr.endswith("): the image needs /bin/sh.\n")


def test_a_container_killed_from_outside_fails_the_build_at_once(fixture_source, tmp_path):
    source = fixture_source("long_sleep")
    summary = tmp_path / "summary.json"
    process = start_build(source, summary)
    wait_for_line(process, "sleeping-now")
    client = docker.from_env()
    (container,) = client.containers.list(filters={"label": f"simulator.owner-pid={process.pid}"})
    container.kill()
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == 1
    record = json.loads(summary.read_text())
    assert [(p["phaseType"], p.get("phaseStatus")) for p in record["phases"]][-3:] == [
        ("BUILD", "FAILED"),
        ("FINALIZING", "SUCCEEDED"),
        ("COMPLETED", None),
    ]
    assert record["phases"][-3]["contexts"][0]["statusCode"] == "CLIENT_ERROR"
    assert "Entering phase POST_BUILD" not in stdout
    assert leftover_containers(record["id"]) == []


def test_a_shell_the_image_lacks_fails_download_source_with_the_agents_reason(fixture_source):
    source = fixture_source("session_v02")
    (source / "buildspec.yml").write_text("version: 0.2\nenv:\n  shell: zsh\nphases:\n  build:\n    commands: [x]\n")
    result = simulator("run", "buildspec.yml", cwd=source)
    assert result.code == 1
    assert agent_lines(result.stdout)[-1] == (
        "Phase context status code: CLIENT_ERROR Message: could not start the build's shell: "
        "simulator agent: shell 'zsh' is not installed in this image"
    )


def test_timeout_fires_while_a_command_floods_output(fixture_source, tmp_path):
    # With output always queued, a read never waits; the deadline must be checked all the same.
    summary = tmp_path / "summary.json"
    started = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulator",
            "run",
            "buildspec.yml",
            "--timeout",
            "0.05",
            "--summary-json",
            str(summary),
        ],
        cwd=fixture_source("output_flood"),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, stderr = process.communicate(timeout=60)
    assert time.monotonic() - started < 30
    assert process.returncode == 1, stderr
    record = json.loads(summary.read_text())
    assert record["buildStatus"] == "TIMED_OUT"
    assert [p.get("phaseStatus") for p in record["phases"] if p["phaseType"] == "BUILD"] == ["TIMED_OUT"]


@pytest.mark.parametrize("delay", [0.3, 0.4, 0.5, 0.6, 0.7, 0.9, 1.2])
def test_an_interrupt_soon_after_start_leaves_either_no_record_or_a_whole_one(fixture_source, tmp_path, delay):
    # Once found: Ctrl-C 0.4-0.7 s after start left an empty build.log and no summary.
    source = fixture_source("long_sleep")
    process = start_build(source, tmp_path / "summary.json")
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    for build_dir in (source / ".simulator" / "builds").glob("*"):
        record = json.loads((build_dir / "summary.json").read_text())
        assert record["buildStatus"] == "STOPPED"
        assert (build_dir / "build.log").read_text().startswith("[Container] ")
        assert leftover_containers(record["id"]) == []


def git_wrapper(folder: Path, on_fetch: str) -> dict[str, str]:
    """An environment whose `git` runs `on_fetch` instead of `git fetch` (staging's git clone), the real git else."""
    folder.mkdir()
    real = shutil.which("git")
    script = folder / "git"
    script.write_text(f'#!/bin/sh\ncase " $* " in *" fetch "*) {on_fetch} ;; esac\nexec {real} "$@"\n')
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}


def test_a_source_that_cannot_be_staged_fails_download_source_with_its_record(fixture_source, tmp_path):
    # Found by the review: a staging failure escaped before the record: an empty build.log and no summary.
    source = fixture_source("long_sleep")
    environ = git_wrapper(tmp_path / "bin", "echo 'fatal: the disk said no' >&2; exit 128")
    summary = tmp_path / "summary.json"
    completed = subprocess.run(
        [sys.executable, "-m", "simulator", "run", "buildspec.yml", "--summary-json", str(summary)],
        cwd=source,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 3, completed.stderr
    assert completed.stderr.splitlines()[-1] == (
        "error: Could not stage the source's git history (git fetch: fatal: the disk said no): check that git "
        "works on this host, or pass --mount."
    )
    record = json.loads(summary.read_text())
    assert record["buildStatus"] == "FAILED"
    download = next(p for p in record["phases"] if p["phaseType"] == "DOWNLOAD_SOURCE")
    assert download["phaseStatus"] == "FAILED"
    assert download["contexts"][0]["statusCode"] == "CLIENT_ERROR"


def test_ctrl_c_at_the_terminal_while_the_source_is_staged_stops_the_build_with_its_record(fixture_source, tmp_path):
    # Found by the review: the terminal's Ctrl-C also killed git (same process group): exit 3, no record.
    source = fixture_source("long_sleep")
    environ = git_wrapper(tmp_path / "bin", "sleep 2")
    summary = tmp_path / "summary.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "run", "buildspec.yml", "--summary-json", str(summary)],
        cwd=source,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, as a shell gives a foreground job
    )
    time.sleep(1.2)
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does: the whole foreground group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    record = json.loads(summary.read_text())
    assert record["buildStatus"] == "STOPPED"
