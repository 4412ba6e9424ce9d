"""The pipeline state database: SQLite from the standard library, WAL, one schema version, refused when not ours.

Opening never writes to a file it does not recognise: the header is read first (`PRAGMA application_id`, which
fails on a file that is not SQLite), then the tables; only an empty file or a new one is given our schema. A
damaged, foreign or newer file is refused with one sentence (exit 3) and left exactly as it was, so whatever the
user keeps in it can still be saved. WAL lets `status` read while a run writes; every change is one transaction.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simulator.errors import EnvironmentProblem

# "SIMP" in the header's application id field, so `file` and we can tell our database from anyone else's.
APPLICATION_ID = 0x53494D50
SCHEMA_VERSION = 2
# Long enough for a prune or another process's answer to finish; a lock held longer means a stuck process.
BUSY_TIMEOUT_SECONDS = 30.0

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE executions (
    id TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL,
    started_at REAL NOT NULL,
    ended_at REAL,
    trigger TEXT NOT NULL,
    source_revision TEXT,
    variables TEXT NOT NULL,
    definition TEXT NOT NULL DEFAULT '{}',
    owner_pid INTEGER,
    owner_host TEXT,
    owner_started TEXT,
    waiting_stage TEXT,
    waiting_turn INTEGER
);
CREATE INDEX executions_by_pipeline ON executions (pipeline, started_at);
CREATE TABLE stage_executions (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at REAL NOT NULL,
    ended_at REAL,
    PRIMARY KEY (execution_id, stage)
);
CREATE TABLE action_executions (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    action TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    started_at REAL NOT NULL,
    ended_at REAL,
    summary TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    external_execution_id TEXT,
    output_variables TEXT NOT NULL DEFAULT '{}',
    input_artifacts TEXT NOT NULL DEFAULT '{}',
    output_artifacts TEXT NOT NULL DEFAULT '{}',
    log_path TEXT,
    owner_pid INTEGER,
    owner_host TEXT,
    owner_started TEXT,
    PRIMARY KEY (execution_id, stage, action, attempt)
);
CREATE INDEX running_actions ON action_executions (status) WHERE status = 'InProgress';
CREATE TABLE approvals (
    token TEXT PRIMARY KEY,
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    action TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    custom_data TEXT NOT NULL,
    external_link TEXT NOT NULL,
    notification_arn TEXT NOT NULL,
    timeout_minutes INTEGER NOT NULL,
    opened_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    summary TEXT,
    answered_by TEXT,
    answered_at REAL
);
CREATE INDEX waiting_approvals ON approvals (status) WHERE status = 'Waiting';
CREATE TABLE artifacts (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    folder TEXT NOT NULL,
    stage TEXT NOT NULL,
    action TEXT NOT NULL,
    PRIMARY KEY (execution_id, name)
);
"""

# What turns a database of one version into the next, keyed by the version it starts from.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    # 2: the stage an execution waits in front of, and its turn there (CP §1.10's stage locks).
    1: (
        "ALTER TABLE executions ADD COLUMN waiting_stage TEXT",
        "ALTER TABLE executions ADD COLUMN waiting_turn INTEGER",
    ),
}


class Database:
    """One connection shared by the threads of one process (parallel actions), each transaction under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection = _open(path)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so that a read-then-update decides on what it
        read: two processes answering the same gate are serialised here."""
        with self._lock, _translated(self.path):
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query in it sees the same committed state."""
        with self._lock, _translated(self.path):
            connection = self._connection
            connection.execute("BEGIN")
            try:
                yield connection
            finally:
                connection.execute("COMMIT")

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap test before polling for an answer."""
        with self._lock, _translated(self.path):
            row = self._connection.execute("PRAGMA data_version").fetchone()
            return int(row[0])


def _open(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
    except (OSError, sqlite3.Error) as error:
        raise EnvironmentProblem(f"The pipeline state database {path} cannot be opened ({error}).") from error
    connection.row_factory = sqlite3.Row
    try:
        with _translated(path):
            _adopt(connection, path)
            _use_wal(connection)
            # In WAL mode NORMAL survives any crash of the process; only a power cut may lose the last commit.
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        connection.close()
        raise
    return connection


def _use_wal(connection: sqlite3.Connection) -> None:
    """Switching a new file to WAL needs it to itself for a moment, and SQLite answers "locked" at once, without
    its busy timeout, when another process opening it too holds it then: so it is asked again until the timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
        time.sleep(0.01)


def _adopt(connection: sqlite3.Connection, path: Path) -> None:
    """Check that the file is ours and current, or give an empty one our schema; nothing else is written."""
    # One read transaction, so the id and the tables are seen as of the same commit (another process may be
    # creating the schema right now).
    connection.execute("BEGIN")
    try:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        tables = _has_tables(connection)
    finally:
        connection.execute("COMMIT")
    if application_id == APPLICATION_ID:
        _check_version(connection, path)
        return
    if application_id != 0 or tables:
        raise _foreign(path)
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have created the schema between our look and our lock.
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        fresh = application_id == 0 and not _has_tables(connection)
        if fresh:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    if not fresh and application_id != APPLICATION_ID:
        raise _foreign(path)
    _check_version(connection, path)


def _has_tables(connection: sqlite3.Connection) -> bool:
    (count,) = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return int(count) > 0


def _check_version(connection: sqlite3.Connection, path: Path) -> None:
    try:
        rows = connection.execute("SELECT version FROM schema_version").fetchall()
    except sqlite3.OperationalError as error:
        raise _foreign(path) from error
    if len(rows) != 1 or type(rows[0][0]) is not int:
        raise EnvironmentProblem(
            f"The pipeline state database {path} has no readable schema version: move it away to start afresh "
            "(it was left untouched)."
        )
    version = rows[0][0]
    if version < 1:
        raise EnvironmentProblem(
            f"The pipeline state database {path} has the schema version {version}, which no simulator wrote: move it "
            "away to start afresh (it was left untouched)."
        )
    if version > SCHEMA_VERSION:
        raise EnvironmentProblem(
            f"The pipeline state database {path} was written by a newer simulator (schema {version}, this one "
            f"knows {SCHEMA_VERSION}): upgrade the simulator, or move the file away to start afresh (it was left "
            "untouched)."
        )
    if version < SCHEMA_VERSION:
        _migrate(connection)


def _migrate(connection: sqlite3.Connection) -> None:
    """Every step from the file's version to ours, in one transaction: a crash leaves the old schema whole."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the lock: another process may have migrated it since our look.
        (version,) = connection.execute("SELECT version FROM schema_version").fetchone()
        for step in range(version, SCHEMA_VERSION):
            for statement in _MIGRATIONS[step]:
                connection.execute(statement)
        connection.execute("UPDATE schema_version SET version = ?", (max(version, SCHEMA_VERSION),))
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _foreign(path: Path) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"The file {path} is not the simulator's pipeline state database (it is another program's): move it "
        "away, or point the simulator at another folder; it was left untouched."
    )


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    """SQLite's errors as the one sentence a user can act on; the file itself is never 'repaired'."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise EnvironmentProblem(
                f"The pipeline state database {path} stayed locked by another process for "
                f"{BUSY_TIMEOUT_SECONDS:.0f} s: let it finish, or end it, and run again."
            ) from error
        raise _damaged(path, error) from error
    except sqlite3.DatabaseError as error:
        raise _damaged(path, error) from error


def _damaged(path: Path, error: sqlite3.Error) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"The pipeline state database {path} cannot be used ({error}): move it away to start afresh (it was "
        "left untouched)."
    )
