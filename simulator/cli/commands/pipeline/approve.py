"""`simulator pipeline approve|reject EXECUTION_ID`: PutApprovalResult, locally (CP §1.12).

The answer goes to the gate the execution waits at (or the one named). A run still waiting at its prompt in another
terminal takes the answer and carries on there; when nobody is running the execution, `approve` carries it on here,
in the foreground, to the next gate or the end, reusing everything already built.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from simulator.cancellation.signals import signals_cancel
from simulator.cli.commands.pipeline.options import parameter
from simulator.cli.commands.pipeline.run import add_run_options, gate_answers, report
from simulator.cli.current_repository import current_repository, current_state
from simulator.cli.load_problems import print_load_problems
from simulator.cli.value_sources import carried_source
from simulator.errors import ExitCode
from simulator.ownership import user_name
from simulator.pipeline.checked import load_checked
from simulator.pipeline.run_context import ValuesFrom, open_run_context
from simulator.pipeline.start_and_resume import check_unchanged, options_from, resume_after_gate
from simulator.pipeline.statuses import ApprovalStatus
from simulator.pipeline.store import Answer, ApprovalResult, PipelineStore
from simulator.reporting.masking import Masker


def add_parser(subparsers: Any) -> None:
    for verb, status in (("approve", ApprovalStatus.APPROVED), ("reject", ApprovalStatus.REJECTED)):
        parser = subparsers.add_parser(
            verb,
            help=f"{verb} the gate an execution waits at",
            description=f"{verb.capitalize()} the approval an execution waits at (PutApprovalResult).",
            examples=(f'python -m simulator pipeline {verb} EXECUTION_ID --summary "checked on dev"',),
        )
        parser.add_argument("execution_id", metavar="EXECUTION_ID")
        parser.add_argument("--summary", default="", help="the answer's summary, at most 512 characters")
        parser.add_argument("--stage", help="the gate's stage, when several wait")
        parser.add_argument("--action", help="the gate's action, when several wait")
        parser.add_argument(
            "--parameter", action="append", default=[], type=parameter, metavar="KEY=VALUE", help=argparse.SUPPRESS
        )
        add_run_options(parser)
        parser.set_defaults(handler=run, answer_status=status)


def run(args: argparse.Namespace, masker: Masker) -> int:
    repository = current_repository()
    state = current_state()
    with PipelineStore(state, masker=masker) as store:
        definition = store.execution(args.execution_id).definition
    approving = args.answer_status is ApprovalStatus.APPROVED
    if not approving:
        with PipelineStore(state, masker=masker) as store:
            rejected = _answer(store, args)
        print(f"{rejected.approval.stage}/{rejected.approval.action} of execution {args.execution_id}: Rejected.")
        print(f"Execution {args.execution_id} Failed: the gate was rejected.")
        return int(ExitCode.SUCCEEDED)
    pipeline = None
    aws, values_file = carried_source(args, None, None)
    if approving and definition:
        # Everything carrying on needs is checked before the answer is given: an answer recorded and then a
        # failure to carry on would leave an approved gate nobody can take further.
        options = options_from(definition)
        parameters = {**options.parameters, **dict(args.parameter)}
        checked = load_checked(options.file, parameters, options.pipeline_id, masker)
        print_load_problems(checked.diagnostics, masker)
        if checked.failed or checked.pipeline is None:
            return int(ExitCode.BAD_INPUT)
        check_unchanged(options.file, definition, args.execution_id)
        pipeline = checked.pipeline
        aws, values_file = carried_source(args, options.aws, options.values_file)
    place = Path(definition.get("repository", repository))
    with open_run_context(place, masker, gate_answers(args), ValuesFrom(values_file, aws)) as context:
        given = _answer(context.store, args)
        gate = f"{given.approval.stage}/{given.approval.action}"
        print(f"{gate} of execution {args.execution_id}: {given.approval.status}.")
        if not given.continue_here or pipeline is None:
            print("The run waiting at that gate carries on.")
            return int(ExitCode.SUCCEEDED)
        print(f"Carrying on execution {args.execution_id} from {gate}.", file=sys.stderr)
        try:
            with signals_cancel(context.cancel):
                outcome = resume_after_gate(pipeline, args.execution_id, context)
        except BaseException:
            # Not carried on after all: nobody runs it, and another approve or a retry can take it further.
            context.store.release_execution(args.execution_id)
            raise
        return report(outcome, context)


def _answer(store: PipelineStore, args: argparse.Namespace) -> Answer:
    return store.answer(
        args.execution_id,
        ApprovalResult(args.answer_status, args.summary, user_name()),
        stage=args.stage,
        action=args.action,
    )
