"""A container session for phase-machine tests: scripted exit codes, no Docker (pure logic only)."""

from __future__ import annotations

import contextlib
import io
import tarfile
from dataclasses import dataclass, field

from simulator.container.protocol import AgentRequest
from simulator.container.session import CommandOutcome, DeadlineReached, SessionLost, StopRequested


@dataclass
class FakeSession:
    exit_statuses: dict[str, int] = field(default_factory=dict)  # command -> status (default 0)
    outputs: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # relative to CODEBUILD_SRC_DIR
    variables: dict[str, str] = field(default_factory=dict)
    times_out_on: str | None = None
    interrupted_on: str | None = None
    dies_on: str | None = None
    gives_up_on: str | None = None  # the caller stops waiting (a third Ctrl-C): KeyboardInterrupt
    commands: list[str] = field(default_factory=list)
    succeeding_flags: list[str] = field(default_factory=list)
    users: list[str | None] = field(default_factory=list)
    _files_out: dict[str, bytes] = field(default_factory=dict)  # what the fake container wrote

    def run(self, request: AgentRequest, on_output, deadline, stop=None):
        lines = request.script.split("\n")
        if lines[-1].startswith('set -- "$?"'):
            lines = lines[:-1]  # the session is saved after a command: nothing to fake there
        body = lines[3:]
        if body[0] == "{":  # a probe whose output goes to a file
            self._files_out["/codebuild/output/tmp/probe.out"] = self._probe_output(body[1:-1])
        elif body[0].startswith("tar -c -h"):
            listed = self._files_out["/codebuild/output/tmp/artifacts.list"].split(b"\0")
            self._files_out["/codebuild/output/tmp/artifacts.tar"] = self._pack([n.decode() for n in listed if n])
        elif body != [":"]:
            return self._command("\n".join(body), lines[1], request.user, on_output)
        return CommandOutcome(0, 0.0, 0.0)

    def _probe_output(self, body):
        if body[0].startswith("find "):
            return b"".join(b"./" + name.encode() + b"\0" for name in self.files)
        if body[0].startswith("if ["):
            return b"".join(f"{k}\0{v}\0".encode() for k, v in self.variables.items())
        if body[0].startswith("cat <<"):
            return body[1].encode() + b"\n\n"
        raise AssertionError(f"unexpected probe {body}")

    def _command(self, command, second_line, user, on_output):
        if command == self.times_out_on:
            raise DeadlineReached()
        if command == self.interrupted_on:
            raise StopRequested()
        if command == self.dies_on:
            raise SessionLost("gone")
        if command == self.gives_up_on:
            raise KeyboardInterrupt
        self.commands.append(command)
        self.users.append(user)
        self.succeeding_flags.append(second_line.rsplit("=", 1)[-1])
        on_output(self.outputs.get(command, b""))
        return CommandOutcome(self.exit_statuses.get(command, 0), 0.0, 0.0)

    def _pack(self, names):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            for name in names:
                content = self.files[name.removeprefix("./")]
                info = tarfile.TarInfo(name)
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
        return buffer.getvalue()

    def write_file(self, path, content):
        self._files_out[path] = content

    def open_file(self, path):
        return contextlib.nullcontext(io.BytesIO(self._files_out[path]))

    def recover(self, timeout):
        self.recovered = True
        return True
