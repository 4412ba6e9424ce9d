"""`--run dev` and `--run pipeline`: the build, or the pipeline up to its first gate, from the checked-out tip,
with their records in the user's repository (its `.simulator/`), so the log paths printed outlive the checkout.

- The dev build is `python -m simulator run` in a process of its own, started in the user's repository (which is
  how `run` finds the state folder) with `--source` the checkout and the project named after the repository, as a
  `run` by hand would name it. Its output goes to a file; on failure the hook prints the failing command's last
  lines from `build.log`. The process has a session of its own, so a Ctrl-C at the terminal reaches it once,
  forwarded by the hook, and the build stops as `run` stops one (STOPPED, its container removed) before the
  checkout goes.
- The pipeline runs in this process (`pipeline run --no-input`: a gate reached is a pass), its source actions
  reading the checkout's commit, its records in the user's state folder; one line per stage from the execution's
  record.

Which buildspec is the dev build: `--file`, else the shallowest `buildspec-dev.yml` (or `.yaml`) of the tip, else
a `buildspec.yml` at its root. Which pipeline: `--file`, else `stages/pipeline.yml`, else the tip's only pipeline.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from simulator.hook.report import Line, tail
from simulator.reporting.masking import Masker
from simulator.reporting.package_warnings import configure_diagnostics
from simulator.state import STATE_DIR_NAME, StateFolder, project_name_from_folder

if TYPE_CHECKING:  # the pipeline package only when a pipeline runs: the validate-only hook never loads it
    from simulator.pipeline.store import PipelineStore
    from simulator.pipeline.store.snapshots import Execution

_DEV_NAMES = ("buildspec-dev.yml", "buildspec-dev.yaml")
# The agent's lines carry a timestamp to the microsecond; the full log keeps it, the tail reads better without.
_TIMESTAMP = re.compile(r"^\[Container\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d+ ")


def dev_buildspec(tree: Path, file: str | None) -> str | None:
    if file is not None:
        return file
    from simulator.validation.discovery import discover

    found = discover(tree)
    dev = sorted((p for p in found.buildspecs if p.name in _DEV_NAMES), key=lambda p: (len(p.parts), str(p)))
    if dev:
        return str(dev[0])
    root = [p for p in found.buildspecs if p in (PurePosixPath("buildspec.yml"), PurePosixPath("buildspec.yaml"))]
    return str(root[0]) if root else None


def pipeline_file(tree: Path, file: str | None) -> str | list[str]:
    """The pipeline to run, or every candidate when the tip cannot tell."""
    if file is not None:
        return file
    from simulator.validation.discovery import discover

    pipelines = [str(p) for p in discover(tree).pipelines]
    if "stages/pipeline.yml" in pipelines:
        return "stages/pipeline.yml"
    return pipelines[0] if len(pipelines) == 1 else pipelines


def dev_build(repository: Path, tree: Path, buildspec: str) -> Line:
    subject = f"dev build {buildspec}"
    if not (tree / buildspec).is_file():
        return Line("FAIL", subject, "no such file in the pushed commit")
    with tempfile.TemporaryDirectory(prefix="simulator-hook-run-") as scratch:
        summary, output = Path(scratch) / "summary.json", Path(scratch) / "output.log"
        command = [
            *(sys.executable, "-m", "simulator", "run", str(tree / buildspec)),
            *("--source", str(tree), "--project", project_name_from_folder(repository)),
            *("--summary-json", str(summary)),
        ]
        environ = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
        started = time.monotonic()
        with output.open("wb") as sink:
            process = subprocess.Popen(
                command,
                cwd=repository,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=environ,
                start_new_session=True,
            )
            code = _wait_forwarding(process)
        seconds = time.monotonic() - started
        said = output.read_text(encoding="utf-8", errors="replace").splitlines()
        record = _read_json(summary)
    if record is None:  # refused before it ran (no Docker, a bad value file): what it said is the reason
        return Line("FAIL", subject, f"exit {code}, in {seconds:.1f} s", tail(said))
    status = str(record.get("buildStatus"))
    log = StateFolder(repository / STATE_DIR_NAME).build_dir(str(record.get("id"))) / "build.log"
    note = f"{status} in {seconds:.1f} s"
    if code == 0:
        return Line("PASS", subject, note)
    return Line("FAIL", subject, note, failing_command_tail(log), log)


def failing_command_tail(log: Path) -> tuple[str, ...]:
    """The lines up to the first failing command's end (its own output last), else the log's end."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ()
    end = next((i for i, line in enumerate(lines) if "Command did not exit successfully" in line), len(lines) - 1)
    return tail([_TIMESTAMP.sub("[Container] ", line) for line in lines[: end + 1]])


def run_pipeline(repository: Path, tree: Path, file: str, masker: Masker) -> list[Line]:
    from simulator.cancellation.signals import signals_cancel
    from simulator.pipeline.approvals.gate import GateAnswers
    from simulator.pipeline.checked import load_checked
    from simulator.pipeline.executor import RunEnding
    from simulator.pipeline.run_context import open_run_context
    from simulator.pipeline.start_and_resume import RunOptions, start

    configure_diagnostics(masker)  # the engine may warn (a container that would not go): one line, masked
    path = tree / file
    if not path.is_file():
        return [Line("FAIL", f"pipeline {file}", "no such file in the pushed commit")]
    checked = load_checked(path, {}, None, masker)
    if checked.failed or checked.pipeline is None:
        return [Line("FAIL", f"pipeline {file}", "it does not load: see the validation above")]
    gates = GateAnswers(no_input=True)  # nothing answered in advance and no prompt: a gate reached stops the run
    options = RunOptions(file=path, repository=tree)
    # The pipeline's console (every build's lines) is not the hook's: its logs are in the state folder.
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8") as console,
        contextlib.redirect_stdout(console),
        open_run_context(repository, masker, gates) as context,
    ):
        with signals_cancel(context.cancel):
            outcome = start(checked.pipeline, options, context)
        execution = context.store.execution(outcome.execution_id)
        waiting = outcome.result.status is RunEnding.WAITING
        lines = [_stage_line(stage.name, execution, waiting, context.store) for stage in checked.pipeline.stages]
    # The execution as a whole: where to look, and a verdict of its own only when no stage line gave one.
    ended = "waits at its gate" if waiting else outcome.result.status.value.lower()
    lines.append(
        Line(
            "PASS" if outcome.result.status in (RunEnding.SUCCEEDED, RunEnding.WAITING) else "FAIL",
            f"pipeline {file}",
            f"{ended}; python -m simulator pipeline status {outcome.execution_id}",
            counted=not any(line.verdict == "FAIL" for line in lines),
        )
    )
    return lines


def _stage_line(name: str, execution: Execution, waiting: bool, store: PipelineStore) -> Line:
    from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, StageStatus
    from simulator.pipeline.store.snapshots import ActionRef

    subject = f"stage {name}"
    try:
        stage = execution.stage(name)
    except KeyError:
        return Line("SKIPPED", subject, "after the gate" if waiting else "not reached")
    gates = [a for a in stage.actions if a.approval is not None and a.approval.status is ApprovalStatus.WAITING]
    if gates:
        return Line("PASS", subject, f"gate {gates[0].name} reached: a gate reached is a pass")
    if stage.status is StageStatus.SUCCEEDED:
        return Line("PASS", subject, _took(stage.started_at, stage.ended_at))
    failed = [a for a in stage.actions if a.status not in (ActionStatus.SUCCEEDED, ActionStatus.SKIPPED)]
    if not failed:
        return Line("FAIL", subject, stage.status.value)
    first = failed[0]
    log = first.log_path or store.log_path(ActionRef(execution.id, name, first.name, first.attempt))
    said = (f"{first.name}: {first.summary or first.status.value}",)
    return Line("FAIL", subject, stage.status.value, (*said, *failing_command_tail(log)), log)


def _took(started: datetime, ended: datetime | None) -> str:
    return "" if ended is None else f"{(ended - started).total_seconds():.1f} s"


def _wait_forwarding(process: subprocess.Popen[bytes]) -> int:
    """The child's exit code; each Ctrl-C (or SIGTERM, turned into one) the hook gets is passed on as SIGINT,
    and the hook waits for the child to stop its build rather than leave a container behind."""
    interrupted = False
    while True:
        try:
            code = process.wait()
        except KeyboardInterrupt:
            interrupted = True
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT)
            continue
        if interrupted:
            raise KeyboardInterrupt
        return code


def _read_json(path: Path) -> dict[str, object] | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None
