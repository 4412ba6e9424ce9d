"""CodeBuild's log line format (CB §5) and JSON events; masking happens before either is written."""

import io
import json

from simulator.reporting.masking import Masker
from simulator.reporting.render import Fanout, build_logger, json_line, text_line

T = 1795762800.123456  # 2026/11/27 07:00:00.123456 UTC


def test_agent_line_has_container_prefix_and_microseconds():
    line = text_line({"event": "phase_complete", "phase": "BUILD", "state": "FAILED", "time": T})
    assert line == "[Container] 2026/11/27 07:00:00.123456 Phase complete: BUILD State: FAILED"


def test_empty_context_keeps_codebuilds_two_spaces():
    line = text_line({"event": "phase_context", "code": "", "message": "", "time": T})
    assert line == "[Container] 2026/11/27 07:00:00.123456 Phase context status code:  Message: "


def test_command_output_is_written_raw():
    assert text_line({"event": "command_output", "line": "hello", "time": T}) == "hello"


def test_build_finished_is_json_only():
    assert text_line({"event": "build_finished", "status": "FAILED", "time": T}) is None


def test_logger_masks_before_rendering_to_every_destination():
    console, log_file = io.StringIO(), io.StringIO()
    log = build_logger(Masker(["s3cret"]), [(json_line, console), (text_line, log_file)], lambda: T)
    log.info("command_output", line="pw=s3cret")
    assert json.loads(console.getvalue())["line"] == "pw=***"
    assert log_file.getvalue() == "pw=***\n"


class FullDisk(io.StringIO):
    def write(self, text):
        raise OSError(28, "No space left on device")


def test_a_destination_that_cannot_be_written_is_dropped_and_the_others_keep_everything():
    console, full = io.StringIO(), FullDisk()
    fanout = Fanout([(text_line, full), (text_line, console)])
    log = build_logger(Masker(), [], lambda: T, fanout)
    log.info("command_output", line="one")
    log.info("command_output", line="two")
    assert console.getvalue() == "one\ntwo\n"
    assert [(stream, error.errno) for stream, error in fanout.failures] == [(full, 28)]


class ClosedPipe(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


def test_a_console_whose_reader_left_is_dropped_like_any_other_destination():
    # Once found: `run ... | head` killed the build without a summary, the BrokenPipeError escaping the fanout.
    pipe, log_file = ClosedPipe(), io.StringIO()
    fanout = Fanout([(text_line, pipe), (text_line, log_file)])
    log = build_logger(Masker(), [], lambda: T, fanout)
    log.info("command_output", line="one")
    log.info("command_output", line="two")
    assert log_file.getvalue() == "one\ntwo\n"
    assert [(stream, type(error)) for stream, error in fanout.failures] == [(pipe, BrokenPipeError)]
