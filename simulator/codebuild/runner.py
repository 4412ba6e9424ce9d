"""One local build, start to end: load, plan, stage, run in a container, report.

This is the composition root: the buildspec loader, the phase machine and the Docker adapter meet here and
nowhere else. The command line only turns flags into a RunRequest and the result into an exit code.
"""

from __future__ import annotations

import getpass
import json
import os
import random
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from simulator.codebuild import environment as env
from simulator.codebuild.environment import BuildIdentity
from simulator.codebuild.machine import BuildMachine, BuildPlan
from simulator.codebuild.parameters import (
    LocalValues,
    ResolutionError,
    load_values,
    resolve_parameters,
    resolve_secrets,
)
from simulator.codebuild.result import BuildResult, PhaseContext
from simulator.codebuild.runtimes import RuntimeSelection, RuntimeVersionError, declared_runtimes, select_runtimes
from simulator.buildspec import LoadedBuildspec
from simulator.container import image_builder, staging
from simulator.container.docker_session import ContainerSpec, connect, open_session
from simulator.container.session import CommandOutcome
from simulator.errors import InputError
from simulator.reporting.masking import Masker, credential_values, mask_build_record
from simulator.reporting.render import build_logger, json_line, text_line

DEFAULT_REGION = "us-east-1"
LOCAL_ACCOUNT = "000000000000"
DEFAULT_PARAMETERS_FILE = Path(staging.STATE_DIR_NAME) / "parameters.yml"
BUILD_NUMBERS_FILE = "build-numbers.json"


@dataclass(frozen=True)
class RunRequest:
    loaded: LoadedBuildspec
    source_dir: Path
    mount_source: bool = False
    overrides: Mapping[str, str] = field(default_factory=dict)
    parameters_file: Path | None = None
    image: str = image_builder.DEFAULT_IMAGE
    image_map: Mapping[str, str] = field(default_factory=dict)
    timeout_minutes: float = 60.0
    inject_host_ca: bool = True
    artifacts_dir: Path | None = None
    project: str | None = None
    log_format: str = "text"  # or "json"
    summary_json: Path | None = None


@dataclass(frozen=True)
class RunOutcome:
    result: BuildResult
    build_dir: Path


def run_build(
    request: RunRequest,
    console: TextIO,
    progress: Callable[[str], None],
    environ: Mapping[str, str] = os.environ,
) -> RunOutcome:
    values = _local_values(request)
    client = connect()
    image = image_builder.resolve_image_name(request.image, request.image_map)
    image_builder.ensure_image(client, image, progress)
    builds_dir = request.source_dir / staging.STATE_DIR_NAME / "builds"
    written = _missing_folders(builds_dir)  # what this run makes for the user, handed over under sudo
    owner = _invoking_user(environ)
    try:
        identity = _identity(request, environ)
        written.append(builds_dir.parent / BUILD_NUMBERS_FILE)
        build_dir = builds_dir / identity.build_id
        build_dir.mkdir(parents=True)
        written.append(build_dir)
        plan = _plan(client, image, request, identity, build_dir, values, environ, owner)
        result = _run_plan(client, image, request, plan, build_dir, console, environ, written)
        return RunOutcome(result, build_dir)
    finally:
        _hand_over(owner, written)


def _plan(
    client: Any,
    image: str,
    request: RunRequest,
    identity: BuildIdentity,
    build_dir: Path,
    values: LocalValues,
    environ: Mapping[str, str],
    owner: tuple[int, int] | None,
) -> BuildPlan:
    secrets, download_failure = _resolve_values(request, values)
    environment = _environment(request, identity, secrets, environ)
    selections, runtime_failure = _runtime_selection(request, client.images.get(image).labels, environment)
    return BuildPlan(
        buildspec=request.loaded.buildspec,
        identity=identity,
        yaml_location=_yaml_location(request, identity),
        runtime_selections=selections,
        download_failure=download_failure or runtime_failure,
        artifacts_dir=(request.artifacts_dir or build_dir / "artifacts").resolve(),
        secondary_artifacts_dir=build_dir / "secondary-artifacts",
        reports_dir=build_dir / "reports",
        timeout_minutes=request.timeout_minutes,
        environment=environment,
        secret_values=tuple(secrets.values()),
        file_owner=owner,
    )


def _run_plan(
    client: Any,
    image: str,
    request: RunRequest,
    plan: BuildPlan,
    build_dir: Path,
    console: TextIO,
    environ: Mapping[str, str],
    written: list[Path],
) -> BuildResult:
    masker = Masker([*plan.secret_values, *credential_values({**environ, **plan.environment})])

    def record(result: BuildResult) -> None:
        written.extend(_write_summary(request, build_dir, result, masker))

    with open(build_dir / "build.log", "w", encoding="utf-8") as log_file:
        renderer = json_line if request.log_format == "json" else text_line
        log = build_logger(masker, [(renderer, console), (text_line, log_file)], time.time)
        return _execute(client, image, request, plan, log, environ, record)


def _execute(
    client: Any,
    image: str,
    request: RunRequest,
    plan: BuildPlan,
    log: Any,
    environ: Mapping[str, str],
    record: Callable[[BuildResult], None],
) -> BuildResult:
    """Run the plan; `image` is the local image behind the name the build reports (CODEBUILD_BUILD_IMAGE).

    The summary is recorded as soon as the build ends, before the container is removed: an interrupt during
    the removal cannot lose it.
    """
    if plan.download_failure:
        # Nothing will run: the build fails in DOWNLOAD_SOURCE before any container is needed (§3.2).
        result = BuildMachine(plan, _NoSession(), log).run()
        record(result)
        return result
    spec = ContainerSpec(
        image=image,
        build_id=plan.identity.build_id,
        environment=plan.environment,
        bind_mounts={str(request.source_dir): plan.identity.source_dir} if request.mount_source else {},
    )
    with _staged_files(request, plan, environ) as archive, open_session(client, spec, archive) as session:
        result = BuildMachine(plan, session, log).run()
        record(result)
        return result


def _local_values(request: RunRequest) -> LocalValues:
    if request.parameters_file is not None:
        if not request.parameters_file.is_file():
            raise InputError(f"The parameters file {request.parameters_file} does not exist: pass an existing file.")
        return load_values(request.parameters_file)
    default = request.source_dir / DEFAULT_PARAMETERS_FILE
    return load_values(default) if default.is_file() else LocalValues()


def _resolve_values(request: RunRequest, values: LocalValues) -> tuple[dict[str, str], PhaseContext | None]:
    section = request.loaded.buildspec.env
    try:
        resolved = resolve_parameters(section.parameter_store, values)
        resolved.update(resolve_secrets(section.secrets_manager, values))
    except ResolutionError as error:
        return {}, PhaseContext(error.status_code, error.message)
    return resolved, None


def _identity(request: RunRequest, environ: Mapping[str, str]) -> BuildIdentity:
    """The build as the cloud names it: CODEBUILD_BUILD_IMAGE is the name asked for, not the local image."""
    project = request.project or _project_name(request.source_dir)
    return BuildIdentity(
        project=project,
        build_uuid=str(uuid.uuid4()),
        build_number=_next_build_number(request.source_dir, project),
        start_time_ms=int(time.time() * 1000),
        source_dir=f"/codebuild/output/src{random.randint(100_000_000, 4_294_967_295)}/src",
        image=request.image,
        initiator=environ.get("SIMULATOR_INITIATOR") or _user_name(),
        region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
        account=LOCAL_ACCOUNT,
        resolved_source_version=staging.resolved_commit(request.source_dir),
    )


def _project_name(source_dir: Path) -> str:
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in source_dir.resolve().name).strip("-")
    return name or "local-project"


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local-user"


def _next_build_number(source_dir: Path, project: str) -> int:
    """CodeBuild numbers a project's builds 1, 2, 3...; the counter lives beside the build records."""
    counter = source_dir / staging.STATE_DIR_NAME / BUILD_NUMBERS_FILE
    counter.parent.mkdir(parents=True, exist_ok=True)
    try:
        numbers = json.loads(counter.read_text())
    except (OSError, ValueError):
        numbers = {}
    numbers[project] = int(numbers.get(project, 0)) + 1
    counter.write_text(json.dumps(numbers, indent=2) + "\n")
    return numbers[project]


def _environment(
    request: RunRequest, identity: BuildIdentity, secrets: Mapping[str, str], environ: Mapping[str, str]
) -> dict[str, str]:
    """§1.4 precedence: start-build override > buildspec env > image ENV (Docker applies the image's)."""
    return env.compose(
        _host_network(request, environ),
        env.codebuild_variables(identity),
        request.loaded.buildspec.env.variables,
        secrets,
        request.overrides,
    )


def _runtime_selection(
    request: RunRequest, labels: Mapping[str, str], environment: Mapping[str, str]
) -> tuple[tuple[RuntimeSelection, ...] | None, PhaseContext | None]:
    install = request.loaded.buildspec.phases.install
    declared = declared_runtimes(labels or {})
    if declared is None:
        return None, None
    if install is None or not install.runtime_versions:
        return (), None
    try:
        return tuple(select_runtimes(install.runtime_versions, declared, environment)), None
    except RuntimeVersionError as error:
        return None, PhaseContext("YAML_FILE_ERROR", str(error))


def _yaml_location(request: RunRequest, identity: BuildIdentity) -> str:
    path = request.loaded.path.resolve()
    try:
        return f"{identity.source_dir}/{path.relative_to(request.source_dir.resolve()).as_posix()}"
    except ValueError:
        return str(path)


def _host_network(request: RunRequest, environ: Mapping[str, str]) -> dict[str, str]:
    """--no-host-ca keeps both the host's CA bundle and its proxy settings out of the build."""
    if not request.inject_host_ca:
        return {}
    return env.host_network_variables(environ, inject_ca=_host_ca_bundle(request, environ) is not None)


def _host_ca_bundle(request: RunRequest, environ: Mapping[str, str]) -> Path | None:
    """The bundle copied into the container; the CA variables point at it only when there is one."""
    return env.host_ca_bundle(environ) if request.inject_host_ca else None


def _staged_files(request: RunRequest, plan: BuildPlan, environ: Mapping[str, str]) -> IO[bytes]:
    extra: dict[str, bytes] = {}
    bundle = _host_ca_bundle(request, environ)
    if bundle is not None:
        extra[env.CA_BUNDLE_IN_CONTAINER] = bundle.read_bytes()
    if request.mount_source:
        return staging.build_archive(None, [], plan.identity.source_dir, extra)
    files = staging.source_files(request.source_dir)
    return staging.build_archive(request.source_dir, files, plan.identity.source_dir, extra)


def _invoking_user(environ: Mapping[str, str]) -> tuple[int, int] | None:
    """Files the build hands back belong to the person who ran it, also when that was through sudo."""
    if os.geteuid() != 0:
        return None
    if environ.get("SUDO_UID") and environ.get("SUDO_GID"):
        return int(environ["SUDO_UID"]), int(environ["SUDO_GID"])
    return None


def _missing_folders(folder: Path) -> list[Path]:
    """The folders that creating `folder` would make, outermost first."""
    return [p for p in (*reversed(folder.parents), folder) if not p.exists()]


def _hand_over(owner: tuple[int, int] | None, written: list[Path]) -> None:
    """Under sudo, what the simulator wrote for the user (records, logs, summary) belongs to that user."""
    if owner is None:
        return
    for path in written:
        if not path.exists():
            continue
        os.lchown(path, *owner)
        if path.is_dir() and not path.is_symlink():
            for root, dirs, files in os.walk(path):
                for name in (*dirs, *files):
                    os.lchown(os.path.join(root, name), *owner)


def _write_summary(request: RunRequest, build_dir: Path, result: BuildResult, masker: Masker) -> list[Path]:
    """Write the summary (in the build folder, and where --summary-json asks); return what was created."""
    summary = json.dumps(mask_build_record(result.to_json(), masker), indent=2) + "\n"
    (build_dir / "summary.json").write_text(summary)
    if request.summary_json is None:
        return []
    created = _missing_folders(request.summary_json.parent)
    request.summary_json.parent.mkdir(parents=True, exist_ok=True)
    request.summary_json.write_text(summary)
    return [*created, request.summary_json]


class _NoSession:
    """Stands in for a container when the build fails before one is needed; any use is a bug."""

    def run(self, *_: Any, **__: Any) -> CommandOutcome:
        raise AssertionError("no container was started for this build")

    def open_file(self, path: str) -> AbstractContextManager[IO[bytes]]:
        raise AssertionError("no container was started for this build")

    def recover(self, timeout: float) -> bool:
        return False
