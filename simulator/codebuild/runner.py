"""One local build, start to end: plan, stage, run in a container, record. The engine's one entry point.

This is the composition root: the buildspec, the phase machine and the Docker adapter meet here and nowhere
else. Callers (the command line's `run`, a pipeline's build action) fill a BuildRequest and pass in what a process
shares between its builds: the Docker client, the state folder, the masker and a cancel token. Nothing here reads
flags, prints a table or installs a signal handler, so several builds can run at once on worker threads.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO

import docker
import docker.errors
import requests

from simulator.cancellation import CancelToken
from simulator.cancellation.deferred import interrupts_deferred
from simulator.codebuild import environment as env
from simulator.codebuild.environment import BuildIdentity, secondary_source_dir
from simulator.codebuild.machine import BuildMachine, BuildPlan
from simulator.codebuild.parameters import BuildLookups, ResolutionError, resolve_parameters, resolve_secrets
from simulator.codebuild.request import (
    BuildOptions,
    BuildOutcome,
    BuildRequest,
    ContainerHandler,
    FinishedContainer,
    check_no_nul,
)
from simulator.codebuild.result import BuildResult, PhaseContext
from simulator.codebuild.scripts import SHELL_ENTRY, SHELL_RC, shell_entry_script, shell_rc_script
from simulator.container import staging
from simulator.container.docker_session import (
    BindMount,
    ContainerSpec,
    DockerSession,
    open_session,
)
from simulator.container.image.names import resolve_image_name
from simulator.container.image.runtimes import RuntimeSelection, RuntimeVersionError, declared_runtimes, select_runtimes
from simulator.container.session import CommandOutcome
from simulator.errors import EnvironmentProblem
from simulator.ownership import hand_over, invoking_user, missing_folders
from simulator.reporting.events import EventLog
from simulator.reporting.masking import Masker, credential_values, mask_build_record
from simulator.reporting.render import Destination, Fanout, build_logger, text_line
from simulator.state import StateFolder, disk_full, write_atomic


@dataclass(frozen=True)
class _Shared:
    """What run_build is handed beside the request: what the process shares between its builds, and the options."""

    client: docker.DockerClient
    state: StateFolder
    events: Sequence[Destination]
    masker: Masker
    cancel: CancelToken
    options: BuildOptions


@dataclass(frozen=True)
class _Build:
    """One planned build: `image` is the local image behind the name the build reports (CODEBUILD_BUILD_IMAGE)."""

    request: BuildRequest
    plan: BuildPlan
    image: str
    build_dir: Path


def run_build(
    request: BuildRequest,
    *,
    client: docker.DockerClient,
    state: StateFolder,
    events: Sequence[Destination],
    masker: Masker,
    cancel: CancelToken,
    options: BuildOptions | None = None,
) -> BuildOutcome:
    """Run one build; `events` get every line of its log (masked), `cancel` stops it from any thread.

    The image must exist (the caller builds or pulls it once, not once per build); build records go to
    `state`, never into the source. `options.on_container`, when given, gets the build's container once the build
    is recorded (to open a shell in it, or keep it); the first failing command's session is then set aside for it.
    `options.environ` is the host's environment (default: this process's).
    """
    shared = _Shared(client, state, events, masker, cancel, options or BuildOptions())
    environ = shared.options.environ
    resolved = resolve_values(request)
    secrets = resolved[0]
    check_no_nul(secrets)  # the request checked the buildspec's variables and the overrides
    image = resolve_image_name(request.image, request.image_map)
    labels = _image_labels(client, image)
    owner = invoking_user(environ)
    written = missing_folders(state.builds_dir)  # what this run makes for the user, handed over under sudo
    for chosen in (request.artifacts_dir, request.secondary_artifacts_dir):
        if chosen is not None:
            written += missing_folders(chosen.absolute())
    try:
        identity = _identity(request, state, environ)
        written += [state.build_numbers_file, state.root / ".build-numbers.lock"]
        build_dir = state.build_dir(identity.build_id)
        build_dir.mkdir(parents=True)
        written.append(build_dir)
        masker.add([*secrets.values(), *credential_values(environ)])
        plan = _plan(request, labels, identity, build_dir, environ, owner, resolved)
        plan = dataclasses.replace(plan, keep_failure_state=shared.options.on_container is not None)
        masker.add(credential_values(plan.environment))
        return _run_plan(shared, _Build(request, plan, image, build_dir))
    finally:
        hand_over(owner, written)


def _image_labels(client: docker.DockerClient, image: str) -> Mapping[str, str]:
    try:
        labels: Mapping[str, str] = client.images.get(image).labels or {}
    except docker.errors.ImageNotFound as error:
        raise EnvironmentProblem(f"The image {image} is not on this Docker engine: build or load it.") from error
    except (docker.errors.APIError, requests.exceptions.RequestException) as error:
        raise EnvironmentProblem(f"The Docker engine did not answer while reading image {image}: {error}.") from error
    return labels


def _plan(
    request: BuildRequest,
    labels: Mapping[str, str],
    identity: BuildIdentity,
    build_dir: Path,
    environ: Mapping[str, str],
    owner: tuple[int, int] | None,
    resolved: tuple[Mapping[str, str], PhaseContext | None],
) -> BuildPlan:
    """`resolved`: the build's parameter-store and secrets-manager values, or why DOWNLOAD_SOURCE fails."""
    secrets, download_failure = resolved
    environment = _environment(request, identity, secrets, environ)
    selections, runtime_failure = _runtime_selection(request, labels, environment)
    plan = BuildPlan(
        buildspec=request.buildspec.buildspec,
        identity=identity,
        yaml_location=_yaml_location(request, identity),
        runtime_selections=selections,
        download_failure=download_failure or runtime_failure,
        artifacts_dir=(request.artifacts_dir or build_dir / "artifacts").absolute(),
        secondary_artifacts_dir=(request.secondary_artifacts_dir or build_dir / "secondary-artifacts").absolute(),
        reports_dir=build_dir / "reports",
        timeout_minutes=request.timeout_minutes,
        environment=environment,
        secret_values=tuple(secrets.values()),
        file_owner=owner,
        required_artifacts=request.required_artifacts,
        stop_after=request.stop_after,
    )
    return plan


def _run_plan(shared: _Shared, build: _Build) -> BuildOutcome:
    build_dir, masker = build.build_dir, shared.masker
    recorded: list[str] = []  # problems on the host's side writing the record, one sentence each

    def record(result: BuildResult) -> None:
        try:
            with interrupts_deferred():  # a Ctrl-C arriving now waits until the record is whole
                write_atomic(
                    build_dir / "summary.json", json.dumps(mask_build_record(result.to_json(), masker), indent=2) + "\n"
                )
        except EnvironmentProblem as problem:
            recorded.append(str(problem))

    try:
        log_file = open(build_dir / "build.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below, any way out
    except OSError as error:
        raise _host_write_error(build_dir / "build.log", error) from error
    fanout = Fanout([*shared.events, (text_line, log_file)])
    try:
        log = build_logger(masker, (), time.time, fanout)
        result, problems = _execute(shared, build, log, record)
        # The build's own come first: each is found before the record is written.
        recorded[:0] = problems
    finally:
        try:
            log_file.close()
        except OSError as error:  # the last buffered lines did not fit: what was written stays
            fanout.failures.append((log_file, error))
    for stream, failure in fanout.failures:
        if stream is log_file:
            recorded.append(str(_host_write_error(build_dir / "build.log", failure)))
        elif not isinstance(failure, BrokenPipeError):  # a reader that left is not a problem of the host
            recorded.append(f"Cannot write the build's events to {_stream_name(stream)} ({failure.strerror}).")
    return BuildOutcome(
        result=result,
        build_dir=build_dir,
        exported_variables=dict(result.exported_variables),
        artifacts_dir=Path(result.artifacts.location) if result.artifacts else None,
        secondary_artifacts={k: Path(v.location) for k, v in result.secondary_artifacts.items()},
        host_problems=tuple(dict.fromkeys(recorded)),
    )


def _execute(
    shared: _Shared, build: _Build, log: EventLog, record: Callable[[BuildResult], None]
) -> tuple[BuildResult, list[str]]:
    """Run the plan; the result, and the problems on the host's side found meanwhile (one sentence each).

    The summary is recorded as soon as the build ends, before the container is removed: an interrupt during
    the removal cannot lose it.
    """
    request, plan, cancel = build.request, build.plan, shared.cancel
    if plan.download_failure or cancel.cancelled:
        return _without_container(plan, log, cancel, record), []
    try:
        archives = _staged_files(request, plan.identity, shared.options.environ)
    except EnvironmentProblem as problem:
        # The source could not be staged (the host's git failed): DOWNLOAD_SOURCE fails, as in the cloud when
        # the source cannot be fetched, and the build is recorded; the command ends with this sentence (exit 3).
        staging_problems = [] if cancel.cancelled else [str(problem)]
        failed = dataclasses.replace(plan, download_failure=PhaseContext("CLIENT_ERROR", str(problem)))
        return _without_container(failed, log, cancel, record), staging_problems
    if cancel.cancelled:  # stopped while the source was staged
        for archive in archives:
            archive.close()
        return _without_container(plan, log, cancel, record), []
    spec = ContainerSpec(
        image=build.image,
        build_id=plan.identity.build_id,
        environment=plan.environment,
        bind_mounts=_bind_mounts(request, plan.identity) if request.mount_source else (),
        git_safe_directories=_source_dirs(request, plan.identity),
        hidden_folders=_hidden_state(request, plan.identity, shared.state.root) if request.mount_source else (),
    )
    result: BuildResult | None = None
    host_problems: list[str] = []
    on_container = shared.options.on_container
    try:
        with open_session(shared.client, spec, archives) as session:
            machine = BuildMachine(plan, session, log, cancel=cancel, line_cut=shared.masker.safe_cut)
            try:
                result = machine.run()
            except KeyboardInterrupt:
                # The caller gave up waiting for the stop (a third Ctrl-C): the build ends STOPPED where it was,
                # its record is kept, and the container still goes on the way out of the session.
                result = machine.result
            host_problems.extend(shared.masker.mask(problem) for problem in machine.host_problems)
            record(result)
            if on_container is not None and not machine.container_lost:
                _hand_over_container(session, machine, result, on_container)
        return result, host_problems
    except KeyboardInterrupt:
        if result is None:
            raise
        # Given up while the container was removed: the removal finished first (interrupts are deferred there)
        # and the record is written, so the build ends as recorded.
        return result, host_problems
    finally:
        for archive in archives:
            archive.close()


def _hand_over_container(
    session: DockerSession, machine: BuildMachine, result: BuildResult, on_container: ContainerHandler
) -> None:
    """The record is written; the container's removal is still registered, so whatever the handler does (a shell
    killed, Ctrl-C), the container goes unless the handler asks to keep it."""
    try:
        session.write_file(SHELL_ENTRY, shell_entry_script().encode())
        session.write_file(SHELL_RC, shell_rc_script().encode())
    except (docker.errors.DockerException, requests.exceptions.RequestException) as error:
        raise EnvironmentProblem(f"Docker could not prepare the shell in the build container ({error}).") from error
    name = str(session.container.name)
    finished = FinishedContainer(name=name, shell=("sh", SHELL_ENTRY), failed_command=machine.failed_command)
    session.keep_container = on_container(result, finished)


def _without_container(
    plan: BuildPlan, log: EventLog, cancel: CancelToken, record: Callable[[BuildResult], None]
) -> BuildResult:
    """Nothing will run: the build fails (or stops) in DOWNLOAD_SOURCE before any container is needed (CB §3.2)."""
    result = BuildMachine(plan, _NoSession(), log, cancel=cancel).run()
    record(result)
    return result


def resolve_values(request: BuildRequest) -> tuple[dict[str, str], PhaseContext | None]:
    """Every parameter-store and secrets-manager variable of the build, or why DOWNLOAD_SOURCE fails (CB §1.4, CB §5.3).

    Before any container exists, as CodeBuild fetches them before the first command; each name once per build.
    """
    section = request.buildspec.buildspec.env
    lookups = BuildLookups(request.value_source)
    try:
        resolved = resolve_parameters(section.parameter_store, lookups)
        resolved.update(resolve_secrets(section.secrets_manager, lookups))
        # StartBuild's typed overrides beat the buildspec's (CB §1.4), so they are resolved after it.
        resolved.update(resolve_parameters(request.parameter_overrides, lookups))
        resolved.update(resolve_secrets(request.secret_overrides, lookups))
    except ResolutionError as error:
        return {}, PhaseContext(error.status_code, error.message)
    return resolved, None


def _identity(request: BuildRequest, state: StateFolder, environ: Mapping[str, str]) -> BuildIdentity:
    """The build as the cloud names it: CODEBUILD_BUILD_IMAGE is the name asked for, not the local image."""
    return BuildIdentity(
        project=request.project,
        build_uuid=str(uuid.uuid4()),
        build_number=state.next_build_number(request.project),
        start_time_ms=int(time.time() * 1000),
        source_dir=f"/codebuild/output/src{random.randint(100_000_000, 4_294_967_295)}/src",
        image=request.image,
        initiator=request.initiator,
        region=env.build_region(environ),
        account=env.LOCAL_ACCOUNT,
        resolved_source_version=request.source_version or staging.resolved_commit(request.source),
    )


def _environment(
    request: BuildRequest, identity: BuildIdentity, secrets: Mapping[str, str], environ: Mapping[str, str]
) -> dict[str, str]:
    """CB §1.4 precedence: start-build override > buildspec env > image ENV (Docker applies the image's)."""
    ordered = env.layers(
        host=_host_network(request, environ),
        codebuild={**env.codebuild_variables(identity), **env.secondary_variables(identity, request.secondary_sources)},
        buildspec=request.buildspec.buildspec.env.variables,
        secrets=secrets,
        overrides=request.environment_overrides,
    )
    return env.compose(*(layer for _, layer in ordered))


def _runtime_selection(
    request: BuildRequest, labels: Mapping[str, str], environment: Mapping[str, str]
) -> tuple[tuple[RuntimeSelection, ...] | None, PhaseContext | None]:
    install = request.buildspec.buildspec.phases.install
    declared = declared_runtimes(labels)
    if declared is None:
        return None, None
    if install is None or not install.runtime_versions:
        return (), None
    try:
        return tuple(select_runtimes(install.runtime_versions, declared, environment)), None
    except RuntimeVersionError as error:
        return None, PhaseContext("YAML_FILE_ERROR", str(error))


def _yaml_location(request: BuildRequest, identity: BuildIdentity) -> str:
    """Where the build says its buildspec is: inside the source, or only its name (no host path leaks)."""
    path = request.buildspec.path.resolve()
    try:
        return f"{identity.source_dir}/{path.relative_to(request.source.resolve()).as_posix()}"
    except ValueError:
        return path.name


def _host_network(request: BuildRequest, environ: Mapping[str, str]) -> dict[str, str]:
    """--no-host-ca keeps both the host's CA bundle and its proxy settings out of the build."""
    if not request.inject_host_ca:
        return {}
    return env.host_network_variables(environ, inject_ca=_host_ca_bundle(request, environ) is not None)


def _host_ca_bundle(request: BuildRequest, environ: Mapping[str, str]) -> Path | None:
    """The bundle copied into the container; the CA variables point at it only when there is one."""
    return env.host_ca_bundle(environ) if request.inject_host_ca else None


def _source_dirs(request: BuildRequest, identity: BuildIdentity) -> tuple[str, ...]:
    return (identity.source_dir, *(secondary_source_dir(identity, i) for i in request.secondary_sources))


def _bind_mounts(request: BuildRequest, identity: BuildIdentity) -> tuple[BindMount, ...]:
    mounts = [BindMount(str(request.source), identity.source_dir)]
    for identifier, folder in request.secondary_sources.items():
        mounts.append(BindMount(str(folder), secondary_source_dir(identity, identifier)))
    return tuple(mounts)


def _hidden_state(request: BuildRequest, identity: BuildIdentity, state_root: Path) -> tuple[str, ...]:
    """A mounted source holding the state folder must not show the build the values file or other builds'
    records: a copied source never has them (staging leaves `.simulator/` out), so a mounted one does not either."""
    hidden = []
    for mount in _bind_mounts(request, identity):
        state = state_root.resolve()
        if state.is_relative_to(mount.host) and state != Path(mount.host):
            hidden.append(f"{mount.container}/{state.relative_to(mount.host).as_posix()}")
    return tuple(hidden)


def _staged_files(request: BuildRequest, identity: BuildIdentity, environ: Mapping[str, str]) -> list[IO[bytes]]:
    """One archive per source, the first also carrying the simulator's own files."""
    extra: dict[str, bytes] = {}
    bundle = _host_ca_bundle(request, environ)
    if bundle is not None:
        extra[env.CA_BUNDLE_IN_CONTAINER] = bundle.read_bytes()
    if request.mount_source:
        # The mounted folders are the user's own: an archive entry for them would change their owner and mode.
        return [staging.files_archive(extra)]
    sources = {identity.source_dir: (request.source, identity.resolved_source_version)}
    for identifier, folder in request.secondary_sources.items():
        sources[secondary_source_dir(identity, identifier)] = (folder, staging.resolved_commit(folder))
    archives: list[IO[bytes]] = []
    try:
        for destination, (folder, commit) in sources.items():
            depth = request.git_clone_depth
            archives.append(staging.source_archive(folder, destination, extra, commit=commit, git_clone_depth=depth))
            extra = {}
    except BaseException:
        for archive in archives:
            archive.close()
        raise
    return archives


def _stream_name(stream: TextIO) -> str:
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) else "an event destination"


def _host_write_error(path: Path, error: OSError) -> EnvironmentProblem:
    if error.errno == errno.ENOSPC:
        return disk_full(path)
    return EnvironmentProblem(f"Cannot write {path} ({error.strerror or error}): check the folder and its disk.")


class _NoSession:
    """Stands in for a container when the build ends before one is needed; any use is a bug."""

    def run(self, *_: Any, **__: Any) -> CommandOutcome:
        raise AssertionError("no container was started for this build")

    def write_file(self, path: str, content: bytes) -> None:
        raise AssertionError("no container was started for this build")

    def open_file(self, path: str) -> AbstractContextManager[IO[bytes]]:
        raise AssertionError("no container was started for this build")

    def recover(self, timeout: float) -> bool:
        return False
