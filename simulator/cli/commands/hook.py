"""`simulator hook install|uninstall|run`: the git pre-push hook that tests the commits being pushed.

`install` writes the hook (see simulator/hook/install.py), `uninstall` removes only what it wrote, and `run` is
what the hook calls: git's lines on standard input, or pre-commit's variables with `--from-pre-commit`.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from simulator.cli.current_repository import current_repository
from simulator.errors import ExitCode
from simulator.reporting.masking import Masker

HELP = "install or remove the git pre-push hook that tests the commits being pushed"
EXAMPLES = (
    "python -m simulator hook install                 # validate what each push touches (well under a second)",
    "python -m simulator hook install --run dev       # ... then run the dev build of the pushed commit",
    "python -m simulator hook install --run pipeline  # ... or the pipeline, up to its first gate",
    "python -m simulator hook uninstall",
)


def add_parser(subparsers: Any) -> None:
    from simulator.hook.install import MODES

    parser = subparsers.add_parser(
        "hook",
        help=HELP,
        description="Install or remove a git pre-push hook that tests the commits being pushed (never the "
        "working tree), in a throwaway checkout of each pushed tip. `git push --no-verify` or SIMULATOR_SKIP_HOOK=1 "
        "skips it once.",
        examples=EXAMPLES,
    )
    commands = parser.add_subparsers(dest="hook_command", required=True, parser_class=type(parser))
    install = commands.add_parser(
        "install",
        help="write the pre-push hook (core.hooksPath honoured)",
        description="Write a pre-push hook into the repository around the current folder (core.hooksPath "
        "honoured). A hook the simulator did not write is left alone unless --force.",
        examples=("python -m simulator hook install --run dev --file buildspecs/buildspec-dev.yml",),
    )
    _add_mode(install, MODES)
    install.add_argument(
        "--force",
        action="store_true",
        help="replace a pre-push hook the simulator did not write (kept as pre-push.before-simulator)",
    )
    install.set_defaults(handler=run_install)
    uninstall = commands.add_parser(
        "uninstall",
        help="remove the pre-push hook the simulator wrote (and put back the one it replaced)",
        description="Remove the pre-push hook the simulator wrote; any other hook is left as it is.",
        examples=("python -m simulator hook uninstall",),
    )
    uninstall.set_defaults(handler=run_uninstall)
    run = commands.add_parser(
        "run",
        help="what the hook runs: test the pushed commits git names on standard input",
        description="Test the commits being pushed, as git's pre-push hook (the refs on standard input) or as "
        "a pre-commit pre-push hook (--from-pre-commit). Exit 0 lets the push go, 1 refuses it.",
        examples=(
            'echo "refs/heads/main $(git rev-parse HEAD) refs/heads/main $(git rev-parse origin/main)" | '
            "python -m simulator hook run origin   # what git push does with the hook installed",
        ),
    )
    _add_mode(run, MODES)
    run.add_argument(
        "--from-pre-commit",
        action="store_true",
        help="read the refs from pre-commit's PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF instead of standard input",
    )
    run.add_argument("remote", nargs="?", default="origin", help="the remote's name, as git gives it to the hook")
    run.add_argument("url", nargs="?", help="the remote's URL, as git gives it (unused)")
    run.set_defaults(handler=run_hook)


def _add_mode(parser: argparse.ArgumentParser, modes: tuple[str, ...]) -> None:
    parser.add_argument(
        "--run",
        choices=modes,
        default="validate",
        help="validate: check the build files the push touches; dev: then run the dev build; pipeline: then run "
        "the pipeline up to its first gate (a gate reached is a pass). Default validate",
    )
    parser.add_argument(
        "--file",
        metavar="PATH",
        help="with --run dev, the buildspec (default: buildspec-dev.yml, else buildspec.yml); with --run "
        "pipeline, the pipeline file (default: stages/pipeline.yml, else the only one); from the repository's root",
    )


def run_install(args: argparse.Namespace, _masker: Masker) -> int:
    from simulator.hook.install import install

    installed = install(current_repository(), args.run, args.file, force=args.force)
    if installed.replaced is not None:
        print(f"Kept the pre-push hook that was there as {installed.replaced} (`hook uninstall` puts it back).")
    verb = "Updated" if installed.updated else "Installed"
    print(f"{verb} the pre-push hook {installed.path} (--run {args.run}): every git push now tests what it pushes.")
    return int(ExitCode.SUCCEEDED)


def run_uninstall(_args: argparse.Namespace, _masker: Masker) -> int:
    from simulator.hook.install import uninstall

    removed = uninstall(current_repository())
    if removed is None:
        print("No pre-push hook is installed here: nothing to remove.")
    elif removed[1] is not None:
        print(f"Removed the simulator's pre-push hook; the hook it replaced is back at {removed[0]}.")
    else:
        print(f"Removed the simulator's pre-push hook {removed[0]}.")
    return int(ExitCode.SUCCEEDED)


def run_hook(args: argparse.Namespace, masker: Masker) -> int:
    from simulator.hook.checks import Push, check_push
    from simulator.hook.pushed import from_pre_commit, parse_push_lines
    from simulator.hook.report import Report, since_start

    report = Report(masker)
    if os.environ.get("SIMULATOR_SKIP_HOOK") == "1":
        report.heading("skipped (SIMULATOR_SKIP_HOOK=1).")
        return int(ExitCode.SUCCEEDED)
    repository = current_repository()
    if args.from_pre_commit:
        refs = from_pre_commit(repository, os.environ)
        remote = os.environ.get("PRE_COMMIT_REMOTE_NAME") or args.remote
    else:
        refs = parse_push_lines(sys.stdin.read())
        remote = args.remote
    check_push(Push(repository, remote, refs, args.run, args.file), report, masker)
    report.end(since_start())
    return int(ExitCode.BUILD_FAILED if report.failed else ExitCode.SUCCEEDED)
