"""The recorder tells live progress when an action starts and ends; a gate waiting for its answer is not running
(issue 6 item 6). Real SQLite store, no Docker."""

from __future__ import annotations

from pathlib import Path

from simulator.pipeline.executor import ActionOutcome
from simulator.pipeline.loader import load_pipeline
from simulator.pipeline.recording import StoreRecorder
from simulator.pipeline.statuses import ActionStatus
from simulator.pipeline.store import PipelineStore
from simulator.state import StateFolder
from tests.conftest import FIXTURES

CHAIN = load_pipeline(FIXTURES / "pipeline_chain" / "stages" / "pipeline.yml")


class Heard:
    def __init__(self) -> None:
        self.said: list[tuple[str, str, str]] = []

    def started(self, stage: str, action: str) -> None:
        self.said.append(("started", stage, action))

    def finished(self, stage: str, action: str) -> None:
        self.said.append(("finished", stage, action))


def test_builds_are_watched_and_a_gate_is_not(tmp_path: Path):
    heard = Heard()
    with PipelineStore(StateFolder(tmp_path / ".simulator")) as store:
        execution_id = store.start_execution(CHAIN.name)
        recorder = StoreRecorder(store, execution_id, CHAIN, watch=heard)
        for stage, action in (("Build", "Unit"), ("Approve", "Gate")):
            recorder.stage_entered(stage)
            recorder.started(stage, action)
        recorder.finished("Build", "Unit", ActionOutcome(ActionStatus.SUCCEEDED))
        recorder.finished("Approve", "Gate", ActionOutcome(ActionStatus.IN_PROGRESS))
    assert heard.said == [
        ("started", "Build", "Unit"),
        ("finished", "Build", "Unit"),
        ("finished", "Approve", "Gate"),  # harmless: nothing of it was running
    ]
