"""A buildspec's plan, from the engine's own rules: the environment as the runner composes it (CB §1.4, CB §4.1), the
phases in the phase machine's order (CB §3.1), and what UPLOAD_ARTIFACTS would collect. No container, no Docker.

What depends on the build's run is said, not guessed: CodeBuild's per-build values are `<...>` placeholders, and a
phase after the first names the variables earlier commands assign (version 0.2's one session), without values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from simulator.buildspec import ArtifactSpec, Buildspec, LoadedBuildspec, Phase
from simulator.codebuild import environment as env
from simulator.codebuild.environment import BuildIdentity
from simulator.codebuild.parameters import (
    ResolutionError,
    ValueSource,
    parse_secret_reference,
    resolve_secret,
)
from simulator.codebuild.phases import COMMAND_PHASES
from simulator.codebuild.request import BuildRequest
from simulator.container import staging
from simulator.container.image.names import resolve_image_name
from simulator.plan.model import SECRET, BuildPlan, Files, PhasePlan, ReportPlan, Variable
from simulator.reporting.masking import Masker

NOT_LOCAL = "not in the local values file"
# CodeBuild's values that only exist once a build starts (CB §4.1): shown as what they will be made of.
_SOURCE_DIR = "/codebuild/output/src<N>/src"
_AT_START = {
    "CODEBUILD_BUILD_NUMBER": "<next build number>",
    "CODEBUILD_START_TIME": "<start time, ms>",
}
# `NAME=value` or `export NAME=value` at the start of a command's line: what persists to later phases in 0.2.
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=", re.MULTILINE)


def plannable(loaded: LoadedBuildspec) -> LoadedBuildspec:
    """The buildspec a build request can carry. A batch-only one, which `run` refuses (the simulator has no batch
    mode yet) but the cloud runs, is planned as the build it is, with no phases of its own: its batch section is set
    aside here, and plan_build's `original` still notes it."""
    buildspec = loaded.buildspec
    if buildspec.batch is not None and not buildspec.has_phases:
        return replace(loaded, buildspec=buildspec.model_copy(update={"batch": None}))
    return loaded


def plan_build(
    request: BuildRequest, environ: Mapping[str, str], masker: Masker, *, original: Buildspec | None = None
) -> BuildPlan:
    """`original` is the buildspec as loaded, when plannable had to set its batch section aside."""
    buildspec = original or request.buildspec.buildspec
    secrets = _secret_variables(request, masker)
    environment = _environment(request, environ, secrets)
    return BuildPlan(
        path=str(request.buildspec.path),
        version=buildspec.version,
        image=request.image,
        local_image=resolve_image_name(request.image, request.image_map),
        project=request.project,
        privileged=request.privileged,
        timeout_minutes=request.timeout_minutes,
        shell=buildspec.env.shell,
        run_as=buildspec.run_as,
        environment=environment,
        exported_variables=buildspec.env.exported_variables,
        phases=_phases(buildspec),
        reports=tuple(
            ReportPlan(name, group.file_format, Files(group.files, group.base_directory, group.discard_paths))
            for name, group in buildspec.reports.items()
        ),
        artifacts=_files(buildspec.artifacts) if buildspec.artifacts else None,
        secondary_artifacts=tuple(
            (identifier, _files(spec))
            for identifier, spec in (buildspec.artifacts.secondary_artifacts if buildspec.artifacts else {}).items()
        ),
        cache_paths=buildspec.cache.paths if buildspec.cache else (),
        notes=_notes(buildspec),
    )


def typed_variables(
    parameters: Mapping[str, str], secrets: Mapping[str, str], values: ValueSource, masker: Masker, origin: str = ""
) -> dict[str, Variable]:
    """parameter-store and secrets-manager variables as `***` with where they come from; the values the local file
    holds go to the masker (they may also stand in a command), and a name it lacks is said, not an error: the
    cloud resolves it, and CI has no values file."""
    resolved: dict[str, Variable] = {}
    for kind, references in (("parameter-store", parameters), ("secrets-manager", secrets)):
        for variable, reference in references.items():
            try:
                if kind == "parameter-store":
                    masker.add([values.parameter(reference)])
                else:
                    masker.add([resolve_secret(parse_secret_reference(reference), values)])
                found = ""
            except ResolutionError:
                found = f"; {NOT_LOCAL}"
            resolved[variable] = Variable(variable, SECRET, f"{origin}{kind} {reference}{found}")
    return resolved


def _secret_variables(request: BuildRequest, masker: Masker) -> dict[str, Variable]:
    section = request.buildspec.buildspec.env
    values = request.value_source
    # StartBuild's typed overrides beat the buildspec's (CB §1.4), as the runner resolves them.
    resolved = typed_variables(section.parameter_store, section.secrets_manager, values, masker)
    resolved.update(typed_variables(request.parameter_overrides, request.secret_overrides, values, masker, "--env "))
    return resolved


def _environment(
    request: BuildRequest, environ: Mapping[str, str], secrets: Mapping[str, Variable]
) -> tuple[Variable, ...]:
    """The runner's layers, in its order (environment.layers); the image's own ENV comes below all of them and is not
    known without the image."""
    identity = _identity(request, environ)
    host = (
        env.host_network_variables(environ, inject_ca=env.host_ca_bundle(environ) is not None)
        if request.inject_host_ca
        else {}
    )
    codebuild = {
        **env.codebuild_variables(identity),
        **env.secondary_variables(identity, request.secondary_sources),
        **_AT_START,
    }
    ordered = env.layers(
        host=host,
        codebuild=codebuild,
        buildspec=request.buildspec.buildspec.env.variables,
        secrets={name: variable.value for name, variable in secrets.items()},
        overrides=request.environment_overrides,
    )
    merged: dict[str, Variable] = {}
    for origin, layer in ordered:
        for name, value in layer.items():
            if origin == env.SECRETS:
                merged[name] = secrets[name]  # it says which parameter or secret, never the value
            else:
                merged[name] = Variable(name, value, origin, declared=origin not in env.UNDECLARED)
    return tuple(merged[name] for name in sorted(merged))


def _identity(request: BuildRequest, environ: Mapping[str, str]) -> BuildIdentity:
    return BuildIdentity(
        project=request.project,
        build_uuid="<build uuid>",
        build_number=0,
        start_time_ms=0,
        source_dir=_SOURCE_DIR,
        image=request.image,
        initiator=request.initiator,
        region=env.build_region(environ),
        account=env.LOCAL_ACCOUNT,
        resolved_source_version=request.source_version or staging.resolved_commit(request.source),
    )


def _phases(buildspec: Buildspec) -> tuple[PhasePlan, ...]:
    by_name = dict(buildspec.phases.ordered())
    plans: list[PhasePlan] = []
    assigned: list[str] = []
    for name in COMMAND_PHASES.values():
        phase = by_name.get(name)
        if phase is None:
            continue
        plans.append(_phase(name, phase, tuple(assigned)))
        # Version 0.1 runs every command in a fresh shell (CB §1.2): nothing a command sets reaches the next one.
        if buildspec.version == "0.2":
            for command in (*phase.commands, *phase.finally_):
                assigned += [n for n in _ASSIGNMENT.findall(command) if n not in assigned]
    return tuple(plans)


def _phase(name: str, phase: Phase, assigned_before: tuple[str, ...]) -> PhasePlan:
    runtimes = getattr(phase, "runtime_versions", {})
    return PhasePlan(
        name=name,
        commands=phase.commands,
        finally_=phase.finally_,
        run_as=phase.run_as,
        on_failure=phase.on_failure.raw if phase.on_failure else None,
        runtime_versions=tuple((runtime, str(version)) for runtime, version in runtimes.items()),
        assigned_before=assigned_before,
    )


def _files(spec: ArtifactSpec) -> Files:
    return Files(spec.files, spec.base_directory, spec.discard_paths, spec.exclude_paths, spec.name)


def _notes(buildspec: Buildspec) -> tuple[str, ...]:
    notes = []
    if buildspec.batch is not None:
        notes.append("a batch section: CodeBuild runs it in batch mode, which this plan does not show")
    return tuple(notes)
