"""What a build hands back when its commands are done: artifacts, report files and exported variables
(CB §1.4, CB §1.9)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.buildspec.model import Artifacts, ArtifactSpec, Buildspec
from simulator.codebuild import artifacts as artifact_files
from simulator.codebuild.phases import Status
from simulator.codebuild.result import BuildResult, PhaseContext, SavedArtifact
from simulator.codebuild.scripts import (
    ARCHIVE_BODY,
    ARCHIVE_LIST,
    ARTIFACT_ARCHIVE,
    archive_list,
    parse_printed_variables,
    print_variables_body,
)
from simulator.codebuild.steps import Steps
from simulator.reporting.events import EventLog

NO_ARTIFACTS = PhaseContext("CLIENT_ERROR", "no matching artifact paths found")
# CP §3 (issue #128 of aws-codebuild-docker-images has the primary one's text).
NO_PRIMARY_DEFINITION = PhaseContext("CLIENT_ERROR", "no definition for primary artifacts in buildspec")


@dataclass(frozen=True)
class RequiredArtifacts:
    """What the caller will take from the build (a pipeline action's outputs, CP §3): one output is the primary
    artifact, several are secondary artifacts by identifier. A build that does not define them fails upload."""

    primary: bool = False
    secondary: tuple[str, ...] = ()

    def missing_from(self, spec: Artifacts | None) -> PhaseContext | None:
        if self.primary and spec is None:
            return NO_PRIMARY_DEFINITION
        defined = spec.secondary_artifacts if spec is not None else {}
        for identifier in self.secondary:
            if identifier not in defined:
                # Inferred: the cloud's own text for this case is not on record.
                return PhaseContext("CLIENT_ERROR", f"no definition for secondary artifact {identifier} in buildspec")
        return None


@dataclass(frozen=True)
class OutputFolders:
    """Where a build's outputs go on the host, and whose the files written there become (None: the process's)."""

    artifacts_dir: Path
    secondary_artifacts_dir: Path
    reports_dir: Path
    file_owner: tuple[int, int] | None


class Outputs:
    def __init__(
        self,
        spec: Buildspec,
        steps: Steps,
        result: BuildResult,
        log: EventLog,
        *,
        folders: OutputFolders,
        required: RequiredArtifacts | None = None,
    ) -> None:
        self._required = required or RequiredArtifacts()
        self._spec = spec
        self._steps = steps
        self._result = result
        self._log = log
        self._artifacts_dir = folders.artifacts_dir
        self._secondary_artifacts_dir = folders.secondary_artifacts_dir
        self._reports_dir = folders.reports_dir
        self._file_owner = folders.file_owner
        self._exports_frozen = False

    # -- UPLOAD_ARTIFACTS -------------------------------------------------------------------------------------

    def upload(self) -> tuple[Status, list[PhaseContext]]:
        spec = self._spec.artifacts
        missing = self._required.missing_from(spec)
        if missing is not None:
            return Status.FAILED, [missing]
        if spec is None and not self._spec.reports:
            return Status.SUCCEEDED, []
        files = self._steps.list_source_files()
        self._save_reports(files)
        if spec is None:
            return Status.SUCCEEDED, []
        if not self._export(spec, files, self._artifacts_dir):
            return Status.FAILED, [NO_ARTIFACTS]
        self._result.artifacts = SavedArtifact(str(self._artifacts_dir), self._artifact_name(spec))
        for identifier, secondary in spec.secondary_artifacts.items():
            destination = _inside(self._secondary_artifacts_dir, identifier)
            if not self._export(secondary, files, destination):
                return Status.FAILED, [NO_ARTIFACTS]
            self._result.secondary_artifacts[identifier] = SavedArtifact(
                str(destination), self._artifact_name(secondary)
            )
        return Status.SUCCEEDED, []

    def save_after_cut_short(self, ending: Status) -> None:
        """Nothing the user built is lost: a timed-out or stopped build still hands back its artifacts.

        CodeBuild skips UPLOAD_ARTIFACTS here, and so do the phase records; the files are saved on the side.
        """
        spec = self._spec.artifacts
        if spec is None and not self._spec.reports:
            return
        files = self._steps.list_source_files()
        self._save_reports(files)
        if spec is None:
            return
        self._log.info("saving_artifacts", status=ending.value, path=str(self._artifacts_dir))
        if self._export(spec, files, self._artifacts_dir):
            self._result.artifacts = SavedArtifact(str(self._artifacts_dir), None)
        for identifier, secondary in spec.secondary_artifacts.items():
            destination = _inside(self._secondary_artifacts_dir, identifier)
            if self._export(secondary, files, destination):
                self._result.secondary_artifacts[identifier] = SavedArtifact(str(destination), None)

    def _artifact_name(self, spec: ArtifactSpec) -> str | None:
        if not spec.name:
            return None
        name = self._steps.evaluate(spec.name)
        self._log.info("artifact_name", name=name)
        return name

    def _export(self, spec: ArtifactSpec, files: list[str], destination: Path) -> bool:
        base = spec.base_directory or "."
        self._log.info("expanding_base_directory", path=base)
        self._log.info("assembling_file_list")
        self._log.info("expanding", path=base)
        self._log.info("expanding_file_paths", path=base)
        self._log.info("assembling_file_list")
        for pattern in spec.files:
            self._log.info("expanding", path=pattern)
        selection = artifact_files.select(spec, files, spec.exclude_paths)
        self._log.info("found_files", count=len(selection))
        if not selection:
            for pattern in spec.files:
                self._log.info("skipping_invalid_path", path=pattern)
            return False
        self._copy_out(selection, destination)
        return True

    def _save_reports(self, files: list[str]) -> None:
        """Report files are kept per report group; a group without files is a warning, not a failure."""
        for group, report in self._spec.reports.items():
            selection = artifact_files.select(report, files)
            destination = _inside(self._reports_dir, group.rsplit("/", 1)[-1])  # an ARN's folder is its name
            if not selection:
                self._log.info("report_files_missing", group=group)
                continue
            self._copy_out(selection, destination)
            self._result.reports[group] = str(destination)
            self._log.info(
                "report_saved", group=group, count=len(selection), format=report.file_format, path=str(destination)
            )

    def _copy_out(self, selection: list[artifact_files.SelectedFile], destination: Path) -> None:
        self._steps.session.write_file(ARCHIVE_LIST, archive_list([item.source for item in selection]))
        self._steps.run(ARCHIVE_BODY)
        with self._steps.session.open_file(ARTIFACT_ARCHIVE) as archive:
            artifact_files.extract_selected(archive, selection, destination, self._file_owner)

    # -- exported variables -----------------------------------------------------------------------------------

    def freeze_exported_variables(self) -> None:
        """CB §1.4: exported variables may change until the end of POST_BUILD, then their values are frozen."""
        names = self._spec.env.exported_variables
        if self._exports_frozen or not names:
            return
        self._exports_frozen = True
        values = parse_printed_variables(self._steps.run(print_variables_body(names), keep_output=True))
        self._result.exported_variables = {name: values.get(name, "") for name in names}


def _inside(folder: Path, name: str) -> Path:
    """The buildspec validated the name already; this is the last guard that it stays a folder in `folder`."""
    destination = folder / name
    if destination.resolve().parent != folder.resolve():
        raise ValueError(f"{name!r} is not a folder name")
    return destination
