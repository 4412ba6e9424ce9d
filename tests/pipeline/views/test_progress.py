"""Live progress while an execution runs (issue 6 item 6): which actions are running and for how long, said only
into a quiet console. A fake clock for the pure parts; the real console and thread for the rest."""

from __future__ import annotations

import io
import json
import threading
import time

from simulator.pipeline.views.console import SharedConsole
from simulator.pipeline.views.progress import LiveProgress


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def progress_on(clock: Clock, *, json_events: bool = False) -> tuple[LiveProgress, io.StringIO]:
    stream = io.StringIO()
    console = SharedConsole(stream, clock=clock)
    return LiveProgress(console, json_events=json_events, quiet_seconds=15, clock=clock), stream


def test_nothing_running_says_nothing():
    clock = Clock()
    progress, stream = progress_on(clock)
    clock.now += 60
    progress.tick()
    assert progress.line() is None
    assert stream.getvalue() == ""


def test_the_running_actions_in_the_order_they_started_with_their_time_so_far():
    clock = Clock()
    progress, _ = progress_on(clock)
    progress.started("Build", "Lint")
    clock.now += 2.5
    progress.started("Build", "Unit")
    progress.started("Deploy", "Publish")
    progress.finished("Deploy", "Publish")
    clock.now += 63
    assert progress.line() == "Still running: Build/Lint 1m 05s, Build/Unit 1m 03s\n"


def test_a_line_only_after_a_quiet_spell_and_the_line_itself_starts_the_next_spell():
    clock = Clock()
    progress, stream = progress_on(clock)
    progress.started("BuildDev", "BuildDev")
    clock.now += 14.9
    progress.tick()
    assert stream.getvalue() == ""  # the build spoke less than 15 s ago
    clock.now += 0.1
    progress.tick()
    assert stream.getvalue() == "Still running: BuildDev/BuildDev 15.0s\n"
    clock.now += 10
    progress.tick()
    assert stream.getvalue().count("\n") == 1
    clock.now += 5
    progress.tick()
    assert stream.getvalue().splitlines()[-1] == "Still running: BuildDev/BuildDev 30.0s"


def test_a_build_line_resets_the_quiet_spell():
    clock = Clock()
    progress, stream = progress_on(clock)
    progress.started("Build", "Unit")
    console = progress._console  # the same console the build writes to
    clock.now += 10
    console.write("Build/Unit | still compiling\n")
    clock.now += 10
    progress.tick()
    assert stream.getvalue() == "Build/Unit | still compiling\n"


def test_json_events_carry_stage_action_and_seconds():
    clock = Clock()
    progress, stream = progress_on(clock, json_events=True)
    progress.started("Build", "Unit")
    clock.now += 20
    progress.tick()
    event = json.loads(stream.getvalue())
    assert event["event"] == "progress"
    assert event["running"] == [{"stage": "Build", "action": "Unit", "seconds": 20.0}]


def test_the_watching_thread_speaks_while_an_action_runs_and_stops_with_the_run():
    stream = io.StringIO()
    console = SharedConsole(stream)
    progress = LiveProgress(console, json_events=False, quiet_seconds=0.2)
    with progress:
        progress.started("Build", "Unit")
        deadline = time.monotonic() + 30
        while "Still running: Build/Unit " not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
        progress.finished("Build", "Unit")
    assert stream.getvalue().startswith("Still running: Build/Unit ")
    assert not [thread for thread in threading.enumerate() if thread.name == "progress"]
