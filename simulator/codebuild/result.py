"""A build's record, shaped as CodeBuild's BatchGetBuilds returns it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from simulator.codebuild.phases import PhaseType, Status


@dataclass(frozen=True)
class PhaseContext:
    status_code: str
    message: str


@dataclass(frozen=True)
class SavedArtifact:
    location: str
    name: str | None  # the evaluated `name`, when the buildspec gives one

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"location": self.location}
        if self.name:
            record.update(overrideArtifactName=True, name=self.name)
        return record


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
    artifacts: SavedArtifact | None = None
    secondary_artifacts: dict[str, SavedArtifact] = field(default_factory=dict)
    reports: dict[str, str] = field(default_factory=dict)  # report group -> folder of its files
    timeout_minutes: float = 60.0
    stopped_after: PhaseType | None = None  # `run --phase`: the later phases were skipped (a local field)

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
            # The API's field is an integer; a local timeout may be a fraction of a minute, so it is rounded up.
            "timeoutInMinutes": math.ceil(self.timeout_minutes),
            "buildComplete": self.status is not Status.IN_PROGRESS,
            "initiator": self.initiator,
            "exportedEnvironmentVariables": [
                {"name": name, "value": value} for name, value in self.exported_variables.items()
            ],
        }
        if self.source_version:
            record["resolvedSourceVersion"] = self.source_version
        if self.artifacts is not None:
            record["artifacts"] = self.artifacts.to_json()
        if self.secondary_artifacts:
            record["secondaryArtifacts"] = [
                {"artifactIdentifier": identifier, **artifact.to_json()}
                for identifier, artifact in self.secondary_artifacts.items()
            ]
        if self.stopped_after is not None:
            # Not CodeBuild's: the build ended after this phase because it was asked to (`run --phase`).
            record["stoppedAfterPhase"] = self.stopped_after.value
        if self.reports:
            # Local stand-in for reportArns: where each report group's files were saved.
            record["reports"] = [{"reportGroup": group, "location": path} for group, path in self.reports.items()]
        return record
