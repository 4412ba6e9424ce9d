"""`simulator pipeline ...`: CodePipeline stage chains. Each subcommand is a module with add_parser and run.

The subcommands are imported when the group's parser is built, not with the package: `validate` uses this
package's options module, and must not pay for loading every pipeline command.
"""

from __future__ import annotations

from typing import Any

HELP = "show and run a CodePipeline from its CloudFormation template or a native stages/*.yml file"


def add_parser(subparsers: Any) -> None:
    from simulator.cli.commands.pipeline import approve, logs, prune, retry, run, show, status

    parser = subparsers.add_parser(
        "pipeline",
        help=HELP,
        examples=(
            "python -m simulator pipeline show examples/pipeline-template.yml",
            "python -m simulator pipeline run examples/pipeline-template.yml --values examples/parameters.yml",
        ),
    )
    commands = parser.add_subparsers(dest="pipeline_command", required=True, parser_class=type(parser))
    for command in (show, run, approve, status, retry, logs, prune):
        command.add_parser(commands)
