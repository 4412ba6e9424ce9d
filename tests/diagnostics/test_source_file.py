"""Reading the user's files: regular files only, bounded, UTF-8, with one clause saying what is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.diagnostics import MAX_FILE_BYTES, UnreadableFile, read_text
from tests.conftest import ROOT


def problem(path, **limits) -> tuple[str, int, str]:
    with pytest.raises(UnreadableFile) as caught:
        read_text(path, **limits)
    return caught.value.problem, caught.value.line, caught.value.reason


def test_a_regular_utf8_file_is_read_as_written(tmp_path):
    path = tmp_path / "a.yml"
    path.write_bytes("name: é\r\n".encode())
    assert read_text(path) == "name: é\r\n"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "values.fifo"
    os.mkfifo(fifo)
    # In a process of its own: a regression would block in open() forever, so the timeout fails it instead.
    script = f"from pathlib import Path\nfrom simulator.diagnostics import read_text\nread_text(Path({str(fifo)!r}))\n"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.stderr.strip().splitlines()[-1] == (
        "simulator.diagnostics.source_file.UnreadableFile: "
        "it is not a regular file (a pipe, device or socket cannot be read as one)"
    )


def test_a_device_is_refused_before_reading():
    assert problem(Path("/dev/zero")) == (
        "it is not a regular file (a pipe, device or socket cannot be read as one)",
        1,
        "it is not a regular file (a pipe, device or socket cannot be read as one)",
    )


def test_a_folder_is_refused(tmp_path):
    assert problem(tmp_path)[0] == "it is a folder, not a file"


def test_a_file_above_the_limit_is_refused(tmp_path):
    path = tmp_path / "big.yml"
    path.write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    assert problem(path, max_bytes=2 * 1024 * 1024)[0] == "the file is larger than 2 MiB"
    assert MAX_FILE_BYTES == 32 * 1024 * 1024


def test_a_file_at_the_limit_is_read(tmp_path):
    path = tmp_path / "big.yml"
    path.write_bytes(b"x" * 1024)
    assert read_text(path, max_bytes=1024) == "x" * 1024


def test_non_utf8_text_names_its_line(tmp_path):
    path = tmp_path / "latin1.yml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    assert problem(path) == ("the file is not UTF-8 text", 2, "the file is not UTF-8 text")


def test_a_missing_file_and_a_name_too_long(tmp_path):
    assert problem(tmp_path / "nope.yml") == (
        "cannot read the file: No such file or directory",
        1,
        "No such file or directory",
    )
    assert problem(tmp_path / ("a" * 256))[2] == "File name too long"
