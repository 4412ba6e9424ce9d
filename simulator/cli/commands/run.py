"""`simulator run BUILDSPEC`: run a buildspec in a CodeBuild-like container."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from simulator.codebuild.environment import check_not_reserved, parse_assignment, parse_env_file
from simulator.codebuild.phases import Status
from simulator.codebuild.result import BuildResult
from simulator.codebuild.runner import RunRequest, run_build
from simulator.buildspec import BuildspecError, load_buildspec
from simulator.container import image_builder, staging
from simulator.errors import ExitCode, InputError

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
    )
    parser.add_argument("buildspec", type=Path, help="the buildspec file (e.g. buildspecs/buildspec-dev.yml)")
    parser.add_argument("--source", type=Path, help="source folder (default: the git top-level of the current folder)")
    parser.add_argument(
        "--mount",
        action="store_true",
        help="bind-mount the source folder instead of copying it: faster, but the build writes into your "
        "working tree (files it creates there belong to root)",
    )
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="override a variable")
    parser.add_argument("--env-file", type=Path, help="file of NAME=VALUE lines overriding variables")
    parser.add_argument(
        "--parameters",
        type=Path,
        help="local values for parameter-store and secrets-manager "
        "(default: .simulator/parameters.yml in the source folder, if present)",
    )
    parser.add_argument("--image", default=image_builder.DEFAULT_IMAGE, help="build image (default: %(default)s)")
    parser.add_argument(
        "--map-image",
        action="append",
        default=[],
        metavar="NAME=IMAGE",
        help="run IMAGE where a curated name such as aws/codebuild/standard:7.0 is asked for",
    )
    parser.add_argument("--timeout", type=_minutes, default=60.0, metavar="MINUTES", help="build timeout (default 60)")
    parser.add_argument(
        "--no-host-ca",
        action="store_true",
        help="do not make the host's CA bundle and proxy settings available in the build",
    )
    parser.add_argument(
        "--artifacts",
        type=Path,
        help="folder for the primary artifacts (default: .simulator/builds/<build-id>/artifacts)",
    )
    parser.add_argument("--project", help="project name used in CODEBUILD_BUILD_ID (default: the source folder's)")
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="text: CodeBuild's log format; json: one JSON object per event",
    )
    parser.add_argument("--summary-json", type=Path, help="write the build as BatchGetBuilds returns it")
    parser.set_defaults(handler=run)


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of minutes") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("the timeout must be a finite number of minutes, more than 0")
    return value


def run(args: argparse.Namespace) -> int:
    request = _request(args)
    outcome = run_build(request, sys.stdout, _progress)
    if args.log_format == "text":
        print(phase_table(outcome.result))
        print(f"Build log: {outcome.build_dir / 'build.log'}")
    return int(EXIT_CODES[outcome.result.status])


def _request(args: argparse.Namespace) -> RunRequest:
    if not args.buildspec.is_file():
        raise InputError(f"The buildspec {args.buildspec} does not exist: pass the path of a buildspec file.")
    source_dir = _source_dir(args.source)
    _check_writable_file(args.summary_json, "--summary-json")
    try:
        loaded = load_buildspec(args.buildspec)
    except BuildspecError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        raise
    for warning in loaded.warnings:
        print(warning.format(), file=sys.stderr)
    return RunRequest(
        loaded=loaded,
        source_dir=source_dir,
        mount_source=args.mount,
        overrides=_overrides(args),
        parameters_file=args.parameters,
        image=args.image,
        image_map=dict(parse_assignment(item, "--map-image") for item in args.map_image),
        timeout_minutes=args.timeout,
        inject_host_ca=not args.no_host_ca,
        artifacts_dir=args.artifacts,
        project=args.project,
        log_format=args.log_format,
        summary_json=args.summary_json,
    )


def _source_dir(given: Path | None) -> Path:
    if given is None:
        return staging.default_source_dir(Path.cwd()).resolve()
    if not given.is_dir():
        raise InputError(f"The source folder {given} does not exist: pass an existing folder to --source.")
    return given.resolve()


def _check_writable_file(path: Path | None, flag: str) -> None:
    """Found before the build runs, not after: a summary that cannot be written would be lost."""
    if path is None:
        return
    if path.is_dir():
        raise InputError(f"{flag} {path} is a folder: pass the path of a file to write.")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise InputError(f"{flag} {path} is below {parent}, which is a file: pass a path in a folder.")


def _overrides(args: argparse.Namespace) -> dict[str, str]:
    overrides = parse_env_file(args.env_file) if args.env_file else {}
    overrides.update(parse_assignment(item, "--env") for item in args.env)
    check_not_reserved(overrides, "--env/--env-file")
    return overrides


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def phase_table(result: BuildResult) -> str:
    rows = [f"{'PHASE':<18}{'STATUS':<12}DURATION"]
    for phase in result.phases:
        if phase.status is None:
            continue
        rows.append(f"{phase.phase_type.value:<18}{phase.status.value:<12}{phase.ended - phase.started:.2f}s")
    total = (result.ended or result.started) - result.started
    rows.append(f"Build {result.build_id} {result.status.value} in {total:.2f}s")
    return "\n".join(rows)
