"""Stepping into a build (issue 7 item 4), with real containers: `run --shell-on-failure` on a pseudo-terminal,
`run --keep`, `run --phase`, `run --watch` with real file changes.

The fixture `step_into_failure` fails in BUILD at `cd sub && export LATE=... && false`, after MY_VAR was exported by
an earlier command and EARLY in INSTALL; its `finally` and POST_BUILD then change MY_VAR and the folder, which the
shell must not see: it starts in the state at the failure.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import docker
import pytest

from simulator.container.labels import is_leftover
from tests.conftest import ROOT, leftover_containers, simulator
from tests.terminal import Terminal

pytestmark = pytest.mark.docker

RUN = ["run", "buildspec.yml", "--parameters", "parameters.yml"]
SECRET = "pw-s3cret-value"
ECHO = b'echo "[$MY_VAR|$LATE|$EARLY|$STAGE|$DB_PASSWORD] $(pwd)"; exit 7\n'


def expected_echo(source_dir: str) -> str:
    return f"[set before the failure|in-the-failing-command|from-install|dev|{SECRET}] {source_dir}/sub"


def build_folder(source: Path) -> Path:
    (folder,) = (source / ".simulator" / "builds").iterdir()
    return folder


def source_dir_of(build: Path) -> str:
    match = re.search(r"CODEBUILD_SRC_DIR=(\S+)", (build / "build.log").read_text())
    assert match, "the log names no CODEBUILD_SRC_DIR"
    return match.group(1)


def shell_lines(text: str) -> list[str]:
    """What the shell printed: the lines starting with `[` after the prompt, less the typed command."""
    # bash's bracketed-paste mode ends each command with an escape and a carriage return, with some TERMs.
    lines = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]\r?", "", text).splitlines()
    return [line.strip() for line in lines if line.startswith("[") and not line.startswith("[Container] ")]


def test_the_shell_sees_the_failing_commands_variables_and_folder_and_its_container_goes(fixture_source):
    source = fixture_source("step_into_failure")
    terminal = Terminal([sys.executable, "-m", "simulator", *RUN, "--shell-on-failure"], source)
    try:
        terminal.read_until(b"(simulator) ")
        # The outcome is written before the shell opens: killing the shell now would lose nothing.
        build = build_folder(source)
        summary = json.loads((build / "summary.json").read_text())
        assert (summary["buildStatus"], summary["phases"][-1]["phaseType"]) == ("FAILED", "COMPLETED")
        assert leftover_containers(summary["id"]) != []  # the container is there while the shell is open
        # Ctrl-C goes to the shell: it ends the shell's `sleep`, not the simulator, and the shell carries on.
        terminal.write(b"sleep 300\n")
        terminal.read_until(b"sleep 300")
        wait_for_process(summary["id"], "sleep 300")  # a Ctrl-C typed before the shell started it reaches the shell
        typed = len(terminal.seen)
        terminal.write(b"\x03")
        terminal.read_until(b"(simulator) ", after=typed)
        terminal.write(ECHO)
    finally:
        code = terminal.finish()
    assert code == 1  # the build's exit code, not the shell's 7
    assert shell_lines(terminal.text) == [expected_echo(source_dir_of(build))]
    assert "Build FAILED: opening a shell in its container with the variables and working directory that " in (
        terminal.text
    )
    assert terminal.text.rstrip().endswith(f"Removing the build container {container_name(summary['id'])}.")
    assert leftover_containers(summary["id"]) == []
    for record in ("build.log", "summary.json"):  # the shell had the secret; no log has it
        assert SECRET not in (build / record).read_text()


def wait_for_process(build_id: str, command: str, timeout: float = 60) -> None:
    """Until the build's container runs `command` (the shell has started it, and it holds the terminal)."""
    container = docker.from_env().containers.list(filters={"label": f"simulator.build-id={build_id}"})[0]
    deadline = time.monotonic() + timeout
    while not any(command in " ".join(process) for process in container.top()["Processes"]):
        assert time.monotonic() < deadline, f"{command!r} never ran in the build's container"
        time.sleep(0.1)


def container_name(build_id: str) -> str:
    from simulator.container.labels import container_name as name

    return name(build_id)


def test_a_simulator_ended_while_the_shell_is_open_still_removes_the_container(fixture_source):
    source = fixture_source("step_into_failure")
    terminal = Terminal([sys.executable, "-m", "simulator", *RUN, "--shell-on-failure"], source)
    try:
        terminal.read_until(b"(simulator) ")
        build_id = json.loads((build_folder(source) / "summary.json").read_text())["id"]
        terminal.process.send_signal(signal.SIGTERM)
    finally:
        code = terminal.finish()
    assert code == 1
    assert "The shell was ended by SIGTERM.\n" in terminal.text
    assert leftover_containers(build_id) == []


def test_a_successful_build_opens_no_shell(fixture_source):
    source = fixture_source("step_into_failure")
    terminal = Terminal([sys.executable, "-m", "simulator", *RUN, "--shell-on-failure", "--phase", "INSTALL"], source)
    code = terminal.finish()
    assert code == 0
    assert "(simulator) " not in terminal.text
    summary = json.loads((build_folder(source) / "summary.json").read_text())
    assert leftover_containers(summary["id"]) == []


def test_keep_leaves_the_container_and_the_printed_commands_enter_and_remove_it(fixture_source):
    source = fixture_source("step_into_failure")
    result = simulator(*RUN, "--keep", cwd=source)
    assert result.code == 1, result.stderr
    build = build_folder(source)
    build_id = json.loads((build / "summary.json").read_text())["id"]
    name = container_name(build_id)
    assert result.stderr.splitlines() == [
        f"Kept the build container {name} (`simulator prune` removes it once this run ends):",
        f"  enter:  docker exec -it -e TERM {name} sh /codebuild/output/tmp/simulator-shell.sh",
        f"  remove: docker rm -f {name}",
    ]
    enter = shlex.split(result.stderr.splitlines()[1].removeprefix("  enter:  "))
    remove = shlex.split(result.stderr.splitlines()[2].removeprefix("  remove: "))
    try:
        container = docker.from_env().containers.get(name)
        assert container.status == "running"
        # What `prune` removes: a container of ours whose owner process is gone.
        assert is_leftover(container.labels)
        terminal = Terminal(enter, source)
        try:
            terminal.read_until(b"(simulator) ")
            terminal.write(ECHO)
        finally:
            assert terminal.finish() == 7  # the shell's own status: this is docker's command, not ours
        assert shell_lines(terminal.text) == [expected_echo(source_dir_of(build))]
    finally:
        removed = subprocess.run(remove, capture_output=True, text=True, check=False)
    assert (removed.returncode, removed.stdout) == (0, f"{name}\n")
    assert leftover_containers(build_id) == []


@pytest.mark.parametrize(
    ("phase", "status", "phases"),
    [
        ("build", "FAILED", ["INSTALL", "PRE_BUILD", "BUILD", "FINALIZING"]),
        ("POST_BUILD", "FAILED", ["INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD", "FINALIZING"]),
        ("Install", "SUCCEEDED", ["INSTALL", "FINALIZING"]),
    ],
)
def test_phase_ends_the_build_after_that_phase(fixture_source, tmp_path, phase, status, phases):
    source = fixture_source("step_into_failure")
    summary_file = tmp_path / "summary.json"
    result = simulator(*RUN, "--phase", phase, "--summary-json", str(summary_file), cwd=source)
    assert result.code == (0 if status == "SUCCEEDED" else 1), result.stderr
    summary = json.loads(summary_file.read_text())
    assert [p["phaseType"] for p in summary["phases"]] == [
        "SUBMITTED",
        "QUEUED",
        "PROVISIONING",
        "DOWNLOAD_SOURCE",
        *phases,
        "COMPLETED",
    ]
    assert (summary["buildStatus"], summary["stoppedAfterPhase"]) == (status, phase.upper())
    assert f"Build {summary['id']} {status} in " in result.stdout
    assert f"s (stopped after {phase.upper()}, as --phase asked)\n" in result.stdout


WATCHED = """version: 0.2
phases:
  build:
    commands:
      - echo "message is $(cat message.txt)"
      - if [ "$(cat message.txt)" = slow ]; then echo sleeping; sleep 300; fi
"""


class Collected:
    """A stream read on a thread, waited on for what it should come to hold."""

    def __init__(self, stream) -> None:
        self.text = ""
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._lock:
                self.text += line

    def wait_for(self, wanted: str, count: int = 1, timeout: float = 180) -> None:
        """Until `count` lines are exactly `wanted`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.text.splitlines().count(wanted) >= count:
                    return
            time.sleep(0.05)
        raise AssertionError(f"never saw {wanted!r} {count} time(s); saw {self.text[-3000:]!r}")

    def join(self) -> None:
        self._thread.join(timeout=30)


def test_watch_runs_again_on_a_change_and_a_change_stops_a_running_build(fixture_source):
    source = fixture_source("step_into_failure")
    (source / "buildspec.yml").write_text(WATCHED)
    (source / "message.txt").write_text("first\n")  # untracked, not ignored: watched as a clone would hold it
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "run", "buildspec.yml", "--watch"],
        cwd=source,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = Collected(process.stdout), Collected(process.stderr)
    try:
        err.wait_for("Watching for changes (Ctrl-C to end).")
        (source / "message.txt").write_text("slow\n")
        out.wait_for("sleeping")  # the second build is in its `sleep 300`
        (source / "message.txt").write_text("third\n")  # stops it, and runs the build again
        err.wait_for("Watching for changes (Ctrl-C to end).", count=2)
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        out.join()
        err.join()
        process.stdout.close()
        process.stderr.close()
    assert code == 130
    messages = [line for line in out.text.splitlines() if line.startswith("message is ")]
    assert messages == ["message is first", "message is slow", "message is third"]
    changed = str(source / "message.txt")
    assert err.text.splitlines() == [
        "Watching for changes (Ctrl-C to end).",
        f"Changed: {changed}: running the build again.",
        f"Changed: {changed}: stopping the build to run it again.",
        f"Changed: {changed}: running the build again.",
        "Watching for changes (Ctrl-C to end).",
        "Watch ended.",
    ]
    summaries = [json.loads((b / "summary.json").read_text()) for b in (source / ".simulator" / "builds").iterdir()]
    statuses = [s["buildStatus"] for s in sorted(summaries, key=lambda s: s["buildNumber"])]
    assert statuses == ["SUCCEEDED", "STOPPED", "SUCCEEDED"]  # every run's record kept, one build at a time
    assert [leftover_containers(s["id"]) for s in summaries] == [[], [], []]


RUN_AS = """version: 0.2
phases:
  build:
    run-as: codebuild-user
    commands:
      - export WHO=$(id -un) && cd /tmp && false
"""


def test_the_shell_runs_as_the_run_as_user_of_the_failing_command(fixture_source):
    source = fixture_source("step_into_failure")
    (source / "buildspec.yml").write_text(RUN_AS)
    result = simulator("run", "buildspec.yml", "--keep", cwd=source)
    assert result.code == 1, result.stderr
    build_id = json.loads((build_folder(source) / "summary.json").read_text())["id"]
    name = container_name(build_id)
    try:
        enter = shlex.split(result.stderr.splitlines()[1].removeprefix("  enter:  "))
        assert enter == ["docker", "exec", "-it", "-e", "TERM", "-u", "codebuild-user", name, *enter[-2:]]
        # The same command without a terminal (-i only), its shell fed on standard input.
        typed = subprocess.run(
            ["docker", "exec", "-i", "-u", "codebuild-user", name, *enter[-2:]],
            input='echo "[$WHO] $(id -un) $(pwd)"\n',
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert (typed.returncode, typed.stdout) == (0, "[codebuild-user] codebuild-user /tmp\n")
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)
    assert leftover_containers(build_id) == []
