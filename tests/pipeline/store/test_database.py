"""The state database: created once, WAL, versioned; damaged, foreign or newer files refused and left untouched."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from simulator.errors import EnvironmentProblem, ExitCode
from simulator.pipeline.model import ExecutionMode
from simulator.pipeline.statuses import ExecutionStatus
from simulator.pipeline.store import PipelineStore, Waits, database
from simulator.pipeline.store.database import APPLICATION_ID, SCHEMA_VERSION
from simulator.state import StateFolder


def test_a_new_database_is_ours_in_wal_mode_with_a_schema_version(state):
    PipelineStore(state).close()
    with sqlite3.connect(state.pipelines_db) as raw:
        assert raw.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    assert state.pipelines_db == state.root / "pipelines.db"


def test_reopening_keeps_what_was_recorded(state):
    with PipelineStore(state) as store:
        execution_id = store.start_execution("shop")
    with PipelineStore(state) as store:
        assert [e.id for e in store.list_executions()] == [execution_id]


def _refused(state: StateFolder) -> str:
    with pytest.raises(EnvironmentProblem) as refusal:
        PipelineStore(state)
    assert refusal.value.exit_code is ExitCode.BAD_ENVIRONMENT
    return str(refusal.value)


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(state):
    state.root.mkdir()
    garbage = b"these are somebody's notes, not a database\n" * 100
    state.pipelines_db.write_bytes(garbage)
    assert _refused(state) == (
        f"The pipeline state database {state.pipelines_db} cannot be used (file is not a database): move it away "
        "to start afresh (it was left untouched)."
    )
    assert state.pipelines_db.read_bytes() == garbage


def test_another_programs_sqlite_database_is_refused_and_left_untouched(state):
    state.root.mkdir()
    with sqlite3.connect(state.pipelines_db) as raw:
        raw.execute("CREATE TABLE recipes (name TEXT)")
        raw.execute("INSERT INTO recipes VALUES ('bread')")
    before = state.pipelines_db.read_bytes()
    assert _refused(state) == (
        f"The file {state.pipelines_db} is not the simulator's pipeline state database (it is another program's): "
        "move it away, or point the simulator at another folder; it was left untouched."
    )
    assert state.pipelines_db.read_bytes() == before
    with sqlite3.connect(state.pipelines_db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # not switched to WAL behind its back


def test_a_database_with_another_application_id_is_refused(state):
    state.root.mkdir()
    with sqlite3.connect(state.pipelines_db) as raw:
        raw.execute("PRAGMA application_id = 42")
    assert "is not the simulator's pipeline state database" in _refused(state)


def test_a_newer_schema_is_refused_and_left_untouched(state):
    PipelineStore(state).close()
    with sqlite3.connect(state.pipelines_db) as raw:
        raw.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    before = state.pipelines_db.read_bytes()
    assert _refused(state) == (
        f"The pipeline state database {state.pipelines_db} was written by a newer simulator (schema "
        f"{SCHEMA_VERSION + 1}, this one knows {SCHEMA_VERSION}): upgrade the simulator, or move the file away to "
        "start afresh (it was left untouched)."
    )
    assert state.pipelines_db.read_bytes() == before


def test_our_id_without_a_version_table_is_refused(state):
    state.root.mkdir()
    with sqlite3.connect(state.pipelines_db) as raw:
        raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        raw.execute("CREATE TABLE other (x)")
    assert "is not the simulator's pipeline state database" in _refused(state)


def test_damaged_pages_behind_a_good_header_are_reported_in_one_sentence(state):
    with PipelineStore(state) as store:
        for _ in range(200):
            store.start_execution("shop", variables={"NOTE": "x" * 200})
    with open(state.pipelines_db, "r+b") as raw:  # overwrite everything after the first (header) page
        raw.seek(4096)
        raw.write(b"\xff" * (state.pipelines_db.stat().st_size - 4096))
    with pytest.raises(EnvironmentProblem) as refusal, PipelineStore(state) as store:
        store.list_executions()
    assert str(refusal.value).startswith(f"The pipeline state database {state.pipelines_db} cannot be used (")
    assert str(refusal.value).endswith("): move it away to start afresh (it was left untouched).")


def _open_and_record(root: str, queue: multiprocessing.Queue) -> None:
    try:
        with PipelineStore(StateFolder(Path(root))) as store:
            queue.put(store.start_execution("shop"))
    except Exception as error:
        queue.put(f"{type(error).__name__}: {error}")


def test_processes_creating_the_database_at_once_all_get_it(state):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_open_and_record, args=(str(state.root), queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert all(len(result) == 36 for result in results), results
    with PipelineStore(state) as store:
        assert sorted(e.id for e in store.list_executions()) == sorted(results)


def _version_1(state: StateFolder) -> None:
    """A database as the first simulator wrote it: schema 1, one execution in progress."""
    new_columns = "    owner_started TEXT,\n    waiting_stage TEXT,\n    waiting_turn INTEGER\n"
    assert new_columns in database._SCHEMA  # so the schema below really is version 1's
    state.root.mkdir()
    with sqlite3.connect(state.pipelines_db) as raw:
        raw.executescript(database._SCHEMA.replace(new_columns, "    owner_started TEXT\n"))
        raw.execute("INSERT INTO schema_version (version) VALUES (1)")
        raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        raw.execute(
            "INSERT INTO executions (id, pipeline, status, mode, started_at, trigger, variables)"
            " VALUES ('old-1', 'shop', 'InProgress', 'SUPERSEDED', 1.0, 'StartPipelineExecution', '{}')"
        )


def test_a_version_1_database_is_migrated_in_place_keeping_its_executions(state):
    _version_1(state)
    with PipelineStore(state) as store:
        [kept] = store.list_executions()
        assert (kept.id, kept.status) == ("old-1", ExecutionStatus.IN_PROGRESS)
        newer = store.start_execution("shop")
        store.start_stage("old-1", "Build")
        # The new columns work: the newer one waits in front of the stage the migrated one holds (CP §1.10).
        assert store.enter_stage(newer, "Build") == Waits("Build", "execution old-1 holds it", ExecutionMode.SUPERSEDED)
    with sqlite3.connect(state.pipelines_db) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert raw.execute("SELECT waiting_stage FROM executions WHERE id = ?", (newer,)).fetchall() == [("Build",)]


def test_a_migration_that_fails_leaves_version_1_whole(state, monkeypatch):
    _version_1(state)
    broken = ("ALTER TABLE executions ADD COLUMN waiting_stage TEXT", "ALTER TABLE nowhere ADD COLUMN x TEXT")
    monkeypatch.setitem(database._MIGRATIONS, 1, broken)
    with pytest.raises(EnvironmentProblem):
        PipelineStore(state)
    with sqlite3.connect(state.pipelines_db) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
        columns = [row[1] for row in raw.execute("PRAGMA table_info(executions)")]
    assert "waiting_stage" not in columns  # the first step was rolled back with the second
