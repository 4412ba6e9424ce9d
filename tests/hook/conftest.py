"""Real git repositories for the hook's tests: a working repository, a bare remote beside it, and `git push` run as
a user runs it, the hook installed by `python -m simulator hook install` (the test's own interpreter)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

GOOD_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo built\n"
# Valid YAML, invalid buildspec: `command` for `commands`, so build has no commands (line 4, column 5).
BROKEN_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    command:\n      - echo built\n"
BROKEN_ERROR = "buildspecs/buildspec-dev.yml:4:5: error: phases.build.commands is required when the phase is present"


@dataclass
class Pushed:
    code: int
    output: str  # git's stdout and stderr together, the hook's lines among them

    @property
    def hook_lines(self) -> list[str]:
        """The hook's own lines (from its first line to its closing one), as the user reads them in the push's
        output, with the seconds of the closing line made `N.NN`."""
        lines = self.output.splitlines()
        marked = [i for i, line in enumerate(lines) if line.startswith("simulator pre-push:")]
        if not marked:
            return []
        return [re.sub(r"in \d+\.\d\d s", "in N.NN s", line) for line in lines[marked[0] : marked[-1] + 1]]


class Project:
    def __init__(self, root: Path, environ: dict[str, str]) -> None:
        self.root = root
        self.work = root / "work"
        self.remote = root / "remote.git"
        self.environ = environ

    def git(self, *args: str, cwd: Path | None = None, check: bool = True) -> str:
        completed = subprocess.run(
            ["git", *args], cwd=cwd or self.work, env=self.environ, capture_output=True, text=True, check=False
        )
        if check and completed.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {completed.stderr}")
        return completed.stdout.rstrip("\n")

    def write(self, name: str, text: str) -> None:
        path = self.work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def push(self, *args: str, env: dict[str, str] | None = None) -> Pushed:
        completed = subprocess.run(
            ["git", "push", *args],
            cwd=self.work,
            env={**self.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
            check=False,
        )
        return Pushed(completed.returncode, completed.stdout)

    def remote_sha(self, branch: str = "main") -> str | None:
        found = self.git("rev-parse", "--verify", "-q", f"refs/heads/{branch}", cwd=self.remote, check=False)
        return found or None

    def simulator(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "simulator", *args],
            cwd=cwd or self.work,
            env=self.environ,
            capture_output=True,
            text=True,
            check=False,
        )

    def leftovers(self) -> list[str]:
        """Throwaway checkouts still on disk (the pushes' TMPDIR is the project's own) or in git's list."""
        on_disk = sorted(path.name for path in (self.root / "tmp").iterdir())
        listed = [
            line for line in self.git("worktree", "list", "--porcelain").splitlines() if line.startswith("worktree ")
        ]
        return on_disk + listed[1:]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """`work` (branch main, one commit with a valid buildspec and a README) and its remote `origin`, already
    holding that commit; the hook not yet installed. Git reads no user or system configuration."""
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = t\n\temail = t@t\n[init]\n\tdefaultBranch = main\n")
    (tmp_path / "tmp").mkdir()
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "TMPDIR": str(tmp_path / "tmp"),
    }
    environ.pop("SIMULATOR_SKIP_HOOK", None)
    made = Project(tmp_path, environ)
    made.git("init", "-q", "--bare", str(made.remote), cwd=tmp_path)
    made.git("init", "-q", str(made.work), cwd=tmp_path)
    made.write("buildspecs/buildspec-dev.yml", GOOD_BUILDSPEC)
    made.write("README.md", "the shop\n")
    made.commit("first")
    made.git("remote", "add", "origin", str(made.remote))
    made.git("push", "-q", "origin", "main")
    return made


def install(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    installed = project.simulator("hook", "install", *args)
    assert installed.returncode == 0, installed.stderr
    return installed
