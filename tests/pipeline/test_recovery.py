"""Picking executions up again, the pure parts: what a redeploy is handed (CP §1.11), which
stage a retry runs, every attempt in order for `pipeline logs`, and the commands' refusals. Real SQLite, no Docker.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli.main import main
from simulator.errors import InputError
from simulator.pipeline.loader import load_pipeline
from simulator.pipeline.redeploy import redeploy_inputs
from simulator.pipeline.start_and_resume import failed_stage, newest_redeployable_execution
from simulator.pipeline.statuses import ActionStatus, ExecutionStatus
from simulator.pipeline.store import PipelineStore, StageNotRetryableException
from simulator.state import StateFolder
from tests.conftest import FIXTURES

CHAIN = load_pipeline(FIXTURES / "pipeline_chain" / "stages" / "pipeline.yml")

# stage -> (action, outputs, exported variables) as a run of the fixture's chain records them.
MADE = {
    "Source": [("Source", ["Src"], {"CommitId": "abc123"})],
    "Build": [
        ("Unit", ["UnitOut"], {"TAG": "unit-ok"}),
        ("Lint", ["LintOut"], {}),
        ("Package", ["Pkg"], {"VERSION": "1.0"}),
    ],
}


@pytest.fixture
def store(tmp_path: Path):
    with PipelineStore(StateFolder(tmp_path / ".simulator")) as opened:
        yield opened


def record(store: PipelineStore, *, failing: str | None = None) -> str:
    """An execution of the chain through Build; `failing` names the Build action that fails (nothing after it)."""
    execution_id = store.start_execution("shop-chain")
    for stage, actions in MADE.items():
        store.start_stage(execution_id, stage)
        for action, outputs, variables in actions:
            ref = store.start_action(execution_id, stage, action)
            if action == failing:
                store.finish_action(ref, ActionStatus.FAILED, summary="Build FAILED")
                break
            folders = {name: store.artifact_folder(execution_id, name, stage=stage, action=action) for name in outputs}
            for folder in folders.values():
                (folder / "made.txt").write_text(action)
            store.finish_action(ref, ActionStatus.SUCCEEDED, output_variables=variables, output_artifacts=folders)
        store.finish_stage(execution_id, stage)
    store.finish_execution(execution_id, ExecutionStatus.FAILED if failing else ExecutionStatus.SUCCEEDED)
    return execution_id


def test_a_redeploy_is_handed_the_earlier_stages_artifacts_and_namespaces(store):
    earlier = store.execution(record(store))
    handed = redeploy_inputs(CHAIN, earlier, "Deploy")
    assert {name: (stage, action) for name, (stage, action, _) in handed.artifacts.items()} == {
        "Src": ("Source", "Source"),
        "UnitOut": ("Build", "Unit"),
        "LintOut": ("Build", "Lint"),
        "Pkg": ("Build", "Package"),
    }
    assert (handed.artifacts["Pkg"][2] / "made.txt").read_text() == "Package"
    assert handed.variables == {
        "SourceVariables": {"CommitId": "abc123"},
        "UnitVars": {"TAG": "unit-ok"},
        "PkgVars": {"VERSION": "1.0"},
    }


def test_a_redeploy_from_an_execution_that_never_made_an_input_is_refused_naming_it(store):
    earlier = store.execution(record(store, failing="Package"))
    with pytest.raises(InputError) as refused:
        redeploy_inputs(CHAIN, earlier, "Deploy")
    assert str(refused.value) == (
        f"--from Deploy: Deploy/Publish takes the artifact Pkg, which execution {earlier.id} did not make (or no "
        "longer keeps): pick an execution that got past the stage making it."
    )


def test_a_redeploy_from_the_stage_that_makes_an_input_needs_nothing_of_it(store):
    earlier = store.execution(record(store, failing="Lint"))
    handed = redeploy_inputs(CHAIN, earlier, "Build")
    assert set(handed.artifacts) == {"Src"}


def test_the_retried_stage_is_the_failed_one_and_an_execution_that_did_not_fail_has_none(store):
    failed = record(store, failing="Lint")
    assert failed_stage(store.execution(failed)) == "Build"
    running = store.start_execution("shop-chain")
    with pytest.raises(StageNotRetryableException) as refused:
        failed_stage(store.execution(running))
    assert str(refused.value) == (
        f"StageNotRetryableException: execution {running} is InProgress; only a Failed or Stopped execution has a "
        "stage to retry."
    )


def test_every_attempt_in_the_order_it_ran(store):
    execution_id = record(store, failing="Lint")
    store.reopen_execution(execution_id)
    store.start_stage(execution_id, "Build")
    store.finish_action(store.start_action(execution_id, "Build", "Lint"), ActionStatus.SUCCEEDED)
    assert [(a.stage, a.name, a.attempt, a.status) for a in store.all_attempts(execution_id)] == [
        ("Source", "Source", 1, ActionStatus.SUCCEEDED),
        ("Build", "Unit", 1, ActionStatus.SUCCEEDED),
        ("Build", "Lint", 1, ActionStatus.FAILED),
        ("Build", "Lint", 2, ActionStatus.SUCCEEDED),
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["pipeline", "logs", "0b6f1f64-5a1e-4b5c-9d8e-000000000000"],
            "error: PipelineExecutionNotFoundException: there is no pipeline execution with the id "
            "'0b6f1f64-5a1e-4b5c-9d8e-000000000000'.\n",
        ),
        (
            ["pipeline", "retry", "0b6f1f64-5a1e-4b5c-9d8e-000000000000"],
            "error: PipelineExecutionNotFoundException: there is no pipeline execution with the id "
            "'0b6f1f64-5a1e-4b5c-9d8e-000000000000'.\n",
        ),
    ],
)
def test_commands_on_an_unknown_execution_exit_2(store, tmp_path, monkeypatch, capsys, argv, message):
    record(store)
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert capsys.readouterr().err == message


def test_logs_of_an_unknown_action_name_the_execution_s_actions(store, tmp_path, monkeypatch, capsys):
    execution_id = record(store, failing="Lint")
    monkeypatch.chdir(tmp_path)
    assert main(["pipeline", "logs", execution_id, "Publish"]) == 2
    assert capsys.readouterr().err == (
        f"error: execution {execution_id} has run no action named Publish (its actions: Source/Source, Build/Unit, "
        "Build/Lint).\n"
    )
    assert main(["pipeline", "logs", execution_id, "Build/Unit"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "==> Build/Unit attempt 1 (Succeeded) <==",
        "(no log kept: a source, a gate or a skipped action runs no build)",
    ]


def test_from_alone_takes_the_newest_execution_that_kept_what_the_stage_needs(store):
    # The seed's -DeployOnly: `--from Deploy` reuses the last build; a newer execution that failed in Build made no
    # Pkg, so it is passed over for the one before it.
    succeeded = record(store)
    failed = record(store, failing="Package")
    assert newest_redeployable_execution(CHAIN, "Deploy", store).id == succeeded
    assert newest_redeployable_execution(CHAIN, "Build", store).id == failed  # its Source output is all Build takes


def test_from_alone_with_no_execution_that_got_far_enough_is_refused(store):
    record(store, failing="Unit")
    with pytest.raises(InputError) as refused:
        newest_redeployable_execution(CHAIN, "Deploy", store)
    assert str(refused.value) == (
        "--from Deploy: no recent execution of shop-chain got past the stages before Deploy (pipeline list shows "
        "them): run the pipeline up to there first, or give --execution ID."
    )


def test_prune_prints_what_it_removed(store, tmp_path, monkeypatch, capsys):
    older, newer = record(store), record(store)
    monkeypatch.chdir(tmp_path)
    assert main(["pipeline", "prune", "--keep", "1"]) == 0
    assert capsys.readouterr().out == (
        f"Removed execution {older} with its artifacts and logs.\n"
        "Removed 1 execution; kept the newest 1 of each pipeline and any in progress or waiting at a gate.\n"
    )
    assert [summary.id for summary in store.list_executions()] == [newer]
    assert not (tmp_path / ".simulator" / "pipelines" / "shop-chain" / older).exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--execution", "0b6f1f64-5a1e-4b5c-9d8e-000000000000"],
            "error: --execution ID goes with --from STAGE: the stage to start at, with that execution's artifacts.\n",
        ),
        (
            ["--from", "Deploy", "--execution", "0b6f1f64-5a1e-4b5c-9d8e-000000000000", "--worktree"],
            "error: --from takes an earlier execution's revision: --worktree and --source-revision do not fit.\n",
        ),
        (
            ["--from", "Deploy", "--source-revision", "HEAD"],
            "error: --from takes an earlier execution's revision: --worktree and --source-revision do not fit.\n",
        ),
    ],
)
def test_run_from_flags_that_do_not_fit_exit_2_before_anything_runs(
    fixture_source, monkeypatch, capsys, flags, message
):
    source = fixture_source("pipeline_chain")
    monkeypatch.chdir(source)
    assert main(["pipeline", "run", "stages/pipeline.yml", *flags]) == 2
    assert capsys.readouterr().err == message
    assert not (source / ".simulator" / "pipelines.db").exists()
