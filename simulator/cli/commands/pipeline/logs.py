"""`simulator pipeline logs EXECUTION_ID [ACTION]`: the log each build attempt kept, every action in the order it
ran, or one (`Unit`, or `Build/Unit` where two stages have an action of that name).

Choice: each attempt's log is headed `==> Stage/Action attempt N (Status) <==`, as `tail` heads several files, so
a retried action shows both runs; an action that keeps no log (a source, a gate, a skipped deploy) is headed too,
with `(no log kept: ...)`, so every action of the execution is accounted for.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from simulator.cli.commands.pipeline.options import recorded_store
from simulator.errors import ExitCode, InputError
from simulator.pipeline.store import ActionExecution, ActionRef
from simulator.reporting.masking import Masker


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "logs",
        help="the logs an execution's actions kept, attempt by attempt",
        description="Print the kept log of every action of an execution in the order they ran, or of one action.",
        examples=("python -m simulator pipeline logs EXECUTION_ID Build/Unit",),
    )
    parser.add_argument("execution_id", metavar="EXECUTION_ID")
    parser.add_argument("action", nargs="?", metavar="ACTION", help="an action's name, or STAGE/ACTION")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, masker: Masker) -> int:
    with recorded_store(masker) as store:
        attempts = _chosen(store.all_attempts(args.execution_id), args.action, args.execution_id)
        for attempt in attempts:
            path = store.log_path(ActionRef(args.execution_id, attempt.stage, attempt.name, attempt.attempt))
            sys.stdout.write(f"==> {attempt.stage}/{attempt.name} attempt {attempt.attempt} ({attempt.status}) <==\n")
            if path.is_file():
                # Written masked as the build ran; masked again in case a value became secret since.
                sys.stdout.write(masker.mask(path.read_text(encoding="utf-8", errors="replace")))
            else:
                sys.stdout.write("(no log kept: a source, a gate or a skipped action runs no build)\n")
    return int(ExitCode.SUCCEEDED)


def _chosen(attempts: tuple[ActionExecution, ...], wanted: str | None, execution_id: str) -> list[ActionExecution]:
    if wanted is None:
        return list(attempts)
    chosen = [a for a in attempts if wanted in (a.name, f"{a.stage}/{a.name}")]
    stages = {a.stage for a in chosen}
    if len(stages) > 1:
        raise InputError(
            f"{wanted} names an action in several stages ({', '.join(sorted(stages))}): give STAGE/{wanted}."
        )
    if not chosen:
        names = ", ".join(dict.fromkeys(f"{a.stage}/{a.name}" for a in attempts)) or "none yet"
        raise InputError(f"execution {execution_id} has run no action named {wanted} (its actions: {names}).")
    return chosen
