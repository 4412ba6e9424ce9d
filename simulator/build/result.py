"""A build's record, shaped as CodeBuild's BatchGetBuilds returns it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.build.phases import PhaseType, Status


@dataclass(frozen=True)
class PhaseContext:
    status_code: str
    message: str


@dataclass
class PhaseRecord:
    phase_type: PhaseType
    started: float
    status: Status | None = None  # None while running, and for COMPLETED
    ended: float | None = None
    contexts: list[PhaseContext] = field(default_factory=list)

    @property
    def duration_seconds(self) -> int | None:
        return None if self.ended is None else round(self.ended - self.started)

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"phaseType": self.phase_type.value, "startTime": self.started}
        if self.status is not None:
            record["phaseStatus"] = self.status.value
        if self.ended is not None:
            record["endTime"] = self.ended
            record["durationInSeconds"] = self.duration_seconds
        if self.contexts:
            record["contexts"] = [{"statusCode": c.status_code, "message": c.message} for c in self.contexts]
        return record


@dataclass
class BuildResult:
    build_id: str
    build_arn: str
    build_number: int
    project: str
    source_version: str | None
    image: str
    initiator: str
    started: float
    status: Status = Status.IN_PROGRESS
    ended: float | None = None
    phases: list[PhaseRecord] = field(default_factory=list)
    exported_variables: dict[str, str] = field(default_factory=dict)
    artifacts_location: str | None = None
    artifact_name: str | None = None
    secondary_artifacts: dict[str, str] = field(default_factory=dict)
    timeout_minutes: float = 60.0

    @property
    def current_phase(self) -> PhaseType | None:
        return self.phases[-1].phase_type if self.phases else None

    def to_json(self) -> dict[str, Any]:
        """The build as BatchGetBuilds returns it (the fields a local build can fill)."""
        record: dict[str, Any] = {
            "id": self.build_id,
            "arn": self.build_arn,
            "buildNumber": self.build_number,
            "startTime": self.started,
            "endTime": self.ended,
            "currentPhase": self.current_phase.value if self.current_phase else None,
            "buildStatus": self.status.value,
            "projectName": self.project,
            "phases": [phase.to_json() for phase in self.phases],
            "environment": {"type": "LINUX_CONTAINER", "image": self.image},
            "timeoutInMinutes": self.timeout_minutes,
            "buildComplete": self.status is not Status.IN_PROGRESS,
            "initiator": self.initiator,
            "exportedEnvironmentVariables": [
                {"name": name, "value": value} for name, value in self.exported_variables.items()
            ],
        }
        if self.source_version:
            record["resolvedSourceVersion"] = self.source_version
        if self.artifacts_location is not None:
            artifacts: dict[str, Any] = {"location": self.artifacts_location}
            if self.artifact_name:
                artifacts["overrideArtifactName"] = True
                artifacts["name"] = self.artifact_name
            record["artifacts"] = artifacts
        if self.secondary_artifacts:
            record["secondaryArtifacts"] = [
                {"artifactIdentifier": identifier, "location": location}
                for identifier, location in self.secondary_artifacts.items()
            ]
        return record
