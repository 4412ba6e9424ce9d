"""`simulator pipeline status [EXECUTION_ID]` and `pipeline list`: executions as the store knows them, truthfully
(an action whose process died shows Failed with that reason; an expired gate shows Failed)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator.cli.commands.pipeline.options import recorded_store
from simulator.errors import ExitCode, InputError
from simulator.reporting.masking import Masker
from simulator.reporting.pipeline_page import execution_page, write_page
from simulator.reporting.pipeline_status import status_lines, wants_colour


def add_parser(subparsers: Any) -> None:
    status = subparsers.add_parser(
        "status",
        help="an execution's stages, actions, durations and approvals (default: the newest)",
        description="Show an execution as a chain of stages. Example: python -m simulator pipeline status",
    )
    status.add_argument("execution_id", nargs="?", metavar="EXECUTION_ID")
    status.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="also write the execution as one self-contained HTML page (nothing loaded from the network)",
    )
    status.set_defaults(handler=run_status)
    listing = subparsers.add_parser(
        "list",
        help="recent executions, newest first",
        description="List recent executions, newest first. Example: python -m simulator pipeline list",
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
        execution_id = args.execution_id
        if execution_id is None:
            newest = store.list_executions(limit=1)
            if not newest:
                raise InputError("No execution is recorded yet: run one with pipeline run.")
            execution_id = newest[0].id
        execution = store.execution(execution_id)
    now = datetime.now(UTC)
    if args.html is not None:  # first, so a page that cannot be written is the one thing said
        write_page(args.html, execution_page(execution, masker, now=now))
    print("\n".join(status_lines(execution, now=now, colour=wants_colour(sys.stdout, os.environ))))
    if args.html is not None:
        print(f"Wrote {args.html}")
    return int(ExitCode.SUCCEEDED)
