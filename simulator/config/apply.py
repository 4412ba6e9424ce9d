"""Give the covered flags their defaults from the environment (`SIMULATOR_<FLAG>`) and the project's settings
file, after the parser is built and before it parses: a flag given still wins, the environment beats the file.

Each value goes through its flag's own `type=` and `choices`, so it is judged as the flag would be, and a refusal
names where the value came from (`.simulator.yml:3:10: error: timeout: ...`, `SIMULATOR_TIMEOUT=abc: ...`).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from simulator.config.settings import SETTINGS, Setting
from simulator.config.values import ConfigError, ConfigValue
from simulator.diagnostics import printable
from simulator.errors import InputError

ORIGINS = "config_origins"  # the namespace's record of which dests a default set, and from where


def apply_project_defaults(
    parser: argparse.ArgumentParser, find_root: Callable[[], Path], environ: Mapping[str, str] = os.environ
) -> None:
    """`find_root` names the repository whose settings apply; it is only called when the command has a flag the
    settings cover, so `image`, `completion` and `--help` never ask git."""
    covered = list(covered_actions(parser))
    if not covered:  # `image`, `completion`, `--help`: no file is read, so a broken one cannot block them
        return
    values = chosen_values(find_root(), environ)
    for setting, command, action in covered:
        value = values.get(setting.key)
        if value is None:
            continue
        default = converted(action, value)
        origins = {**(command.get_default(ORIGINS) or {}), action.dest: (value.origin, default)}
        command.set_defaults(**{action.dest: default, ORIGINS: origins})


def covered_actions(
    parser: argparse.ArgumentParser,
) -> Iterator[tuple[Setting, argparse.ArgumentParser, argparse.Action]]:
    """Each setting's flags that this parser holds; a command not built (or not written yet) has none."""
    for setting in SETTINGS:
        for path, dest in setting.targets:
            command = subcommand(parser, path)
            action = next((a for a in command._actions if a.dest == dest), None) if command else None
            if command is not None and action is not None:
                yield setting, command, action


def subcommand(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> argparse.ArgumentParser | None:
    for name in path:
        groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        child = next((group.choices[name] for group in groups if name in group.choices), None)
        if child is None:
            return None
        parser = child
    return parser


def chosen_values(root: Path, environ: Mapping[str, str]) -> dict[str, ConfigValue]:
    """The environment's values over the file's; an empty variable counts as unset, as `VAR= cmd` is meant."""
    from simulator.config.loader import load_project_config

    values = dict(load_project_config(root).values)
    for setting in SETTINGS:
        text = environ.get(setting.env, "")
        if text:
            values[setting.key] = ConfigValue(setting, _env_texts(setting, text), setting.env)
    return values


def _env_texts(setting: Setting, text: str) -> tuple[str, ...]:
    # Image names hold neither commas nor spaces, so SIMULATOR_MAP_IMAGE lists NAME=IMAGE items with commas.
    if setting.kind == "mapping":
        return tuple(item.strip() for item in text.split(",") if item.strip())
    return (text,)


def converted(action: argparse.Action, value: ConfigValue) -> object:
    items = [_one(action, value, text) for text in value.texts]
    return items if isinstance(action, argparse._AppendAction) else items[0]


def _one(action: argparse.Action, value: ConfigValue, text: str) -> object:
    try:
        result = action.type(text) if callable(action.type) else text
    except (argparse.ArgumentTypeError, ValueError, TypeError) as error:
        raise _refused(value, str(error)) from None
    if action.choices is not None and result not in action.choices:
        choices = ", ".join(map(str, action.choices))
        raise _refused(value, f"{text!r} is not one of {choices}")
    return result


def _refused(value: ConfigValue, message: str) -> InputError:
    if value.place is not None:
        return ConfigError((replace(value.place, message=f"{value.setting.key}: {message}"),))
    shown = printable(",".join(value.texts))
    return InputError(f"{value.setting.env}={shown}: {message}")


def checked(value: ConfigValue) -> ConfigValue:
    """The value judged by its setting's own conversion, for `config`, which may build none of its flags."""
    for text in value.texts:
        try:
            value.setting.convert(text)
        except argparse.ArgumentTypeError as error:
            raise _refused(value, str(error)) from None
    return value
