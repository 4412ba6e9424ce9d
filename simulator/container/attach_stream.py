"""The reader of a build container's attach stream: Docker's multiplexed frames turned into agent events."""

from __future__ import annotations

import queue
import select
import socket
import struct
import threading

from simulator.container.protocol import Output, ReplyParser, StreamEvent

_FRAME_HEADER = struct.Struct(">BxxxL")
_QUEUED_EVENTS = 256
END_OF_STREAM = None  # queued once the stream has ended
_RELEASE_SECONDS = 0.05  # how long a line's held-back newline waits for what may be a marker after it


class AttachStreamReader(threading.Thread):
    """Reads the multiplexed attach stream and turns it into agent events on a queue."""

    def __init__(self, sock: socket.socket, parser: ReplyParser) -> None:
        super().__init__(name="simulator-agent-reader", daemon=True)
        self._sock = sock
        self._parser = parser
        # Bounded, so a command that floods output is slowed down to the pace the log is written at
        # instead of filling memory.
        self.events: queue.Queue[StreamEvent | None] = queue.Queue(maxsize=_QUEUED_EVENTS)
        self.stopping = threading.Event()

    def run(self) -> None:
        buffer = b""
        try:
            while True:
                # A line's newline may be held back (a marker starts with one); if nothing follows soon, it is
                # handed out, so output stays live while a command works on (`echo started; sleep 60`).
                ready, _, _ = select.select([self._sock], [], [], _RELEASE_SECONDS)
                if not ready:
                    for event in self._parser.release():
                        self._put(event)
                    continue
                chunk = self._sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
                buffer = self._consume_frames(buffer)
        except (OSError, ValueError):  # ValueError: select on a socket closed meanwhile
            pass  # the socket is closed when the container is removed: that is the end of the stream
        rest = self._parser.flush()
        if rest:
            self._put(Output(rest))
        self._put(END_OF_STREAM)

    def _put(self, event: StreamEvent | None) -> None:
        """Queue an event, waiting for room; once the session is being closed, drop it."""
        while not self.stopping.is_set():
            try:
                self.events.put(event, timeout=0.1)
                return
            except queue.Full:
                continue

    def _consume_frames(self, buffer: bytes) -> bytes:
        while len(buffer) >= _FRAME_HEADER.size:
            _, size = _FRAME_HEADER.unpack_from(buffer)
            end = _FRAME_HEADER.size + size
            if len(buffer) < end:
                break
            for event in self._parser.feed(buffer[_FRAME_HEADER.size : end]):
                self._put(event)
            buffer = buffer[end:]
        return buffer
