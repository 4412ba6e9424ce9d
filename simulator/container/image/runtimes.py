"""`install.runtime-versions` checked against what the image declares (CB §6).

The image declares its runtimes in the label `simulator.runtimes` (JSON: runtime -> versions), as a CodeBuild
image does in its runtimes.yml. Like the 2023 standard:7.0 image, ours has one version per runtime and no
`default:` installer, so an unknown version fails DOWNLOAD_SOURCE with YAML_FILE_ERROR.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

RUNTIMES_LABEL = "simulator.runtimes"
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?\Z")
_VERSION_PARTS = re.compile(r"(\D*)(\d+)")


class RuntimeVersionError(Exception):
    """The buildspec asks for a runtime the image does not have: YAML_FILE_ERROR in DOWNLOAD_SOURCE."""


@dataclass(frozen=True)
class RuntimeSelection:
    runtime: str
    requested: str
    version: str


def declared_runtimes(labels: Mapping[str, str]) -> dict[str, list[str]] | None:
    """The image's runtimes, or None when it declares none (runtime selection is then skipped)."""
    raw = labels.get(RUNTIMES_LABEL)
    if not raw:
        return None
    try:
        declared = json.loads(raw)
    except json.JSONDecodeError:
        return None
    if not isinstance(declared, dict):
        return None
    return {str(name): [str(v) for v in versions] for name, versions in declared.items()}


def select_runtimes(
    requested: Mapping[str, str], declared: Mapping[str, list[str]], environment: Mapping[str, str]
) -> list[RuntimeSelection]:
    return [_select(name, value, declared, environment) for name, value in requested.items()]


def _select(
    runtime: str, value: str, declared: Mapping[str, list[str]], environment: Mapping[str, str]
) -> RuntimeSelection:
    requested = _expand(value, environment)
    if runtime not in declared:
        raise RuntimeVersionError(
            f"Unknown runtime named '{runtime}'. This build image has the following runtimes: "
            + ", ".join(sorted(declared))
        )
    versions = declared[runtime]
    version = _match(requested, versions)
    if version is None:
        raise RuntimeVersionError(
            f"Unknown runtime version named '{requested}' of {runtime}. "
            f"This build image has the following versions: {', '.join(versions)}"
        )
    return RuntimeSelection(runtime, requested, version)


def _expand(value: str, environment: Mapping[str, str]) -> str:
    match = _VARIABLE.match(value.strip())
    return environment.get(match.group(1), "") if match else value.strip()


def _match(requested: str, versions: list[str]) -> str | None:
    if requested == "latest":
        return max(versions, key=_sort_key, default=None)
    if requested in versions:
        return requested
    if requested.endswith(".x"):
        major = requested[:-2]
        candidates = [v for v in versions if v == major or v.startswith(major + ".")]
        return max(candidates, key=_sort_key, default=None)
    return None


def _sort_key(version: str) -> tuple[int, ...]:
    return tuple(int(number) for _, number in _VERSION_PARTS.findall(version))
