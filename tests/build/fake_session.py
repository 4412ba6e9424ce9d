"""A container session for phase-machine tests: scripted exit codes, no Docker (pure logic only)."""

from __future__ import annotations

import contextlib
import io
import tarfile
from dataclasses import dataclass, field

from simulator.container.protocol import AgentRequest
from simulator.container.session import CommandOutcome, DeadlineReached


@dataclass
class FakeSession:
    exit_statuses: dict[str, int] = field(default_factory=dict)  # command -> status (default 0)
    outputs: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # relative to CODEBUILD_SRC_DIR
    variables: dict[str, str] = field(default_factory=dict)
    times_out_on: str | None = None
    interrupted_on: str | None = None
    commands: list[str] = field(default_factory=list)
    succeeding_flags: list[str] = field(default_factory=list)
    users: list[str | None] = field(default_factory=list)
    _archive: bytes = b""

    def run(self, request: AgentRequest, on_output, deadline):
        lines = request.script.split("\n")
        if lines[-1].startswith('set -- "$?"'):
            lines = lines[:-1]  # the session is saved after a command: nothing to fake there
        body = "\n".join(lines[3:])
        if body.startswith("find "):
            on_output(b"".join(b"./" + name.encode() + b"\0" for name in self.files))
        elif body.startswith("tar -cf"):
            self._archive = self._pack(body)
        elif body.startswith("if ["):
            on_output(b"".join(f"{k}\0{v}\0".encode() for k, v in self.variables.items()))
        elif body.startswith('printf "%s"'):
            on_output(body.split('"')[3].encode())
        elif body != ":":
            return self._command(body, lines[1], request.user, on_output)
        return CommandOutcome(0, 0.0, 0.0)

    def _command(self, command, second_line, user, on_output):
        if command == self.times_out_on:
            raise DeadlineReached()
        if command == self.interrupted_on:
            raise KeyboardInterrupt
        self.commands.append(command)
        self.users.append(user)
        self.succeeding_flags.append(second_line.rsplit("=", 1)[-1])
        on_output(self.outputs.get(command, b""))
        return CommandOutcome(self.exit_statuses.get(command, 0), 0.0, 0.0)

    def _pack(self, body):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            for quoted in body.split(" -- ", 1)[1].split(" "):
                name = quoted.strip("'")
                content = self.files[name.removeprefix("./")]
                info = tarfile.TarInfo(name)
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
        return buffer.getvalue()

    def open_file(self, path):
        return contextlib.nullcontext(io.BytesIO(self._archive))

    def recover(self, timeout):
        self.recovered = True
        return True
