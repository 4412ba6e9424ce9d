"""The pipeline execution store: executions, stages, actions, approvals and artifacts, in SQLite under `.simulator/`.

The recorder writes through `PipelineStore`, the store's one door; `status`, `list`, `logs`, `approve` and `prune`
read and answer through it too. The statuses it keeps live in `simulator.pipeline.statuses`. Nothing here touches
Docker or the build engine.
"""

from simulator.pipeline.store.approvals import SUMMARY_LIMIT, Answer, ApprovalResult
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
from simulator.pipeline.store.locking import Ended, Entered, StageEntry, Waits
from simulator.pipeline.store.owner import ProcessIdentity
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
    "ApprovalResult",
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
]
