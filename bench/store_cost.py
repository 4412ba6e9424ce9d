"""What recording costs in the pipeline store: one action's start and finish, reading an execution, one poll.

Real SQLite files in a temporary state folder (WAL, synchronous NORMAL), one process, as a pipeline run writes.
Prints figures; asserts nothing (speed is measured here, never in a timed test).
Run: python bench/store_cost.py [--actions N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.pipeline.statuses import ActionStatus
from simulator.pipeline.store import PipelineStore
from simulator.state import StateFolder


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(len(ordered) * 0.9)]
    return f"median {statistics.median(ordered) * 1000:7.3f} ms   p90 {p90 * 1000:7.3f} ms   (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions", type=int, default=500, help="action start+finish pairs to record")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, PipelineStore(StateFolder(Path(scratch))) as store:
        execution_id = store.start_execution("bench", variables={"Env": "dev"})
        store.start_stage(execution_id, "Build")

        def one_action(index: int) -> None:
            ref = store.start_action(execution_id, "Build", f"Action{index % 20}")
            store.finish_action(ref, ActionStatus.SUCCEEDED, output_variables={"CommitId": "abc123"})

        pairs = [timed(lambda i=i: one_action(i)) for i in range(args.actions)]
        reads = [timed(lambda: store.execution(execution_id)) for _ in range(100)]
        listing = [timed(lambda: store.list_executions(limit=20)) for _ in range(100)]
        store.start_stage(execution_id, "Approve")
        store.open_gate(store.start_action(execution_id, "Approve", "Gate", owned=False))
        polls = [timed(store.db.data_version) for _ in range(1000)]
    print(f"action start + finish (2 transactions)  {figures(pairs)}")
    print(f"execution(id), 20 actions              {figures(reads)}")
    print(f"list_executions(limit=20)               {figures(listing)}")
    print(f"one wait_for_answer poll (no change)    {figures(polls)}")


if __name__ == "__main__":
    main()
