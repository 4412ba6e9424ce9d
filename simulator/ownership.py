"""Under sudo, what the simulator writes for the user (records, logs, summaries, artifacts) belongs to that user.

Run as root through sudo, every file would otherwise be root's, and the person who ran the build could not
delete their own build records.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

Owner = tuple[int, int]


def invoking_user(environ: Mapping[str, str]) -> Owner | None:
    """The uid and gid of the person behind sudo; None when files should simply stay the caller's."""
    if os.geteuid() != 0:
        return None
    uid, gid = environ.get("SUDO_UID", ""), environ.get("SUDO_GID", "")
    if uid.isdigit() and gid.isdigit():
        return int(uid), int(gid)
    return None


def missing_folders(folder: Path) -> list[Path]:
    """The folders that creating `folder` would make, outermost first."""
    return [p for p in (*reversed(folder.parents), folder) if not p.exists()]


def hand_over(owner: Owner | None, written: Iterable[Path]) -> None:
    """Give each path (and, for a folder, everything in it) to `owner`; paths that are gone are skipped."""
    if owner is None:
        return
    for path in written:
        if not os.path.lexists(path):
            continue
        os.lchown(path, *owner)
        if path.is_dir() and not path.is_symlink():
            for root, dirs, files in os.walk(path):
                for name in (*dirs, *files):
                    os.lchown(os.path.join(root, name), *owner)


def user_name() -> str:
    """Who runs the simulator: the initiator of a build, the person answering a gate."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local-user"
