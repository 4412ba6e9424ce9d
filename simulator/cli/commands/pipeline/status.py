"""`simulator pipeline status [EXECUTION_ID]` and `pipeline list`: executions as the store knows them, truthfully
(an action whose process died shows Failed with that reason; an expired gate shows Failed)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from simulator.cli.commands.pipeline.options import recorded_store
from simulator.errors import ExitCode, InputError
from simulator.pipeline.statuses import ActionStatus
from simulator.pipeline.store import Execution, PipelineStore
from simulator.pipeline.views.page import execution_page, write_page
from simulator.pipeline.views.status import status_lines, wants_colour
from simulator.reporting.masking import Masker

WATCH_SECONDS = 1.0
CLEAR_SCREEN = "\x1b[H\x1b[2J"


def add_parser(subparsers: Any) -> None:
    status = subparsers.add_parser(
        "status",
        help="an execution's stages, actions, durations and approvals (default: the newest)",
        description="Show an execution as a chain of stages.",
        examples=("python -m simulator pipeline status", "python -m simulator pipeline status --html run.html"),
    )
    status.add_argument("execution_id", nargs="?", metavar="EXECUTION_ID")
    status.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="also write the execution as one self-contained HTML page (nothing loaded from the network)",
    )
    status.add_argument(
        "--watch",
        action="store_true",
        help="follow the execution live (redrawn each second on a terminal) until it ends or waits at a gate",
    )
    status.set_defaults(handler=run_status)
    listing = subparsers.add_parser(
        "list",
        help="recent executions, newest first",
        description="List recent executions, newest first.",
        examples=("python -m simulator pipeline list --limit 5",),
    )
    listing.add_argument("--limit", type=int, default=20)
    listing.set_defaults(handler=run_list)


def run_list(args: argparse.Namespace, masker: Masker) -> int:
    with recorded_store(masker) as store:
        for summary in store.list_executions(limit=args.limit):
            ended = f"{(summary.ended_at - summary.started_at).total_seconds():.0f}s" if summary.ended_at else "-"
            print(
                f"{summary.id}  {summary.pipeline}  {summary.status:<11} {summary.started_at:%Y-%m-%d %H:%M}  {ended}"
            )
    return int(ExitCode.SUCCEEDED)


def run_status(args: argparse.Namespace, masker: Masker) -> int:
    with recorded_store(masker) as store:
        execution_id = args.execution_id or _newest(store)
        if args.watch:
            return _watch(store, execution_id, sys.stdout)
        execution = store.execution(execution_id)
    now = datetime.now(UTC)
    if args.html is not None:  # first, so a page that cannot be written is the one thing said
        write_page(args.html, execution_page(execution, masker, now=now))
    print("\n".join(status_lines(execution, now=now, colour=wants_colour(sys.stdout, os.environ))))
    if args.html is not None:
        print(f"Wrote {args.html}")
    return int(ExitCode.SUCCEEDED)


def _newest(store: PipelineStore) -> str:
    newest = store.list_executions(limit=1)
    if not newest:
        raise InputError("No execution is recorded yet: run one with pipeline run.")
    return newest[0].id


def _watch(store: PipelineStore, execution_id: str, out: TextIO, interval: float = WATCH_SECONDS) -> int:
    """On a terminal the picture is redrawn in place each `interval`; elsewhere (a log, a pipe) it is printed
    again only when a status changed, so the output stays a readable history."""
    terminal = out.isatty()
    colour = wants_colour(out, os.environ)
    shown: tuple[str, ...] | None = None
    try:
        while True:
            execution = store.execution(execution_id)
            statuses = _statuses(execution)
            if terminal or statuses != shown:
                picture = "\n".join(status_lines(execution, now=datetime.now(UTC), colour=colour))
                out.write((CLEAR_SCREEN if terminal else "\n" if shown else "") + picture + "\n")
                out.flush()
                shown = statuses
            if not _running(execution):
                return int(ExitCode.SUCCEEDED)
            time.sleep(interval)
    except KeyboardInterrupt:
        return int(ExitCode.STOPPED)  # only the watching stops: the execution runs on in its own process


def _statuses(execution: Execution) -> tuple[str, ...]:
    return (
        str(execution.status),
        *(f"{stage.name}/{action.name}:{action.status}" for stage in execution.stages for action in stage.actions),
    )


def _running(execution: Execution) -> bool:
    """Still worth watching: an action runs (a gate waiting for its answer does not: nobody knows for how long)."""
    if not execution.status.is_active:
        return False
    waiting = {(gate.stage, gate.action) for gate in execution.waiting_approvals}
    return (
        any(
            action.status is ActionStatus.IN_PROGRESS and (stage.name, action.name) not in waiting
            for stage in execution.stages
            for action in stage.actions
        )
        or not waiting
    )
