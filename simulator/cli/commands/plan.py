"""`simulator plan FILE...`: what a buildspec or pipeline would run, without a container; `--diff REV`: only what
changed since a git revision (the CI dry-run of an edit). Thin: the plans are made and compared in simulator.plan."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.buildspec import BuildspecError, LoadedBuildspec, parse_buildspec
from simulator.cli import build_options as options
from simulator.cli.commands.pipeline.options import add_template_options
from simulator.cli.load_problems import load_buildspec_reporting, print_load_problems
from simulator.codebuild.parameters import LocalValues
from simulator.codebuild.value_source_choice import local_values
from simulator.diagnostics import printable
from simulator.errors import ExitCode, InputError
from simulator.pipeline.checked import load_checked
from simulator.plan.build import plan_build, plannable
from simulator.plan.diff import diff_plans
from simulator.plan.model import Plan
from simulator.plan.pipeline import plan_pipeline
from simulator.plan.render import FORMATS, render_diff, render_plan
from simulator.plan.revision import file_at
from simulator.reporting.masking import Masker

EXAMPLES = (
    "python -m simulator plan buildspecs/buildspec-dev.yml --parameters examples/parameters.yml",
    "python -m simulator plan --diff origin/main --format markdown buildspecs/*.yml stages/pipeline.yml",
)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="print what a buildspec or pipeline would run, or what an edit changes (--diff REV); no Docker needed",
        description="Print what would run, without a container: a buildspec's phases and commands in order, the "
        "environment the build starts with (secrets as ***), its reports, artifacts, image and options; a "
        "pipeline's stages, actions, artifact flow and gates. With --diff REV, only what changed since the git "
        "revision REV. Exit 0 (with --exit-code: 1 when something changed), 2 for bad input.",
        examples=EXAMPLES,
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="buildspecs and pipeline files")
    parser.add_argument("--diff", metavar="REV", help="compare with the files as they are at this git revision")
    parser.add_argument("--format", choices=FORMATS, default="text", help="text (default) or markdown")
    parser.add_argument(
        "--exit-code", action="store_true", help="with --diff: exit 1 when something changed (as git diff does)"
    )
    options.add_source(parser)
    options.add_variables(parser)
    options.add_image(parser)
    options.add_timeout(parser)
    options.add_privileged(parser)
    options.add_no_host_ca(parser)
    options.add_project(parser)
    add_template_options(parser)
    parser.set_defaults(handler=run)


@dataclass(frozen=True)
class _Context:
    """What the plan of every file shares: the flags, and the build they ask for, made from them once."""

    args: argparse.Namespace
    masker: Masker
    build: options.RequestedBuild[LocalValues]  # the local values file only: `plan` has no --aws


def run(args: argparse.Namespace, masker: Masker) -> int:
    context = _context(args, masker)
    outputs: list[str] = []
    changed = False
    for path in args.files:
        if args.diff is None:
            outputs.append(render_plan(_current(path, context), args.format))
            continue
        current = _current(path, context) if _exists(path) else None
        before, note = _at_revision(path, args.diff, context, exists_now=current is not None)
        changes = diff_plans(before, current)
        changed = changed or bool(changes)
        outputs.append(render_diff(printable(str(path)), args.diff, note, changes, args.format))
    sys.stdout.write(masker.mask("\n".join(outputs)))
    return int(ExitCode.BUILD_FAILED) if changed and args.exit_code else int(ExitCode.SUCCEEDED)


def _context(args: argparse.Namespace, masker: Masker) -> _Context:
    build = options.requested_build(args, masker, lambda state: local_values(args.parameters, state))
    return _Context(args, masker, build)


def _current(path: Path, context: _Context) -> Plan:
    from simulator.pipeline.loader import file_kind

    if not _exists(path):
        raise InputError(f"{printable(str(path))}: no such file.")
    if file_kind(path) == "other":
        return _build_plan(load_buildspec_reporting(path, context.masker), context)
    args = context.args
    checked = load_checked(path, dict(args.parameter), args.pipeline, context.masker)
    print_load_problems(checked.diagnostics, context.masker)
    if checked.failed or checked.pipeline is None:
        raise InputError(f"{printable(str(path))} is not a valid pipeline file: fix the errors above.")
    return plan_pipeline(checked.pipeline, str(path), context.build.value_source, context.masker)


def _at_revision(path: Path, revision: str, context: _Context, *, exists_now: bool) -> tuple[Plan | None, str | None]:
    """The plan of the file at `revision`, and a note when there is none to compare with."""
    from simulator.pipeline.errors import PipelineFileError
    from simulator.pipeline.loader import parse_pipeline, text_kind

    text = file_at(path, revision)
    if text is None:
        if not exists_now:
            raise InputError(f"{printable(str(path))} exists neither here nor at {printable(revision)}.")
        return None, f"new since {revision}"
    note = None if exists_now else f"deleted since {revision}"
    try:
        if text_kind(text) == "other":
            return _build_plan(parse_buildspec(text, path), context), note
        args = context.args
        pipeline = parse_pipeline(text, path, dict(args.parameter), args.pipeline)
        return plan_pipeline(pipeline, str(path), context.build.value_source, context.masker), note
    except (BuildspecError, PipelineFileError):
        # An edit that repairs a broken file: there is no plan to compare with, so all of it is new.
        return None, f"not valid at {revision}, so compared with nothing"


def _build_plan(loaded: LoadedBuildspec, context: _Context) -> Plan:
    """The plan for the build `run` would start with the same flags."""
    request = context.build.request(plannable(loaded))
    return plan_build(request, os.environ, context.masker, original=loaded.buildspec)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True  # the loader says why it cannot be read
