"""Where a command run in this folder keeps its records: the state folder of the git repository around it (the
folder itself outside a repository). Every command that reads or writes records asks here."""

from __future__ import annotations

from pathlib import Path

from simulator.container.staging import default_source_dir
from simulator.state import STATE_DIR_NAME, StateFolder


def current_repository() -> Path:
    return default_source_dir(Path.cwd()).resolve()


def current_state() -> StateFolder:
    return StateFolder(current_repository() / STATE_DIR_NAME)
