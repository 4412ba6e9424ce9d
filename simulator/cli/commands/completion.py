"""`simulator completion bash|zsh`: a shell completion script for the `simulator` command, made from the parsers.

The script is static: every command, subcommand, flag and flag choice is written into it when it is generated, so a
Tab costs nothing (no Python start-up per key press) and it can never drift from the parsers as long as it is
generated again after an upgrade. Where a command takes a file, and after a flag that takes a value without fixed
choices, the shell's own file completion answers. zsh runs the same script through its `bashcompinit`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from simulator.errors import ExitCode

FUNCTION = "_simulator_complete"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "completion",
        help="print a shell completion script (bash or zsh)",
        description="Print a completion script for the simulator command (put the eval line in ~/.bashrc, or "
        "~/.zshrc for zsh).",
        examples=('eval "$(python -m simulator completion bash)"', 'eval "$(python -m simulator completion zsh)"'),
    )
    parser.add_argument("shell", choices=("bash", "zsh"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, _masker: object) -> int:
    from simulator.cli.main import build_parser  # the whole tree, the pipeline commands included

    print(script(build_parser(None), args.shell), end="")
    return int(ExitCode.SUCCEEDED)


@dataclass
class Node:
    """One command's completions: its subcommands, its flags, and the choices a flag's value has."""

    commands: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    choices: dict[str, list[str]] = field(default_factory=dict)


def command_tree(parser: argparse.ArgumentParser, path: str = "") -> dict[str, Node]:
    """Every command path ("", "/pipeline", "/pipeline/run", ...) with what may follow it."""
    node = Node()
    tree = {path: node}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                node.commands.append(name)
                tree.update(command_tree(child, f"{path}/{name}"))
        elif action.option_strings and action.help is not argparse.SUPPRESS:
            node.flags += action.option_strings
            if action.choices is not None:
                for flag in action.option_strings:
                    node.choices[flag] = [str(choice) for choice in action.choices]
        elif not action.option_strings and action.choices is not None:
            node.commands += [str(choice) for choice in action.choices]  # a positional with fixed values
    return tree


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    tree = command_tree(parser)
    preamble = "#compdef simulator\nautoload -U +X bashcompinit && bashcompinit\n" if shell == "zsh" else ""
    return preamble + _bash(tree)


def _bash(tree: dict[str, Node]) -> str:
    steps = " | ".join(f'"{path}"' for path in sorted(tree) if path) or '""'
    choice_cases = "".join(
        f'        "{path}:{flag}") words="{" ".join(values)}" ;;\n'
        for path, node in sorted(tree.items())
        for flag, values in node.choices.items()
    )
    word_cases = "".join(
        f'        "{path}") words="{" ".join(node.commands)}"; flags="{" ".join(node.flags)}" ;;\n'
        for path, node in sorted(tree.items())
    )
    return f"""# simulator's completion (python -m simulator completion); generated, so regenerate it after an upgrade.
{FUNCTION}() {{
    local cur prev path word i words flags
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD - 1]}}"
    path=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        case "$path/$word" in
            {steps}) path="$path/$word" ;;
        esac
    done
    words=""
    case "$path:$prev" in
{choice_cases}    esac
    if [ -n "$words" ]; then
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
        return 0
    fi
    flags=""
    case "$path" in
{word_cases}    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    elif [ -n "$words" ]; then
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
    else
        COMPREPLY=()  # a file, or a flag's value: the shell's own completion (complete -o default)
    fi
    return 0
}}
complete -o default -F {FUNCTION} simulator
"""
