"""A git repository's source is staged as CodeBuild's git clone: HEAD at the resolved commit, shallow by default
(CB §4.1, CODEBUILD_RESOLVED_SOURCE_VERSION), the working tree's own changes shown as local ones."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import copy_fixture, simulator

pytestmark = pytest.mark.docker


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.rstrip("\n")


def commit(cwd, message):
    git(cwd, "add", "-A")
    git(cwd, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", message)
    return git(cwd, "rev-parse", "HEAD")


@pytest.fixture
def sources(tmp_path):
    """The fixture with three commits and uncommitted work; a secondary repository with two commits."""
    primary = copy_fixture("git_clone", tmp_path)
    (primary / "app.txt").write_text("two\n")
    commit(primary, "second")
    head = commit(primary, "third")
    (primary / "app.txt").write_text("local change\n")
    (primary / "new.txt").write_text("new\n")
    library = tmp_path / "lib"
    library.mkdir()
    git(library, "init", "-q", "-b", "main")
    commit(library, "lib one")
    commit(library, "lib two")
    return primary, library, head


def run(primary, library, *args, env=None):
    return simulator("run", "buildspec.yml", "--source", f"lib={library}", *args, cwd=primary, env=env)


def output_lines(result):
    return [line for line in result.stdout.splitlines() if not line.startswith("[Container]")]


def test_a_shallow_clone_at_the_resolved_commit_by_default(sources):
    primary, library, head = sources
    result = run(primary, library)
    assert result.code == 0, result.stdout[-2000:] + result.stderr
    lines = output_lines(result)
    assert lines[: lines.index("PHASE             STATUS      DURATION")] == [
        f"head={head} resolved={head}",
        "commits=1",
        " M app.txt",
        "?? new.txt",
        "lib-commits=1",
        # run-as: the source belongs to root, and git must not refuse it as of "dubious ownership".
        f"as-user={head}",
    ]


def test_depth_zero_is_the_whole_history_and_n_is_n_commits(sources):
    primary, library, _ = sources
    whole = output_lines(run(primary, library, "--git-clone-depth", "0"))
    assert (whole[1], whole[4]) == ("commits=3", "lib-commits=2")
    two = output_lines(run(primary, library, "--git-clone-depth", "2"))
    assert (two[1], two[4]) == ("commits=2", "lib-commits=2")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving the folder to another owner needs root")
def test_mount_keeps_the_users_own_git_folder(sources):
    primary, library, head = sources
    log_before = git(primary, "log", "--format=%H")
    # Owned by someone else than the build's root: git would call it of "dubious ownership" without safe.directory.
    for folder in (primary, library):
        for root, dirs, files in os.walk(folder):
            for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
                os.lchown(name, 4321, 4321)
    # Run as under `sudo` by their owner: the host's git trusts the user's own repositories (host_git).
    result = run(primary, library, "--mount", env={"SUDO_UID": "4321", "SUDO_GID": "4321"})
    assert result.code == 0, result.stdout[-2000:] + result.stderr
    lines = output_lines(result)
    # The real working tree, but for the state folder the simulator keeps in it, which the build sees empty.
    assert lines[:6] == [
        f"head={head} resolved={head}",
        "commits=3",
        " M app.txt",
        "?? new.txt",
        "lib-commits=2",
        f"as-user={head}",
    ]
    assert git(primary, "-c", "safe.directory=*", "log", "--format=%H") == log_before
