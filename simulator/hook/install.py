"""Writing the `pre-push` hook into a repository, and taking it out again.

The hook is a few lines of sh marked by MARKER, so `uninstall` and `--force` can tell it from a hook someone else
wrote. It runs `python -m simulator hook run` with the interpreter that installed it (an absolute path: the hook
runs from git, where the user's virtual environment is not active), or `python3` when that one is gone.
SIMULATOR_SKIP_HOOK=1 is honoured in sh, before any Python starts.

The hooks folder is git's own answer (`git rev-parse --git-path hooks`), so `core.hooksPath` is honoured and a
linked worktree installs into the repository's shared hooks, as git runs them. A foreign hook replaced with
`--force` is kept beside it (BACKUP_SUFFIX) and put back by `uninstall`: nothing of the user's is lost.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from simulator.container.host_git import run_git
from simulator.errors import InputError

MARKER = "# simulator pre-push hook"
HOOK_NAME = "pre-push"
BACKUP_SUFFIX = ".before-simulator"
MODES = ("validate", "dev", "pipeline")


@dataclass(frozen=True)
class Installed:
    path: Path
    replaced: Path | None  # where a foreign hook replaced with --force was kept
    updated: bool  # our own hook was already there (now rewritten)


def hooks_folder(repository: Path) -> Path:
    """Where git looks for hooks in this repository (core.hooksPath honoured)."""
    completed = run_git(repository, "rev-parse", "--path-format=absolute", "--git-path", "hooks")
    if completed is None or completed.returncode != 0:
        raise InputError(f"{repository} is not in a git repository: run `hook install` inside the one to protect.")
    return Path(completed.stdout.decode(errors="surrogateescape").strip())


def is_ours(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8", errors="replace").splitlines()[:3]
    except OSError:
        return False
    return any(line.startswith(MARKER) for line in head)


def script(mode: str, file: str | None, python: str = sys.executable) -> str:
    arguments = ["hook", "run", "--run", mode, *(["--file", file] if file else [])]
    command = " ".join(shlex.quote(word) for word in arguments)
    return f"""#!/bin/sh
{MARKER} (written by `python -m simulator hook install`; `python -m simulator hook uninstall` removes it)
# Tests the commits being pushed, never the working tree. Skip it once: git push --no-verify, or SIMULATOR_SKIP_HOOK=1.
if [ "${{SIMULATOR_SKIP_HOOK:-}}" = 1 ]; then
    echo "simulator pre-push: skipped (SIMULATOR_SKIP_HOOK=1)." >&2
    exit 0
fi
if [ -x {shlex.quote(python)} ]; then
    exec {shlex.quote(python)} -m simulator {command} "$@"
fi
exec python3 -m simulator {command} "$@"
"""


def install(repository: Path, mode: str, file: str | None, *, force: bool) -> Installed:
    folder = hooks_folder(repository)
    path = folder / HOOK_NAME
    exists = os.path.lexists(path)
    ours = exists and is_ours(path)
    replaced: Path | None = None
    if exists and not ours:
        if not force:
            raise InputError(_foreign_hook_sentence(path))
        replaced = path.with_name(HOOK_NAME + BACKUP_SUFFIX)
        if os.path.lexists(replaced):
            raise InputError(
                f"{path} is not the simulator's, and {replaced} (an earlier hook kept aside) is in the way: "
                "move one of them away first."
            )
        os.replace(path, replaced)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{HOOK_NAME}.simulator.tmp")
    temporary.write_text(script(mode, file), encoding="utf-8")
    os.chmod(temporary, 0o755)
    os.replace(temporary, path)  # whole or not at all: a push meanwhile runs the old hook or the new one
    return Installed(path, replaced, updated=ours)


def uninstall(repository: Path) -> tuple[Path, Path | None] | None:
    """Our hook removed (and the hook it replaced put back, when one was kept); None when there was none."""
    path = hooks_folder(repository) / HOOK_NAME
    if not os.path.lexists(path):
        return None
    if not is_ours(path):
        raise InputError(f"The pre-push hook {path} was not written by the simulator: it is left as it is.")
    path.unlink()
    kept = path.with_name(HOOK_NAME + BACKUP_SUFFIX)
    if os.path.lexists(kept):
        os.replace(kept, path)
        return path, kept
    return path, None


def _foreign_hook_sentence(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    if "pre-commit" in text and "hook-impl" in text:
        return (
            f"{path} is the pre-commit framework's: add the simulator-validate hook to .pre-commit-config.yaml "
            "instead (see the README), or pass --force to replace it."
        )
    return (
        f"A pre-push hook the simulator did not write is at {path}: it is left alone. Pass --force to replace it "
        f"(it is kept as {HOOK_NAME}{BACKUP_SUFFIX} and `hook uninstall` puts it back), or call "
        '`python -m simulator hook run "$@"` from it.'
    )
