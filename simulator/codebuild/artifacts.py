"""Which files an `artifacts` section selects, and where each lands (codebuild-semantics §1.9): pure."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Protocol


class FileSet(Protocol):
    """What `artifacts`, its secondary artifacts and each report group have in common (§1.8, §1.9)."""

    @property
    def files(self) -> tuple[str, ...]: ...
    @property
    def base_directory(self) -> str | None: ...
    @property
    def discard_paths(self) -> bool: ...


@lru_cache(maxsize=256)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """CodeBuild's globs: `*` stays within one path component, `**` crosses directories, `?` is one character.

    `*` also matches names that start with a dot: the reference's exclude example `**/.*` only makes sense
    if `**/*` selects dot files in the first place.
    """
    pattern = _normalise(pattern)
    regex = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            regex += ".*"
            i += 2
        elif pattern[i] == "*":
            regex += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            regex += "[^/]"
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            regex += "[" + pattern[i + 1 : end].replace("!", "^", 1) + "]"
            i = end + 1
        else:
            regex += re.escape(pattern[i])
            i += 1
    return re.compile(regex + r"\Z")


def _normalise(path: str) -> str:
    path = path.strip()
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/") if path not in ("", "/") else path


def matches(pattern: str, path: str) -> bool:
    return glob_to_regex(pattern).match(path) is not None


@dataclass(frozen=True)
class SelectedFile:
    source: str  # relative to CODEBUILD_SRC_DIR
    destination: str  # relative to the artifact's root


def base_directories(base_pattern: str | None, directories: Iterable[str]) -> list[str]:
    """The base directories a (possibly glob) `base-directory` names, or the source root."""
    if base_pattern is None or _normalise(base_pattern) in ("", "."):
        return [""]
    return sorted(d for d in directories if matches(base_pattern, d))


def parent_directories(files: Iterable[str]) -> set[str]:
    parents: set[str] = set()
    for path in files:
        parent = posixpath.dirname(path)
        while parent and parent not in parents:
            parents.add(parent)
            parent = posixpath.dirname(parent)
    return parents


def select(spec: FileSet, files: Sequence[str], exclude_paths: Sequence[str] = ()) -> list[SelectedFile]:
    """Apply files, base-directory, exclude-paths and discard-paths to the build's file list."""
    selected: dict[str, SelectedFile] = {}
    for base in base_directories(spec.base_directory, parent_directories(files)):
        prefix = base + "/" if base else ""
        for path in files:
            if not path.startswith(prefix):
                continue
            relative = path[len(prefix) :]
            if not _included(spec, relative) or any(matches(p, relative) for p in exclude_paths):
                continue
            destination = posixpath.basename(relative) if spec.discard_paths else relative
            selected.setdefault(destination, SelectedFile(path, destination))
    return sorted(selected.values(), key=lambda item: item.destination)


def _included(spec: FileSet, relative: str) -> bool:
    return any(matches(p, relative) or _names_parent_directory(p, relative) for p in spec.files)


def _names_parent_directory(pattern: str, relative: str) -> bool:
    """A plain path naming a directory takes everything under it (inferred; `dir/**/*` is the documented form)."""
    if any(c in pattern for c in "*?["):
        return False
    return relative.startswith(_normalise(pattern) + "/")


def extract_selected(
    archive: IO[bytes], selection: Sequence[SelectedFile], destination: Path, owner: tuple[int, int] | None
) -> None:
    """Write the selected files from the container's tar under `destination`, owned by the invoking user.

    Only regular files come out: links were followed when the archive was made, and a second path to the same
    file arrives as a tar hard link, copied from the first. Nothing on the host ever points back into it.
    """
    wanted = {item.source: item.destination for item in selection}
    written: dict[str, Path] = {}
    with tarfile.open(fileobj=archive, mode="r|") as tar:
        for member in tar:
            name = _member_path(member.name)
            if name not in wanted or not (member.isfile() or member.islnk()):
                continue
            target = destination / wanted[name]
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.exists():
                target.unlink()
            if member.islnk():
                shutil.copyfile(written[_member_path(member.linkname)], target)
            else:
                _copy_member(tar, member, target)
            target.chmod(member.mode & 0o777)
            written[name] = target
            if owner:
                _chown_tree(target, destination, owner)


def _member_path(name: str) -> str:
    return name.removeprefix("./")


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = tar.extractfile(member)
    if source is not None:
        with source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)


def _chown_tree(target: Path, root: Path, owner: tuple[int, int]) -> None:
    """The file and the folders made for it belong to the user who ran the simulator (sudo's user too)."""
    path = target
    while True:
        os.lchown(path, *owner)
        if path == root or root not in path.parents:
            break
        path = path.parent
