"""Source staging: the files CodeBuild would have cloned, packed as one tar for the build container (CB §8.3).

Only git-tracked files and untracked files git does not ignore are copied, so `node_modules`, virtual
environments and build output never slow the copy down; the simulator's own `.simulator/` folder never goes in.
A folder at the top of a git repository also gets the `.git` of a clone at its commit (see git_clone).
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from simulator.container.git_clone import cloned_git_dir, is_repository_top
from simulator.container.host_git import git_output
from simulator.errors import InputError

STATE_DIR_NAME = ".simulator"
_SPOOL_IN_MEMORY = 64 * 1024 * 1024


def default_source_dir(cwd: Path) -> Path:
    """The git top-level of the current directory, or the current directory outside a repository."""
    top = git_output(cwd, "rev-parse", "--show-toplevel")
    return Path(top.strip()) if top and top.strip() else cwd


def resolved_commit(source_dir: Path) -> str | None:
    head = git_output(source_dir, "rev-parse", "--verify", "-q", "HEAD")
    return head.strip() if head and head.strip() else None


def source_files(source_dir: Path) -> list[str]:
    """Paths relative to `source_dir` of what a clone would hold (or every file outside a repository)."""
    if not source_dir.is_dir():
        raise InputError(f"The source folder {source_dir} does not exist: pass an existing folder to --source.")
    listed = (
        None
        if _ignored_by_git(source_dir)
        else git_output(source_dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    )
    names = listed.split("\0") if listed is not None else _walk(source_dir)
    kept = {n for n in names if n and not _is_state_dir(n) and os.path.lexists(source_dir / n)}
    return sorted(kept)


def _ignored_by_git(folder: Path) -> bool:
    """A folder the surrounding repository ignores (a pipeline's artifact under `.simulator/`) is not its
    content: its files are all staged, whatever the repository's ignore rules say."""
    return git_output(folder, "check-ignore", "-q", ".") is not None


def _walk(source_dir: Path) -> list[str]:
    names = []
    for root, dirs, files in os.walk(source_dir):
        dirs[:] = [d for d in dirs if d not in (".git", STATE_DIR_NAME)]
        names += [os.path.relpath(os.path.join(root, f), source_dir) for f in files]
    return names


def _is_state_dir(name: str) -> bool:
    return name == STATE_DIR_NAME or name.startswith(STATE_DIR_NAME + "/")


def source_archive(
    source_dir: Path,
    destination: str,
    extra_files: Mapping[str, bytes],
    *,
    commit: str | None,
    git_clone_depth: int,
) -> IO[bytes]:
    """What a build gets of one source: its files, plus a clone's `.git` when it is a git repository at `commit`."""
    files = source_files(source_dir)
    if commit is None or not is_repository_top(source_dir):
        return build_archive(source_dir, files, destination, extra_files)
    with cloned_git_dir(source_dir, commit, git_clone_depth) as git_dir:
        return build_archive(source_dir, files, destination, extra_files, git_dir=git_dir)


def build_archive(
    source_dir: Path,
    files: Iterable[str],
    destination: str,
    extra_files: Mapping[str, bytes],
    *,
    git_dir: Path | None = None,
) -> IO[bytes]:
    """A tar rooted at `/` holding the source under `destination` (and `git_dir` as its `.git`) plus the
    simulator's own files."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - handed to the caller, who closes it
    with tarfile.open(fileobj=spool, mode="w", format=tarfile.PAX_FORMAT) as tar:
        writer = _ArchiveWriter(tar)
        writer.add_directories(destination)
        for name in files:
            writer.add_file(source_dir / name, f"{destination}/{name}")
        if git_dir is not None:
            writer.add_tree(git_dir, f"{destination}/.git")
        for path, content in extra_files.items():
            writer.add_bytes(path, content)
    spool.seek(0)
    return spool


def files_archive(extra_files: Mapping[str, bytes]) -> IO[bytes]:
    """A tar of the simulator's own files only, for a build whose sources are bind mounts.

    Docker applies a folder entry's owner and mode to the folder it lands on, mount or not: the archive names no
    source folder (nor any parent of one, which the mounts create), so the user's folders keep theirs.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - handed to the caller, who closes it
    with tarfile.open(fileobj=spool, mode="w", format=tarfile.PAX_FORMAT) as tar:
        writer = _ArchiveWriter(tar)
        for path, content in extra_files.items():
            writer.add_bytes(path, content)
    spool.seek(0)
    return spool


class _ArchiveWriter:
    """Adds entries owned by root, each parent folder once, so the tree arrives as CodeBuild's would."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self._tar = tar
        self._directories: set[str] = set()

    def add_directories(self, path: str) -> None:
        parts = path.strip("/").split("/")
        for index in range(1, len(parts) + 1):
            name = "/".join(parts[:index])
            if name and name not in self._directories:
                self._directories.add(name)
                info = tarfile.TarInfo(name)
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                self._tar.addfile(info)

    def add_file(self, source: Path, path: str) -> None:
        self.add_directories(os.path.dirname(path))
        self._tar.add(source, arcname=path.lstrip("/"), recursive=False, filter=_as_root)

    def add_tree(self, folder: Path, path: str) -> None:
        """Every folder (empty ones too: git needs refs/ and objects/) and file below `folder`, at `path`."""
        self.add_directories(path)
        for root, dirs, files in os.walk(folder):
            inside = path if root == str(folder) else f"{path}/{Path(root).relative_to(folder).as_posix()}"
            for name in sorted(dirs):
                self.add_directories(f"{inside}/{name}")
            for name in sorted(files):
                self.add_file(Path(root) / name, f"{inside}/{name}")

    def add_bytes(self, path: str, content: bytes) -> None:
        self.add_directories(os.path.dirname(path))
        info = tarfile.TarInfo(path.lstrip("/"))
        info.size, info.mode = len(content), 0o644
        self._tar.addfile(info, io.BytesIO(content))


def _as_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info
