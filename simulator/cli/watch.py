"""`run --watch`: run the build again whenever a file of its source changes.

The files watched are those a build would stage (git-tracked and untracked-not-ignored files of each source,
never `.simulator/`), the buildspec and the files named by flags. Changes are found by polling their modification
times and sizes, which needs nothing installed and behaves the same on every file system (a bind mount, a network
folder, Docker Desktop's shares, where inotify-based watchers miss events); for the few hundred files of a
project a poll costs a `git ls-files` and a `stat` per file, a few milliseconds.

A change waits until the files have been quiet for DEBOUNCE_SECONDS (an editor saving several files, a
`git checkout`), so one edit gives one build. A change while a build runs stops it as Ctrl-C does (STOPPED, what it
made saved, its record kept), then the next build starts: never two at once. Ctrl-C ends the watch (exit 130).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from simulator.cancellation import CancelToken
from simulator.cancellation.handlers import handled_by
from simulator.container.staging import source_files
from simulator.errors import ExitCode, SimulatorError
from simulator.reporting.masking import Masker

POLL_SECONDS = 0.2
DEBOUNCE_SECONDS = 0.3
CHANGE = "a file changed"  # the cancel reason a change gives a running build

Snapshot = Mapping[str, tuple[int, int]]  # path -> (modification time in ns, size)


def add_flag(parser: Any) -> None:
    parser.add_argument(
        "--watch",
        action="store_true",
        help="run the build again whenever a file of its source (tracked, or untracked and not ignored) or the "
        "buildspec changes; a change stops a running build first; Ctrl-C ends the watch",
    )


@dataclass(frozen=True)
class Watched:
    folders: Sequence[Path]  # sources: the files a build would stage
    files: Sequence[Path]  # the buildspec, --env-file, --parameters


def snapshot(watched: Watched) -> dict[str, tuple[int, int]]:
    seen: dict[str, tuple[int, int]] = {}
    paths = [*watched.files]
    for folder in watched.folders:
        try:
            paths += [folder / name for name in source_files(folder)]
        except SimulatorError:
            continue  # the folder went away: its files are gone from the snapshot, which is a change
    for path in paths:
        try:
            status = os.stat(path)
        except OSError:
            continue
        seen[str(path)] = (status.st_mtime_ns, status.st_size)
    return seen


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


class _Ended(Exception):
    """Ctrl-C or SIGTERM between builds."""


@contextmanager
def _ends_on_signal(ended: threading.Event) -> Iterator[None]:
    def handle(_signum: int, _frame: FrameType | None) -> None:
        ended.set()

    with handled_by(handle):
        yield


def watch_builds(
    build: Callable[[CancelToken], int],
    watched: Callable[[], Watched],
    masker: Masker,
    *,
    poll: float = POLL_SECONDS,
    quiet: float = DEBOUNCE_SECONDS,
) -> int:
    """Build, then build again on each change, until Ctrl-C (130). `build` runs with a token a change cancels.

    What is watched is worked out once per build (the flags' folders and files), not at every poll.
    """
    targets = watched()
    baseline = snapshot(targets)
    ended = threading.Event()
    while True:
        token = CancelToken()
        finder = threading.Thread(
            target=_cancel_on_change, args=(targets, baseline, token, poll), name="simulator-watch", daemon=True
        )
        finder.start()
        try:
            build(token)
        except SimulatorError as error:
            # An edit that breaks the buildspec is part of iterating on it: say why, and wait for the next one.
            print(masker.mask(f"error: {error}"), file=sys.stderr, flush=True)
        finally:
            stopped_by_change = token.reason == CHANGE
            _finish(finder, token)
        if token.reason in ("SIGINT", "SIGTERM"):
            _say("Watch ended.")
            return int(ExitCode.STOPPED)
        try:
            with _ends_on_signal(ended):
                if not stopped_by_change:
                    _say("Watching for changes (Ctrl-C to end).")
                baseline = _next_change(targets, baseline, ended, poll, quiet)
        except _Ended:
            _say("Watch ended.")
            return int(ExitCode.STOPPED)
        targets = watched()


def _cancel_on_change(targets: Watched, baseline: Snapshot, token: CancelToken, poll: float) -> None:
    """While the build runs; it ends when the build's token is cancelled by anything (Ctrl-C, the build's end)."""
    while not token.wait(poll):
        paths = changed(baseline, snapshot(targets))
        if paths:
            _say(f"Changed: {_names(paths)}: stopping the build to run it again.")
            token.cancel(CHANGE)
            return


def _finish(finder: threading.Thread, token: CancelToken) -> None:
    if not token.cancelled:
        token.cancel("the build ended")  # ends the finder's wait; the build is over, nothing looks at it now
    finder.join()


def _next_change(
    targets: Watched, baseline: Snapshot, ended: threading.Event, poll: float, quiet: float
) -> dict[str, tuple[int, int]]:
    """Wait for a change, then until the files stay as they are for `quiet` seconds; the settled snapshot."""
    current = snapshot(targets)
    while not changed(baseline, current):
        if ended.wait(poll):
            raise _Ended
        current = snapshot(targets)
    first = changed(baseline, current)
    while True:
        if ended.wait(quiet):
            raise _Ended
        settled = snapshot(targets)
        if not changed(current, settled):
            break
        current = settled
    _say(f"Changed: {_names(first)}: running the build again.")
    return settled


def _names(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
