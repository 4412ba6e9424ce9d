"""The process entry point: an interrupt at any moment exits 130 without a traceback."""

import os
import signal

import pytest
import structlog

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
