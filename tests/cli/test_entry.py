"""The process entry point: an interrupt at any moment exits 130 without a traceback."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import structlog

import simulator.cli.commands.validate
import simulator.cli.main
from simulator.cli.entry import entry
from simulator.reporting.masking import Masker
from simulator.reporting.package_warnings import configure_diagnostics

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def restore_signal_handlers():
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def test_sigterm_becomes_an_interrupt_and_exits_130(monkeypatch, capsys):
    def main():
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM should have interrupted main")

    monkeypatch.setattr(simulator.cli.main, "main", main)
    assert entry() == 130
    assert capsys.readouterr().err == "Interrupted.\n"


def test_an_interrupt_outside_the_command_exits_130(monkeypatch, capsys):
    def main():
        raise KeyboardInterrupt

    monkeypatch.setattr(simulator.cli.main, "main", main)
    assert entry() == 130
    assert capsys.readouterr().err == "Interrupted.\n"


def test_the_command_exit_code_passes_through(monkeypatch):
    monkeypatch.setattr(simulator.cli.main, "main", lambda: 2)
    assert entry() == 2


def test_package_warnings_are_one_masked_line_on_stderr(capsys):
    configure_diagnostics(Masker(["s3cret"]))
    structlog.get_logger("simulator.container").warning("container_cleanup_failed", container="c1", error="s3cret")
    assert capsys.readouterr() == ("", "warning: container_cleanup_failed container=c1 error=***\n")


def test_an_unexpected_error_leaves_its_traceback_in_the_users_state_folder_not_the_current_one(
    monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)

    def broken(_args, _masker):
        raise RuntimeError("boom")

    monkeypatch.setattr(simulator.cli.commands.validate, "run", broken)
    code = simulator.cli.main.main(["validate", "x.yml"])
    crash_log = tmp_path / "state" / "simulator" / "crash.log"
    assert (code, capsys.readouterr().err) == (3, f"error: unexpected RuntimeError: boom (details in {crash_log}).\n")
    assert "RuntimeError: boom" in crash_log.read_text()
    assert not (tmp_path / ".simulator").exists()


def test_a_crash_log_that_cannot_be_written_is_said_in_the_same_sentence(monkeypatch, capsys, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))  # a file: the crash log's folder cannot be made

    def broken(_args, _masker):
        raise RuntimeError("boom")

    monkeypatch.setattr(simulator.cli.commands.validate, "run", broken)
    code = simulator.cli.main.main(["validate", "x.yml"])
    assert (code, capsys.readouterr().err) == (
        3,
        "error: unexpected RuntimeError: boom (the details could not be saved either: Not a directory).\n",
    )


def test_a_full_disk_is_one_sentence_and_exit_3(monkeypatch, capsys):
    def full(_args, _masker):
        raise OSError(28, "No space left on device", "/work/.simulator/builds/x/build.log")

    monkeypatch.setattr(simulator.cli.commands.validate, "run", full)
    code = simulator.cli.main.main(["validate", "x.yml"])
    assert (code, capsys.readouterr().err) == (
        3,
        "error: the disk is full (/work/.simulator/builds/x/build.log): free some space and run again.\n",
    )


def test_error_sentences_are_masked_with_the_process_masker(capsys):
    # An error can quote what Docker said about a container, whose environment holds the build's secrets.
    from simulator.cli.main import error_boundary
    from simulator.errors import EnvironmentProblem
    from simulator.reporting.masking import Masker

    with error_boundary(Masker(["s3cret"])) as outcome:
        raise EnvironmentProblem("Docker refused the container: env TOKEN=s3cret is invalid.")
    assert outcome.code == 3
    assert capsys.readouterr().err == "error: Docker refused the container: env TOKEN=*** is invalid.\n"


def test_a_crash_is_masked_on_screen_and_in_the_crash_log(capsys, monkeypatch, tmp_path):
    from simulator.cli.main import error_boundary
    from simulator.reporting.masking import Masker

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    with error_boundary(Masker(["s3cret"])) as outcome:
        raise ValueError("bad value s3cret")
    assert outcome.code == 3
    crash_log = tmp_path / "simulator" / "crash.log"
    assert capsys.readouterr().err == f"error: unexpected ValueError: bad value *** (details in {crash_log}).\n"
    assert "s3cret" not in crash_log.read_text()
    assert "ValueError: bad value ***" in crash_log.read_text()


def test_an_interrupt_while_the_package_is_imported_is_noted_then_exits_130(monkeypatch, capsys):
    # Raised inside pydantic-core's validator building, a KeyboardInterrupt once came out as its SchemaError.
    import sys
    import types

    class Importing(types.ModuleType):
        def __getattr__(self, name):
            try:  # arrives while `from simulator.cli.main import main` runs, inside a library that wraps it
                os.kill(os.getpid(), signal.SIGINT)
            except KeyboardInterrupt as interrupt:
                raise RuntimeError("SchemaError: KeyboardInterrupt") from interrupt
            return lambda *_: 0

    monkeypatch.setitem(sys.modules, "simulator.cli.main", Importing("simulator.cli.main"))
    assert entry() == 130
    assert capsys.readouterr().err == "Interrupted.\n"


# A Ctrl-C that lands in source text run by exec() (dataclasses and namedtuple build their methods that way, so
# any lazy import can be the place) leaves CPython noting an unhandled KeyboardInterrupt even once it is caught:
# `python -m` then died by SIGINT (-2) instead of exiting 130. Found in CI (tests/docker/test_lifecycle.py).
INTERRUPTED_IN_THE_COMMAND = """
import runpy
import simulator.cli.main

def main(argv=None):
    exec("raise KeyboardInterrupt")

simulator.cli.main.main = main
runpy.run_module("simulator", run_name="__main__", alter_sys=True)
"""
INTERRUPTED_WHILE_IMPORTING = """
import runpy
import sys

class Interrupting:
    def find_spec(self, name, path=None, target=None):
        if name == "simulator.cli.entry":
            exec("raise KeyboardInterrupt")

sys.meta_path.insert(0, Interrupting())
runpy.run_module("simulator", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize(
    ("launcher", "said"),
    [(INTERRUPTED_IN_THE_COMMAND, "Interrupted.\n"), (INTERRUPTED_WHILE_IMPORTING, "")],
    ids=["in-the-command", "while-importing"],
)
def test_an_interrupt_caught_inside_exec_text_still_exits_130(tmp_path, launcher, said):
    (tmp_path / "launcher").mkdir()
    (tmp_path / "launcher" / "__main__.py").write_text(launcher)
    completed = subprocess.run(
        [sys.executable, "-m", "launcher", "validate"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (completed.returncode, completed.stderr) == (130, said)
