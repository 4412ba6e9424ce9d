"""Turn build events into CodeBuild's own log lines (CB §5) or JSON lines, and write them where they go."""

from __future__ import annotations

import json
from collections.abc import Callable, MutableMapping, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

import structlog

from simulator.reporting.events import EventLog
from simulator.reporting.masking import Masker

# Each agent event and the line CodeBuild writes for it (CB §5.1-§5.3).
TEMPLATES: dict[str, str] = {
    "build_started": "Running on simulator (local Docker) image {image}",
    "waiting_for_agent": "Waiting for agent ping",
    "waiting_for_source": "Waiting for DOWNLOAD_SOURCE",
    "phase_is": "Phase is {phase}",
    "source_dir": "CODEBUILD_SRC_DIR={path}",
    "yaml_location": "YAML location is {path}",
    "processing_environment": "Processing environment variables",
    "no_runtime_selected": "No runtime version selected in buildspec.",
    "runtime_selected": "Selecting '{runtime}' runtime version '{version}' based on manual selections...",
    "runtime_selection_unsupported": (
        "Skipping install of runtimes. Runtime version selection is not supported by this build image."
    ),
    "moving_to_directory": "Moving to directory {path}",
    "cache_not_simulated": "Skipping cache: the cache section is not simulated yet",
    "batch_not_simulated": "Skipping batch: batch builds are not simulated yet; running this buildspec as one build",
    "phases_found": "Phases found in YAML: {count}",
    "phase_commands": " {phase}: {count} commands",
    "entering_phase": "Entering phase {phase}",
    "no_commands": "No commands found for phase name: {name}",
    "running_command": "Running command {command}",
    "command_failed": "Command did not exit successfully {command} exit status {exit_status}",
    "phase_complete": "Phase complete: {phase} State: {state}",
    "phase_context": "Phase context status code: {code} Message: {message}",
    "retry_not_simulated": "on-failure {value} is not simulated yet: the default routing applies",
    "expanding_base_directory": "Expanding base directory path: {path}",
    "assembling_file_list": "Assembling file list",
    "expanding": "Expanding {path}",
    "expanding_file_paths": "Expanding file paths for base directory {path}",
    "found_files": "Found {count} file(s)",
    "skipping_invalid_path": "Skipping invalid file path {path}",
    "artifact_name": "Artifact name: {name}",
    "report_saved": "Report group {group}: {count} {format} file(s) saved to {path}",
    "report_files_missing": "Report group {group}: no report files found",
    "build_timed_out": "Build timed out after {minutes} minutes: stopping the build container",
    "build_stopped": "Build stopped by the user: stopping the build container",
    "container_lost": "The build container ended unexpectedly",
    "saving_artifacts": "Build {status}: saving the artifacts it made so far to {path}",
    "saving_abandoned": "Saving the artifacts was cut short: what was saved so far stays",
    "stopping_after_phase": "Stopping after phase {phase} as asked (--phase): the later phases are skipped",
}
# Events for machines only: the text log, like CodeBuild's, has no line for them.
JSON_ONLY = frozenset({"build_finished"})

Renderer = Callable[[MutableMapping[str, Any]], str | None]
Destination = tuple[Renderer, TextIO]


def timestamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y/%m/%d %H:%M:%S.%f")


def text_line(event_dict: MutableMapping[str, Any]) -> str | None:
    """One event as the line CodeBuild would write; command output is written raw, as CodeBuild does."""
    event = event_dict["event"]
    if event in JSON_ONLY:
        return None
    if event == "command_output":
        return str(event_dict["line"])
    template = TEMPLATES.get(event)
    text = template.format(**event_dict) if template else _fallback(event_dict)
    return f"[Container] {timestamp(event_dict['time'])} {text}"


def _fallback(event_dict: MutableMapping[str, Any]) -> str:
    details = " ".join(f"{k}={v}" for k, v in event_dict.items() if k not in ("event", "time", "level"))
    return f"{event_dict['event']} {details}".strip()


def json_line(event_dict: MutableMapping[str, Any]) -> str:
    record = {**event_dict, "timestamp": datetime.fromtimestamp(event_dict["time"], UTC).isoformat()}
    return json.dumps(record, default=str)


class Fanout:
    """Final structlog processor: render the event once per destination and write it there.

    A destination that cannot be written (a full disk, a closed pipe) is dropped and its stream and error kept in
    `failures`, so the build goes on, its other destinations keep everything, and the caller can say what went
    wrong: a console whose reader left (`| head`) must not cost the build its record and artifacts.
    """

    def __init__(self, destinations: Sequence[Destination]) -> None:
        self._destinations = list(destinations)
        self.failures: list[tuple[TextIO, OSError]] = []

    def __call__(self, _logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
        for destination in list(self._destinations):
            render, stream = destination
            line = render(event_dict)
            if line is None:
                continue
            try:
                stream.write(line + "\n")
                stream.flush()
            except OSError as error:
                self._destinations.remove(destination)
                self.failures.append((stream, error))
        raise structlog.DropEvent


def add_time(clock: Callable[[], float]) -> Callable[..., MutableMapping[str, Any]]:
    def processor(_logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event_dict.setdefault("time", clock())
        event_dict.setdefault("level", method)
        return event_dict

    return processor


def build_logger(
    masker: Masker,
    destinations: Sequence[Destination],
    clock: Callable[[], float],
    fanout: Fanout | None = None,
) -> EventLog:
    """A logger of its own for one build: no global structlog configuration is touched."""
    processors: list[structlog.typing.Processor] = [add_time(clock), masker, fanout or Fanout(destinations)]
    logger: EventLog = structlog.wrap_logger(structlog.ReturnLogger(), processors=processors)
    return logger
