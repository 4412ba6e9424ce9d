"""`simulator config [COMMAND ...]`: the project's defaults for flags, each with where it comes from.

With no COMMAND, every setting as the environment (`SIMULATOR_<FLAG>`) and the settings file give it; with a
command line (`config run buildspec.yml --timeout 5`), the values that command would take, flags included. No
secret lives in these settings (the values file's path is one, never its content).
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.cli.load_problems import print_load_problems
from simulator.config.apply import checked, chosen_values, covered_actions, subcommand
from simulator.config.settings import SETTINGS, Setting
from simulator.config.values import ConfigValue
from simulator.errors import ExitCode
from simulator.reporting.masking import Masker

EXAMPLE = """\
examples:
  python -m simulator config                                           # every setting and where it comes from
  python -m simulator config --format json
  SIMULATOR_TIMEOUT=5 python -m simulator config run buildspecs/buildspec-dev.yml --image my/image:1
"""


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "config",
        help="print the project's defaults for flags (.simulator.yml, SIMULATOR_* variables) and where each comes from",
        description="Print the effective value of every setting the project's defaults cover (.simulator.yml at the "
        "repository's root, or [tool.simulator] in pyproject.toml, then the SIMULATOR_<FLAG> environment variables, "
        "then the flags of COMMAND when one is given), each with its origin: flag, SIMULATOR_X, FILE:LINE or "
        "default.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "command",
        nargs=argparse.REMAINDER,
        metavar="COMMAND ...",
        help="a whole command line (e.g. run buildspec.yml --timeout 5): the values it would take",
    )
    parser.set_defaults(handler=run)


@dataclass(frozen=True)
class Row:
    setting: Setting
    value: str | dict[str, str] | None  # None: nothing sets it, the command's own default applies
    origin: str


def run(args: argparse.Namespace, masker: Masker) -> int:
    from simulator.cli.current_repository import current_repository
    from simulator.config.loader import load_project_config

    root = current_repository()
    config = load_project_config(root)
    print_load_problems(config.warnings, masker)
    values = {key: checked(value) for key, value in chosen_values(root, os.environ).items()}
    rows = _command_rows(args.command, values) if args.command else [_row(s, values.get(s.key)) for s in SETTINGS]
    file = str(config.file) if config.file else None
    print(masker.mask(_json(file, rows) if args.format == "json" else _text(file, rows, root)))
    return int(ExitCode.SUCCEEDED)


def _row(setting: Setting, value: ConfigValue | None) -> Row:
    if value is None:
        return Row(setting, None, "default")
    return Row(setting, _value_of(setting, value.texts), value.origin)


def _value_of(setting: Setting, texts: tuple[str, ...] | list[str]) -> str | dict[str, str]:
    if setting.kind == "mapping":
        return dict(text.partition("=")[::2] for text in texts)
    return texts[0]


class _Unset(list[object]):
    """A default no value can be: what a flag gives replaces it (store) or copies it (append)."""


def _command_rows(command: list[str], values: dict[str, ConfigValue]) -> list[Row]:
    """The covered flags of that command line, each as its flag, the environment, the file or the default says."""
    from simulator.cli.main import build_parser

    parser = build_parser(command)
    chosen = _chosen_command(parser, command)
    # Only the flags of the command given: another command's flag with the same dest is not on this command line.
    covered = [one for one in covered_actions(parser) if one[1] is chosen]
    unset = {id(action): _Unset() for _setting, _command, action in covered}
    for _setting, subparser, action in covered:
        subparser.set_defaults(**{action.dest: unset[id(action)]})
    parsed = parser.parse_args(command)
    rows: dict[str, Row] = {}
    for setting, _subparser, action in covered:
        given = getattr(parsed, action.dest)
        if given is not unset[id(action)]:
            rows[setting.key] = _flag_row(setting, given, values.get(setting.key))
        else:
            rows.setdefault(setting.key, _row(setting, values.get(setting.key)))
    return list(rows.values())


def _chosen_command(parser: argparse.ArgumentParser, command: list[str]) -> argparse.ArgumentParser:
    """The (sub)command the leading words of `command` name: `pipeline show FILE` is `pipeline show`'s parser."""
    for word in command:
        child = subcommand(parser, (word,))
        if child is None:
            break
        parser = child
    return parser


def _flag_row(setting: Setting, given: object, configured: ConfigValue | None) -> Row:
    if setting.kind != "mapping":
        return Row(setting, _flag_text(given), "flag")
    # `--map-image` adds to the configured mapping, name by name, as argparse's append does.
    items = [*(configured.texts if configured else ()), *(f"{n}={i}" for n, i in given)]  # type: ignore[attr-defined]
    origin = f"flag, {configured.origin}" if configured else "flag"
    return Row(setting, _value_of(setting, items), origin)


def _flag_text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _text(file: str | None, rows: list[Row], root: Path) -> str:
    where = file or f"none (no .simulator.yml, no [tool.simulator] in pyproject.toml at {root})"
    shown = [(row.setting.key, _display(row), row.origin) for row in rows]
    widths = [max(len(cells[column]) for cells in [("KEY", "VALUE", "FROM"), *shown]) for column in range(2)]
    lines = [f"{key:<{widths[0]}}  {value:<{widths[1]}}  {origin}".rstrip() for key, value, origin in shown]
    header = f"{'KEY':<{widths[0]}}  {'VALUE':<{widths[1]}}  FROM"
    return "\n".join([f"Settings file: {where}", header, *lines])


def _display(row: Row) -> str:
    if row.value is None:
        return row.setting.default
    if isinstance(row.value, dict):
        return ", ".join(f"{name}={image}" for name, image in row.value.items())
    return row.value


def _json(file: str | None, rows: list[Row]) -> str:
    settings = [
        {
            "key": row.setting.key,
            "value": row.value,
            "origin": row.origin,
            "variable": row.setting.env,
            "default": row.setting.default,
        }
        for row in rows
    ]
    return json.dumps({"file": file, "settings": settings}, indent=2)
