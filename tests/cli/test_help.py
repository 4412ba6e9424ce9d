"""Every command's `--help` ends with examples to copy (issue 7 item 7), each naming the command it documents."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from simulator.cli.main import build_parser, main


def commands(parser: argparse.ArgumentParser, path: str = "") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from commands(child, f"{path} {name}".strip())


EVERY_COMMAND = list(commands(build_parser(None)))


@pytest.mark.parametrize(("path", "parser"), EVERY_COMMAND, ids=[path or "simulator" for path, _ in EVERY_COMMAND])
def test_help_ends_with_examples_of_that_command(path, parser):
    text = parser.format_help()
    _, marker, examples = text.rpartition("\nexamples:\n")
    assert marker, text
    lines = examples.splitlines()
    assert lines and all(line.startswith("  ") for line in lines)
    assert all(f"python -m simulator {path}".rstrip() in line for line in lines), lines


def test_help_through_the_command_line_shows_them(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["pipeline", "run", "--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.endswith(
        "examples:\n"
        "  python -m simulator pipeline run examples/pipeline-template.yml --values examples/parameters.yml\n"
        "  python -m simulator pipeline run stages/pipeline.yml --until BuildDev --env SKIP_TESTS=true\n"
        "  python -m simulator pipeline run stages/pipeline.yml --from BuildProd\n"
        "  python -m simulator pipeline run stages/pipeline.yml --approve-all --no-input\n"
    )
