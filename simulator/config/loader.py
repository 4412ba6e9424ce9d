"""Read the project's defaults from `.simulator.yml` at the repository's root, or from `[tool.simulator]` in its
`pyproject.toml`; every problem as `FILE:LINE:COL: error: message`.

Both present is refused, as pre-commit refuses an ambiguous configuration: which one wins would be a guess.
Paths are relative to the file's folder (the repository's root), whatever the current folder is. A path that
does not exist is a warning only: a values file is often kept out of git, and the command that reads it says so.
TOML keeps no positions, so a `[tool.simulator]` problem points at the line of its key, found by reading the
lines (`key =` under a `[tool.simulator...]` header; dotted keys and quoted dots in headers are not followed: the
table's header line is named instead).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Protocol, cast

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode

from simulator.config.model import KEYS, ProjectSettings
from simulator.config.settings import SETTINGS, Setting
from simulator.config.values import ConfigError, ConfigValue, ProjectConfig
from simulator.diagnostics import (
    Diagnostic,
    Loc,
    Positions,
    Severity,
    UnreadableFile,
    YamlSourceError,
    common_message,
    compose,
    crumb,
    error_location,
    quote,
    read_text,
    rules,
    to_document,
)

CONFIG_FILE = ".simulator.yml"
PYPROJECT = "pyproject.toml"
# The paths that name a file to read; `artifacts` is a folder the build writes into.
_FILES = frozenset({"parameters", "env-file", "pipeline"})


class _Locator(Protocol):
    def at(self, loc: Loc, severity: Severity, message: str, *, at_key: bool = False) -> Diagnostic: ...


def config_files(root: Path) -> list[Path]:
    """The files of `root` that hold project defaults (two is an error the loader reports)."""
    found = [root / CONFIG_FILE] if (root / CONFIG_FILE).is_file() else []
    pyproject = root / PYPROJECT
    if pyproject.is_file() and "tool.simulator" in pyproject.read_text(errors="replace"):
        found.append(pyproject)
    return found


def load_project_config(root: Path) -> ProjectConfig:
    files = config_files(root)
    if not files:
        return ProjectConfig(None, {})
    shown = shown_path(files[0])
    if len(files) == 2:
        message = f"{PYPROJECT} also has a [tool.simulator] table: keep the project's settings in one of the two files"
        raise ConfigError((Diagnostic(shown, 1, 1, "error", message, rules.CONFIG_SCHEMA),))
    data, locator = _read_toml(files[0], shown) if files[0].name == PYPROJECT else _read_yaml(files[0], shown)
    return _Checked(root, shown, locator).run(data)


def shown_path(path: Path) -> Path:
    """Inside the current folder, relative to it (as a user names files there); elsewhere as it is."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _single(path: Path, line: int, column: int, message: str) -> ConfigError:
    return ConfigError((Diagnostic(path, line, column, "error", message, rules.CONFIG_SYNTAX),))


def _read_yaml(path: Path, shown: Path) -> tuple[dict[str, object], _Locator]:
    try:
        text = read_text(path)
        root = compose(text)
    except UnreadableFile as exc:
        raise _single(shown, exc.line, 1, exc.problem) from exc
    except YamlSourceError as exc:
        raise _single(shown, exc.line, exc.column, exc.message) from exc
    if root is None:  # an empty file sets nothing
        return {}, Positions(shown, {})
    if not isinstance(root, MappingNode):
        mark = root.start_mark
        raise _single(shown, mark.line + 1, mark.column + 1, "the settings must be a mapping of keys such as 'image'")
    document = to_document(root)
    positions = Positions(shown, document.nodes)
    if document.problems:
        problem = document.problems[0]
        mark = problem.node.start_mark
        raise _single(shown, mark.line + 1, mark.column + 1, problem.message)
    return cast(dict[str, object], document.data), positions


_TOML_AT = re.compile(r"at line (\d+), column (\d+)")
_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


def _read_toml(path: Path, shown: Path) -> tuple[dict[str, object], _Locator]:
    try:
        text = read_text(path)
        document = tomllib.loads(text)
    except UnreadableFile as exc:
        raise _single(shown, exc.line, 1, exc.problem) from exc
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))
        line, column = (int(at.group(1)), int(at.group(2))) if at else (1, 1)
        raise _single(shown, line, column, f"invalid TOML: {_TOML_AT.sub('', str(exc)).rstrip(' ()')}") from exc
    locator = _TomlLines(shown, text)
    table = document.get("tool", {}).get("simulator", {}) if isinstance(document.get("tool"), dict) else {}
    if not isinstance(table, dict):
        raise _single(shown, *locator.line_of(()), "tool.simulator must be a table of keys such as 'image'")
    return table, locator


class _TomlLines:
    """Where a key of `[tool.simulator]` is written, from the file's lines: TOML's parser keeps no positions."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.places: dict[Loc, tuple[int, int]] = {}
        table: tuple[str, ...] | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                parts = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
                table = parts[2:] if parts[:2] == ("tool", "simulator") else None
                if table is not None:
                    self.places.setdefault(table, (number, line.index("[") + 1))
                continue
            key = _KEY.match(line)
            if key and table is not None:
                name = next(group for group in key.groups() if group is not None)
                self.places.setdefault((*table, name), (number, len(line) - len(line.lstrip()) + 1))

    def line_of(self, loc: Loc) -> tuple[int, int]:
        while loc and loc not in self.places:
            loc = loc[:-1]
        return self.places.get(loc, (1, 1))

    def at(self, loc: Loc, severity: Severity, message: str, *, at_key: bool = False) -> Diagnostic:
        return Diagnostic(self.path, *self.line_of(loc), severity, message)


class _Checked:
    """One reading of the file: the shape (pydantic), then each value through its flag's conversion."""

    def __init__(self, root: Path, shown: Path, locator: _Locator) -> None:
        self.root, self.shown, self.locator = root, shown, locator
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []

    def run(self, data: dict[str, object]) -> ProjectConfig:
        """Every problem at once: the shape's, then the values of the keys whose shape is right."""
        try:
            ProjectSettings.model_validate(data)
            misshapen: set[Loc] = set()
        except ValidationError as exc:
            self.errors.extend(self._from_pydantic(error) for error in exc.errors())
            misshapen = {tuple(error["loc"][:2]) for error in exc.errors()}
        values = {}
        for setting in SETTINGS:
            loc = tuple(setting.key.split("."))
            raw = _lookup(data, loc)
            if raw is not None and not any(loc[: len(bad)] == bad for bad in misshapen):
                values[setting.key] = self._value(setting, loc, raw)
        if self.errors:
            raise ConfigError(tuple(_ordered(self.errors)))
        return ProjectConfig(self.shown, values, tuple(_ordered(self.warnings)))

    def _from_pydantic(self, error: ErrorDetails) -> Diagnostic:
        loc, at_key = error_location(error)
        message = _unknown_key(loc) if error["type"] == "extra_forbidden" else common_message(error, crumb(loc))
        return self._at(loc, "error", message, at_key=at_key)

    def _value(self, setting: Setting, loc: Loc, raw: object) -> ConfigValue:
        place = self._at(loc, "error", "")
        origin = f"{self.shown.name}:{place.line}"  # the file is at the root, wherever one stands
        if setting.kind == "mapping":
            items = cast(dict[str, str], raw)
            for name, image in items.items():
                self._convert(setting, (*loc, name), f"{name}={image}")
            return ConfigValue(setting, tuple(f"{n}={i}" for n, i in items.items()), origin, place)
        text = cast(str, raw)
        if not self._convert(setting, loc, text) or setting.kind != "path":
            return ConfigValue(setting, (text,), origin, place)
        path = self.root / text
        self._check_path(setting, loc, text, path)
        return ConfigValue(setting, (str(shown_path(path)),), origin, place)

    def _convert(self, setting: Setting, loc: Loc, text: str) -> bool:
        try:
            setting.convert(text)
        except argparse.ArgumentTypeError as error:
            self.errors.append(self._at(loc, "error", f"{crumb(loc)}: {error}"))
            return False
        return True

    def _check_path(self, setting: Setting, loc: Loc, text: str, path: Path) -> None:
        wants_file = setting.key in _FILES
        if wants_file and path.is_dir():
            self.errors.append(self._at(loc, "error", f"{setting.key}: {quote(text)} is a folder, not a file"))
        elif not wants_file and path.exists() and not path.is_dir():
            self.errors.append(self._at(loc, "error", f"{setting.key}: {quote(text)} is a file, not a folder"))
        elif wants_file and not os.path.lexists(path):
            message = (
                f"{setting.key}: {quote(text)} does not exist (paths are relative to the folder of {self.shown.name})"
            )
            self.warnings.append(self._at(loc, "warning", message, rule=rules.CONFIG_PATH))

    def _at(
        self, loc: Loc, severity: Severity, message: str, *, at_key: bool = False, rule: str = rules.CONFIG_SCHEMA
    ) -> Diagnostic:
        return replace(self.locator.at(loc, severity, message, at_key=at_key), rule=rule)


def _lookup(data: dict[str, object], loc: Loc) -> object:
    value: object = data
    for part in loc:
        value = value.get(str(part)) if isinstance(value, dict) else None
    return value


def _unknown_key(loc: Loc) -> str:
    known = KEYS.get(tuple(str(part) for part in loc[:-1]), ())
    name = str(loc[-1])
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {quote(close[0])}?" if close else ";"
    return f"unknown key {quote(crumb(loc))}{hint} Known keys: {', '.join(known)}"


def _ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.line, d.column))
