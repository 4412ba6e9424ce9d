"""`simulator pipeline run FILE`: one execution, stage by stage, stopping at every approval gate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from simulator.cancellation.signals import signals_cancel
from simulator.cli.commands.pipeline.options import add_file_options, parameter, pipeline_file
from simulator.cli.load_problems import print_load_problems
from simulator.cli.value_sources import add_aws_options, asked_values_file, aws_target
from simulator.errors import ExitCode, InputError
from simulator.pipeline.approvals.gate import GateAnswers, check_gate_names
from simulator.pipeline.checked import load_checked, repository_of
from simulator.pipeline.executor import RunEnding
from simulator.pipeline.run_context import ValuesFrom, open_run_context
from simulator.pipeline.start_and_resume import RunContext, RunOptions, RunOutcome, start
from simulator.pipeline.views.console import pipeline_line
from simulator.reporting.masking import Masker

ENDINGS = {
    RunEnding.SUCCEEDED: ExitCode.SUCCEEDED,
    RunEnding.FAILED: ExitCode.BUILD_FAILED,
    RunEnding.STOPPED: ExitCode.STOPPED,
    RunEnding.WAITING: ExitCode.AWAITING_APPROVAL,
    RunEnding.SUPERSEDED: ExitCode.SUPERSEDED,
}


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run an execution: sources from git, builds in containers, a stop at every approval gate",
        description="Run the pipeline's stages in order, actions of equal RunOrder in parallel, stopping at each "
        "manual approval until someone answers.",
        examples=(
            "python -m simulator pipeline run examples/pipeline-template.yml --values examples/parameters.yml",
            "python -m simulator pipeline run stages/pipeline.yml --until BuildDev --env SKIP_TESTS=true",
            "python -m simulator pipeline run stages/pipeline.yml --from BuildProd",
            "python -m simulator pipeline run stages/pipeline.yml --approve-all --no-input",
        ),
    )
    add_file_options(parser)
    add_source_options(parser)
    add_run_options(parser)
    parser.set_defaults(handler=run)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """What a run and a carried-on run (approve, retry) share."""
    parser.add_argument("--parallel", type=_count, default=2, metavar="N", help="builds at once (default 2)")
    parser.add_argument("--no-input", action="store_true", help="never prompt: stop at the first unanswered gate")
    parser.add_argument("--approve", action="append", default=[], metavar="GATE", help="approve GATE in advance")
    parser.add_argument("--reject", action="append", default=[], metavar="GATE", help="reject GATE in advance")
    parser.add_argument("--approve-all", action="store_true", help="approve every gate in advance (for scripts)")
    parser.add_argument("--notify-command", metavar="CMD", help="run CMD with each gate's SNS JSON on stdin")
    parser.add_argument(
        "--values",
        dest="values_file",
        type=Path,
        metavar="FILE",
        help="local values for parameter-store and secrets-manager (default: .simulator/parameters.yml)",
    )
    add_aws_options(parser)


def add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source-revision", metavar="REF", help="the commit the source actions take (default HEAD)")
    parser.add_argument(
        "--worktree", action="store_true", help="take the working tree as it is, uncommitted files included"
    )
    parser.add_argument("--until", metavar="STAGE", help="stop after STAGE")
    parser.add_argument(
        "--from",
        dest="from_stage",
        metavar="STAGE",
        help="start a new execution at STAGE with an earlier execution's artifacts (the last one that has them, "
        "or --execution)",
    )
    parser.add_argument(
        "--execution",
        dest="from_execution",
        metavar="ID",
        help="the earlier execution whose revision, artifacts and variables --from starts with (a redeploy)",
    )
    parser.add_argument(
        "--variable",
        action="append",
        default=[],
        type=parameter,
        metavar="NAME=VALUE",
        help="a V2 pipeline variable (#{variables.NAME})",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        type=parameter,
        metavar="NAME=VALUE",
        help="a variable every build gets, above its own (SKIP_TESTS=true: the platform's buildspec skips tests)",
    )
    parser.add_argument("--log-format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace, masker: Masker) -> int:
    file = pipeline_file(args)
    checked = load_checked(file, dict(args.parameter), args.pipeline, masker)
    print_load_problems(checked.diagnostics, masker)
    if checked.failed or checked.pipeline is None:
        return int(ExitCode.BAD_INPUT)
    check_gate_names(checked.pipeline, [*args.approve, *args.reject])
    if args.worktree and args.source_revision:
        raise InputError("--worktree and --source-revision both say what the source is: give one.")
    if args.from_execution is not None and args.from_stage is None:
        raise InputError(
            "--execution ID goes with --from STAGE: the stage to start at, with that execution's artifacts."
        )
    if args.from_stage and (args.worktree or args.source_revision):
        raise InputError("--from takes an earlier execution's revision: --worktree and --source-revision do not fit.")
    repository = repository_of(file)
    values_file = asked_values_file(args, "values_file")
    options = RunOptions(
        file=file,
        repository=repository,
        parameters=dict(args.parameter),
        pipeline_id=args.pipeline,
        source_revision=args.source_revision,
        worktree=args.worktree,
        parallel=args.parallel,
        until=args.until,
        from_stage=args.from_stage,
        from_execution=args.from_execution,
        variables=dict(args.variable),
        environment=dict(args.env),
        json_events=args.log_format == "json",
        values_file=values_file,
        aws=aws_target(args),
    )
    values = ValuesFrom(values_file, options.aws)
    with open_run_context(repository, masker, gate_answers(args), values) as context:
        with signals_cancel(context.cancel):
            outcome = start(checked.pipeline, options, context)
        return report(outcome, context)


def gate_answers(args: argparse.Namespace) -> GateAnswers:
    """What this command says about gates: the names given in advance, and whether it may prompt."""
    return GateAnswers(
        approve=frozenset(args.approve),
        reject=frozenset(args.reject),
        approve_all=args.approve_all,
        no_input=args.no_input,
        notify_command=args.notify_command,
    )


def report(outcome: RunOutcome, context: RunContext) -> int:
    result = outcome.result

    def say(text: str) -> None:
        sys.stdout.write(pipeline_line(context.masker.mask(text), json_events=outcome.json_events))

    for older in outcome.superseded:
        say(f"Execution {older} was waiting where this execution arrived: it is Superseded (CP §1.10).")
    if result.status is RunEnding.WAITING:
        gates = context.store.execution(outcome.execution_id).waiting_approvals
        if len(gates) > 1:  # each answer names its gate
            names = [f" --stage {gate.stage} --action {gate.action}" for gate in gates]
            say(f"Execution {outcome.execution_id} waits at {len(gates)} gates. Answer each with:")
        else:
            names = [""]
            say(f"Execution {outcome.execution_id} waits at {result.stage}/{result.action}. Answer with:")
        for name in names:
            say(f'  python -m simulator pipeline approve {outcome.execution_id}{name} --summary "..."')
            say(f'  python -m simulator pipeline reject {outcome.execution_id}{name} --summary "..."')
    elif result.status is RunEnding.SUCCEEDED:
        say(f"Execution {outcome.execution_id} Succeeded.")
    else:
        place = "/".join(part for part in (result.stage, result.action) if part)
        where = f" at {place}" if place else ""
        say(f"Execution {outcome.execution_id} {result.status.value}{where}: {result.summary}")
    sys.stdout.flush()
    return int(ENDINGS[result.status])


def _count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 16:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of builds from 1 to 16")
    return int(text)
