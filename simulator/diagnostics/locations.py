"""A diagnostic's file as a code host names it: relative to the repository's root, with `/` between parts."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


def relative_to_root(path: Path, root: Path) -> PurePosixPath | None:
    """`path` relative to `root`, or None when it lies outside (a file given from elsewhere).

    Neither is resolved: a link inside the repository is named where the user sees it, not where it points.
    """
    absolute, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        return PurePosixPath(absolute.relative_to(base).as_posix())
    except ValueError:
        return None
