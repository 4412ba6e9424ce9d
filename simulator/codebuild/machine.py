"""CodeBuild's phase machine: phases in order, commands through the session, routing on failure (CB §3)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simulator.buildspec.model import Buildspec, Phase
from simulator.buildspec.on_failure import OnFailure, OnFailureMode
from simulator.cancellation import CancelToken
from simulator.codebuild.artifacts import ArtifactPathError, HostWriteError
from simulator.codebuild.environment import BuildIdentity
from simulator.codebuild.output import Capture, CutPoint, LineSplitter
from simulator.codebuild.phases import COMMAND_PHASES, PhaseType, Status, cut_after, next_phase
from simulator.codebuild.request import FailedCommand
from simulator.codebuild.result import BuildResult, PhaseContext, PhaseRecord
from simulator.codebuild.scripts import ScriptFactory, ScriptSettings
from simulator.codebuild.steps import StepFailed, Steps
from simulator.codebuild.upload import NO_ARTIFACTS, OutputFolders, Outputs, RequiredArtifacts
from simulator.container.image.runtimes import RuntimeSelection
from simulator.container.session import DeadlineReached, Session, SessionLost, StopRequested
from simulator.reporting.events import EventLog

__all__ = ["NO_ARTIFACTS", "BuildMachine", "BuildPlan", "StepFailed"]
CONTAINER_DEAD = PhaseContext(
    "CLIENT_ERROR",
    "Build container found dead before completing the build. Build container died because it was out of "
    "memory, or the Docker image is not supported.",
)
TIMED_OUT = PhaseContext("BUILD_TIMED_OUT", "Build has timed out. ")
STOPPED = PhaseContext("BUILD_STOPPED", "Build was stopped by the user")
_NO_CONTEXTS: list[PhaseContext] = []
_RECOVERY_SECONDS = 10.0  # for the killed command to be reported by the agent
_SAVING_SECONDS = 120.0


@dataclass(frozen=True)
class BuildPlan:
    """Everything decided before the container starts; the machine only carries it out."""

    buildspec: Buildspec
    identity: BuildIdentity
    yaml_location: str
    runtime_selections: tuple[RuntimeSelection, ...] | None  # None: the image does not support selection
    download_failure: PhaseContext | None
    artifacts_dir: Path
    secondary_artifacts_dir: Path
    reports_dir: Path
    timeout_minutes: float
    environment: Mapping[str, str] = field(default_factory=dict)  # what the container starts with
    secret_values: tuple[str, ...] = ()  # resolved parameter-store and secrets-manager values, to be masked
    file_owner: tuple[int, int] | None = None
    required_artifacts: RequiredArtifacts = field(default_factory=RequiredArtifacts)
    stop_after: PhaseType | None = None  # `run --phase`: no buildspec phase nor UPLOAD_ARTIFACTS after this one
    keep_failure_state: bool = False  # set aside the session at the first failing command, for a shell there


class BuildMachine:
    def __init__(
        self,
        plan: BuildPlan,
        session: Session,
        log: EventLog,
        clock: Callable[[], float] = time.time,
        cancel: CancelToken | None = None,
        line_cut: CutPoint | None = None,
    ) -> None:
        self._plan = plan
        self._line_cut = line_cut
        self.host_problems: list[str] = []  # the host could not store what the build made: one sentence each
        self._cancel = cancel or CancelToken()
        self._stops_seen = 0  # stop requests already acted on; a further one cuts the build short again
        self._spec = plan.buildspec
        self._session = session
        self._log = log
        self._clock = clock
        self._deadline = plan.identity.start_time_ms / 1000 + plan.timeout_minutes * 60
        self._succeeding = True
        self._session_usable = plan.download_failure is None
        self._ending: Status | None = None  # TIMED_OUT or STOPPED once the build is cut short
        self._container_lost = False
        self.failed_command: FailedCommand | None = None
        self._scripts = ScriptFactory(
            ScriptSettings(
                version=self._spec.version,
                shell=self._spec.env.shell or "sh",
                shared_with_other_users=_uses_run_as(self._spec),
            )
        )
        identity = plan.identity
        self.result = BuildResult(
            build_id=identity.build_id,
            build_arn=identity.build_arn,
            build_number=identity.build_number,
            project=identity.project,
            source_version=identity.resolved_source_version,
            image=identity.image,
            initiator=identity.initiator,
            started=identity.start_time_ms / 1000,
            timeout_minutes=plan.timeout_minutes,
        )
        self._steps = Steps(
            session=session,
            scripts=self._scripts,
            deadline=lambda: self._deadline,
            stop_requested=self._stop_requested,
            log_output=self._log_output,
            heredoc_end=f"SIMULATOR_END_{secrets.token_hex(8)}",
            line_cut=line_cut,
        )
        self._outputs = Outputs(
            self._spec,
            self._steps,
            self.result,
            log,
            folders=OutputFolders(
                artifacts_dir=plan.artifacts_dir,
                secondary_artifacts_dir=plan.secondary_artifacts_dir,
                reports_dir=plan.reports_dir,
                file_owner=plan.file_owner,
            ),
            required=plan.required_artifacts,
        )

    # -- the loop -------------------------------------------------------------------------------------------

    def run(self) -> BuildResult:
        self._log.info("build_started", image=self._plan.identity.image, build_id=self.result.build_id)
        # The container was created and started before the machine runs: that was PROVISIONING.
        started = self.result.started
        for phase in (PhaseType.SUBMITTED, PhaseType.QUEUED):
            self.result.phases.append(PhaseRecord(phase, started, Status.SUCCEEDED, started))
        self.result.phases.append(PhaseRecord(PhaseType.PROVISIONING, started, Status.SUCCEEDED, self._clock()))
        phase = PhaseType.DOWNLOAD_SOURCE
        try:
            while phase is not PhaseType.COMPLETED:
                status = self._run_phase(phase)
                phase = self._stop_if_asked(next_phase(phase, status, self._on_failure(phase)))
                if self._container_lost and phase is not PhaseType.COMPLETED:
                    phase = PhaseType.FINALIZING  # nothing else can run without a container
        except KeyboardInterrupt:
            # The caller gave up waiting (a third Ctrl-C): the record still says how far the build got.
            self._abandon()
            raise
        self.result.phases.append(PhaseRecord(PhaseType.COMPLETED, self._clock()))
        self.result.ended = self._clock()
        self.result.status = self._final_status()
        self._log.info("build_finished", status=self.result.status.value, build_id=self.result.build_id)
        return self.result

    @property
    def container_lost(self) -> bool:
        return self._container_lost

    def _stop_if_asked(self, upcoming: PhaseType) -> PhaseType:
        phase = cut_after(upcoming, self._plan.stop_after)
        if phase is not upcoming and self.result.stopped_after is None and self._plan.stop_after is not None:
            self.result.stopped_after = self._plan.stop_after
            self._log.info("stopping_after_phase", phase=self._plan.stop_after.value)
        return phase

    def _abandon(self) -> None:
        now = self._clock()
        running = self.result.phases[-1]
        if running.status is None:
            running.status, running.ended, running.contexts = Status.STOPPED, now, [STOPPED]
        self.result.phases.append(PhaseRecord(PhaseType.COMPLETED, now))
        self.result.ended = now
        self.result.status = Status.STOPPED

    def _run_phase(self, phase: PhaseType) -> Status:
        record = PhaseRecord(phase, self._clock())
        self.result.phases.append(record)
        try:
            if self._stop_requested():
                raise StopRequested()
            status, contexts = self._phase_runner(phase)()
        except (DeadlineReached, StopRequested) as reason:
            status, contexts = self._cut_short(reason)
        except (StepFailed, ArtifactPathError) as failure:
            status, contexts = Status.FAILED, [PhaseContext("CLIENT_ERROR", str(failure))]
        except HostWriteError as failure:
            # What was saved so far stays; the caller ends with the environment's exit code and this sentence.
            self.host_problems.append(_sentence(str(failure)))
            status, contexts = Status.FAILED, [PhaseContext("CLIENT_ERROR", str(failure))]
        except SessionLost:
            self._log.info("container_lost")
            self._container_lost = True
            self._session_usable = False
            status, contexts = Status.FAILED, [CONTAINER_DEAD]
        record.status, record.ended, record.contexts = status, self._clock(), contexts
        if status is not Status.SUCCEEDED:
            self._succeeding = False
        if phase in _LOGGED_PHASES:
            context = contexts[0] if contexts else PhaseContext("", "")
            self._log.info("phase_complete", phase=phase.value, state=status.value)
            self._log.info("phase_context", phase=phase.value, code=context.status_code, message=context.message)
        return status

    def _cut_short(self, reason: BaseException) -> tuple[Status, list[PhaseContext]]:
        """Stop the running command; the session stays usable only to save what the build made so far.

        Cut short a second time (Ctrl-C, or the saving budget running out, while saving), the build keeps its
        first ending and gives up on saving.
        """
        self._stops_seen = self._cancel.requests
        if self._ending:
            self._log.info("saving_abandoned")
            self._session_usable = False
            return self._ending, []
        timed_out = isinstance(reason, DeadlineReached)
        if timed_out:
            self._log.info("build_timed_out", minutes=self._plan.timeout_minutes)
        else:
            self._log.info("build_stopped")
        self._ending = Status.TIMED_OUT if timed_out else Status.STOPPED
        self._session_usable = self._session.recover(timeout=_RECOVERY_SECONDS)
        # The build's deadline has passed or no longer matters: saving its artifacts gets one budget of its own.
        self._deadline = self._clock() + _SAVING_SECONDS
        return self._ending, [TIMED_OUT if timed_out else STOPPED]

    def _stop_requested(self) -> bool:
        return self._cancel.requests > self._stops_seen

    def _log_output(self, line: str) -> None:
        self._log.info("command_output", line=line)

    def _phase_runner(self, phase: PhaseType) -> Callable[[], tuple[Status, list[PhaseContext]]]:
        if phase in COMMAND_PHASES:
            return lambda: self._run_command_phase(phase)
        return {
            PhaseType.DOWNLOAD_SOURCE: self._download_source,
            PhaseType.UPLOAD_ARTIFACTS: self._upload_artifacts,
            PhaseType.FINALIZING: self._finalize,
        }[phase]

    def _on_failure(self, phase: PhaseType) -> OnFailure | None:
        spec = self._phase_spec(phase)
        return spec.on_failure if spec else None

    def _phase_spec(self, phase: PhaseType) -> Phase | None:
        name = COMMAND_PHASES.get(phase)
        return getattr(self._spec.phases, name) if name else None

    def _final_status(self) -> Status:
        if self._ending:
            return self._ending
        failed = any(p.status is Status.FAILED for p in self.result.phases)
        return Status.FAILED if failed else Status.SUCCEEDED

    # -- DOWNLOAD_SOURCE --------------------------------------------------------------------------------------

    def _download_source(self) -> tuple[Status, list[PhaseContext]]:
        source_dir = self._plan.identity.source_dir
        self._log.info("waiting_for_agent")
        self._log.info("waiting_for_source")
        self._log.info("phase_is", phase=PhaseType.DOWNLOAD_SOURCE.value)
        self._log.info("source_dir", path=source_dir)
        self._log.info("yaml_location", path=self._plan.yaml_location)
        self._log.info("processing_environment")
        if self._plan.download_failure:
            return Status.FAILED, [self._plan.download_failure]
        self._log_runtime_selection()
        self._log.info("moving_to_directory", path=source_dir)
        if self._spec.cache:
            self._log.info("cache_not_simulated")
        if self._spec.batch:
            self._log.info("batch_not_simulated")
        present = self._spec.phases.ordered()
        self._log.info("phases_found", count=len(present))
        for name, phase in present:
            self._log.info("phase_commands", phase=name.upper(), count=len(phase.commands))
        if self._scripts.keeps_session:
            capture = Capture()
            if not self._session.run(self._scripts.start_session(), capture, self._deadline, self._stop_requested):
                reason = capture.data.decode(errors="replace").strip() or "no output"
                return Status.FAILED, [PhaseContext("CLIENT_ERROR", f"could not start the build's shell: {reason}")]
        return Status.SUCCEEDED, _NO_CONTEXTS

    def _log_runtime_selection(self) -> None:
        install = self._spec.phases.install
        if install is None or not install.runtime_versions:
            self._log.info("no_runtime_selected")
        elif self._plan.runtime_selections is None:
            self._log.info("runtime_selection_unsupported")

    # -- INSTALL, PRE_BUILD, BUILD, POST_BUILD ----------------------------------------------------------------

    def _run_command_phase(self, phase: PhaseType) -> tuple[Status, list[PhaseContext]]:
        self._log.info("entering_phase", phase=phase.value)
        if phase is PhaseType.INSTALL:
            for selection in self._plan.runtime_selections or ():
                self._log.info("runtime_selected", runtime=selection.runtime, version=selection.version)
        spec = self._phase_spec(phase)
        if spec is None or not (spec.commands or spec.finally_):
            self._log.info("no_commands", name=COMMAND_PHASES[phase])
            return Status.SUCCEEDED, _NO_CONTEXTS
        if spec.on_failure and spec.on_failure.mode is OnFailureMode.RETRY:
            self._log.info("retry_not_simulated", value=spec.on_failure.raw)
        user = spec.run_as or self._spec.run_as
        # CB §1.7: the first failing command skips the rest; `finally` runs in any case.
        failure = self._run_commands(spec.commands, user)
        finally_failure = self._run_commands(spec.finally_, user)
        contexts = [c for c in (failure or finally_failure,) if c]
        return (Status.FAILED if contexts else Status.SUCCEEDED), contexts

    def _run_commands(self, commands: tuple[str, ...], user: str | None) -> PhaseContext | None:
        for command in commands:
            failure = self._run_command(command, user)
            if failure:
                return failure
        return None

    def _run_command(self, command: str, user: str | None) -> PhaseContext | None:
        if self._clock() >= self._deadline:
            raise DeadlineReached()
        if self._stop_requested():
            raise StopRequested()
        self._log.info("running_command", command=command)
        request = self._scripts.command(command, build_succeeding=self._succeeding, user=user)
        lines = LineSplitter(self._log_output, self._line_cut)
        try:
            outcome = self._session.run(request, lines.feed, self._deadline, self._stop_requested)
        finally:
            lines.flush()
        if outcome:
            return None
        self._succeeding = False
        self._log.info("command_failed", command=command, exit_status=outcome.exit_status)
        if self.failed_command is None:
            self.failed_command = self._set_aside_failure(command, user)
        return PhaseContext(
            "COMMAND_EXECUTION_ERROR",
            f"Error while executing command: {command}. Reason: exit status {outcome.exit_status}",
        )

    def _set_aside_failure(self, command: str, user: str | None) -> FailedCommand:
        """The session as the failing command left it (its variables, its folder), before `finally` and the
        later phases change it: what a shell stepping into the failure must start from."""
        phase = self.result.phases[-1].phase_type
        saved = False
        if self._plan.keep_failure_state and self._scripts.keeps_session:
            saved = bool(self._session.run(self._scripts.set_aside_failure(), Capture(), self._deadline))
        return FailedCommand(phase, command, user, saved)

    # -- UPLOAD_ARTIFACTS and FINALIZING ----------------------------------------------------------------------

    def _upload_artifacts(self) -> tuple[Status, list[PhaseContext]]:
        self._outputs.freeze_exported_variables()
        return self._outputs.upload()

    def _finalize(self) -> tuple[Status, list[PhaseContext]]:
        if self._session_usable:
            if self._ending:
                self._outputs.save_after_cut_short(self._ending)
            else:
                self._outputs.freeze_exported_variables()
        return Status.SUCCEEDED, _NO_CONTEXTS


_LOGGED_PHASES = frozenset(
    {
        PhaseType.DOWNLOAD_SOURCE,
        PhaseType.INSTALL,
        PhaseType.PRE_BUILD,
        PhaseType.BUILD,
        PhaseType.POST_BUILD,
        PhaseType.UPLOAD_ARTIFACTS,
    }
)


def _uses_run_as(spec: Buildspec) -> bool:
    return bool(spec.run_as) or any(phase.run_as for _, phase in spec.phases.ordered())


def _sentence(text: str) -> str:
    return (text[:1].upper() + text[1:]).rstrip(".") + "."
