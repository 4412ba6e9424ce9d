"""Which files an `artifacts` section selects, and where each lands (CB §1.9): pure."""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import re
import shutil
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO, Protocol


class FileSet(Protocol):
    """What `artifacts`, its secondary artifacts and each report group have in common (CB §1.8, CB §1.9)."""

    @property
    def files(self) -> tuple[str, ...]: ...
    @property
    def base_directory(self) -> str | None: ...
    @property
    def discard_paths(self) -> bool: ...


class ArtifactPathError(Exception):
    """A glob that does not parse, or artifact paths the host cannot hold: CLIENT_ERROR in UPLOAD_ARTIFACTS."""


class HostWriteError(Exception):
    """The host refused to store an artifact file for a reason of its own (permissions, a read-only disk)."""


class HostDiskFull(HostWriteError):
    """The host's disk filled up while artifact files were written."""


@lru_cache(maxsize=256)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """CodeBuild's globs: `*` stays within one path component, `**` crosses directories, `?` is one character.

    `*` also matches names that start with a dot: the reference's exclude example `**/.*` only makes sense
    if `**/*` selects dot files in the first place. A `[...]` class follows doublestar, the Go library of such
    globs: `!` or `^` first negates it, a backslash escapes, a reversed range (`[z-a]`) matches nothing, an
    empty class is a syntax error (ArtifactPathError); a `[` without a closing `]` is taken literally.
    """
    return re.compile(_translate(pattern)[0] + r"\Z")


def pattern_problem(pattern: str) -> str | None:
    """The one-sentence syntax error that `select` raises for `pattern`, or None: for `validate` to report early."""
    try:
        _translate(pattern)
    except ArtifactPathError as error:
        return str(error)
    return None


def pattern_warning(pattern: str) -> str | None:
    """Why `pattern` can never match although it parses (a reversed range), or None."""
    try:
        reversed_ranges = _translate(pattern)[1]
    except ArtifactPathError:
        return None
    if not reversed_ranges:
        return None
    return f"the range {reversed_ranges[0]!r} in the artifact path {pattern!r} is reversed and matches no character"


def _translate(pattern: str) -> tuple[str, list[str]]:
    """The regex for `pattern` and the reversed ranges in it."""
    pattern = _normalise(pattern)
    regex = ""
    reversed_ranges: list[str] = []
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
        elif pattern[i] == "[" and (end := _class_end(pattern, i)) is not None:
            regex += _class_regex(pattern, i, end, reversed_ranges)
            i = end + 1
        else:
            regex += re.escape(pattern[i])
            i += 1
    return regex, reversed_ranges


def _class_end(pattern: str, start: int) -> int | None:
    """The index of the `]` closing the class that opens at `start`, or None when nothing closes it."""
    i = start + 1
    if i < len(pattern) and pattern[i] in "!^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        return i
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
        elif pattern[i] == "]":
            return i
        else:
            i += 1
    return None


def _class_regex(pattern: str, start: int, end: int, reversed_ranges: list[str]) -> str:
    negated = pattern[start + 1] in "!^"
    body = pattern[start + 2 if negated else start + 1 : end]
    if not body:
        raise ArtifactPathError(
            f"syntax error in the artifact path pattern {pattern!r}: {pattern[start : end + 1]!r} is an empty "
            "character class"
        )
    parts: list[str] = []
    for low, high in _class_items(body):
        if low > high:
            reversed_ranges.append(f"{low}-{high}")
        elif low == high:
            parts.append(re.escape(low))
        else:
            parts.append(f"{re.escape(low)}-{re.escape(high)}")
    if not parts:
        # Only reversed ranges: a class that matches nothing, or (negated) any one character.
        return "(?s:.)" if negated else "(?!)"
    return "[" + ("^" if negated else "") + "".join(parts) + "]"


def _class_items(body: str) -> list[tuple[str, str]]:
    """The class's characters and ranges as (low, high) pairs; a backslash takes the next character literally."""
    items: list[tuple[str, str]] = []
    i = 0
    while i < len(body):
        low, i = _class_character(body, i)
        if i + 1 < len(body) and body[i] == "-":
            high, i = _class_character(body, i + 1)
            items.append((low, high))
        else:
            items.append((low, low))
    return items


def _class_character(body: str, i: int) -> tuple[str, int]:
    if body[i] == "\\" and i + 1 < len(body):
        return body[i + 1], i + 2
    return body[i], i + 1


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
    for pattern in _patterns(spec, exclude_paths):
        glob_to_regex(pattern)  # a syntax error is raised even when no file would reach the pattern
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


def _patterns(spec: FileSet, exclude_paths: Sequence[str]) -> list[str]:
    base = [spec.base_directory] if spec.base_directory is not None else []
    return [*base, *spec.files, *exclude_paths]


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
    file arrives as a tar hard link, copied from the first. Nothing on the host ever points back into it, and
    nothing is written outside `destination`: a file whose path the folder cannot hold (a file where another
    needs a folder of that name, or a link left in the folder) is skipped, the rest is written, and then
    ArtifactPathError names the first such path. A host that cannot write raises HostWriteError (HostDiskFull
    when the disk is full) at once, keeping the files written so far.
    """
    _make_destination(destination)
    wanted = {item.source: item.destination for item in selection}
    written: dict[str, Path] = {}
    unwritable: ArtifactPathError | None = None
    with tarfile.open(fileobj=archive, mode="r|") as tar:
        for member in tar:
            name = _member_path(member.name)
            if name not in wanted or not (member.isfile() or member.islnk()):
                continue
            relative = wanted[name]
            problem = _unwritable(destination, relative)
            copied_from = written.get(_member_path(member.linkname)) if member.islnk() else None
            if problem and unwritable is None:
                unwritable = ArtifactPathError(problem)
            if problem or (member.islnk() and copied_from is None):
                # A hard link to a skipped file is skipped with it; the skipped file's error is raised.
                continue
            target = destination / relative
            _write_member(tar, member, target, copied_from, relative, destination)
            written[name] = target
            if owner:
                _chown_tree(target, destination, owner)
    if unwritable:
        raise unwritable


def _make_destination(destination: Path) -> None:
    try:
        destination.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocking = next((p for p in (*reversed(destination.parents), destination) if _is_non_folder(p)), destination)
        raise ArtifactPathError(
            f"the artifacts folder {str(destination)!r} cannot be created: {str(blocking)!r} is a file"
        ) from exc
    except OSError as exc:
        raise _host_error(exc, f"the artifacts folder {str(destination)!r} cannot be created") from exc


def _is_non_folder(path: Path) -> bool:
    return path.exists() and not path.is_dir()


def _unwritable(destination: Path, relative: str) -> str | None:
    """Why `relative` cannot be written under `destination` without leaving it or deleting a folder, or None."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        return f"the artifact path {relative!r} would lie outside the artifact folder"
    folder = destination
    for depth, part in enumerate(parts[:-1], start=1):
        folder = folder / part
        if folder.is_symlink():
            return f"the artifact path {relative!r} goes through {'/'.join(parts[:depth])!r}, a link on the host"
        if folder.exists() and not folder.is_dir():
            return (
                f"the artifact path {relative!r} needs a folder {'/'.join(parts[:depth])!r} where there is "
                "already a file of that name"
            )
    target = folder / parts[-1]
    if target.is_dir() and not target.is_symlink():
        return f"the artifact file {relative!r} has the name of a folder that holds other artifact files"
    return None


def _write_member(
    tar: tarfile.TarFile,
    member: tarfile.TarInfo,
    target: Path,
    copied_from: Path | None,
    relative: str,
    destination: Path,
) -> None:
    created = False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        created = True
        if copied_from is not None:
            shutil.copyfile(copied_from, target)
        else:
            _copy_member(tar, member, target)
        target.chmod(member.mode & 0o777)
    except OSError as exc:
        if created:
            # A truncated copy would pass for the artifact: better none than half of it.
            with contextlib.suppress(OSError):
                target.unlink(missing_ok=True)
        raise _host_error(exc, f"the artifact file {relative!r} could not be written to {str(destination)!r}") from exc


def _host_error(exc: OSError, what_failed: str) -> HostWriteError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return HostDiskFull(f"the host disk is full: {what_failed}")
    return HostWriteError(f"{what_failed}: {exc.strerror or exc}")


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
