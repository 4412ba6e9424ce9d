"""Test report summaries kept as one JSON file per action attempt in the execution's folder (no schema change),
masked like every text the store writes, and read back into the snapshot `status` and the gate show."""

from __future__ import annotations

from simulator.codebuild.test_reports import Outcome, ReportSummary
from simulator.pipeline.statuses import ActionStatus
from simulator.pipeline.store.report_files import read_report_summaries, summaries_path

SUMMARY = ReportSummary(
    "unit-hunter2",
    "JUNITXML",
    files=1,
    counts={Outcome.PASSED: 4, Outcome.FAILED: 1},
    failed_tests=("tests.test_login.test_password_hunter2",),
    problems=("hunter2.xml is empty.",),
)


def run_unit(store, execution_id, summaries):
    ref = store.start_action(execution_id, "Build", "Unit")
    store.save_report_summaries(ref, summaries)
    store.finish_action(ref, ActionStatus.FAILED)
    return ref


def test_the_summaries_are_masked_on_disk_and_read_back_into_the_latest_attempt(store):
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    run_unit(store, execution_id, [SUMMARY])
    ref = run_unit(store, execution_id, [ReportSummary("unit", "JUNITXML", files=1, counts={Outcome.PASSED: 5})])

    first = summaries_path(store.execution_folder(execution_id), "Build", "Unit", 1)
    assert first == store.state.execution_dir("shop", execution_id) / "reports" / "Build" / "Unit.1.json"
    assert "hunter2" not in first.read_text()
    assert read_report_summaries(first) == (
        ReportSummary(
            "unit-***",
            "JUNITXML",
            files=1,
            counts={Outcome.PASSED: 4, Outcome.FAILED: 1},
            failed_tests=("tests.test_login.test_password_***",),
            problems=("***.xml is empty.",),
        ),
    )
    assert ref.attempt == 2
    unit = store.execution(execution_id).stage("Build").action("Unit")
    assert unit.reports == (ReportSummary("unit", "JUNITXML", files=1, counts={Outcome.PASSED: 5}),)


def test_an_action_without_report_groups_writes_no_file_and_shows_none(store):
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    run_unit(store, execution_id, [])
    assert not (store.execution_folder(execution_id) / "reports").exists()
    assert store.execution(execution_id).stage("Build").action("Unit").reports == ()


def test_a_damaged_summary_file_shows_as_no_summary(store):
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    run_unit(store, execution_id, [SUMMARY])
    summaries_path(store.execution_folder(execution_id), "Build", "Unit", 1).write_text('[{"group": "unit"')
    assert store.execution(execution_id).stage("Build").action("Unit").reports == ()
