"""The `.git` a staged source gets: HEAD at the commit, the asked depth, the host's repository untouched (no Docker)."""

from __future__ import annotations

import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from simulator.container.git_clone import cloned_git_dir, is_repository_top
from simulator.container.staging import source_archive


def git(cwd: Path, *args: str) -> str:
    completed = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return completed.stdout.rstrip("\n")


def commit(cwd: Path, message: str) -> str:
    git(cwd, "add", "-A")
    git(cwd, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message)
    return git(cwd, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Three commits, then uncommitted work: a changed file, a new one, a deleted one, an ignored one."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("*.log\n")
    (root / "app.py").write_text("print(1)\n")
    (root / "gone.txt").write_text("x\n")
    commit(root, "one")
    (root / "app.py").write_text("print(2)\n")
    commit(root, "two")
    (root / "lib").mkdir()
    (root / "lib" / "util.py").write_text("x = 1\n")
    commit(root, "three")
    (root / "app.py").write_text("print('local')\n")
    (root / "new.txt").write_text("new\n")
    (root / "gone.txt").unlink()
    (root / "debug.log").write_text("ignored\n")
    return root


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


@pytest.mark.parametrize(("depth", "commits", "shallow"), [(1, 1, True), (2, 2, True), (0, 3, False)])
def test_head_is_the_commit_with_the_asked_history(repo, depth, commits, shallow):
    head = git(repo, "rev-parse", "HEAD")
    with cloned_git_dir(repo, head, depth) as git_dir:
        assert git(git_dir, "rev-parse", "HEAD") == head
        assert git(git_dir, "rev-list", "--count", "HEAD") == str(commits)
        assert (git_dir / "shallow").exists() is shallow
        # Detached, as in CodeBuild's clones; no remote pointing at a host path, no reflog naming the host's user.
        assert subprocess.run(["git", "symbolic-ref", "-q", "HEAD"], cwd=git_dir, check=False).returncode == 1
        assert git(git_dir, "remote") == ""
        assert not (git_dir / "logs").exists()
        assert not (git_dir / "FETCH_HEAD").exists()
    assert not git_dir.exists()


def test_the_hosts_repository_is_left_as_it_was(repo):
    before = snapshot(repo / ".git")
    with cloned_git_dir(repo, git(repo, "rev-parse", "HEAD"), 1):
        pass
    assert snapshot(repo / ".git") == before


def test_an_older_commit_can_be_staged(repo):
    first = git(repo, "rev-list", "--max-parents=0", "HEAD")
    with cloned_git_dir(repo, first, 1) as git_dir:
        assert git(git_dir, "rev-parse", "HEAD") == first


def test_the_staged_tree_shows_the_uncommitted_work_as_local_changes(repo, tmp_path):
    head = git(repo, "rev-parse", "HEAD")
    archive = source_archive(repo, "/codebuild/output/src1/src", {}, commit=head, git_clone_depth=1)
    unpacked = tmp_path / "unpacked"
    with archive as spool, tarfile.open(fileobj=spool) as tar:
        tar.extractall(unpacked, filter="tar")
    staged = unpacked / "codebuild/output/src1/src"
    assert sorted(os.listdir(staged / ".git")) == ["HEAD", "config", "index", "objects", "refs", "shallow"]
    assert git(staged, "rev-parse", "HEAD") == head
    assert git(staged, "status", "--porcelain").splitlines() == [" M app.py", " D gone.txt", "?? new.txt"]


def test_a_folder_that_is_no_repository_gets_no_git_folder(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    archive = source_archive(tmp_path, "/src", {}, commit=None, git_clone_depth=1)
    with archive as spool, tarfile.open(fileobj=spool) as tar:
        assert tar.getnames() == ["src", "src/a.txt"]


def test_a_folder_inside_a_repository_gets_no_git_folder(repo):
    # The commit's tree is the whole repository's; a `.git` beside lib/'s files would show the rest as deleted.
    assert is_repository_top(repo)
    assert not is_repository_top(repo / "lib")
    archive = source_archive(repo / "lib", "/src", {}, commit=git(repo, "rev-parse", "HEAD"), git_clone_depth=1)
    with archive as spool, tarfile.open(fileobj=spool) as tar:
        assert tar.getnames() == ["src", "src/util.py"]
