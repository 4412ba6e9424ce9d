"""A store in a fresh state folder, with a clock the test moves (time is the only thing faked here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.pipeline.store import PipelineStore
from simulator.reporting.masking import Masker
from simulator.state import StateFolder


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(tmp_path: Path) -> StateFolder:
    return StateFolder(tmp_path / ".simulator")


@pytest.fixture
def store(state: StateFolder, clock: Clock):
    with PipelineStore(state, masker=Masker(["hunter2"]), clock=clock) as opened:
        yield opened
