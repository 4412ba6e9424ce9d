"""Read a file the user names (a buildspec, a values or env file) as text, refusing what is no such file.

A FIFO would block the open until someone writes to it and a device such as /dev/zero never ends, so only
regular files are read, opened without blocking, and never more than MAX_FILE_BYTES: far more than any real
buildspec, values or env file, and still read in seconds.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 32 * 1024 * 1024


class UnreadableFile(Exception):
    """Why the file cannot be read; `line` is 1-based.

    `problem` is a clause for a diagnostic about the file (`cannot read the file: Permission denied`), `reason`
    the same for a sentence that names the file already (`Permission denied`).
    """

    def __init__(self, problem: str, line: int = 1, reason: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line
        self.reason = reason or problem


def _os_error(exc: OSError) -> UnreadableFile:
    reason = exc.strerror or str(exc)
    return UnreadableFile(f"cannot read the file: {reason}", reason=reason)


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    data = _read_bytes(path, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile("the file is not UTF-8 text", data[: exc.start].count(b"\n") + 1) from exc


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise _os_error(exc) from exc
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise UnreadableFile("it is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise UnreadableFile("it is not a regular file (a pipe, device or socket cannot be read as one)")
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise _os_error(exc) from exc
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise UnreadableFile(f"the file is larger than {max_bytes // (1024 * 1024)} MiB")
    return data
