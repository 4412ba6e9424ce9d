"""A pushed commit checked out where nothing of the user's can be touched: a throwaway linked worktree.

`git worktree add --detach` gives a real checkout of the commit with a `.git` (so a dev build gets the clone
CodeBuild would, and a pipeline's source actions read that commit), sharing the repository's objects: nothing
is copied but the files. The user's working tree, index and HEAD are never read or written. The user's own
hooks do not run for it (`core.hooksPath=/dev/null`: a post-checkout hook has no business here).

The worktree is removed (`git worktree remove --force`) however the hook ends: normally, on an error, on Ctrl-C,
and on SIGTERM or SIGHUP, which are turned into KeyboardInterrupt while a checkout exists. Measured against
`git archive | tar -x` in bench/hook_push.py: the difference is a few milliseconds on the example repository.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from simulator.cancellation.handlers import handled_by
from simulator.container.host_git import run_git
from simulator.errors import EnvironmentProblem

PREFIX = "simulator-hook-"
_ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def throwaway_checkout(repository: Path, commit: str) -> Iterator[Path]:
    """The commit's files in a temporary folder, gone when the block ends."""
    holder = Path(tempfile.mkdtemp(prefix=PREFIX)).resolve()  # as repository_of() will see the paths
    tree = holder / "tree"
    with _signals_interrupt():
        try:
            no_hooks = ("-c", "core.hooksPath=/dev/null")
            added = run_git(repository, *no_hooks, "worktree", "add", "--detach", "--quiet", str(tree), commit)
            if added is None or added.returncode != 0:
                said = added.stderr.decode(errors="replace").strip() if added is not None else "git could not run"
                raise EnvironmentProblem(f"The pushed commit {commit[:12]} could not be checked out: {said}")
            yield tree
        finally:
            removed = tree.exists() and run_git(repository, "worktree", "remove", "--force", "--force", str(tree))
            if os.path.lexists(holder):
                shutil.rmtree(holder, ignore_errors=True)
            if not removed or removed.returncode != 0:
                run_git(repository, "worktree", "prune")  # git's record of it, when the folder went another way


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    with handled_by(interrupt, _ENDING_SIGNALS):
        yield
