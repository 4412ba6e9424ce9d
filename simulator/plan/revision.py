"""A file as it was at a git revision: `git show REV:path`, through the host's git as staging reads repositories."""

from __future__ import annotations

import os
from pathlib import Path

from simulator.container.host_git import run_git
from simulator.diagnostics import printable
from simulator.errors import InputError


def file_at(path: Path, revision: str) -> str | None:
    """The file's text at `revision`, None when it did not exist there; an unknown revision is an InputError."""
    if not revision or revision.startswith("-"):
        raise InputError(f"--diff {printable(revision)!r} is not a git revision: name one, e.g. origin/main.")
    top, relative = _in_repository(path)
    commit = run_git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if commit is None or commit.returncode != 0:
        raise InputError(
            f"The revision {printable(revision)} is not known to git in {top}: fetch it (git fetch) or name another."
        )
    sha = commit.stdout.decode().strip()
    shown = run_git(top, "show", f"{sha}:{relative}")
    if shown is None or shown.returncode != 0:  # the commit exists, so the path is what it lacks
        return None
    return shown.stdout.decode("utf-8", errors="replace")


def _in_repository(path: Path) -> tuple[Path, str]:
    """The repository's top and the file's path in it; the file itself may be gone (deleted since the revision)."""
    absolute = Path(os.path.abspath(path))
    existing = next((p for p in (absolute.parent, *absolute.parents) if p.is_dir()), Path("/"))
    found = run_git(existing, "rev-parse", "--show-toplevel")
    if found is None or found.returncode != 0 or not found.stdout.strip():
        raise InputError(f"{printable(str(path))} is not in a git repository: --diff compares with a git revision.")
    top = Path(found.stdout.decode().strip())
    # Links in the folders above (a /tmp that is a link, say) are resolved the way git resolved the top.
    real = Path(os.path.realpath(existing)) / absolute.relative_to(existing)
    try:
        return top, real.relative_to(top).as_posix()
    except ValueError:
        raise InputError(f"{printable(str(path))} is not inside the repository {top}.") from None
