"""Recording and reading pipeline executions: the one place their state is written, each change one transaction.

`PipelineStore` is the store's one door: stage locks, approval gates, every attempt for `logs`, test report
summaries and `prune` are its methods too. The modules beside it (`locking`, `approvals`, `attempts`,
`report_files`, `pruning`) hold the rules and the SQL; they are given the transaction, the clock's reading or the
folder they need, never the store, and the store opens the transaction, judges first and masks what they write.

Masking choice: the store is given the process's `Masker` and masks every free text it writes (variable values,
summaries, error messages, custom data, who answered), so a secret cannot reach the database even from a caller
that forgot; ids, names, statuses and times are the simulator's own and are stored as they are.

Truth after a crash: a running action and an active execution carry their owner process (`owner.py`). Every read
first judges what changed without anyone writing it: an owner that has ended fails its action, stage and
execution with the reason, and a gate past its `TimeoutInMinutes` fails like a rejection (CP §1.12). So `status`
after a `kill -9`, or a week later, shows what really happened.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType

from simulator.cancellation import CancelToken
from simulator.codebuild.test_reports import ReportSummary
from simulator.pipeline.model import ExecutionMode
from simulator.pipeline.statuses import (
    ActionStatus,
    ApprovalStatus,
    ExecutionStatus,
    StageStatus,
)
from simulator.pipeline.store import approvals, attempts, locking, pruning
from simulator.pipeline.store.approvals import Answer, ApprovalResult
from simulator.pipeline.store.database import Database
from simulator.pipeline.store.errors import ValidationException
from simulator.pipeline.store.locking import StageEntry
from simulator.pipeline.store.lookups import require_execution, require_stage
from simulator.pipeline.store.owner import ProcessIdentity, is_running
from simulator.pipeline.store.report_files import save_report_summaries, with_report_summaries
from simulator.pipeline.store.rows import (
    approval_from,
    as_time,
    as_time_or_none,
    latest_actions,
    owner_of,
    paths_json,
    summary_from,
    with_approval,
)
from simulator.pipeline.store.snapshots import (
    ActionExecution,
    ActionRef,
    Approval,
    Execution,
    ExecutionSummary,
    StageExecution,
)
from simulator.pipeline.store.transitions import (
    WHERE_ATTEMPT,
    end_execution,
    expire_gates,
    fail_orphans,
    key,
    owner_columns,
    settle_stage,
    start_stage_row,
)
from simulator.reporting.masking import Masker
from simulator.state import StateFolder

Clock = Callable[[], float]
_SUMMARY_COLUMNS = "id, pipeline, status, status_reason, mode, started_at, ended_at, trigger, source_revision"


class PipelineStore:
    def __init__(self, state: StateFolder, *, masker: Masker | None = None, clock: Clock = time.time) -> None:
        self.state = state
        self.masker = masker if masker is not None else Masker()
        self.clock = clock
        self.db = Database(state.pipelines_db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> PipelineStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # -- executions -------------------------------------------------------------------------------------------

    def start_execution(
        self,
        pipeline: str,
        *,
        trigger: str = "StartPipelineExecution",
        source_revision: str | None = None,
        variables: Mapping[str, str] | None = None,
        mode: ExecutionMode = ExecutionMode.SUPERSEDED,
        definition: Mapping[str, object] | None = None,
    ) -> str:
        """A new execution, InProgress and owned by this process; its id is a uuid4, as CodePipeline's."""
        execution_id = str(uuid.uuid4())
        self.state.execution_dir(pipeline, execution_id)  # checks the pipeline's name before anything is written
        mask = self.masker.mask
        with self.db.write() as db:
            db.execute(
                "INSERT INTO executions (id, pipeline, status, mode, started_at, trigger, source_revision, variables,"
                " definition, owner_pid, owner_host, owner_started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    execution_id,
                    pipeline,
                    ExecutionStatus.IN_PROGRESS,
                    mode,
                    self.clock(),
                    mask(trigger),
                    None if source_revision is None else mask(source_revision),
                    json.dumps({name: mask(value) for name, value in (variables or {}).items()}),
                    # How to run it again (file, revision, options), for approve and retry; masked like the rest.
                    mask(json.dumps(definition or {})),
                    *owner_columns(ProcessIdentity.current()),
                ),
            )
        return execution_id

    def claim_execution(self, execution_id: str) -> None:
        """This process now runs the execution (`approve` continuing it, a retry): a crash from here is judged."""
        with self.db.write() as db:
            require_execution(db, execution_id)
            db.execute(
                "UPDATE executions SET owner_pid = ?, owner_host = ?, owner_started = ? WHERE id = ?",
                (*owner_columns(ProcessIdentity.current()), execution_id),
            )

    def release_execution(self, execution_id: str) -> None:
        """Nobody runs it now, on purpose (the run stopped at a gate and exited): it is not judged crashed."""
        with self.db.write() as db:
            db.execute(
                "UPDATE executions SET owner_pid = NULL, owner_host = NULL, owner_started = NULL WHERE id = ?",
                (execution_id,),
            )

    def finish_execution(self, execution_id: str, status: ExecutionStatus, reason: str = "") -> bool:
        """The execution's end; False when it had already ended (judged crashed, superseded, rejected)."""
        if status.is_active:
            raise ValueError(f"{status} is not an end")
        with self.db.write() as db:
            require_execution(db, execution_id)
            return end_execution(db, execution_id, status, self.masker.mask(reason), self.clock())

    def reopen_execution(self, execution_id: str) -> None:
        """A retry (CP §1.11): a Failed or Stopped execution runs again, owned by this process."""
        with self.db.write() as db:
            row = require_execution(db, execution_id)
            if row["status"] not in (ExecutionStatus.FAILED, ExecutionStatus.STOPPED):
                raise ValidationException(
                    f"execution {execution_id} is {row['status']}; only a Failed or Stopped execution can be retried."
                )
            db.execute(
                "UPDATE executions SET status = ?, status_reason = '', ended_at = NULL, owner_pid = ?, owner_host = ?,"
                " owner_started = ? WHERE id = ?",
                (ExecutionStatus.IN_PROGRESS, *owner_columns(ProcessIdentity.current()), execution_id),
            )

    # -- stages and actions -----------------------------------------------------------------------------------

    def start_stage(self, execution_id: str, stage: str) -> None:
        """The execution enters a stage (again, on a retry: the stage's row is reused, its actions' attempts kept).
        No lock is asked for: a run enters through `enter_stage`, which decides whether it may."""
        with self.db.write() as db:
            require_execution(db, execution_id)
            start_stage_row(db, execution_id, stage, self.clock())

    def finish_stage(self, execution_id: str, stage: str, status: StageStatus | None = None) -> StageStatus:
        """The stage's end: the status given, or the one its actions' latest attempts make (CP §1.5)."""
        with self.db.write() as db:
            require_stage(db, execution_id, stage)
            return settle_stage(db, execution_id, stage, status, self.clock())

    def start_action(
        self,
        execution_id: str,
        stage: str,
        action: str,
        *,
        input_artifacts: Mapping[str, Path] | None = None,
        log_path: Path | None = None,
        owned: bool = True,
    ) -> ActionRef:
        """A new attempt of an action, InProgress; `owned` (the default) records this process as running it, so
        its death is seen. An approval is not owned: it waits for a person, whoever runs the pipeline."""
        with self.db.write() as db:
            require_stage(db, execution_id, stage)
            (last,) = db.execute(
                "SELECT coalesce(max(attempt), 0) FROM action_executions"
                " WHERE execution_id = ? AND stage = ? AND action = ?",
                (execution_id, stage, action),
            ).fetchone()
            owner = owner_columns(ProcessIdentity.current()) if owned else (None, None, None)
            db.execute(
                "INSERT INTO action_executions (execution_id, stage, action, attempt, status, started_at,"
                " input_artifacts, log_path, owner_pid, owner_host, owner_started)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    execution_id,
                    stage,
                    action,
                    last + 1,
                    ActionStatus.IN_PROGRESS,
                    self.clock(),
                    paths_json(input_artifacts),
                    None if log_path is None else str(log_path),
                    *owner,
                ),
            )
        return ActionRef(execution_id, stage, action, last + 1)

    def set_external_execution_id(self, ref: ActionRef, external_execution_id: str) -> None:
        """Known once the action has started: a build's id, for `status` and the HTML page."""
        with self.db.write() as db:
            db.execute(
                "UPDATE action_executions SET external_execution_id = ?" + WHERE_ATTEMPT,
                (external_execution_id, *key(ref)),
            )

    def finish_action(
        self,
        ref: ActionRef,
        status: ActionStatus,
        *,
        summary: str = "",
        error: str = "",
        external_execution_id: str | None = None,
        output_variables: Mapping[str, str] | None = None,
        output_artifacts: Mapping[str, Path] | None = None,
    ) -> bool:
        """The attempt's end; False (and nothing written) when it had ended already, e.g. judged crashed."""
        if not status.is_final:
            raise ValueError(f"{status} is not an end")
        mask = self.masker.mask
        with self.db.write() as db:
            cursor = db.execute(
                "UPDATE action_executions SET status = ?, ended_at = ?, summary = ?, error = ?,"
                " external_execution_id = coalesce(?, external_execution_id), output_variables = ?,"
                " output_artifacts = ?, owner_pid = NULL, owner_host = NULL, owner_started = NULL"
                + WHERE_ATTEMPT
                + " AND status = ?",
                (
                    status,
                    self.clock(),
                    mask(summary),
                    mask(error),
                    external_execution_id,
                    json.dumps({name: mask(value) for name, value in (output_variables or {}).items()}),
                    paths_json(output_artifacts),
                    *key(ref),
                    ActionStatus.IN_PROGRESS,
                ),
            )
            return cursor.rowcount == 1

    # -- the artifact store -----------------------------------------------------------------------------------

    def artifact_folder(self, execution_id: str, name: str, *, stage: str, action: str) -> Path:
        """The folder an action's output artifact goes to (created empty; emptied again on a retry, CP §1.11)."""
        with self.db.write() as db:
            row = require_execution(db, execution_id)
            folder = self.state.execution_dir(row["pipeline"], execution_id) / "artifacts" / _artifact_name(name)
            db.execute(
                "INSERT INTO artifacts (execution_id, name, folder, stage, action) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (execution_id, name) DO UPDATE SET stage = excluded.stage, action = excluded.action",
                (execution_id, name, str(folder), stage, action),
            )
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def stored_artifact(self, execution_id: str, name: str) -> Path:
        """Where an earlier action of the execution left an artifact: later stages, retries and `--from` read it."""
        with self.db.read() as db:
            require_execution(db, execution_id)
            row = db.execute(
                "SELECT folder FROM artifacts WHERE execution_id = ? AND name = ?", (execution_id, name)
            ).fetchone()
        if row is None:
            raise ValidationException(f"execution {execution_id} has no stored artifact named {name!r}.")
        return Path(row["folder"])

    def execution_folder(self, execution_id: str) -> Path:
        """Where the execution's files are kept: artifacts, logs, test report summaries."""
        with self.db.read() as db:
            row = require_execution(db, execution_id)
        return self.state.execution_dir(row["pipeline"], execution_id)

    def log_path(self, ref: ActionRef) -> Path:
        """Where an attempt's log is kept for `pipeline logs`, inside its execution's folder."""
        with self.db.read() as db:
            row = require_execution(db, ref.execution_id)
        folder = self.state.execution_dir(row["pipeline"], ref.execution_id) / "logs" / _safe_part(ref.stage)
        return folder / f"{_safe_part(ref.action)}.{ref.attempt}.log"

    # -- reading ----------------------------------------------------------------------------------------------

    def execution(self, execution_id: str) -> Execution:
        self.judge()
        with self.db.read() as db:
            row = require_execution(db, execution_id)
            folder = self.state.execution_dir(row["pipeline"], execution_id)
            approvals = {
                (a.stage, a.action, attempt): a
                for attempt, a in (
                    (r["attempt"], approval_from(r))
                    for r in db.execute("SELECT * FROM approvals WHERE execution_id = ?", (execution_id,))
                )
            }
            stages = tuple(
                StageExecution(
                    name=stage["stage"],
                    status=StageStatus(stage["status"]),
                    started_at=as_time(stage["started_at"]),
                    ended_at=as_time_or_none(stage["ended_at"]),
                    actions=tuple(
                        with_report_summaries(with_approval(action, approvals), folder)
                        for action in latest_actions(db, execution_id, stage["stage"])
                    ),
                )
                for stage in db.execute(
                    "SELECT * FROM stage_executions WHERE execution_id = ? ORDER BY started_at, rowid", (execution_id,)
                ).fetchall()
            )
            artifacts = {
                r["name"]: Path(r["folder"])
                for r in db.execute("SELECT name, folder FROM artifacts WHERE execution_id = ?", (execution_id,))
            }
        summary = summary_from(row)
        return Execution(
            **{name: getattr(summary, name) for name in ExecutionSummary.__dataclass_fields__},
            variables=json.loads(row["variables"]),
            definition=json.loads(row["definition"]),
            stages=stages,
            artifacts=artifacts,
            owner=owner_of(row),
        )

    def list_executions(self, pipeline: str | None = None, limit: int = 20) -> tuple[ExecutionSummary, ...]:
        """Newest first, as `list-pipeline-executions`; `limit` counts after the pipeline filter."""
        self.judge()
        with self.db.read() as db:
            if pipeline is None:
                rows = db.execute(
                    f"SELECT {_SUMMARY_COLUMNS} FROM executions ORDER BY started_at DESC, rowid DESC LIMIT ?",
                    (limit,),
                )
            else:
                rows = db.execute(
                    f"SELECT {_SUMMARY_COLUMNS} FROM executions WHERE pipeline = ?"
                    " ORDER BY started_at DESC, rowid DESC LIMIT ?",
                    (pipeline, limit),
                )
            return tuple(summary_from(row) for row in rows.fetchall())

    # -- judging what happened while nobody wrote it down ------------------------------------------------------

    def judge(self) -> None:
        """Fail what a dead owner left running and gates past their time; cheap (one read) when there is none."""
        now = self.clock()
        with self.db.read() as db:
            expired = db.execute(
                "SELECT 1 FROM approvals WHERE status = ? AND expires_at <= ? LIMIT 1", (ApprovalStatus.WAITING, now)
            ).fetchone()
            owners = {
                ProcessIdentity(r[0], r[1], r[2] or "")
                for r in db.execute(
                    "SELECT owner_pid, owner_host, owner_started FROM action_executions"
                    " WHERE status = ? AND owner_pid IS NOT NULL"
                    " UNION SELECT owner_pid, owner_host, owner_started FROM executions"
                    " WHERE status IN (?, ?) AND owner_pid IS NOT NULL",
                    (ActionStatus.IN_PROGRESS, ExecutionStatus.IN_PROGRESS, ExecutionStatus.STOPPING),
                )
            }
        dead = {owner for owner in owners if is_running(owner) is False}
        if not expired and not dead:
            return
        with self.db.write() as db:
            if expired:
                expire_gates(db, now)
            for owner in dead:
                fail_orphans(db, owner, now)

    # -- stage locks (CP §1.10, locking.py) ---------------------------------------------------------------------

    def enter_stage(self, execution_id: str, stage: str) -> StageEntry:
        """Call as the execution arrives at `stage`, and again while it `Waits`, until it has `Entered` or `Ended`."""
        self.judge()  # a holder whose process died releases the stage before anyone decides on it
        now = self.clock()
        with self.db.write() as db:
            return locking.enter_stage(db, execution_id, stage, now)

    def leave_stage(self, execution_id: str, stage: str, next_stage: str | None) -> StageStatus:
        """The stage's end, settled from its actions; passed, the execution is in front of `next_stage` from the
        same transaction on, its turn there taken."""
        with self.db.write() as db:
            return locking.leave_stage(db, execution_id, stage, next_stage, self.clock())

    def stage_holder(self, pipeline: str, stage: str) -> str | None:
        """The active SUPERSEDED or QUEUED execution that holds `stage` locked (in it, or waiting at its gate)."""
        self.judge()
        with self.db.read() as db:
            return locking.stage_holder(db, pipeline, stage)

    def check_retryable(self, execution_id: str, stage: str) -> None:
        """CP §1.10 item 5 and CP §1.11: only a failed stage of an ended execution, and only until a newer
        execution enters it."""
        self.judge()
        with self.db.read() as db:
            locking.check_retryable(db, execution_id, stage)

    # -- approval gates (CP §1.12, approvals.py) -----------------------------------------------------------------

    def open_gate(
        self,
        ref: ActionRef,
        *,
        custom_data: str = "",
        external_link: str = "",
        notification_arn: str = "",
        timeout_minutes: int | None = None,
    ) -> Approval:
        """The approval action `ref` (started with `owned=False`) now waits; its token is also its external
        execution id, the token PARALLEL mode answers with (CP §1.10)."""
        now = self.clock()
        with self.db.write() as db:
            return approvals.open_gate(
                db,
                ref,
                custom_data=self.masker.mask(custom_data),
                external_link=self.masker.mask(external_link),
                notification_arn=notification_arn,
                timeout_minutes=timeout_minutes,
                now=now,
            )

    def answer(
        self,
        execution_id: str,
        result: ApprovalResult,
        *,
        stage: str | None = None,
        action: str | None = None,
        token: str | None = None,
    ) -> Answer:
        """PutApprovalResult: the one gate that waits in the execution (or the one named) takes the answer."""
        approvals.check_result(result)
        mask = self.masker.mask
        masked = ApprovalResult(result.status, mask(result.summary), mask(result.by))
        now = self.clock()
        with self.db.write() as db:
            return approvals.answer(db, execution_id, masked, stage=stage, action=action, token=token, now=now)

    def read_gate(self, token: str) -> Approval:
        """The gate as it stands now (after judging expiry)."""
        self.judge()
        return self._gate(token)

    def wait_for_answer(
        self, token: str, *, poll_seconds: float = 0.5, cancel: CancelToken | None = None
    ) -> Approval | None:
        """Block until the gate is no longer Waiting (answered here or in another process, expired, superseded);
        None when `cancel` is set first. Polling costs one pragma read until another connection commits."""
        seen: int | None = None
        while True:
            version = self.db.data_version()
            approval = self._gate(token)
            if version != seen or self.clock() >= approval.expires_at.timestamp():
                self.judge()
                approval = self._gate(token)
                seen = version
            if approval.status is not ApprovalStatus.WAITING:
                return approval
            if cancel is None:
                time.sleep(poll_seconds)
            elif cancel.wait(poll_seconds):
                return None

    def _gate(self, token: str) -> Approval:
        with self.db.read() as db:
            return approvals.read_gate(db, token)

    # -- logs, test reports, pruning ----------------------------------------------------------------------------

    def all_attempts(self, execution_id: str) -> tuple[ActionExecution, ...]:
        """Every attempt of every action, in the order they ran (`pipeline logs`); `execution` shows the latest."""
        self.judge()
        with self.db.read() as db:
            return attempts.all_attempts(db, execution_id)

    def save_report_summaries(self, ref: ActionRef, summaries: Iterable[ReportSummary]) -> None:
        """The attempt's test report summaries, masked, in a file beside its log (`report_files.py`)."""
        summaries = tuple(summaries)
        if summaries:
            save_report_summaries(self.execution_folder(ref.execution_id), ref, summaries, self.masker)

    def prune(self, keep: int, pipeline: str | None = None) -> tuple[str, ...]:
        """Remove executions older than each pipeline's `keep` newest (all pipelines, or the one named); the ids
        removed, oldest first (`pruning.py`)."""
        pruning.check_keep(keep)
        self.judge()
        return pruning.prune(self.db, self.state, keep, pipeline)


def _artifact_name(name: str) -> str:
    # CP §1.2's artifact name pattern has no dots or slashes, so a name checked here cannot leave artifacts/.
    if not name or len(name) > 100 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in name):
        raise ValidationException(f"{name!r} is not an artifact name: use 1 to 100 letters, digits, _ or -.")
    return name


def _safe_part(name: str) -> str:
    if name in ("", ".", "..") or "/" in name or "\0" in name:
        raise ValidationException(f"{name!r} cannot name a stage or an action.")
    return name
