"""A pipeline's console: lines labelled with stage and action, whole lines from many threads."""

from __future__ import annotations

import io
import json
import threading

from simulator.pipeline.views.console import SharedConsole, labelled_json, labelled_text
from simulator.reporting.render import json_line, text_line

EVENT = {"event": "command_output", "line": "npm test passed", "time": 0.0, "level": "info"}


def test_text_lines_carry_stage_and_action_as_docker_compose_does():
    assert labelled_text(text_line, "BuildDev", "Unit")(dict(EVENT)) == "BuildDev/Unit | npm test passed"


def test_json_events_carry_stage_and_action_fields():
    record = json.loads(labelled_json(json_line, "BuildDev", "Unit")(dict(EVENT)) or "")
    assert (record["stage"], record["action"], record["line"]) == ("BuildDev", "Unit", "npm test passed")


def test_many_threads_write_whole_lines():
    stream = io.StringIO()
    console = SharedConsole(stream)

    def write(label: str) -> None:
        for index in range(500):
            console.write(f"{label} line {index} {'x' * 200}\n")
            console.flush()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("A", "B", "C")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1500
    assert all(line.split(" ")[0] in "ABC" and line.endswith("x" * 200) for line in lines)
