"""The host's git, run on the user's repositories: what staging and the git clone ask of it.

Under sudo the simulator runs as root on a repository the invoking user owns, and git refuses such a repository
as of "dubious ownership": the build would silently lose its commit, its `.git` and the ignore rules. The user's
own repository is trusted for that one command (`-c safe.directory=<its top>`), and only when it belongs to the
user who ran sudo: a repository of anyone else stays refused, as git intends.

Variables such as GIT_DIR or GIT_INDEX_FILE (set when the simulator runs from a git hook) are left out, so each
command works on the folder it names.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from simulator.ownership import invoking_user

DEFAULT_TIMEOUT_SECONDS = 60


def run_git(
    directory: Path,
    *args: str,
    trusting: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    environ: Mapping[str, str] = os.environ,
) -> subprocess.CompletedProcess[bytes] | None:
    """`git -C directory args`, None when git cannot run; `trusting` is the user's folder (default `directory`)."""
    command = ["git", *trust_options(trusting or directory, environ), "-C", str(directory), *args]
    try:
        # A session of its own: Ctrl-C at the terminal reaches the whole foreground group, and must stop the build
        # through its cancel token, not kill git halfway through staging.
        return subprocess.run(
            command,
            capture_output=True,
            check=False,
            timeout=timeout,
            env=_without_git(environ),
            start_new_session=True,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def git_output(directory: Path, *args: str) -> str | None:
    completed = run_git(directory, *args)
    return completed.stdout.decode(errors="surrogateescape") if completed and completed.returncode == 0 else None


def trust_options(folder: Path, environ: Mapping[str, str] = os.environ) -> list[str]:
    owner = invoking_user(environ)
    if owner is None or os.geteuid() != 0:
        return []
    top = repository_top(folder)
    try:
        owned = top is not None and os.stat(top).st_uid == owner[0]
    except OSError:
        owned = False
    return ["-c", f"safe.directory={top}"] if owned else []


def repository_top(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` holding a `.git`, found without git (which would refuse it)."""
    current = folder.resolve()
    for candidate in (current, *current.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _without_git(environ: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in environ.items() if not key.startswith("GIT_")}
