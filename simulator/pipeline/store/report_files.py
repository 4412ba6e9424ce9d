"""The test report summaries of an action attempt, kept as one JSON file beside its log, not in the database.

A file, not a table: the summaries are written once when the build ends and only read for display, and keeping
them out of SQLite leaves the schema alone. The file is `<execution>/reports/<stage>/<action>.<attempt>.json`, so
`prune` removes it with its execution's folder. Like every text the store writes, each value is masked first.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path

from simulator.codebuild.test_reports import ReportSummary
from simulator.pipeline.store.snapshots import ActionExecution, ActionRef
from simulator.reporting.masking import Masker
from simulator.state import write_atomic


def save_report_summaries(
    execution_folder: Path, ref: ActionRef, summaries: Iterable[ReportSummary], masker: Masker
) -> None:
    """Nothing is written when there are none; `PipelineStore.save_report_summaries` finds the folder."""
    records = [_masked(summary, masker).to_json() for summary in summaries]
    if not records:
        return
    path = summaries_path(execution_folder, ref.stage, ref.action, ref.attempt)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(records, indent=2) + "\n")


def with_report_summaries(action: ActionExecution, execution_folder: Path) -> ActionExecution:
    summaries = read_report_summaries(summaries_path(execution_folder, action.stage, action.name, action.attempt))
    return dataclasses.replace(action, reports=summaries) if summaries else action


def read_report_summaries(path: Path) -> tuple[ReportSummary, ...]:
    """Nothing when there is no file (no report groups, or an older execution); a damaged one shows as nothing."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
        return tuple(ReportSummary.from_json(record) for record in records)
    except (OSError, ValueError, KeyError, TypeError):
        return ()


def summaries_path(execution_folder: Path, stage: str, action: str, attempt: int) -> Path:
    # Written only for a build, whose stage and action names store.log_path checked as path parts already; a name
    # that is not one (e.g. "..") can only make a read find no file.
    return execution_folder / "reports" / stage / f"{action}.{attempt}.json"


def _masked(summary: ReportSummary, masker: Masker) -> ReportSummary:
    return dataclasses.replace(
        summary,
        group=masker.mask(summary.group),
        failed_tests=tuple(masker.mask(name) for name in summary.failed_tests),
        problems=tuple(masker.mask(problem) for problem in summary.problems),
    )
