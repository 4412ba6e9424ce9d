"""What a push sends, as git tells a pre-push hook (one `<local ref> <local sha> <remote ref> <remote sha>` line on
standard input per ref) or as pre-commit does (PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF), and what each pushed tip
changes.

A ref the remote already has is compared with what the remote has. A new branch (remote sha zero), or a remote sha
this repository does not hold, is compared the way pre-commit does it: from the parent of the first commit that no
ref of that remote holds (`git rev-list TIP --not --remotes=REMOTE`); when that first commit is a root, the whole
history is new and everything the tip holds is tested. No merge-base with a "default branch" is guessed: a remote's
HEAD is often unknown locally, and the commits no remote ref holds are exactly the ones being published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from simulator.container.host_git import run_git
from simulator.errors import InputError

ZERO = "0" * 40


@dataclass(frozen=True)
class PushedRef:
    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str

    @property
    def is_deletion(self) -> bool:
        return set(self.local_sha) == {"0"}

    @property
    def is_new(self) -> bool:
        return set(self.remote_sha) == {"0"}

    @property
    def name(self) -> str:
        """The ref as a person names it: the remote branch it updates (`main`), else the local one."""
        for ref in (self.remote_ref, self.local_ref):
            for prefix in ("refs/heads/", "refs/tags/"):
                if ref.startswith(prefix):
                    return ref[len(prefix) :]
        return self.remote_ref or self.local_ref


def parse_push_lines(text: str) -> list[PushedRef]:
    refs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.rsplit(maxsplit=3)  # a local ref may hold spaces (`HEAD~1 ...`), the shas never do
        if len(parts) != 4 or not all(_is_sha(part) for part in (parts[1], parts[3])):
            raise InputError(
                f"line {number} of the hook's standard input is not '<local ref> <local sha> <remote ref> "
                f"<remote sha>': {line[:200]!r} (the hook is meant to be run by git push)."
            )
        refs.append(PushedRef(*parts))
    return refs


def from_pre_commit(repository: Path, environ: Mapping[str, str]) -> list[PushedRef]:
    """pre-commit reads git's lines itself and passes the first ref with something to push as variables:
    FROM and TO refs, or (a whole new history) only the branch names."""
    to_ref, from_ref = environ.get("PRE_COMMIT_TO_REF"), environ.get("PRE_COMMIT_FROM_REF")
    local = environ.get("PRE_COMMIT_LOCAL_BRANCH", "")
    remote = environ.get("PRE_COMMIT_REMOTE_BRANCH", "")
    if to_ref and from_ref:
        return [PushedRef(local, _commit(repository, to_ref), remote, _commit(repository, from_ref))]
    if local:
        return [PushedRef(local, _commit(repository, local), remote, ZERO)]
    raise InputError(
        "--from-pre-commit: neither PRE_COMMIT_TO_REF nor PRE_COMMIT_LOCAL_BRANCH is set: this runs as a pre-push "
        "hook of the pre-commit framework (stages: [pre-push])."
    )


def changed_paths(repository: Path, ref: PushedRef, remote: str) -> tuple[str, ...] | None:
    """Paths (from the repository's root) the push changes on this ref, deleted ones included; None when the whole
    history is new (everything in the tip counts as changed)."""
    base = _base(repository, ref, remote)
    if base is None:
        return None
    if base == ref.local_sha:
        return ()
    names = _git(repository, "diff", "--name-only", "-z", "--no-renames", base, ref.local_sha)
    return tuple(name for name in names.split("\0") if name)


def _base(repository: Path, ref: PushedRef, remote: str) -> str | None:
    if not ref.is_new and _exists(repository, ref.remote_sha):
        return ref.remote_sha
    new = _git(repository, "rev-list", "--topo-order", "--reverse", ref.local_sha, "--not", f"--remotes={remote}")
    first = next(iter(new.split()), None)
    if first is None:
        return ref.local_sha  # every pushed commit is on the remote already (a new name for an old commit)
    parents = _git(repository, "rev-list", "--parents", "-n", "1", first).split()[1:]
    return parents[0] if parents else None


def _exists(repository: Path, sha: str) -> bool:
    completed = run_git(repository, "cat-file", "-e", f"{sha}^{{commit}}")
    return completed is not None and completed.returncode == 0


def _commit(repository: Path, name: str) -> str:
    return _git(repository, "rev-parse", "--verify", "-q", f"{name}^{{commit}}").strip() or _no_commit(name)


def _no_commit(name: str) -> str:
    raise InputError(f"pre-commit named {name!r}, which is no commit of this repository.")


def _git(repository: Path, *args: str) -> str:
    completed = run_git(repository, *args)
    if completed is None:
        raise InputError("git could not be run: the pre-push hook needs git on PATH.")
    if completed.returncode != 0:
        said = completed.stderr.decode(errors="replace").strip().splitlines()
        if args[0] == "rev-parse":
            return ""
        raise InputError(f"git {args[0]} failed: {said[-1] if said else 'no message'}.")
    return completed.stdout.decode(errors="surrogateescape")


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)
