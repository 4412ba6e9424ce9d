"""A CodeBuild build or test action, run through the build engine's one entry point (CP §1.8, CP §3, CP §7 item 4).

The pipeline says what CodePipeline would send CodeBuild: the primary input at CODEBUILD_SRC_DIR, every other input
at CODEBUILD_SRC_DIR_<ArtifactName>, the project's image, timeout and privileged mode, the project's variables
overridden by the action's (action > project > buildspec), `CODEBUILD_INITIATOR=codepipeline/<pipeline>`, and which
outputs it will take: one output is the buildspec's `artifacts`, several are `secondary-artifacts` by name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simulator.buildspec import Buildspec, BuildspecError, LoadedBuildspec, load_buildspec, parse_buildspec
from simulator.codebuild import BuildRequest
from simulator.codebuild.parameters import ValueSource
from simulator.codebuild.test_reports import ReportSummary, summarise
from simulator.codebuild.upload import RequiredArtifacts
from simulator.pipeline.model import DEFAULT_BUILDSPEC, Action, CodeBuildProject, EnvironmentVariable, VariableType


class ActionInputError(Exception):
    """The action cannot start: its message is the action's failure summary."""


@dataclass(frozen=True)
class BuildInputs:
    """Where the execution keeps what this action reads and writes."""

    artifacts: Mapping[str, Path]  # input artifact name -> its folder
    outputs_root: Path  # each output artifact goes to <outputs_root>/<name>
    source_version: str | None  # the source action's commit, for CODEBUILD_RESOLVED_SOURCE_VERSION


def parse_action_variables(text: str) -> tuple[EnvironmentVariable, ...]:
    """CP §1.8: `EnvironmentVariables` is a JSON string holding `[{"name", "value", "type"}]`."""
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as error:
        raise ActionInputError(
            f"EnvironmentVariables is not valid JSON ({error.msg} at column {error.colno})."
        ) from None
    if not isinstance(entries, list):
        raise ActionInputError("EnvironmentVariables must be a JSON list of {name, value, type} objects.")
    variables = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or "value" not in entry:
            raise ActionInputError(f"EnvironmentVariables entry {position} needs a name and a value.")
        kind = entry.get("type", "PLAINTEXT")
        if kind not in VariableType.__members__:
            raise ActionInputError(
                f"EnvironmentVariables entry {position} ({entry['name']}) has the type {kind!r}: use PLAINTEXT, "
                "PARAMETER_STORE or SECRETS_MANAGER."
            )
        variables.append(EnvironmentVariable(entry["name"], str(entry["value"]), VariableType(kind)))
    return tuple(variables)


@dataclass(frozen=True)
class LocalSettings:
    """What the command line gives every build of a run: where values come from, the image map, and `overrides`
    (`pipeline run --env`), which beat every other variable, as `run --env` does: a local knob such as SKIP_TESTS
    that the cloud run never sets."""

    value_source: ValueSource
    image_map: Mapping[str, str]
    overrides: Mapping[str, str] = field(default_factory=dict)


def build_request(
    pipeline_name: str,
    action: Action,
    project: CodeBuildProject,
    action_variables: tuple[EnvironmentVariable, ...],
    inputs: BuildInputs,
    local: LocalSettings,
) -> BuildRequest:
    primary_name = action.primary_source
    if primary_name is None or primary_name not in inputs.artifacts:
        raise ActionInputError(
            f"The action {action.name} has no primary source: name one of its inputs in PrimarySource."
        )
    primary = inputs.artifacts[primary_name]
    overrides = tuple(EnvironmentVariable(name, value) for name, value in local.overrides.items())
    plain, parameters, secrets = _typed(
        {v.name: v for v in (*project.environment_variables, *action_variables, *overrides)}
    )
    outputs = action.output_artifacts
    return BuildRequest(
        buildspec=_buildspec(project, primary),
        source=primary,
        project=project.name,
        initiator=f"codepipeline/{pipeline_name}",
        secondary_sources={name: folder for name, folder in inputs.artifacts.items() if name != primary_name},
        source_version=inputs.source_version,
        environment_overrides=plain,
        parameter_overrides=parameters,
        secret_overrides=secrets,
        value_source=local.value_source,
        image=project.image,
        image_map=local.image_map,
        privileged=project.privileged,
        timeout_minutes=float(project.timeout_minutes),
        artifacts_dir=inputs.outputs_root / outputs[0] if len(outputs) == 1 else None,
        secondary_artifacts_dir=inputs.outputs_root if len(outputs) > 1 else None,
        required_artifacts=RequiredArtifacts(primary=len(outputs) == 1, secondary=outputs if len(outputs) > 1 else ()),
    )


def report_summaries(buildspec: Buildspec, saved: Mapping[str, str]) -> list[ReportSummary]:
    """One summary per report group the build saved files for (`saved`: group -> folder, the build result's
    `reports`), read in the `file-format` the buildspec gives the group (CB §1.8: JUNITXML when it gives none)."""
    groups = buildspec.reports
    return [
        summarise(group, groups[group].file_format if group in groups else "JUNITXML", Path(folder))
        for group, folder in saved.items()
    ]


def _buildspec(project: CodeBuildProject, primary: Path) -> LoadedBuildspec:
    """CP §7 item 4: a buildspec path is relative to the primary source; inline text is the buildspec itself."""
    try:
        if project.buildspec is not None and project.buildspec_is_inline:
            return parse_buildspec(project.buildspec, Path(f"{project.name}.buildspec.yml"))
        relative = project.buildspec or DEFAULT_BUILDSPEC
        path = primary / relative
        if not path.is_file():
            # CodeBuild's DOWNLOAD_SOURCE failure for a buildspec the source does not hold.
            raise ActionInputError(
                f"YAML_FILE_ERROR: YAML file does not exist: {relative} is not in the primary source."
            )
        return load_buildspec(path)
    except BuildspecError as error:
        first = error.diagnostics[0].format() if error.diagnostics else str(error)
        raise ActionInputError(f"YAML_FILE_ERROR: the buildspec is not valid: {first}") from None


def _typed(variables: Mapping[str, EnvironmentVariable]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    plain: dict[str, str] = {}
    parameters: dict[str, str] = {}
    secrets: dict[str, str] = {}
    for name, variable in variables.items():
        target = {
            VariableType.PLAINTEXT: plain,
            VariableType.PARAMETER_STORE: parameters,
            VariableType.SECRETS_MANAGER: secrets,
        }[variable.type]
        target[name] = variable.value
    return plain, parameters, secrets
