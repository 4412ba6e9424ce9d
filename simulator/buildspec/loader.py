"""Load and validate a buildspec in one place, eagerly, reporting every problem with file, line and column.

Policy for unknown keys: a key the buildspec schema does not know is a warning and is ignored, as CodeBuild
tolerates it; the one exception is a key directly under `phases`, where a misspelt phase would silently never
run, so it is an error with a suggestion. Parsing never touches Docker.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, ScalarNode

from simulator.buildspec.model import PHASE_NAMES, RULE_ERROR, Buildspec
from simulator.diagnostics import (
    Diagnostic,
    Loc,
    Positions,
    Severity,
    SourceDocument,
    UnreadableFile,
    YamlSourceError,
    common_message,
    compose,
    crumb,
    error_location,
    printable,
    quote,
    read_text,
    rules,
    to_document,
)
from simulator.errors import InputError

# Where a version 0.1 key was moved to its 0.2 place, so messages still name what the user wrote.
_V01_RENAMES: dict[Loc, Loc] = {
    ("env", "variables"): ("environment_variables", "plaintext"),
    ("env",): ("environment_variables",),
}


class BuildspecError(InputError):
    """The buildspec is invalid; `diagnostics` (never empty) holds every error found, in file order."""

    def __init__(self, path: Path, diagnostics: tuple[Diagnostic, ...], warnings: tuple[Diagnostic, ...] = ()) -> None:
        self.path = path
        self.diagnostics = diagnostics
        self.warnings = warnings
        count = len(diagnostics)
        plural = "" if count == 1 else "s"
        super().__init__(
            f"{printable(str(path))} has {count} error{plural}; fix the buildspec and run again. "
            f"First: {diagnostics[0].format()}"
        )


@dataclass(frozen=True)
class LoadedBuildspec:
    path: Path
    buildspec: Buildspec
    warnings: tuple[Diagnostic, ...]
    # Where each key and value was written, for checks that run after loading (`validate`'s image checks).
    positions: Positions | None = field(default=None, compare=False)


def load_buildspec(path: Path) -> LoadedBuildspec:
    try:
        text = read_text(path)
    except UnreadableFile as exc:
        raise _single_error(path, exc.line, 1, exc.problem) from exc
    return parse_buildspec(text, path)


def parse_buildspec(text: str, path: Path) -> LoadedBuildspec:
    """Like load_buildspec, from text already in hand (an inline buildspec); `path` names it in messages."""
    root = _compose_root(text, path)
    return _Validation(path, to_document(root)).run()


def _compose_root(text: str, path: Path) -> MappingNode:
    try:
        root = compose(text)
    except YamlSourceError as exc:
        raise _single_error(path, exc.line, exc.column, exc.message) from exc
    if root is None:
        raise _single_error(path, 1, 1, "the file is empty; a buildspec needs at least 'version' and 'phases'")
    if not isinstance(root, MappingNode):
        kind = "a list" if not isinstance(root, ScalarNode) else "a single value"
        mark = root.start_mark
        message = f"the buildspec must be a mapping of keys such as 'version' and 'phases', not {kind}"
        raise _single_error(path, mark.line + 1, mark.column + 1, message)
    return root


def _single_error(path: Path, line: int, column: int, message: str) -> BuildspecError:
    return BuildspecError(path, (Diagnostic(path, line, column, "error", message, rules.BUILDSPEC_SYNTAX),))


def rule_of(loc: Loc, kind: str) -> str:
    """The rule a schema error at `loc` breaks: the semantic checks the schema holds have ids of their own."""
    if loc[:1] == ("reports",) and loc[-1:] == ("file-format",):
        return rules.REPORT_FILE_FORMAT
    if loc[:2] == ("env", "exported-variables"):
        return rules.EXPORTED_VARIABLE
    if loc[-1:] == ("on-failure",):
        return rules.ON_FAILURE
    if loc[:1] == ("phases",) and loc[-1:] == ("commands",) and kind == "missing":
        return rules.PHASE_COMMANDS
    return rules.BUILDSPEC_SCHEMA


_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Validation:
    """One validation run: the converted document, plus the errors and warnings found so far."""

    def __init__(self, path: Path, document: SourceDocument) -> None:
        self.path = path
        self.positions = Positions(path, document.nodes)
        # The root was checked to be a mapping before conversion.
        self.data = cast(dict[str, object], document.data)
        self.renames: dict[Loc, Loc] = {}
        self.errors = [
            replace(self.positions.at_node(p.node, "error", p.message), rule=rules.BUILDSPEC_SYNTAX)
            for p in document.problems
        ]
        self.warnings: list[Diagnostic] = []

    def run(self) -> LoadedBuildspec:
        if self.data.get("version") == "0.1":
            _drop_v01_artifact_type(self.data)
            self._upgrade_v01_env(self.data)
        buildspec = self._validate(self.data)
        if buildspec is not None:
            self._warn_unreadable_names(buildspec)
        warnings = tuple(_in_file_order(self.warnings))
        if self.errors or buildspec is None:
            raise BuildspecError(self.path, tuple(_in_file_order(self.errors)), warnings)
        return LoadedBuildspec(path=self.path, buildspec=buildspec, warnings=warnings, positions=self.positions)

    def _warn_unreadable_names(self, buildspec: Buildspec) -> None:
        """A name such as MY-VAR reaches the build's environment, but no shell command can read it."""
        env = buildspec.env
        for section, names in (
            ("variables", env.variables),
            ("parameter-store", env.parameter_store),
            ("secrets-manager", env.secrets_manager),
        ):
            for name in names:
                if not _SHELL_NAME.fullmatch(name):
                    loc = self._source_loc(("env", section, name))
                    reference = f"${printable(name)}"
                    message = f"{crumb(loc)} is not a shell variable name: commands cannot read it as {reference}"
                    self.warnings.append(
                        self._at(loc, "warning", message, at_key=True, rule=rules.BUILDSPEC_VARIABLE_NAME)
                    )

    def _upgrade_v01_env(self, data: dict[str, object]) -> None:
        # CB §1.2: version 0.1 spells env.variables as environment_variables.plaintext.
        if "environment_variables" not in data:
            return
        if "env" in data:
            message = "give environment_variables (version 0.1) or env, not both"
            self.errors.append(self._at(("env",), "error", message, at_key=True, rule=rules.BUILDSPEC_SCHEMA))
            return
        legacy = data.pop("environment_variables")
        if isinstance(legacy, dict):
            legacy = {("variables" if key == "plaintext" else key): value for key, value in legacy.items()}
        data["env"] = legacy
        self.renames = _V01_RENAMES

    def _validate(self, data: dict[str, object]) -> Buildspec | None:
        outcome = _try_validate(data)
        ignored = [error for error in outcome if _is_ignorable(error)] if isinstance(outcome, list) else []
        for error in ignored:
            self._ignore_key(data, error["loc"])
        if ignored:
            # Model-level checks run only once every field is valid: validate again without the ignored keys.
            outcome = _try_validate(data)
        if isinstance(outcome, Buildspec):
            return outcome
        self.errors.extend(self._from_pydantic(error) for error in outcome)
        return None

    def _ignore_key(self, data: dict[str, object], loc: tuple[str | int, ...]) -> None:
        source = self._source_loc(loc)
        message = f"unknown key '{crumb(source)}' ignored"
        self.warnings.append(self._at(source, "warning", message, at_key=True, rule=rules.BUILDSPEC_UNKNOWN_KEY))
        _delete(data, loc)

    def _from_pydantic(self, error: ErrorDetails) -> Diagnostic:
        loc, at_key = error_location(error)
        loc = self._source_loc(loc)
        rule = rule_of(loc, error["type"])
        return self._at(loc, "error", _message(error, loc), at_key=at_key, rule=rule)

    def _source_loc(self, loc: tuple[str | int, ...]) -> Loc:
        for prefix in sorted(self.renames, key=len, reverse=True):
            if loc[: len(prefix)] == prefix:
                return self.renames[prefix] + tuple(loc[len(prefix) :])
        return tuple(loc)

    def _at(self, loc: Loc, severity: Severity, message: str, *, at_key: bool, rule: str) -> Diagnostic:
        return replace(self.positions.at(loc, severity, message, at_key=at_key), rule=rule)


def _drop_v01_artifact_type(data: dict[str, object]) -> None:
    # CB §1.2: a 0.1 key (deprecated in 0.2) that picks the upload format, moot locally.
    artifacts = data.get("artifacts")
    if isinstance(artifacts, dict):
        artifacts.pop("type", None)


def _delete(data: dict[str, object], loc: tuple[str | int, ...]) -> None:
    parent: Any = data
    for part in loc[:-1]:
        parent = parent[part]
    del parent[loc[-1]]


def _try_validate(data: dict[str, object]) -> Buildspec | list[ErrorDetails]:
    try:
        return Buildspec.model_validate(data)
    except ValidationError as exc:
        return exc.errors()


def _is_ignorable(error: ErrorDetails) -> bool:
    loc = error["loc"]
    return error["type"] == "extra_forbidden" and not (len(loc) == 2 and loc[0] == "phases")


def _in_file_order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.line, d.column))


def _message(error: ErrorDetails, loc: Loc) -> str:
    """Turn one pydantic error into a sentence that starts with the breadcrumb of what is wrong."""
    kind, where = error["type"], crumb(loc)
    if kind == RULE_ERROR:
        return f"{where} {error['msg']}"
    if kind == "missing":
        return f"{where} is required{_missing_hint(loc)}"
    if kind == "extra_forbidden":
        return _unknown_phase(str(loc[-1]))
    return common_message(error, where)


def _missing_hint(loc: Loc) -> str:
    if loc == ("version",):
        return "; start the file with 'version: 0.2'"
    if loc[:1] == ("phases",) and loc[-1] == "commands":
        return " when the phase is present"
    return ""


def _unknown_phase(name: str) -> str:
    # CB §1.7: the phase names are fixed; a misspelt phase would never run.
    valid = ", ".join(PHASE_NAMES)
    close = difflib.get_close_matches(name, PHASE_NAMES, n=1)
    if close:
        return f"unknown phase {quote(name)}; did you mean '{close[0]}'? Valid phases: {valid}"
    return f"unknown phase {quote(name)}; valid phases: {valid}"
