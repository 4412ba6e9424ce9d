"""`simulator pipeline prune --keep N`: the newest N executions of each pipeline stay; older ones lose their rows,
artifacts and logs. An execution in progress or waiting at a gate is never removed (store.prune)."""

from __future__ import annotations

import argparse
from typing import Any

from simulator.cli.current_repository import current_state
from simulator.errors import ExitCode
from simulator.pipeline.store import PipelineStore
from simulator.reporting.masking import Masker


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "prune",
        help="remove old executions with their artifacts and logs, keeping the newest N of each pipeline",
        description="Remove executions older than the newest N of each pipeline, never one in progress or "
        "waiting at a gate.",
        examples=("python -m simulator pipeline prune --keep 5",),
    )
    parser.add_argument("--keep", type=int, required=True, metavar="N", help="executions to keep per pipeline")
    parser.add_argument("--pipeline-name", metavar="NAME", help="only this pipeline's executions")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, masker: Masker) -> int:
    state = current_state()
    if not state.pipelines_db.exists():
        print("No pipeline has run here: nothing to remove.")
        return int(ExitCode.SUCCEEDED)
    with PipelineStore(state, masker=masker) as store:
        removed = store.prune(args.keep, args.pipeline_name)
    for execution_id in removed:
        print(f"Removed execution {execution_id} with its artifacts and logs.")
    kept = f"the newest {args.keep} of each pipeline and any in progress or waiting at a gate"
    print(f"Removed {len(removed)} execution{'' if len(removed) == 1 else 's'}; kept {kept}.")
    return int(ExitCode.SUCCEEDED)
