"""The shell scripts the agent runs for each buildspec command (CB §1.2).

Version 0.2 keeps one shell session for the whole build: each command's script restores the variables and
working directory the previous command left, and saves them again on exit (even on `exit 3`), so a failing
command fails only itself and never the session. Version 0.1 runs each command in a fresh shell.

Like CodeBuild's own /codebuild/output/tmp/script.sh, the user's command starts on line 4, so shell errors
read `script.sh: line 4: ...` as they do in the cloud.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from simulator.container.protocol import AgentRequest, EnvMode

TMP_DIR = "/codebuild/output/tmp"
SAVED_ENV = f"{TMP_DIR}/env.sh"
SAVED_DIR = f"{TMP_DIR}/dir.txt"
ARTIFACT_ARCHIVE = f"{TMP_DIR}/artifacts.tar"
PROBE_OUTPUT = f"{TMP_DIR}/probe.out"
# The session as the build's first failing command left it, set aside for a shell stepping into the failure.
FAILURE_ENV = f"{TMP_DIR}/failure-env.sh"
FAILURE_DIR = f"{TMP_DIR}/failure-dir.txt"
SHELL_ENTRY = f"{TMP_DIR}/simulator-shell.sh"
SHELL_RC = f"{TMP_DIR}/simulator-shell.rc"

# Plain assignments (`TAG=$(...)` without export) survive from phase to phase in CodeBuild; AWS's own ECR
# sample buildspec relies on it. Running each command with allexport (`set -a`) is how the session keeps
# them: they are saved with the exported ones (inferred, see README).
_SAVE = f"export -p > {SAVED_ENV}; pwd > {SAVED_DIR}"
_SAVE_SHARED = f"{_SAVE}; chmod 0666 {SAVED_ENV} {SAVED_DIR} 2>/dev/null"
_RESTORE_DIR = f'read -r __simulator_dir < {SAVED_DIR}; cd "$__simulator_dir"; unset __simulator_dir; set -a'


def _save_on_exit(save: str) -> str:
    return f"trap '{save}' EXIT"


def _save_after(save: str) -> str:
    """Saved after the command too, in case it replaced the EXIT trap with one of its own.

    `set --` keeps the exit status without creating a variable that would be saved with the session.
    """
    return f'set -- "$?"; {save}; exit "$1"'


_TRAILING_COMMENT = re.compile(r"\s#[^'\"]*$")


def _must_stay_last(command: str) -> bool:
    """A command whose end is still open would swallow a line after it: one ending in `\\`, `&&`, `||` or
    `|` (a trailing comment aside), or one with a here-document. It stays last, so the shell reports what
    CodeBuild's reports."""
    if "<<" in command:
        return True
    lines = command.rstrip().splitlines()
    last = _TRAILING_COMMENT.sub("", lines[-1]).rstrip() if lines else ""
    return last.endswith(("\\", "&&", "||", "|"))


@dataclass(frozen=True)
class ScriptSettings:
    version: str  # "0.1" or "0.2"
    shell: str
    shared_with_other_users: bool  # some phase has run-as: the saved session must stay writable for them


class ScriptFactory:
    """Numbers requests and renders the script for each kind of step."""

    def __init__(self, settings: ScriptSettings) -> None:
        self._settings = settings
        self._next_id = 0

    @property
    def keeps_session(self) -> bool:
        return self._settings.version != "0.1"

    def start_session(self) -> AgentRequest:
        """Save the container's starting environment and the source directory as the session's state."""
        lines = [_save_on_exit(self._save_body()), ":", 'cd "$CODEBUILD_SRC_DIR"', ":"]
        return self._request(lines, EnvMode.INHERIT, None)

    def command(self, command: str, *, build_succeeding: bool, user: str | None) -> AgentRequest:
        succeeding = f"export CODEBUILD_BUILD_SUCCEEDING={1 if build_succeeding else 0}"
        if not self.keeps_session:
            lines = [":", succeeding, 'cd "$CODEBUILD_SRC_DIR"', command]
            return self._request(lines, EnvMode.INHERIT, user)
        save = self._save_body()
        lines = [_save_on_exit(save), f". {SAVED_ENV}; {succeeding}", _RESTORE_DIR, command]
        if not _must_stay_last(command):
            lines.append(_save_after(save))
        return self._request(lines, EnvMode.CLEAN, user)

    def probe(self, body: Sequence[str]) -> AgentRequest:
        """A step of the simulator's own, run in the session's current state without changing it."""
        if not self.keeps_session:
            return self._request([":", ":", 'cd "$CODEBUILD_SRC_DIR"', *body], EnvMode.INHERIT, None)
        lines = [":", f". {SAVED_ENV}", 'cd "$CODEBUILD_SRC_DIR"', *body]
        return self._request(lines, EnvMode.CLEAN, None)

    def set_aside_failure(self) -> AgentRequest:
        """Copy the session the failing command just saved; `finally` and later phases go on from the original."""
        lines = [":", ":", ":", f"cp {SAVED_ENV} {FAILURE_ENV} && cp {SAVED_DIR} {FAILURE_DIR}"]
        return self._request(lines, EnvMode.INHERIT, None)

    def _save_body(self) -> str:
        return _SAVE_SHARED if self._settings.shared_with_other_users else _SAVE

    def _request(self, lines: list[str], mode: EnvMode, user: str | None) -> AgentRequest:
        self._next_id += 1
        return AgentRequest(self._next_id, "\n".join(lines), self._settings.shell, user, mode)


def print_variables_body(names: Iterable[str]) -> list[str]:
    """Print NAME, NUL, VALUE, NUL for each set variable: values may hold any character but NUL."""
    return [f'if [ "${{{name}+set}}" = set ]; then printf "%s\\0%s\\0" {name} "${{{name}}}"; fi' for name in names]


def parse_printed_variables(output: bytes) -> dict[str, str]:
    fields = output.decode(errors="replace").split("\0")
    return {fields[i]: fields[i + 1] for i in range(0, len(fields) - 1, 2)}


# Files, and links to files (artifacts hold what links point to: `enable-symlinks` is for zips). Links to
# folders are not followed: one pointing at `/` would walk the whole container, /proc included. `-xtype` is
# GNU find's; an image without it lists plain files only.
LIST_FILES_BODY = [
    "find . -mindepth 1 \\( -type f -o -xtype f \\) -print0 2>/dev/null"
    " || find . -mindepth 1 -type f -print0 2>/dev/null || true"
]
ARCHIVE_LIST = f"{TMP_DIR}/artifacts.list"
# GNU tar: NUL-separated names read literally (no backslash unquoting), each starting with ./ so none reads as
# an option. The list travels as a file, so any name (a newline, a backslash, any bytes) and any number fit.
ARCHIVE_BODY = [f"tar -c -h -f {ARTIFACT_ARCHIVE} --null --no-unquote -T {ARCHIVE_LIST}"]


def archive_list(paths: Sequence[str]) -> bytes:
    return b"".join(b"./" + path.encode(errors="surrogateescape") + b"\0" for path in paths)


def expand_body(text: str, terminator: str) -> list[str]:
    """Shell expansion of a value such as `myname-$(date +%Y-%m-%d)`, quotes inside it left to the shell.

    The empty line keeps a trailing backslash from joining the terminator; the terminator is the build's own
    random word, so no value can end the here-document early.
    """
    return [f"cat <<{terminator}", text, "", terminator]


def shell_entry_script() -> str:
    """`sh SHELL_ENTRY` opens an interactive shell in the build's state: bash if the image has it, else sh.

    The state is the first failing command's (set aside when it failed), else the session's last one (a build
    that did not fail, or timed out), else the container's own environment in CODEBUILD_SRC_DIR (version 0.1,
    whose commands each start there). With a saved state the shell starts from an empty environment, as each
    command does, so it sees exactly what the command saw; the terminal type is the one thing kept.
    """
    return f"""# The simulator's shell into a build container (run --shell-on-failure, run --keep).
if [ -r {FAILURE_ENV} ] || [ -r {SAVED_ENV} ]; then set -- env -i "TERM=${{TERM:-xterm}}"; else set -- env; fi
if command -v bash >/dev/null 2>&1; then exec "$@" "$(command -v bash)" --rcfile {SHELL_RC} -i; fi
exec "$@" "ENV={SHELL_RC}" "$(command -v sh)" -i
"""


def shell_rc_script() -> str:
    return rf"""# Read by the interactive shell the simulator opens (bash --rcfile, or sh's ENV).
if [ -r {FAILURE_ENV} ]; then . {FAILURE_ENV}; read -r __simulator_dir < {FAILURE_DIR}
elif [ -r {SAVED_ENV} ]; then . {SAVED_ENV}; read -r __simulator_dir < {SAVED_DIR}
else __simulator_dir=$CODEBUILD_SRC_DIR; fi
cd "$__simulator_dir" || cd "$CODEBUILD_SRC_DIR"
unset __simulator_dir
if [ -n "${{BASH_VERSION:-}}" ]; then PS1='(simulator) \w\$ '; else PS1='(simulator) $ '; fi
"""
