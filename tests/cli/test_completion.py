"""`simulator completion bash|zsh` (issue 7 item 7), tried in a real bash: the script completes commands,
subcommands, flags and flag choices from the parsers, and leaves files to the shell."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from simulator.cli.main import main
from tests.conftest import ROOT


def completion_script(shell: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "simulator", "completion", shell],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


@pytest.fixture(scope="module")
def bash_script() -> str:
    return completion_script("bash")


def complete(script: str, *words: str) -> list[str]:
    """What Tab offers after `simulator WORDS...` (the last word is the one being completed)."""
    line = " ".join(f"'{word}'" for word in ("simulator", *words))
    program = f"""{script}
COMP_WORDS=({line}); COMP_CWORD={len(words)}
_simulator_complete
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    shell = shutil.which("bash")
    assert shell is not None
    completed = subprocess.run([shell, "-c", program], capture_output=True, text=True, check=True)
    return [line for line in completed.stdout.splitlines() if line]


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        (("",), ["run", "validate", "plan", "pipeline", "image", "prune", "completion", "hook", "config"]),
        (("pipeline", "r"), ["run", "reject", "retry"]),
        (("pipeline", "run", "--no"), ["--no-input", "--notify-command"]),
        (("pipeline", "run", "--log-format", ""), ["text", "json"]),
        (("validate", "--format", "j"), ["json"]),
        (("completion", ""), ["bash", "zsh"]),
        (("run", "--pa"), ["--parameters"]),
        (("run", "buildsp"), []),  # a file: the shell's own completion answers (complete -o default)
        (("run", "--source", ""), []),  # a flag's free value: files again
    ],
)
def test_bash_completes_from_the_parsers(bash_script, words, offered):
    assert complete(bash_script, *words) == offered


def test_zsh_runs_the_same_script_through_bashcompinit(bash_script):
    zsh = completion_script("zsh")
    assert zsh.splitlines()[:2] == ["#compdef simulator", "autoload -U +X bashcompinit && bashcompinit"]
    assert zsh.endswith(bash_script)


def test_an_unknown_shell_is_refused_with_exit_2(capsys):
    assert main(["completion", "fish"]) == 2
    assert capsys.readouterr().err == (
        "error: simulator completion: argument shell: invalid choice: 'fish' (choose from 'bash', 'zsh') "
        "(see --help).\n"
    )
