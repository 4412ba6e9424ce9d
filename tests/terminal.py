"""A process on a pseudo-terminal, for the tests that answer prompts and open shells as a person would."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

from tests.conftest import ROOT


class Terminal:
    """A process on a pseudo-terminal, as a person at a terminal would run it."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.controller, terminal = pty.openpty()
        environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.process = subprocess.Popen(argv, cwd=cwd, env=environ, stdin=terminal, stdout=terminal, stderr=terminal)
        os.close(terminal)
        self.seen = b""

    def read_until(self, wanted: bytes, timeout: float = 180, after: int = 0) -> None:
        """Until `wanted` is on the terminal, past the first `after` bytes seen."""
        deadline = time.monotonic() + timeout
        while wanted not in self.seen[after:]:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"never saw {wanted!r}; saw {self.seen[-3000:]!r}")
            ready, _, _ = select.select([self.controller], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.controller, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"the terminal closed before {wanted!r}; saw {self.seen[-3000:]!r}")
                self.seen += chunk

    def write(self, data: bytes) -> None:
        os.write(self.controller, data)

    def finish(self, timeout: float = 120) -> int:
        try:
            code = self.process.wait(timeout=timeout)
            self.read_rest()
            return code
        finally:
            if self.process.poll() is None:
                self.process.kill()
            os.close(self.controller)

    def read_rest(self) -> None:
        while True:
            try:
                chunk = os.read(self.controller, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.seen += chunk

    @property
    def text(self) -> str:
        return self.seen.decode(errors="replace").replace("\r\n", "\n")
