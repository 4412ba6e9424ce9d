"""The host's git under sudo: the invoking user's own repository is trusted for staging, nobody else's."""

from __future__ import annotations

import os
import subprocess

import pytest

from simulator.container.host_git import repository_top, trust_options
from simulator.container.staging import resolved_commit

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="a repository of another owner needs root to make")


@pytest.fixture
def users_repository(tmp_path):
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / "sub" / "app.txt").write_text("app\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    for root, dirs, files in os.walk(repo):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            os.lchown(name, 4321, 4321)
    return repo, head


def test_the_sudo_users_own_repository_is_trusted_at_its_top(users_repository, monkeypatch):
    repo, head = users_repository
    monkeypatch.setenv("SUDO_UID", "4321")
    monkeypatch.setenv("SUDO_GID", "4321")
    assert trust_options(repo / "sub") == ["-c", f"safe.directory={repo}"]
    assert resolved_commit(repo) == head


def test_a_repository_of_someone_else_stays_refused(users_repository, monkeypatch):
    # Found by the container work: under sudo the build silently lost its commit, its .git and the ignore rules.
    repo, _ = users_repository
    monkeypatch.setenv("SUDO_UID", "999")
    monkeypatch.setenv("SUDO_GID", "999")
    assert trust_options(repo) == []
    assert resolved_commit(repo) is None


def test_without_sudo_nothing_is_trusted_beyond_gits_own_rules(users_repository, monkeypatch):
    repo, _ = users_repository
    monkeypatch.delenv("SUDO_UID", raising=False)
    assert trust_options(repo) == []
    assert resolved_commit(repo) is None


def test_the_top_is_found_without_git(tmp_path):
    (tmp_path / "r" / ".git").mkdir(parents=True)
    (tmp_path / "r" / "a" / "b").mkdir(parents=True)
    assert repository_top(tmp_path / "r" / "a" / "b") == tmp_path / "r"
    assert repository_top(tmp_path) is None
