"""The process entry point: an interrupt at any moment exits 130 without a traceback."""

import os
import signal

import pytest

import simulator.cli.main
from simulator.cli.entry import entry


@pytest.fixture(autouse=True)
def restore_sigterm():
    previous = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, previous)


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
