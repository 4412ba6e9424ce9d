"""The `.git` a CodeBuild git clone would have: HEAD at the resolved commit, as much history as the depth asks.

CodeBuild's GitHub, CodeCommit and Bitbucket sources are git clones (depth 1 unless the project says otherwise),
so a buildspec may run `git rev-parse HEAD`, `git log` or `git checkout`. The choices made here:

- The repository is made by `git init` plus `git fetch --depth N file://<source> <commit>` into a temporary folder.
  A fetch runs `git upload-pack` on the user's repository, which only reads it: nothing is ever written into the
  user's `.git` (no lock, no hard link into its objects as a local `git clone` makes), and exactly the resolved
  commit is fetched (a `git clone` would take whatever branch HEAD names, and the tags).
- HEAD is detached at the commit, as in CodeBuild's own clones; there is no remote (its URL would be a host path)
  and no branch. The index is read from the commit, so `git status` in the build shows the uncommitted work of the
  working tree (which is what is staged) as local changes.
- Only a folder at the top of its repository gets a `.git`: for a folder inside one, the commit's tree would not
  match what is staged.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simulator.container.host_git import run_git
from simulator.errors import EnvironmentProblem

FULL_HISTORY = 0
_GIT_TIMEOUT_SECONDS = 600


@contextmanager
def cloned_git_dir(source_dir: Path, commit: str, depth: int) -> Iterator[Path]:
    """A temporary `.git` folder for `commit` of the repository at `source_dir`, removed on the way out."""
    scratch = Path(tempfile.mkdtemp(prefix="simulator-clone-"))
    try:
        clone = scratch / "clone"
        _git(scratch, "init", "--quiet", "--template=", str(clone))
        fetch = ["fetch", "--quiet", "--no-tags"]
        if depth != FULL_HISTORY:
            fetch.append(f"--depth={depth}")
        _git(clone, *fetch, source_dir.resolve().as_uri(), commit, trusting=source_dir)
        _git(clone, "update-ref", "--no-deref", "HEAD", commit)
        _git(clone, "read-tree", "HEAD")
        # The reflog names the host's git user; a fresh clone's says nothing a build needs.
        shutil.rmtree(clone / ".git" / "logs", ignore_errors=True)
        (clone / ".git" / "FETCH_HEAD").unlink(missing_ok=True)
        yield clone / ".git"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def is_repository_top(source_dir: Path) -> bool:
    completed = run_git(source_dir, "rev-parse", "--show-toplevel")
    if completed is None or completed.returncode != 0:
        return False
    top = completed.stdout.decode(errors="surrogateescape").strip()
    try:
        return bool(top) and os.path.samefile(top, source_dir)
    except OSError:
        return False


def _git(cwd: Path, *args: str, trusting: Path | None = None) -> None:
    completed = run_git(cwd, *args, trusting=trusting, timeout=_GIT_TIMEOUT_SECONDS)
    if completed is None or completed.returncode != 0:
        reason = completed.stderr.decode(errors="replace").strip().splitlines()[-1:] if completed else []
        raise EnvironmentProblem(
            f"Could not stage the source's git history (git {args[0]}: {reason[0] if reason else 'did not run'}): "
            "check that git works on this host, or pass --mount."
        )
