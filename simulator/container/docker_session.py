"""A build's container and its session: one container per build, its agent fed over the attach socket."""

from __future__ import annotations

import contextlib
import io
import posixpath
import queue
import re
import secrets
import socket
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import IO, Any

import docker
import docker.errors
import docker.types
import structlog
from docker.models.containers import Container

from simulator.cancellation.deferred import interrupts_deferred
from simulator.container.attach_stream import END_OF_STREAM, AttachStreamReader
from simulator.container.engine import first_line
from simulator.container.labels import BUILD_LABEL, MANAGED_LABEL, container_name, owner_labels
from simulator.container.protocol import AgentRequest, Finished, Output, ReplyParser, StreamEvent, handshake
from simulator.container.removal import remove_container
from simulator.container.session import (
    CommandOutcome,
    DeadlineReached,
    OutputSink,
    SessionLost,
    StopCheck,
    StopRequested,
)
from simulator.errors import EnvironmentProblem

_SPOOL_IN_MEMORY = 64 * 1024 * 1024
# What runc says when the entrypoint is missing: "exec: "/bin/sh": stat /bin/sh: no such file or directory".
_MISSING_SHELL = re.compile(r'"?/bin/sh"?: (stat /bin/sh: )?no such file or directory|executable file not found')
_STOP_POLL_SECONDS = 0.05  # how often a wait looks at the build's cancel token; events wake it at once

log = structlog.get_logger("simulator.container")


def agent_script() -> str:
    return resources.files("simulator.container").joinpath("agent.sh").read_text()


def agent_entrypoint(git_safe_directories: Sequence[str]) -> list[str]:
    """The agent gets its own text again, to restart itself hardened (see agent.sh); never the nonce."""
    script = agent_script()
    return ["/bin/sh", "-c", script, "simulator-agent", script, *git_safe_directories]


@dataclass(frozen=True)
class BindMount:
    """A host folder seen inside the container; one host folder may be mounted at several places."""

    host: str
    container: str


@dataclass(frozen=True)
class ContainerSpec:
    image: str
    build_id: str
    environment: Mapping[str, str]
    bind_mounts: Sequence[BindMount] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    git_safe_directories: Sequence[str] = ()  # the source folders, whoever owns them (git's safe.directory)
    hidden_folders: Sequence[str] = ()  # folders inside a bind mount the build must see empty (an empty tmpfs)

    def all_labels(self) -> dict[str, str]:
        return {MANAGED_LABEL: "true", BUILD_LABEL: self.build_id, **owner_labels(), **self.labels}


class DockerSession:
    """A running build container whose agent runs one script at a time."""

    def __init__(
        self, container: Container, sock: socket.socket, reader: AttachStreamReader, attach: object = None
    ) -> None:
        self.container = container
        self._sock = sock
        self._attach = attach  # docker's wrapper around the socket, closed with it
        self._reader = reader
        self._lost = False
        self._pending: int | None = None  # the request whose end marker has not arrived yet
        # Set by the session's owner (`run --keep`): the container outlives the session, labelled as before, so
        # `prune` finds it once this process is gone.
        self.keep_container = False

    def run(
        self, request: AgentRequest, on_output: OutputSink, deadline: float | None, stop: StopCheck | None = None
    ) -> CommandOutcome:
        if self._lost or self._pending is not None:
            raise SessionLost("the build container is gone, or still busy with an interrupted command")
        started = time.time()
        self._pending = request.request_id
        try:
            self._sock.sendall(request.encode())
        except OSError as error:
            self._lost = True
            raise SessionLost(f"the build container stopped accepting commands: {error}") from error
        while True:
            event = self._next_event(deadline, stop)
            if isinstance(event, Output):
                on_output(event.data)
            elif isinstance(event, Finished) and event.request_id == request.request_id:
                self._pending = None
                return CommandOutcome(event.exit_status, started, time.time())

    def _next_event(self, deadline: float | None, stop: StopCheck | None = None) -> StreamEvent:
        while True:
            # Checked before reading: with output queued, a read never waits, so it would never time out.
            if stop is not None and stop():
                raise StopRequested()
            timeout = None if deadline is None else deadline - time.time()
            if timeout is not None and timeout <= 0:
                raise DeadlineReached()
            if stop is not None:
                timeout = _STOP_POLL_SECONDS if timeout is None else min(timeout, _STOP_POLL_SECONDS)
            try:
                event = self._reader.events.get(timeout=timeout)
                break
            except queue.Empty:
                if stop is None:
                    raise DeadlineReached() from None
        if event is END_OF_STREAM:
            self._lost = True
            raise SessionLost("the build container ended while a command was running")
        return event

    def stop_reading(self) -> None:
        """From now on the reader drops what arrives instead of waiting for room in a full queue."""
        self._reader.stopping.set()

    def start_reading(self) -> None:
        self._reader.start()

    def join_reader(self) -> None:
        """After the container is gone; `stop_reading` ran first, so the reader cannot be waiting on the queue.

        The attach socket is closed then: a process running many builds (a pipeline) must not keep one per build.
        A kept container's stream never ends by itself, so its socket is closed first, which ends the reader.
        """
        if self.keep_container:
            self.close_channel()
        self._reader.join(timeout=5)
        self.close_channel()

    def abandon(self) -> None:
        """For a session that never ran: stop the reader, close its socket and wait for its thread to end."""
        self.stop_reading()
        self.close_channel()
        self._reader.join(timeout=5)

    def close_channel(self) -> None:
        """Close the attach socket (which also ends the reader's wait for data) and docker's wrapper around it."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._sock.close()
            close = getattr(self._attach, "close", None)
            if close is not None:
                close()

    def recover(self, timeout: float) -> bool:
        """Kill every process but the agent (PID 1), then wait for the agent to report the killed command."""
        if self._pending is None:
            return not self._lost
        try:
            # kill(-1) reaches every process the caller may signal except PID 1 and the caller itself.
            self.container.exec_run(["/bin/sh", "-c", "kill -9 -1"], user="0:0")
        except docker.errors.DockerException as error:
            log.warning("container_interrupt_failed", error=first_line(error))
            return False
        deadline = time.time() + timeout
        while True:
            try:
                event = self._next_event(deadline)
            except (DeadlineReached, SessionLost):
                return False
            if isinstance(event, Finished) and event.request_id == self._pending:
                self._pending, self._lost = None, False
                return True

    def write_file(self, path: str, content: bytes) -> None:
        folder, name = posixpath.split(path)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(content), 0o644
            archive.addfile(info, io.BytesIO(content))
        self.container.put_archive(folder, buffer.getvalue())

    @contextmanager
    def open_file(self, path: str) -> Iterator[IO[bytes]]:
        """Docker hands a file back wrapped in a tar; it is spooled to disk past 64 MiB, never all in memory."""
        stream, _ = self.container.get_archive(path)
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            for chunk in stream:
                spool.write(chunk)
            spool.seek(0)
            with tarfile.open(fileobj=spool) as archive:
                member = archive.next()
                extracted = archive.extractfile(member) if member else None
                if extracted is None:
                    raise FileNotFoundError(path)
                yield extracted


@contextmanager
def open_session(
    client: docker.DockerClient, spec: ContainerSpec, staged_files: IO[bytes] | Sequence[IO[bytes]] | None
) -> Iterator[DockerSession]:
    """Create, fill (with each archive, in order) and start the build container; it is removed on the way out,
    whatever happens."""
    nonce = secrets.token_hex(8)
    started: list[DockerSession] = []
    with ExitStack() as cleanup:
        # Callbacks run last-registered first: the reader stops queueing (it keeps reading, so the engine can
        # finish writing what the container printed), the container goes, then the reader thread ends.
        cleanup.callback(lambda: _each(started, DockerSession.join_reader))
        with interrupts_deferred():
            container = _create(
                client,
                spec.image,
                entrypoint=agent_entrypoint(spec.git_safe_directories),
                command=[],
                user="0:0",  # CB §1.3: commands run as root even if the image sets USER
                working_dir="/",
                environment=dict(spec.environment),
                labels=spec.all_labels(),
                name=container_name(spec.build_id),
                stdin_open=True,
                tty=False,
                mounts=docker_mounts(spec.bind_mounts, spec.hidden_folders),
            )
            cleanup.callback(_remove_unless_kept, container, started)
        cleanup.callback(lambda: _each(started, DockerSession.stop_reading))
        started.append(_start(client, container, staged_files, nonce))
        yield started[0]


def docker_mounts(bind_mounts: Sequence[BindMount], hidden_folders: Sequence[str] = ()) -> list[docker.types.Mount]:
    """Mounts keyed by where they land: Docker's `volumes` option is keyed by host path, and would keep only one
    of two mounts of the same folder (a primary source given again as a secondary one)."""
    binds = [docker.types.Mount(target=m.container, source=m.host, type="bind", read_only=False) for m in bind_mounts]
    # Listed after the binds, so each lands on top of the bound folder it lies in.
    return [*binds, *(docker.types.Mount(target=folder, source=None, type="tmpfs") for folder in hidden_folders)]


def _each(sessions: list[DockerSession], step: Callable[[DockerSession], None]) -> None:
    for session in sessions:
        step(session)


def _remove_unless_kept(container: Container, sessions: list[DockerSession]) -> None:
    if not any(session.keep_container for session in sessions):
        _remove_uninterrupted(container)


def _remove_uninterrupted(container: Container) -> None:
    with interrupts_deferred():
        remove_container(container)


def _start(
    client: docker.DockerClient, container: Container, staged_files: IO[bytes] | Sequence[IO[bytes]] | None, nonce: str
) -> DockerSession:
    """Copy the staged files in, attach to the agent's streams before it can print, then start it."""
    if staged_files is None:
        archives: Sequence[IO[bytes]] = []
    elif isinstance(staged_files, Sequence):
        archives = staged_files
    else:
        archives = [staged_files]
    try:
        for archive in archives:
            container.put_archive("/", archive)
    except docker.errors.APIError as error:
        raise EnvironmentProblem(
            f"Docker could not copy the sources into the build container ({_explanation(error)}): check the engine."
        ) from error
    try:
        attach = client.api.attach_socket(str(container.id), params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
    except docker.errors.APIError as error:
        raise EnvironmentProblem(start_failure(error)) from error
    raw_socket: socket.socket = getattr(attach, "_sock", attach)  # SocketIO cannot write; its socket can
    session = DockerSession(container, raw_socket, AttachStreamReader(raw_socket, ReplyParser(nonce)), attach)
    session.start_reading()
    try:
        container.start()
        raw_socket.sendall(handshake(nonce))
    except BaseException as error:
        # No session is handed out, so nobody else would end the reader or close the socket: a pipeline that
        # retries a failing image must not pile up threads and sockets.
        session.abandon()
        if isinstance(error, docker.errors.APIError):
            raise EnvironmentProblem(start_failure(error)) from error
        if isinstance(error, OSError):
            raise EnvironmentProblem(
                f"The build container ended as it started ({error.strerror or error}): check the engine and the image."
            ) from error
        raise
    return session


def start_failure(error: docker.errors.APIError) -> str:
    """One sentence saying what Docker said; only a missing shell is blamed on the image (CB §5.3)."""
    explanation = _explanation(error)
    if _MISSING_SHELL.search(explanation):
        return f"The build container did not start ({explanation}): the image needs /bin/sh."
    return f"Docker could not start the build container ({explanation}): check the engine and the image."


def _explanation(error: docker.errors.APIError) -> str:
    text = error.explanation if isinstance(error.explanation, str) and error.explanation else str(error)
    return " ".join(text.split()).rstrip(".")


def _create(client: docker.DockerClient, image: str, **options: Any) -> Container:
    try:
        return client.containers.create(image, detach=True, **options)
    except docker.errors.ImageNotFound as error:
        raise EnvironmentProblem(f"The image {image} is not on this Docker engine: build or load it.") from error
    except docker.errors.APIError as error:
        raise EnvironmentProblem(
            f"Docker refused to create the build container ({error.explanation or error}): check the engine."
        ) from error
