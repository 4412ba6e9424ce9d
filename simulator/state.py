"""The project's state folder (`.simulator/` at the repository's top level): its layout, and safe writes to it.

    .simulator/
      parameters.yml          local values for parameter-store and secrets-manager (the user's)
      build-numbers.json      the next build number of each project
      .build-numbers.lock     held while a build number is taken
      builds/<build-id>/      build.log, summary.json, artifacts/, secondary-artifacts/<id>/, reports/<group>/
      pipelines.db            pipeline executions, stages, actions, approvals (SQLite, WAL: also -wal, -shm)
      pipelines/<pipeline>/<execution-id>/
                              artifacts/<artifact-name>/ (the local artifact bucket), logs/<stage>/<action>.<n>.log

Build records live here and never inside a source being built: a pipeline's sources are unpacked artifacts.
Every file written here is written whole or not at all (a temporary file, then a rename), and the build counter
is locked, so two builds running at once, in one process or two, never share a number.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from simulator.errors import EnvironmentProblem, InputError

STATE_DIR_NAME = ".simulator"
# CodeBuild's own rule for project names (CreateProject): a letter or digit, then letters, digits, - and _.
_PROJECT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,254}\Z")
_PIPELINE_NAME = re.compile(r"[A-Za-z0-9.@_-]{1,100}")  # CP §1.2
_EXECUTION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # uuid4, as CodePipeline's


class StateFolder:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def builds_dir(self) -> Path:
        return self.root / "builds"

    @property
    def parameters_file(self) -> Path:
        return self.root / "parameters.yml"

    @property
    def pipelines_db(self) -> Path:
        return self.root / "pipelines.db"

    @property
    def pipelines_dir(self) -> Path:
        return self.root / "pipelines"

    def execution_dir(self, pipeline: str, execution_id: str) -> Path:
        """The folder of one pipeline execution; both names are checked, so neither can point outside it."""
        check_pipeline_name(pipeline)
        if not _EXECUTION_ID.fullmatch(execution_id):
            raise ValueError(f"not an execution id: {execution_id!r}")
        return self.pipelines_dir / pipeline / execution_id

    @property
    def build_numbers_file(self) -> Path:
        return self.root / "build-numbers.json"

    @property
    def _build_numbers_lock(self) -> Path:
        return self.root / ".build-numbers.lock"

    def build_dir(self, build_id: str) -> Path:
        """The folder of one build; its name is checked, so no build id can point outside `builds/`."""
        project, _, unique = build_id.partition(":")
        check_project_name(project)
        if not re.fullmatch(r"[A-Za-z0-9-]+", unique):
            raise ValueError(f"not a build id: {build_id!r}")
        return self.builds_dir / build_id

    def next_build_number(self, project: str) -> int:
        """CodeBuild numbers a project's builds 1, 2, 3...; taken under a lock, written whole."""
        check_project_name(project)
        self.root.mkdir(parents=True, exist_ok=True)
        with _locked(self._build_numbers_lock):
            numbers = self._read_build_numbers()
            numbers[project] = numbers.get(project, 0) + 1
            write_atomic(self.build_numbers_file, json.dumps(numbers, indent=2) + "\n")
            return numbers[project]

    def _read_build_numbers(self) -> dict[str, int]:
        path = self.build_numbers_file
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as error:
            raise _corrupt(path, str(error)) from error
        try:
            numbers = json.loads(text)
        except ValueError as error:
            raise _corrupt(path, "it is not JSON") from error
        if not isinstance(numbers, dict) or not all(
            isinstance(k, str) and type(v) is int and v >= 0 for k, v in numbers.items()
        ):
            raise _corrupt(path, "it is not a mapping of project names to build numbers")
        return numbers


def check_project_name(name: str) -> None:
    if not _PROJECT_NAME.match(name):
        raise InputError(
            f"The project name {name!r} is not valid: use 2 to 255 letters, digits, - or _, starting with a "
            "letter or digit (as CodeBuild does)."
        )


def check_pipeline_name(name: str) -> None:
    # CodePipeline's pattern admits "." and "..", which as folder names would climb out of pipelines/.
    if not _PIPELINE_NAME.fullmatch(name) or name in (".", ".."):
        raise InputError(
            f"The pipeline name {name!r} is not valid: use 1 to 100 letters, digits, ., @, _ or - (as CodePipeline "
            "does), and not . or .. alone."
        )


def project_name_from_folder(folder: Path) -> str:
    """A valid project name made from a folder's name (the default when none is given)."""
    name = "".join(c if (c.isalnum() and c.isascii()) or c in "-_" else "-" for c in folder.name).strip("-_")[:255]
    return name if _PROJECT_NAME.match(name) else "local-project"


def write_atomic(path: Path, content: str) -> None:
    """Write the whole file or leave the old one: a crash, a full disk or a reader never sees half a file.

    A file that is already there keeps its mode; a link is followed, so the file it names is replaced, not the
    link; something that is not a regular file (`/dev/stdout`, a FIFO) is written into, as it cannot be replaced.
    """
    path = Path(os.path.realpath(path))
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        mode = 0o644 & ~_UMASK
    else:
        if not stat.S_ISREG(existing.st_mode):
            _write_through(path, content)
            return
        mode = stat.S_IMODE(existing.st_mode)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(content)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        with suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            raise disk_full(path) from error
        raise


def _write_through(path: Path, content: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(content)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise disk_full(path) from error
        raise


def disk_full(path: Path) -> EnvironmentProblem:
    return EnvironmentProblem(f"The disk holding {path.parent} is full: free some space and run again.")


def _read_umask() -> int:
    """Read once, at import: os.umask can only be read by setting it, which would race with other threads."""
    current = os.umask(0o022)
    os.umask(current)
    return current


_UMASK = _read_umask()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _corrupt(path: Path, why: str) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"The build counter {path} cannot be used ({why}): fix it or delete it (numbering then restarts at 1)."
    )
