"""`pipeline status --watch` (issue 6 item 6, live progress from another terminal): the picture again whenever a
status changes, until the execution ends or waits at a gate. Real SQLite store, no Docker."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from simulator.cli.commands.pipeline.status import _watch
from simulator.cli.main import main
from simulator.pipeline.statuses import ActionStatus, ExecutionStatus
from simulator.pipeline.store import ActionRef, PipelineStore
from simulator.state import StateFolder


@pytest.fixture
def store(tmp_path: Path):
    with PipelineStore(StateFolder(tmp_path / ".simulator")) as opened:
        yield opened


def building(store: PipelineStore) -> tuple[str, ActionRef]:
    execution_id = store.start_execution("shop-chain")
    store.start_stage(execution_id, "Build")
    return execution_id, store.start_action(execution_id, "Build", "Unit")


def test_the_picture_again_on_each_change_until_the_execution_ends(store):
    execution_id, unit = building(store)
    out = io.StringIO()
    ended = threading.Event()
    watcher = threading.Thread(target=lambda: (_watch(store, execution_id, out, interval=0.02), ended.set()))
    watcher.start()
    try:
        deadline = time.monotonic() + 30
        while "Unit  InProgress" not in out.getvalue():
            assert watcher.is_alive() and time.monotonic() < deadline, out.getvalue()
            time.sleep(0.01)
        store.finish_action(unit, ActionStatus.SUCCEEDED)
        store.finish_stage(execution_id, "Build")
        store.finish_execution(execution_id, ExecutionStatus.SUCCEEDED)
        assert ended.wait(timeout=30)
    finally:
        watcher.join(timeout=30)
    pictures = out.getvalue().split("\n\n" + f"Execution {execution_id} of shop-chain: ")
    assert out.getvalue().startswith(f"Execution {execution_id} of shop-chain: InProgress\n")
    assert "running for " in pictures[0]
    assert pictures[-1].startswith("Succeeded\n")
    assert out.getvalue().count(f"Execution {execution_id} of shop-chain: InProgress") == 1  # unchanged: not again


def test_an_execution_waiting_at_a_gate_is_shown_once_and_the_watch_ends(store, tmp_path, monkeypatch, capsys):
    execution_id, unit = building(store)
    store.finish_action(unit, ActionStatus.SUCCEEDED)
    store.finish_stage(execution_id, "Build")
    store.start_stage(execution_id, "Approve")
    gate = store.start_action(execution_id, "Approve", "Gate", owned=False)
    store.open_gate(gate, custom_data="", external_link="", notification_arn="", timeout_minutes=None)
    monkeypatch.chdir(tmp_path)
    assert main(["pipeline", "status", "--watch", execution_id]) == 0
    out = capsys.readouterr().out
    assert out.count(f"Execution {execution_id} of shop-chain: InProgress\n") == 1
    assert "Gate  InProgress" in out
