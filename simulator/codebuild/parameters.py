"""`parameter-store` and `secrets-manager` values (CB §1.4): where they come from, and how a
buildspec's references resolve against them.

A ValueSource answers one name at a time; the resolution rules (the secret reference syntax, JSON keys, the error
sentences) live here once, whichever the source: the local values file (the default) or AWS itself (`--aws`,
simulator/codebuild/aws_values.py). The file stands in for SSM and Secrets Manager:

    parameter-store:
      /ecommerce-ai-platform/dev/mysql/password: "s3cret"
    secrets-manager:
      prod/db: '{"username": "admin", "password": "p4ss"}'   # a string, or a mapping
      prod/db:AWSPREVIOUS: '{"username": "admin", "password": "old"}'  # a version stage or id, when asked for
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml
from yaml.nodes import Node

from simulator.diagnostics import SourceDocument, UnreadableFile, YamlSourceError, compose, read_text, to_document
from simulator.errors import InputError

PARAMETER_ERROR_CODE = "Decrypted Variables Error"  # what AWS's local agent prints (CB §5.3)
SECRET_ERROR_CODE = "Secrets Manager Error"  # inferred: no real log of this case is on record


class ResolutionError(Exception):
    """A name the buildspec asks for cannot be resolved: DOWNLOAD_SOURCE fails with this context."""

    def __init__(self, status_code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def load_values(path: Path) -> LocalValues:
    """Read the values file; a problem in it is one sentence with its file:line:col, never its content.

    The broken line of a values file may hold a secret, so messages name positions and keys only.
    """
    root = _compose(path)
    if root is None:
        return LocalValues()
    document = to_document(root)
    problems = document.problems  # duplicate keys, a mapping merged into itself, non-text keys
    if problems:
        mark = problems[0].node.start_mark
        raise InputError(f"{_where(path, mark.line, mark.column)}: {problems[0].message}; fix the parameters file.")
    # A stored value is a string as written (`0755`, `yes`), not YAML's idea of it, so scalars are read with
    # BaseLoader; a secret written as a mapping keeps YAML's types, as the JSON document it stands for.
    as_written = _construct(root, yaml.BaseLoader, path)
    if not isinstance(as_written, dict) or not set(as_written) <= {"parameter-store", "secrets-manager"}:
        raise InputError(
            f"The parameters file {path} must be a mapping with the keys parameter-store and secrets-manager."
        )
    parameters = as_written.get("parameter-store") or {}
    secrets = as_written.get("secrets-manager") or {}
    if not isinstance(parameters, dict) or not isinstance(secrets, dict):
        raise InputError(f"In {path}, parameter-store and secrets-manager must each be a mapping of name to value.")
    return LocalValues(
        {str(k): _scalar(v) for k, v in parameters.items()},
        {str(k): _typed(document, k, path, v) if isinstance(v, dict) else v for k, v in secrets.items()},
    )


def _typed(document: SourceDocument, name: str, path: Path, as_written: Any) -> Any:
    """A secret written as a mapping, with YAML's types; only this node is read so, not the whole file."""
    ref = document.nodes.get(("secrets-manager", name))
    # A `<<` key is a merge to YAML, not a secret: the converted document has no such entry.
    return as_written if ref is None else _construct(ref.value, yaml.SafeLoader, path)


def _compose(path: Path) -> Node | None:
    try:
        return compose(read_text(path))
    except UnreadableFile as error:
        raise InputError(f"Cannot read the parameters file {path}: {error.reason}.") from error
    except YamlSourceError as error:
        where = _where(path, error.line - 1, error.column - 1)
        raise InputError(f"The parameters file is not valid YAML at {where}: {_unquoted(error.problem)}.") from error


def _construct(root: Node, loader: type[yaml.BaseLoader] | type[yaml.SafeLoader], path: Path) -> Any:
    """The document as the loader reads it; aliases stay shared, and compose has bounded their expansion."""
    constructor = loader("")
    try:
        return constructor.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = _where(path, mark.line, mark.column) if mark else str(path)
        raise InputError(f"The parameters file cannot be read at {where}: {_unquoted(error.problem or '')}.") from error
    except ValueError as error:  # a date that is no date, such as 2024-13-45
        raise InputError(f"The parameters file {path} holds a value YAML cannot read: {error}.") from error
    finally:
        constructor.dispose()


def _where(path: Path, line: int, column: int) -> str:
    """`FILE:LINE:COL` from a 0-based mark."""
    return f"{path}:{line + 1}:{column + 1}"


def _unquoted(problem: str) -> str:
    # PyYAML quotes what it found (a character, an alias or tag name): text of the file, so it is left out.
    return re.sub(r" ?('[^']*'|\"[^\"]*\")", "", problem)


def _scalar(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class SecretReference:
    secret_id: str
    json_key: str | None
    version_stage: str | None
    version_id: str | None

    @property
    def version_key(self) -> str:
        """The secret's version as the error sentences and the values file name it: `id`, `id:STAGE`, `id:VID`."""
        version = self.version_id or self.version_stage
        return f"{self.secret_id}:{version}" if version and version != "AWSCURRENT" else self.secret_id


class ValueSource(Protocol):
    """Where parameter-store and secrets-manager values come from. Thread-safe: a pipeline's builds run at once.

    Each method raises ResolutionError with the sentence the build's DOWNLOAD_SOURCE phase shows, naming the
    parameter or secret (and, from AWS, its error code), never a value.
    """

    def parameter(self, name: str) -> str:
        """The parameter's (decrypted) value."""
        ...

    def secret(self, reference: SecretReference) -> Any:
        """The whole secret at the reference's version: its string, or (the values file) a mapping."""
        ...


@dataclass(frozen=True)
class LocalValues:
    """The local values file: the source unless `--aws` is given."""

    parameters: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, Any] = field(default_factory=dict)

    def parameter(self, name: str) -> str:
        if name not in self.parameters:
            raise ResolutionError(PARAMETER_ERROR_CODE, f"parameter does not exist: {name}")
        return self.parameters[name]

    def secret(self, reference: SecretReference) -> Any:
        key = reference.version_key
        if key not in self.secrets:
            raise ResolutionError(SECRET_ERROR_CODE, f"Secrets Manager can't find the specified secret: {key}")
        return self.secrets[key]


class BuildLookups:
    """One build's view of a source: each parameter and secret version is looked up once, as CodeBuild fetches
    them once at the build's start, however many variables (buildspec, project, action) name it."""

    def __init__(self, source: ValueSource) -> None:
        self._source = source
        self._parameters: dict[str, str] = {}
        self._secrets: dict[tuple[str, str | None, str | None], Any] = {}

    def parameter(self, name: str) -> str:
        if name not in self._parameters:
            self._parameters[name] = self._source.parameter(name)
        return self._parameters[name]

    def secret(self, reference: SecretReference) -> Any:
        key = (reference.secret_id, reference.version_stage, reference.version_id)
        if key not in self._secrets:
            self._secrets[key] = self._source.secret(reference)
        return self._secrets[key]


def resolve_parameters(references: Mapping[str, str], values: ValueSource) -> dict[str, str]:
    return {variable: values.parameter(name) for variable, name in references.items()}


def parse_secret_reference(text: str) -> SecretReference:
    """`secret-id:json-key:version-stage:version-id`; an ARN id keeps its own seven colon-separated parts."""
    parts = text.split(":")
    id_parts = 7 if text.startswith("arn:") else 1
    secret_id = ":".join(parts[:id_parts])
    rest = [*parts[id_parts:], "", "", ""][:3]
    json_key, stage, version = (part or None for part in rest)
    return SecretReference(secret_id, json_key, stage, version)


def resolve_secrets(references: Mapping[str, str], values: ValueSource) -> dict[str, str]:
    return {variable: resolve_secret(parse_secret_reference(text), values) for variable, text in references.items()}


def resolve_secret(reference: SecretReference, values: ValueSource) -> str:
    key = reference.version_key
    secret = values.secret(reference)
    if reference.json_key is None:
        return secret if isinstance(secret, str) else json.dumps(secret)
    document = _as_json(secret, key)
    if reference.json_key not in document:
        raise ResolutionError(SECRET_ERROR_CODE, f"json key {reference.json_key} not found in secret {key}")
    value = document[reference.json_key]
    return value if isinstance(value, str) else json.dumps(value)


def _as_json(secret: Any, key: str) -> dict[str, Any]:
    if isinstance(secret, dict):
        return secret
    try:
        document = json.loads(secret) if isinstance(secret, str) else None
    except json.JSONDecodeError:
        document = None
    if not isinstance(document, dict):
        raise ResolutionError(SECRET_ERROR_CODE, f"secret {key} is not a JSON object, so it has no json keys")
    return document
