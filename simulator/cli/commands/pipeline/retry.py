"""`simulator pipeline retry EXECUTION_ID [--all-actions]`: RetryStageExecution, locally (CP §1.11).

The failed stage runs again on the artifacts its earlier stages stored, then the execution carries on to the next
gate or the end, as `approve` does. Refused (exit 2, StageNotRetryableException) when the execution did not fail,
when a newer execution has entered that stage since, or when the pipeline file changed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simulator.cancellation.signals import signals_cancel
from simulator.cli.commands.pipeline.options import parameter
from simulator.cli.commands.pipeline.run import add_run_options, gate_answers, report
from simulator.cli.current_repository import current_state
from simulator.cli.load_problems import print_load_problems
from simulator.cli.value_sources import carried_source
from simulator.errors import ExitCode
from simulator.pipeline.checked import load_checked
from simulator.pipeline.run_context import ValuesFrom, open_run_context
from simulator.pipeline.start_and_resume import options_from, retry
from simulator.pipeline.store import PipelineStore
from simulator.reporting.masking import Masker


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "retry",
        help="run a failed execution's failed stage again, on its stored artifacts, and carry on",
        description="Retry the stage a failed execution stopped in (RetryStageExecution): its failed actions, or "
        "with --all-actions every action of the stage.",
        examples=("python -m simulator pipeline retry EXECUTION_ID",),
    )
    parser.add_argument("execution_id", metavar="EXECUTION_ID")
    parser.add_argument(
        "--all-actions",
        action="store_true",
        help="re-run every action of the stage (ALL_ACTIONS), not only the failed ones (FAILED_ACTIONS)",
    )
    parser.add_argument(
        "--parameter", action="append", default=[], type=parameter, metavar="KEY=VALUE", help=argparse.SUPPRESS
    )
    add_run_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, masker: Masker) -> int:
    state = current_state()
    with PipelineStore(state, masker=masker) as store:
        definition = store.execution(args.execution_id).definition
    options = options_from(definition)
    checked = load_checked(options.file, {**options.parameters, **dict(args.parameter)}, options.pipeline_id, masker)
    print_load_problems(checked.diagnostics, masker)
    if checked.failed or checked.pipeline is None:
        return int(ExitCode.BAD_INPUT)
    aws, values_file = carried_source(args, options.aws, options.values_file)
    values = ValuesFrom(values_file, aws)
    with open_run_context(Path(definition["repository"]), masker, gate_answers(args), values) as context:
        with signals_cancel(context.cancel):
            outcome = retry(checked.pipeline, args.execution_id, context, all_actions=args.all_actions)
        return report(outcome, context)
