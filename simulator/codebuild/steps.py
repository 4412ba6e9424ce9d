"""Steps of the simulator's own inside the build container: listing files, packing artifacts, expanding names.

What a step prints comes back through a file, not the shared output stream, because a build's background
processes (a `dockerd &`, a test server) may print at any time; whatever does arrive on the stream while a step
runs is theirs, and goes to the build's log like any other output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.codebuild.output import Capture, CutPoint, LineSplitter
from simulator.codebuild.scripts import LIST_FILES_BODY, PROBE_OUTPUT, ScriptFactory, expand_body
from simulator.container.session import Session


class StepFailed(Exception):
    """A step of the simulator's own (listing or packing artifacts) failed inside the build container."""


@dataclass
class Steps:
    session: Session
    scripts: ScriptFactory
    deadline: Callable[[], float]
    stop_requested: Callable[[], bool]
    log_output: Callable[[str], None]  # one line of the build's own output
    heredoc_end: str
    line_cut: CutPoint | None = None  # where a long line may be split without splitting a secret

    def run(self, body: list[str], *, keep_output: bool = False) -> bytes:
        step = body[0].split()[0]
        if keep_output:
            body = ["{", *body, f"}} > {PROBE_OUTPUT}"]
        capture = Capture()
        outcome = self.session.run(self.scripts.probe(body), capture, self.deadline(), self.stop_requested)
        if not outcome:
            output = capture.data.decode(errors="replace").strip()
            raise StepFailed(f"{step} failed in the build image: {output or 'no output'}")
        self._log_background_output(bytes(capture.data))
        if not keep_output:
            return b""
        with self.session.open_file(PROBE_OUTPUT) as output_file:
            return output_file.read()

    def list_source_files(self) -> list[str]:
        listing = self.run(LIST_FILES_BODY, keep_output=True)
        return sorted({p.removeprefix("./") for p in listing.decode(errors="surrogateescape").split("\0") if p})

    def evaluate(self, text: str) -> str:
        """Shell expansion of a value such as `myname-$(date +%Y-%m-%d)` (CB §1.9 `name`)."""
        expanded = self.run(expand_body(text, self.heredoc_end), keep_output=True)
        # The here-document ends "<value>\n\n", or "<value>\n" when the value ended in a backslash.
        return expanded.decode(errors="replace").removesuffix("\n").removesuffix("\n")

    def _log_background_output(self, data: bytes) -> None:
        if data:
            lines = LineSplitter(self.log_output, self.line_cut)
            lines.feed(data)
            lines.flush()
