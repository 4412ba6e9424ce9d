"""The build files of a repository, for `validate` with no file: what a clone would hold (tracked and
untracked-not-ignored files, never `.simulator/`), picked by name, and by content only where a name cannot tell.

- buildspecs: `buildspec*.yml` and `buildspec*.yaml`, in any folder (the files a pipeline names are added when
  the pipeline is read);
- pipelines: every YAML file in a `stages/` folder, and every template holding an `AWS::CodePipeline::Pipeline`
  (only files whose text names that type are parsed: the repository's other YAML and JSON cost one read each).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from simulator.container.staging import source_files

_BUILDSPEC_NAMES = ("buildspec*.yml", "buildspec*.yaml")
_YAML = (".yml", ".yaml")
_TEMPLATE_SUFFIXES = (".yml", ".yaml", ".json", ".template")
_PIPELINE_TYPE = b"AWS::CodePipeline::Pipeline"


@dataclass(frozen=True)
class BuildFiles:
    """Paths relative to the repository's root, in the order `git ls-files` gives them."""

    buildspecs: tuple[PurePosixPath, ...]
    pipelines: tuple[PurePosixPath, ...]


def discover(root: Path, exclude: Sequence[str] = ()) -> BuildFiles:
    """`exclude` holds glob patterns matched against the path from the root (`*` crosses `/`, as fnmatch does)."""
    from simulator.pipeline.loader import file_kind  # the pipeline package only once something may be a template

    buildspecs: list[PurePosixPath] = []
    pipelines: list[PurePosixPath] = []
    for name in source_files(root):
        path = PurePosixPath(name)
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in exclude):
            continue
        if any(fnmatch.fnmatchcase(path.name, pattern) for pattern in _BUILDSPEC_NAMES):
            buildspecs.append(path)
        elif ("stages" in path.parts[:-1] and path.suffix in _YAML) or _is_template(root / name, file_kind):
            pipelines.append(path)
    return BuildFiles(tuple(buildspecs), tuple(pipelines))


def _is_template(path: Path, file_kind: Callable[[Path], str]) -> bool:
    return path.suffix in _TEMPLATE_SUFFIXES and _names_a_pipeline(path) and file_kind(path) == "template"


def _names_a_pipeline(path: Path) -> bool:
    try:
        return path.is_file() and _PIPELINE_TYPE in path.read_bytes()
    except OSError:
        return False  # unreadable: not ours to report, the user never named it
