"""The pipeline execution store: executions, stages, actions, approvals and artifacts, in SQLite under `.simulator/`.

The executor records through `PipelineStore`; `status`, `list`, `approve` and `prune` read and answer through it
and the functions below. Nothing here touches Docker or the build engine.
"""

from simulator.pipeline.store.approvals import SUMMARY_LIMIT, Answer, answer, open_gate, read_gate, wait_for_answer
from simulator.pipeline.store.attempts import all_attempts
from simulator.pipeline.store.errors import (
    ActionNotFoundException,
    ApprovalAlreadyCompletedException,
    InvalidApprovalTokenException,
    PipelineExecutionNotFoundException,
    PipelineStoreError,
    StageNotFoundException,
    StageNotRetryableException,
    ValidationException,
)
from simulator.pipeline.store.locking import (
    Ended,
    Entered,
    StageEntry,
    Waits,
    check_retryable,
    enter_stage,
    leave_stage,
    stage_holder,
)
from simulator.pipeline.store.owner import ProcessIdentity
from simulator.pipeline.store.pruning import prune
from simulator.pipeline.store.snapshots import (
    ActionExecution,
    ActionRef,
    Approval,
    Execution,
    ExecutionSummary,
    StageExecution,
)
from simulator.pipeline.store.store import PipelineStore

__all__ = [
    "SUMMARY_LIMIT",
    "ActionExecution",
    "ActionNotFoundException",
    "ActionRef",
    "Answer",
    "Approval",
    "ApprovalAlreadyCompletedException",
    "Ended",
    "Entered",
    "Execution",
    "ExecutionSummary",
    "InvalidApprovalTokenException",
    "PipelineExecutionNotFoundException",
    "PipelineStore",
    "PipelineStoreError",
    "ProcessIdentity",
    "StageEntry",
    "StageExecution",
    "StageNotFoundException",
    "StageNotRetryableException",
    "ValidationException",
    "Waits",
    "all_attempts",
    "answer",
    "check_retryable",
    "enter_stage",
    "leave_stage",
    "open_gate",
    "prune",
    "read_gate",
    "stage_holder",
    "wait_for_answer",
]
