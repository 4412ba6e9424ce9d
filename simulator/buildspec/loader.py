"""Load and validate a buildspec in one place, eagerly, reporting every problem with file, line and column.

Policy for unknown keys: a key the buildspec schema does not know is a warning and is ignored, as CodeBuild
tolerates it; the one exception is a key directly under `phases`, where a misspelt phase would silently never
run, so it is an error with a suggestion. Parsing never touches Docker.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode

from simulator.buildspec.model import PHASE_NAMES, RULE_ERROR, Buildspec
from simulator.buildspec.yaml_source import (
    Loc,
    NodeRef,
    SourceDocument,
    YamlSyntaxError,
    compose,
    crumb,
    describe,
    is_blank,
    to_document,
)
from simulator.errors import InputError

Severity = Literal["error", "warning"]

_EXPECTED_KIND = {
    "string_type": "a string",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
# Where a version 0.1 key was moved to its 0.2 place, so messages still name what the user wrote.
_V01_RENAMES: dict[Loc, Loc] = {
    ("env", "variables"): ("environment_variables", "plaintext"),
    ("env",): ("environment_variables",),
}


@dataclass(frozen=True)
class Diagnostic:
    path: Path
    line: int
    column: int
    severity: Severity
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"


class BuildspecError(InputError):
    """The buildspec is invalid; `diagnostics` (never empty) holds every error found, in file order."""

    def __init__(self, path: Path, diagnostics: tuple[Diagnostic, ...], warnings: tuple[Diagnostic, ...] = ()) -> None:
        self.path = path
        self.diagnostics = diagnostics
        self.warnings = warnings
        count = len(diagnostics)
        plural = "" if count == 1 else "s"
        super().__init__(
            f"{path} has {count} error{plural}; fix the buildspec and run again. First: {diagnostics[0].format()}"
        )


@dataclass(frozen=True)
class LoadedBuildspec:
    path: Path
    buildspec: Buildspec
    warnings: tuple[Diagnostic, ...]


def load_buildspec(path: Path) -> LoadedBuildspec:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _single_error(path, 1, 1, f"cannot read the file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise _single_error(path, line, 1, "the file is not UTF-8 text") from exc
    return parse_buildspec(text, path)


def parse_buildspec(text: str, path: Path) -> LoadedBuildspec:
    """Like load_buildspec, from text already in hand (an inline buildspec); `path` names it in messages."""
    root = _compose_root(text, path)
    return _Validation(path, to_document(root)).run()


def _compose_root(text: str, path: Path) -> MappingNode:
    try:
        root = compose(text)
    except YamlSyntaxError as exc:
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
    return BuildspecError(path, (Diagnostic(path, line, column, "error", message),))


_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Validation:
    """One validation run: the converted document, plus the errors and warnings found so far."""

    def __init__(self, path: Path, document: SourceDocument) -> None:
        self.path = path
        self.nodes = document.nodes
        # The root was checked to be a mapping before conversion.
        self.data = cast(dict[str, object], document.data)
        self.renames: dict[Loc, Loc] = {}
        self.errors = [self._at_node(p.node, "error", p.message) for p in document.problems]
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
        return LoadedBuildspec(path=self.path, buildspec=buildspec, warnings=warnings)

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
                    message = f"{crumb(loc)} is not a shell variable name: commands cannot read it as ${name}"
                    self.warnings.append(self._at(loc, "warning", message, at_key=True))

    def _upgrade_v01_env(self, data: dict[str, object]) -> None:
        # codebuild-semantics §1.2: version 0.1 spells env.variables as environment_variables.plaintext.
        if "environment_variables" not in data:
            return
        if "env" in data:
            message = "give environment_variables (version 0.1) or env, not both"
            self.errors.append(self._at(("env",), "error", message, at_key=True))
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
        self.warnings.append(self._at(source, "warning", f"unknown key '{crumb(source)}' ignored", at_key=True))
        _delete(data, loc)

    def _from_pydantic(self, error: ErrorDetails) -> Diagnostic:
        loc = self._source_loc(error["loc"])
        # pydantic marks an error in a mapping's key (not its value) with a trailing "[key]".
        in_key = loc[-1:] == ("[key]",)
        loc = loc[:-1] if in_key else loc
        at_key = in_key or error["type"] == "extra_forbidden"
        return self._at(loc, "error", _message(error, loc), at_key=at_key)

    def _source_loc(self, loc: tuple[str | int, ...]) -> Loc:
        for prefix in sorted(self.renames, key=len, reverse=True):
            if loc[: len(prefix)] == prefix:
                return self.renames[prefix] + tuple(loc[len(prefix) :])
        return tuple(loc)

    def _at(self, loc: Loc, severity: Severity, message: str, *, at_key: bool) -> Diagnostic:
        # A missing key has no node of its own: point at the mapping that should have held it.
        while loc not in self.nodes:
            loc, at_key = loc[:-1], False
        return self._at_node(_pick(self.nodes[loc], at_key), severity, message)

    def _at_node(self, node: Node, severity: Severity, message: str) -> Diagnostic:
        mark = node.start_mark
        return Diagnostic(self.path, mark.line + 1, mark.column + 1, severity, message)


def _drop_v01_artifact_type(data: dict[str, object]) -> None:
    # codebuild-semantics §1.2: a 0.1 key (deprecated in 0.2) that picks the upload format, moot locally.
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


def _pick(ref: NodeRef, at_key: bool) -> Node:
    if ref.key is not None and (at_key or is_blank(ref.value)):
        return ref.key
    return ref.value


def _in_file_order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.line, d.column))


def _message(error: ErrorDetails, loc: Loc) -> str:
    """Turn one pydantic error into a sentence that starts with the breadcrumb of what is wrong."""
    kind, value, ctx, where = error["type"], error["input"], error.get("ctx", {}), crumb(loc)
    if kind == RULE_ERROR:
        return f"{where} {error['msg']}"
    if kind == "missing":
        return f"{where} is required{_missing_hint(loc)}"
    if kind == "extra_forbidden":
        return _unknown_phase(str(loc[-1]))
    if kind in _EXPECTED_KIND:
        return f"{where} must be {_EXPECTED_KIND[kind]}, not {describe(value)}{_list_hint(kind, value)}"
    if kind == "literal_error":
        return f"{where} must be {ctx['expected']}, got {value!r}"
    if kind in ("too_short", "too_long"):
        return _length_message(where, kind, ctx)
    if kind == "int_parsing":
        return f"{where} must be a whole number, got {value!r}"
    if kind == "greater_than":
        return f"{where} must be greater than {ctx['gt']}, got {value!r}"
    return f"{where}: {error['msg']}"


def _missing_hint(loc: Loc) -> str:
    if loc == ("version",):
        return "; start the file with 'version: 0.2'"
    if loc[:1] == ("phases",) and loc[-1] == "commands":
        return " when the phase is present"
    return ""


def _list_hint(kind: str, value: object) -> str:
    if kind in ("tuple_type", "list_type") and isinstance(value, str):
        return "; write each item on its own line starting with '- '"
    return ""


def _length_message(where: str, kind: str, ctx: dict[str, object]) -> str:
    if kind == "too_long":
        return f"{where} may have at most {ctx['max_length']} items, not {ctx['actual_length']}"
    if ctx["min_length"] == 1:
        return f"{where} must not be empty"
    return f"{where} must have at least {ctx['min_length']} items"


def _unknown_phase(name: str) -> str:
    # codebuild-semantics §1.7: the phase names are fixed; a misspelt phase would never run.
    valid = ", ".join(PHASE_NAMES)
    close = difflib.get_close_matches(name, PHASE_NAMES, n=1)
    if close:
        return f"unknown phase '{name}'; did you mean '{close[0]}'? Valid phases: {valid}"
    return f"unknown phase '{name}'; valid phases: {valid}"
