"""`run --watch` without Docker: which files count, the debounce, and the loop around a stand-in build.

The stand-in builds do what the real one does with its token: a change cancels it, and it returns when it is
cancelled. The Docker tier (tests/docker/test_debug_flags.py) runs the real builds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading

import pytest

from simulator.cli import watch
from simulator.cli.watch import CHANGE, Watched, changed, snapshot, watch_builds
from simulator.errors import InputError
from simulator.reporting.masking import Masker


@pytest.fixture
def repository(tmp_path):
    quiet = {"cwd": tmp_path, "check": True, "capture_output": True}
    (tmp_path / ".gitignore").write_text("ignored.txt\n")
    (tmp_path / "tracked.txt").write_text("one\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], **quiet)
    subprocess.run(["git", "add", "-A"], **quiet)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "f"], **quiet)
    return tmp_path


def test_tracked_and_untracked_files_count_ignored_ones_and_the_state_folder_do_not(repository):
    watched = Watched(folders=[repository], files=[])
    before = snapshot(watched)
    (repository / "ignored.txt").write_text("x\n")
    (repository / ".simulator" / "builds").mkdir(parents=True)
    (repository / ".simulator" / "builds" / "summary.json").write_text("{}\n")
    assert changed(before, snapshot(watched)) == []
    (repository / "new.txt").write_text("untracked, not ignored\n")
    (repository / "tracked.txt").write_text("two, and longer\n")
    assert changed(before, snapshot(watched)) == [str(repository / "new.txt"), str(repository / "tracked.txt")]


def test_a_deleted_file_and_a_named_file_outside_the_source_count(repository, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "buildspec.yml"
    outside.write_text("version: 0.2\n")
    watched = Watched(folders=[repository], files=[outside])
    before = snapshot(watched)
    (repository / "tracked.txt").unlink()
    outside.write_text("version: 0.2\nphases: {}\n")
    assert changed(before, snapshot(watched)) == sorted([str(repository / "tracked.txt"), str(outside)])


def test_a_change_waits_until_the_files_stay_as_they_are(monkeypatch):
    # Scripted polls: nothing yet, a first write, a second one, then the same twice: one build, on the last state.
    polls = iter([{"a": (1, 1)}, {"a": (2, 1)}, {"a": (3, 1)}, {"a": (3, 1)}])
    monkeypatch.setattr(watch, "snapshot", lambda _watched: next(polls))
    settled = watch._next_change(Watched([], []), {"a": (1, 1)}, threading.Event(), 0, 0)
    assert settled == {"a": (3, 1)}
    assert next(polls, "all used") == "all used"


def test_a_change_during_a_build_stops_it_and_the_build_runs_again(repository, capsys):
    seen = []

    def build(token):
        seen.append(token)
        if len(seen) == 1:
            (repository / "tracked.txt").write_text("edited while the build runs\n")
            assert token.wait(60)  # as the engine does: it stops when its token is cancelled
        else:
            token.cancel("SIGINT")  # Ctrl-C during the second build
        return 130

    code = watch_builds(build, lambda: Watched([repository], []), Masker(), poll=0.01, quiet=0.01)
    assert code == 130
    assert [token.reason for token in seen] == [CHANGE, "SIGINT"]
    assert capsys.readouterr().err.splitlines() == [
        f"Changed: {repository / 'tracked.txt'}: stopping the build to run it again.",
        f"Changed: {repository / 'tracked.txt'}: running the build again.",
        "Watch ended.",
    ]


def test_after_a_build_it_waits_for_a_change_and_ctrl_c_ends_the_wait(repository, capsys):
    builds = []

    def build(token):
        builds.append(token)
        if len(builds) == 1:
            # Written once the build has returned, while the loop waits (if the build's own watcher is still
            # looking, it sees the change instead: the second build comes either way).
            threading.Timer(0.2, (repository / "new.txt").write_text, args=("new\n",)).start()
        else:
            threading.Timer(0.2, os.kill, args=(os.getpid(), signal.SIGINT)).start()
        return 0

    code = watch_builds(build, lambda: Watched([repository], []), Masker(), poll=0.01, quiet=0.01)
    assert (code, len(builds)) == (130, 2)
    err = capsys.readouterr().err.splitlines()
    assert f"Changed: {repository / 'new.txt'}: running the build again." in err
    assert err[-2:] == ["Watching for changes (Ctrl-C to end).", "Watch ended."]


def test_a_broken_edit_is_said_and_the_watch_goes_on(repository, capsys):
    calls = []

    def build(token):
        calls.append(token)
        if len(calls) == 1:
            threading.Timer(0.2, (repository / "tracked.txt").write_text, args=("fixed\n",)).start()
            raise InputError("The buildspec buildspec.yml is not valid: fix it.")
        token.cancel("SIGTERM")
        return 130

    assert watch_builds(build, lambda: Watched([repository], []), Masker(), poll=0.01, quiet=0.01) == 130
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "error: The buildspec buildspec.yml is not valid: fix it."
    assert (len(calls), err[-1]) == (2, "Watch ended.")
