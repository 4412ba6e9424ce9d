"""`run --shell-on-failure`, `--keep`, `--phase`, `--watch`: every refusal is one sentence before anything runs."""

from __future__ import annotations

import argparse
import os
import pty
import subprocess
import sys

import pytest

from simulator.cli.debug_flags import phase_name
from simulator.codebuild.phases import PhaseType
from tests.cli.test_bad_input import run_on
from tests.conftest import ROOT, simulator


@pytest.fixture
def good_source(tmp_path):
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    return tmp_path


@pytest.mark.parametrize(
    ("given", "phase"),
    [("BUILD", PhaseType.BUILD), ("build", PhaseType.BUILD), ("Pre_Build", PhaseType.PRE_BUILD)],
)
def test_phase_names_are_case_insensitive(given, phase):
    assert phase_name(given) is phase


@pytest.mark.parametrize("given", ["UPLOAD_ARTIFACTS", "FINALIZING", "deploy", ""])
def test_only_buildspec_phases_can_be_stopped_after(given):
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        phase_name(given)
    assert str(raised.value) == (f"{given!r} is not a buildspec phase: pass INSTALL, PRE_BUILD, BUILD or POST_BUILD")


def test_a_bad_phase_name_is_one_sentence(capsys, good_source):
    assert run_on(capsys, good_source, "--phase", "UPLOAD_ARTIFACTS") == (
        2,
        "",
        "error: simulator run: argument --phase: 'UPLOAD_ARTIFACTS' is not a buildspec phase: pass INSTALL, "
        "PRE_BUILD, BUILD or POST_BUILD (see --help).\n",
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--watch", "--shell-on-failure"],
            "error: --watch and --shell-on-failure do not go together (a change would have to stop a shell someone "
            "is typing in): use --shell-on-failure without --watch.\n",
        ),
        (
            ["--watch", "--keep"],
            "error: --watch and --keep do not go together (every change would leave a container): drop one.\n",
        ),
        (
            ["--watch", "--mount"],
            "error: --watch and --mount do not go together (the build writes into the watched folder): drop one.\n",
        ),
    ],
)
def test_flags_that_do_not_go_together(capsys, good_source, flags, message):
    assert run_on(capsys, good_source, *flags) == (2, "", message)
    assert not (good_source / ".simulator").exists()  # refused before the build: no build number taken


NO_TERMINAL = (
    "error: --shell-on-failure needs a terminal, and standard input or output is not one: run it from a terminal, "
    "or use --keep and enter the container afterwards.\n"
)


def test_shell_on_failure_without_a_terminal_is_refused_before_the_build(good_source):
    result = simulator("run", "buildspec.yml", "--shell-on-failure", cwd=good_source)
    assert (result.code, result.stdout, result.stderr) == (2, "", NO_TERMINAL)
    assert not (good_source / ".simulator").exists()


def test_shell_on_failure_needs_its_input_to_be_a_terminal_too(good_source):
    # Standard output is a terminal, standard input is not (`... < /dev/null` in a terminal).
    code, seen = _on_terminal(good_source, ["run", "buildspec.yml", "--shell-on-failure"], stdin=subprocess.DEVNULL)
    assert (code, seen) == (2, NO_TERMINAL.replace("\n", "\r\n"))
    assert not (good_source / ".simulator").exists()


def test_shell_on_failure_without_the_docker_command_is_an_environment_problem(good_source):
    code, seen = _on_terminal(good_source, ["run", "buildspec.yml", "--shell-on-failure"], path="/nonexistent")
    assert (code, seen) == (
        3,
        "error: --shell-on-failure opens the shell with the docker command, which is not on PATH: install Docker's "
        "command-line client.\r\n",
    )
    assert not (good_source / ".simulator").exists()


def _on_terminal(cwd, argv, *, stdin=None, path=None):
    controller, terminal = pty.openpty()
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    if path is not None:
        environ["PATH"] = path
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", *argv],
        cwd=cwd,
        env=environ,
        stdin=terminal if stdin is None else stdin,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    seen = b""
    try:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end closed: the process has ended
                break
            if not chunk:
                break
            seen += chunk
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    return code, seen.decode()
