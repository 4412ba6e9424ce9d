"""`simulator run BUILDSPEC`: run a buildspec in a CodeBuild-like container."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

from simulator.buildspec import LoadedBuildspec
from simulator.cancellation import CancelToken
from simulator.cancellation.signals import signals_cancel
from simulator.cli import build_options as options
from simulator.cli import debug_flags, watch
from simulator.cli.load_problems import load_buildspec_reporting
from simulator.cli.value_sources import add_aws_options, asked_values_file, aws_target
from simulator.codebuild import BuildOptions, BuildRequest, run_build
from simulator.codebuild.phases import Status
from simulator.codebuild.request import DEFAULT_GIT_CLONE_DEPTH
from simulator.codebuild.result import BuildResult
from simulator.codebuild.value_source_choice import value_source
from simulator.container.engine import connect
from simulator.container.image.names import resolve_image_name
from simulator.container.image.provision import ensure_image
from simulator.errors import EnvironmentProblem, ExitCode, InputError
from simulator.ownership import hand_over, invoking_user, missing_folders
from simulator.reporting.masking import Masker, mask_build_record
from simulator.reporting.render import Destination, json_line, text_line
from simulator.state import StateFolder, write_atomic

EXIT_CODES = {
    Status.SUCCEEDED: ExitCode.SUCCEEDED,
    Status.FAILED: ExitCode.BUILD_FAILED,
    Status.FAULT: ExitCode.BUILD_FAILED,
    Status.TIMED_OUT: ExitCode.BUILD_FAILED,
    Status.STOPPED: ExitCode.STOPPED,
}


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a buildspec in a CodeBuild-like container",
        description="Run a buildspec phase by phase in a CodeBuild-like Docker container, with CodeBuild's rules.",
        examples=(
            "python -m simulator run buildspecs/buildspec-dev.yml --parameters examples/parameters.yml",
            "python -m simulator run buildspecs/buildspec-dev.yml --phase BUILD --shell-on-failure",
        ),
    )
    parser.add_argument("buildspec", type=Path, help="the buildspec file (e.g. buildspecs/buildspec-dev.yml)")
    options.add_source(parser)
    parser.add_argument(
        "--mount",
        action="store_true",
        help="bind-mount the source folder instead of copying it: faster, but the build writes into your "
        "working tree (files it creates there belong to root)",
    )
    options.add_variables(parser)
    add_aws_options(parser)
    options.add_image(parser)
    options.add_timeout(parser)
    parser.add_argument(
        "--git-clone-depth",
        type=_depth,
        default=DEFAULT_GIT_CLONE_DEPTH,
        metavar="N",
        help="commits of history in the build's .git (default 1, as CodeBuild; 0 for the whole history)",
    )
    options.add_privileged(parser)
    options.add_no_host_ca(parser)
    parser.add_argument(
        "--artifacts",
        type=Path,
        help="folder for the primary artifacts (default: .simulator/builds/<build-id>/artifacts)",
    )
    options.add_project(parser)
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="text: CodeBuild's log format; json: one JSON object per event",
    )
    parser.add_argument("--summary-json", type=Path, help="write the build as BatchGetBuilds returns it")
    debug_flags.add_flags(parser)
    watch.add_flag(parser)
    parser.set_defaults(handler=run)


def _depth(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of commits (0 for the whole history)")
    return int(text)


def run(args: argparse.Namespace, masker: Masker) -> int:
    debug_flags.check_flags(args)
    if args.watch:
        return watch.watch_builds(lambda cancel: _build(args, masker, cancel), lambda: _watched(args), masker)
    return _build(args, masker, CancelToken())


def _build(args: argparse.Namespace, masker: Masker, cancel: CancelToken) -> int:
    request, state = _request(args, masker)
    client = connect()
    ensure_image(client, resolve_image_name(request.image, request.image_map), _progress)
    console: Destination = (json_line if args.log_format == "json" else text_line, sys.stdout)
    problems: list[str] = []
    reported: list[BuildResult] = []

    def report(result: BuildResult) -> None:
        """Once per build: after it, or before its container is handed over (a shell may never return)."""
        reported.append(result)
        if args.summary_json is not None:
            problems.extend(_copy_summary(result, args.summary_json, masker))
        if args.log_format == "text":
            _say(phase_table(result), f"Build log: {state.build_dir(result.build_id) / 'build.log'}")

    handler = debug_flags.container_handler(args, masker, report)
    with signals_cancel(cancel):
        outcome = run_build(
            request,
            client=client,
            state=state,
            events=[console],
            masker=masker,
            cancel=cancel,
            options=BuildOptions(on_container=handler),
        )
    if not reported:
        report(outcome.result)
        debug_flags.no_container_note(args, outcome.result, handled=False)
    problems = [*outcome.host_problems, *problems]
    if problems:
        raise EnvironmentProblem(problems[0])
    return int(EXIT_CODES[outcome.result.status])


def _watched(args: argparse.Namespace) -> watch.Watched:
    primary, secondary = options.sources(args.source)
    files = [path.resolve() for path in (args.buildspec, args.env_file, args.parameters) if path is not None]
    return watch.Watched(folders=[primary, *secondary.values()], files=files)


def _say(*lines: str) -> None:
    """The console's reader may have left (`| head`): the build still ends with its own exit code and record."""
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        # What is still buffered goes nowhere, instead of failing again when Python flushes it at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _copy_summary(result: BuildResult, path: Path, masker: Masker) -> list[str]:
    """--summary-json: the same record as the build folder's summary.json (the user's, also under sudo)."""
    created = missing_folders(path.absolute().parent)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(mask_build_record(result.to_json(), masker), indent=2) + "\n")
    except EnvironmentProblem as problem:
        return [str(problem)]
    except OSError as error:
        return [f"Cannot write --summary-json {path} ({error.strerror or error})."]
    finally:
        written = Path(os.path.realpath(path))  # a link's target; `/dev/stdout` and FIFOs stay whose they are
        hand_over(invoking_user(os.environ), [*created, *([written] if written.is_file() else [])])
    return []


def _request(args: argparse.Namespace, masker: Masker) -> tuple[BuildRequest, StateFolder]:
    loaded = _load(args.buildspec, masker)

    def check_outputs() -> None:
        _check_writable_file(args.summary_json, "--summary-json")
        _check_folder(args.artifacts, "--artifacts")

    requested = options.requested_build(
        args,
        masker,
        lambda state: value_source(
            aws_target(args), asked_values_file(args, "parameters"), state, masker, values_flag="--parameters"
        ),
        check_outputs,
    )
    request = dataclasses.replace(
        requested.request(loaded),
        git_clone_depth=args.git_clone_depth,
        mount_source=args.mount,
        artifacts_dir=args.artifacts,
        stop_after=args.phase,
    )
    return request, requested.state


def _load(path: Path, masker: Masker) -> LoadedBuildspec:
    if not path.is_file():
        raise InputError(f"The buildspec {path} does not exist: pass the path of a buildspec file.")
    return load_buildspec_reporting(path, masker)


def _check_writable_file(path: Path | None, flag: str) -> None:
    """Found before the build runs, not after: a summary that cannot be written would be lost."""
    if path is None:
        return
    if path.is_dir():
        raise InputError(f"{flag} {path} is a folder: pass the path of a file to write.")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise InputError(f"{flag} {path} is below {parent}, which is a file: pass a path in a folder.")


def _check_folder(path: Path | None, flag: str) -> None:
    if path is None:
        return
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise InputError(f"{flag} {path} is, or is below, the file {existing}: pass a folder.")


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def phase_table(result: BuildResult) -> str:
    rows = [f"{'PHASE':<18}{'STATUS':<12}DURATION"]
    for phase in result.phases:
        if phase.status is None or phase.ended is None:
            continue
        rows.append(f"{phase.phase_type.value:<18}{phase.status.value:<12}{phase.ended - phase.started:.2f}s")
    total = (result.ended or result.started) - result.started
    stopped = f" (stopped after {result.stopped_after.value}, as --phase asked)" if result.stopped_after else ""
    rows.append(f"Build {result.build_id} {result.status.value} in {total:.2f}s{stopped}")
    return "\n".join(rows)
