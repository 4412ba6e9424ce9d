"""`simulator pipeline ...`: CodePipeline stage chains. Each subcommand is a module with add_parser and run."""

from __future__ import annotations

from typing import Any

from simulator.cli.commands.pipeline import approve, logs, prune, retry, run, show, status

SUBCOMMANDS = (show, run, approve, status, retry, logs, prune)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pipeline",
        help="show (and run) a CodePipeline from its CloudFormation template or a native stages/*.yml file",
    )
    commands = parser.add_subparsers(dest="pipeline_command", required=True, parser_class=type(parser))
    for command in SUBCOMMANDS:
        command.add_parser(commands)
