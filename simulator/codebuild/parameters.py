"""`parameter-store` and `secrets-manager` values, resolved from a local values file (codebuild-semantics §1.4).

The file stands in for SSM and Secrets Manager:

    parameter-store:
      /ecommerce-ai-platform/dev/mysql/password: "s3cret"
    secrets-manager:
      prod/db: '{"username": "admin", "password": "p4ss"}'   # a string, or a mapping
      prod/db:AWSPREVIOUS: '{"username": "admin", "password": "old"}'  # a version stage or id, when asked for
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simulator.errors import InputError

PARAMETER_ERROR_CODE = "Decrypted Variables Error"  # what AWS's local agent prints (§5.3)
SECRET_ERROR_CODE = "Secrets Manager Error"  # inferred: no real log of this case is on record


@dataclass(frozen=True)
class LocalValues:
    parameters: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, Any] = field(default_factory=dict)


class ResolutionError(Exception):
    """A name the buildspec asks for is not in the values file: DOWNLOAD_SOURCE fails with this context."""

    def __init__(self, status_code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def load_values(path: Path) -> LocalValues:
    # A stored value is a string as written (`0755`, `yes`), not YAML's idea of it, so scalars are read with
    # BaseLoader; a secret written as a mapping keeps YAML's types, as the JSON document it stands for.
    as_written, typed = _read(path, yaml.BaseLoader), _read(path, yaml.SafeLoader)
    if not isinstance(as_written, dict) or not set(as_written) <= {"parameter-store", "secrets-manager"}:
        raise InputError(
            f"The parameters file {path} must be a mapping with the keys parameter-store and secrets-manager."
        )
    parameters = as_written.get("parameter-store") or {}
    secrets = as_written.get("secrets-manager") or {}
    if not isinstance(parameters, dict) or not isinstance(secrets, dict):
        raise InputError(f"In {path}, parameter-store and secrets-manager must each be a mapping of name to value.")
    typed_secrets = (typed or {}).get("secrets-manager") or {}
    return LocalValues(
        {str(k): _scalar(v) for k, v in parameters.items()},
        {str(k): typed_secrets.get(k, v) if isinstance(v, dict) else v for k, v in secrets.items()},
    )


def _read(path: Path, loader: type[yaml.BaseLoader] | type[yaml.SafeLoader]) -> Any:
    try:
        return yaml.load(path.read_text(), Loader=loader) or {}
    except OSError as error:
        raise InputError(f"Cannot read the parameters file {path}: {error.strerror}.") from error
    except yaml.YAMLError as error:
        raise InputError(f"The parameters file {path} is not valid YAML: {error}.") from error


def _scalar(value: Any) -> str:
    return "" if value is None else str(value)


def resolve_parameters(references: Mapping[str, str], values: LocalValues) -> dict[str, str]:
    resolved = {}
    for variable, name in references.items():
        if name not in values.parameters:
            raise ResolutionError(PARAMETER_ERROR_CODE, f"parameter does not exist: {name}")
        resolved[variable] = values.parameters[name]
    return resolved


@dataclass(frozen=True)
class SecretReference:
    secret_id: str
    json_key: str | None
    version_stage: str | None
    version_id: str | None


def parse_secret_reference(text: str) -> SecretReference:
    """`secret-id:json-key:version-stage:version-id`; an ARN id keeps its own seven colon-separated parts."""
    parts = text.split(":")
    id_parts = 7 if text.startswith("arn:") else 1
    secret_id = ":".join(parts[:id_parts])
    rest = [*parts[id_parts:], "", "", ""][:3]
    json_key, stage, version = (part or None for part in rest)
    return SecretReference(secret_id, json_key, stage, version)


def resolve_secrets(references: Mapping[str, str], values: LocalValues) -> dict[str, str]:
    return {variable: resolve_secret(parse_secret_reference(text), values) for variable, text in references.items()}


def resolve_secret(reference: SecretReference, values: LocalValues) -> str:
    version = reference.version_id or reference.version_stage
    key = f"{reference.secret_id}:{version}" if version and version != "AWSCURRENT" else reference.secret_id
    if key not in values.secrets:
        raise ResolutionError(SECRET_ERROR_CODE, f"Secrets Manager can't find the specified secret: {key}")
    secret = values.secrets[key]
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
