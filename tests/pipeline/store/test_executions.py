"""Recording an execution and reading it back as `status` and `list` show it (CP §1.5, CP §1.11)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from simulator.errors import InputError
from simulator.pipeline.model import ExecutionMode
from simulator.pipeline.statuses import ActionStatus, ExecutionStatus, StageStatus
from simulator.pipeline.store import (
    PipelineExecutionNotFoundException,
    PipelineStore,
    ProcessIdentity,
    StageNotFoundException,
    ValidationException,
)

T0 = datetime.fromtimestamp(1_700_000_000.0, UTC)


def test_an_execution_reads_back_with_its_stages_actions_and_artifacts(store, clock, state):
    execution_id = store.start_execution(
        "shop", trigger="StartPipelineExecution", source_revision="abc123", variables={"Env": "dev"}
    )
    assert uuid.UUID(execution_id).version == 4  # an id like CodePipeline's
    store.start_stage(execution_id, "Source")
    ref = store.start_action(execution_id, "Source", "Checkout")
    folder = store.artifact_folder(execution_id, "SourceOutput", stage="Source", action="Checkout")
    assert folder == state.root / "pipelines" / "shop" / execution_id / "artifacts" / "SourceOutput"
    assert folder.is_dir()
    clock.advance(2)
    assert store.finish_action(
        ref,
        ActionStatus.SUCCEEDED,
        summary="abc123",
        output_variables={"CommitId": "abc123"},
        output_artifacts={"SourceOutput": folder},
    )
    assert store.finish_stage(execution_id, "Source") is StageStatus.SUCCEEDED
    store.start_stage(execution_id, "Build")
    build = store.start_action(
        execution_id, "Build", "Compile", input_artifacts={"SourceOutput": folder}, log_path=store.log_path(ref)
    )
    store.set_external_execution_id(build, "shop:1234")
    clock.advance(3)
    store.finish_action(build, ActionStatus.FAILED, error="Build failed: exit status 2")
    assert store.finish_stage(execution_id, "Build") is StageStatus.FAILED
    assert store.finish_execution(execution_id, ExecutionStatus.FAILED, "Action Build/Compile failed")

    execution = store.execution(execution_id)
    assert (execution.pipeline, execution.status, execution.status_reason) == (
        "shop",
        ExecutionStatus.FAILED,
        "Action Build/Compile failed",
    )
    assert (execution.started_at, execution.ended_at) == (T0, T0 + timedelta(seconds=5))
    assert (execution.trigger, execution.source_revision, execution.variables) == (
        "StartPipelineExecution",
        "abc123",
        {"Env": "dev"},
    )
    assert execution.mode is ExecutionMode.SUPERSEDED
    assert [(s.name, s.status) for s in execution.stages] == [
        ("Source", StageStatus.SUCCEEDED),
        ("Build", StageStatus.FAILED),
    ]
    checkout = execution.stage("Source").action("Checkout")
    assert (checkout.status, checkout.attempt, checkout.duration, checkout.owner) == (
        ActionStatus.SUCCEEDED,
        1,
        timedelta(seconds=2),
        None,
    )
    assert (checkout.output_variables, checkout.output_artifacts) == ({"CommitId": "abc123"}, {"SourceOutput": folder})
    compile_ = execution.stage("Build").action("Compile")
    assert (compile_.status, compile_.error, compile_.external_execution_id) == (
        ActionStatus.FAILED,
        "Build failed: exit status 2",
        "shop:1234",
    )
    assert compile_.input_artifacts == {"SourceOutput": folder}
    assert compile_.log_path == state.root / "pipelines" / "shop" / execution_id / "logs" / "Source" / "Checkout.1.log"
    assert execution.artifacts == {"SourceOutput": folder}
    assert store.stored_artifact(execution_id, "SourceOutput") == folder


def test_a_running_action_shows_this_process_as_its_owner(store):
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    store.start_action(execution_id, "Build", "Compile")
    execution = store.execution(execution_id)
    assert execution.stage("Build").action("Compile").owner == ProcessIdentity.current()
    assert execution.owner == ProcessIdentity.current()
    assert (execution.status, execution.stage("Build").status) == (ExecutionStatus.IN_PROGRESS, StageStatus.IN_PROGRESS)


def test_secrets_never_reach_the_database(store, state):
    execution_id = store.start_execution("shop", variables={"Token": "hunter2", "Env": "dev"})
    store.start_stage(execution_id, "Build")
    ref = store.start_action(execution_id, "Build", "Compile")
    store.finish_action(
        ref,
        ActionStatus.FAILED,
        summary="used hunter2",
        error="curl -H 'x: hunter2' failed",
        output_variables={"TOKEN": "hunter2"},
    )
    action = store.execution(execution_id).stage("Build").action("Compile")
    assert (action.summary, action.error, action.output_variables) == (
        "used ***",
        "curl -H 'x: ***' failed",
        {"TOKEN": "***"},
    )
    assert store.execution(execution_id).variables == {"Token": "***", "Env": "dev"}
    store.close()
    for path in state.root.glob("pipelines.db*"):
        assert b"hunter2" not in path.read_bytes()


def test_a_retry_is_a_new_attempt_and_status_shows_the_latest(store, clock):
    """CP §1.11: retrying keeps the history; the console shows the latest attempt."""
    execution_id = store.start_execution("shop")
    store.start_stage(execution_id, "Build")
    first = store.start_action(execution_id, "Build", "Compile")
    other = store.start_action(execution_id, "Build", "Lint")
    store.finish_action(first, ActionStatus.FAILED, error="exit 1")
    store.finish_action(other, ActionStatus.SUCCEEDED)
    store.finish_stage(execution_id, "Build")
    store.finish_execution(execution_id, ExecutionStatus.FAILED)
    clock.advance(60)
    store.reopen_execution(execution_id)
    store.start_stage(execution_id, "Build")
    second = store.start_action(execution_id, "Build", "Compile")
    assert second.attempt == 2
    store.finish_action(second, ActionStatus.SUCCEEDED)
    assert store.finish_stage(execution_id, "Build") is StageStatus.SUCCEEDED
    execution = store.execution(execution_id)
    assert [(a.name, a.attempt, a.status) for a in execution.stage("Build").actions] == [
        ("Compile", 2, ActionStatus.SUCCEEDED),
        ("Lint", 1, ActionStatus.SUCCEEDED),
    ]
    assert (execution.status, execution.ended_at) == (ExecutionStatus.IN_PROGRESS, None)


def test_only_a_failed_or_stopped_execution_is_reopened(store):
    execution_id = store.start_execution("shop")
    with pytest.raises(ValidationException) as refusal:
        store.reopen_execution(execution_id)
    assert str(refusal.value) == (
        f"ValidationException: execution {execution_id} is InProgress; only a Failed or Stopped execution can be "
        "retried."
    )


def test_an_ended_execution_does_not_end_twice(store):
    execution_id = store.start_execution("shop")
    assert store.finish_execution(execution_id, ExecutionStatus.SUCCEEDED) is True
    assert store.finish_execution(execution_id, ExecutionStatus.FAILED, "late") is False
    assert store.execution(execution_id).status is ExecutionStatus.SUCCEEDED


def test_executions_are_listed_newest_first_by_pipeline_and_limit(store, clock):
    ids = []
    for pipeline in ("shop", "cart", "shop", "shop"):
        ids.append(store.start_execution(pipeline))
        clock.advance(1)
    assert [e.id for e in store.list_executions()] == ids[::-1]
    assert [e.id for e in store.list_executions("shop")] == [ids[3], ids[2], ids[0]]
    assert [e.id for e in store.list_executions("shop", limit=2)] == [ids[3], ids[2]]
    assert store.list_executions("nothing") == ()


def test_executions_started_in_the_same_instant_keep_their_order(store):
    ids = [store.start_execution("shop") for _ in range(3)]
    assert [e.id for e in store.list_executions()] == ids[::-1]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda s: s.execution("9b2f1c1e-0000-4000-8000-000000000000"),
            "PipelineExecutionNotFoundException: there is no pipeline execution with the id "
            "'9b2f1c1e-0000-4000-8000-000000000000'.",
        ),
        (
            lambda s: s.start_stage("nope", "Build"),
            "PipelineExecutionNotFoundException: there is no pipeline execution with the id 'nope'.",
        ),
    ],
)
def test_an_unknown_execution_is_named(store, call, message):
    with pytest.raises(PipelineExecutionNotFoundException) as refusal:
        call(store)
    assert str(refusal.value) == message


def test_an_action_in_a_stage_not_entered_is_refused(store):
    execution_id = store.start_execution("shop")
    with pytest.raises(StageNotFoundException) as refusal:
        store.start_action(execution_id, "Build", "Compile")
    assert str(refusal.value) == (
        f"StageNotFoundException: execution {execution_id} has not entered a stage named 'Build'."
    )


@pytest.mark.parametrize("name", ["..", ".", "a/b", "", "x" * 101])
def test_a_pipeline_name_that_could_leave_the_state_folder_is_refused(store, name):
    with pytest.raises(InputError) as refusal:
        store.start_execution(name)
    assert str(refusal.value) == (
        f"The pipeline name {name!r} is not valid: use 1 to 100 letters, digits, ., @, _ or - (as CodePipeline "
        "does), and not . or .. alone."
    )
    assert store.list_executions() == ()


@pytest.mark.parametrize("name", ["../up", "a.b", "", "x" * 101])
def test_an_artifact_name_that_could_leave_its_folder_is_refused(store, name):
    execution_id = store.start_execution("shop")
    with pytest.raises(ValidationException) as refusal:
        store.artifact_folder(execution_id, name, stage="Source", action="Checkout")
    assert str(refusal.value) == (
        f"ValidationException: {name!r} is not an artifact name: use 1 to 100 letters, digits, _ or -."
    )


def test_a_retried_action_gets_an_empty_artifact_folder(store):
    """CP §1.11: a retry overwrites the execution's earlier output artifact."""
    execution_id = store.start_execution("shop")
    folder = store.artifact_folder(execution_id, "BuildOutput", stage="Build", action="Compile")
    (folder / "old.txt").write_text("from attempt 1")
    again = store.artifact_folder(execution_id, "BuildOutput", stage="Build", action="Compile")
    assert (again, list(again.iterdir())) == (folder, [])


def test_an_artifact_never_stored_is_named(store):
    execution_id = store.start_execution("shop")
    with pytest.raises(ValidationException) as refusal:
        store.stored_artifact(execution_id, "BuildOutput")
    assert str(refusal.value) == (
        f"ValidationException: execution {execution_id} has no stored artifact named 'BuildOutput'."
    )


def test_parallel_actions_record_from_threads_of_one_process(state):
    """CP §1.5: equal RunOrders run at once, each on its own thread, one store."""
    import threading

    with PipelineStore(state) as store:
        execution_id = store.start_execution("shop")
        store.start_stage(execution_id, "Build")

        def run(name: str) -> None:
            for _ in range(20):
                ref = store.start_action(execution_id, "Build", name)
                store.finish_action(ref, ActionStatus.SUCCEEDED)

        threads = [threading.Thread(target=run, args=(f"A{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        actions = store.execution(execution_id).stage("Build").actions
    assert sorted((a.name, a.attempt, a.status) for a in actions) == [
        (f"A{i}", 20, ActionStatus.SUCCEEDED) for i in range(4)
    ]
