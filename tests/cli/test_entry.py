"""The process entry point: an interrupt at any moment exits 130 without a traceback."""

import os
import signal

import pytest
import structlog

import simulator.cli.commands.validate
import simulator.cli.main
from simulator.cli.entry import entry
from simulator.cli.main import configure_diagnostics


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


def test_package_warnings_are_one_line_on_stderr(capsys):
    configure_diagnostics()
    structlog.get_logger("simulator.container").warning("container_cleanup_failed", container="c1", error="busy")
    assert capsys.readouterr() == ("", "warning: container_cleanup_failed container=c1 error=busy\n")


def test_an_unexpected_error_leaves_its_traceback_in_the_users_state_folder_not_the_current_one(
    monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)

    def broken(_args):
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

    def broken(_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(simulator.cli.commands.validate, "run", broken)
    code = simulator.cli.main.main(["validate", "x.yml"])
    assert (code, capsys.readouterr().err) == (
        3,
        "error: unexpected RuntimeError: boom (the details could not be saved either: Not a directory).\n",
    )


def test_a_full_disk_is_one_sentence_and_exit_3(monkeypatch, capsys):
    def full(_args):
        raise OSError(28, "No space left on device", "/work/.simulator/builds/x/build.log")

    monkeypatch.setattr(simulator.cli.commands.validate, "run", full)
    code = simulator.cli.main.main(["validate", "x.yml"])
    assert (code, capsys.readouterr().err) == (
        3,
        "error: the disk is full (/work/.simulator/builds/x/build.log): free some space and run again.\n",
    )
