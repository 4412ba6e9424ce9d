"""`run --shell-on-failure`, `--keep`, `--phase`: stepping into a build instead of re-running it with `echo`s.

The engine hands the build's container over once the build is recorded (run_build's `on_container`); from here
on it is the command line's business what happens with it: a shell on the user's terminal, or kept for later.
The container's removal stays registered in the engine the whole time, so a shell that is killed, or a simulator
that is interrupted while the shell is open, still leaves no container behind (unless `--keep` asked for one).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from typing import Any

from simulator.codebuild.phases import STOPPABLE_PHASES, PhaseType, Status
from simulator.codebuild.request import ContainerHandler, FinishedContainer
from simulator.codebuild.result import BuildResult
from simulator.container.interactive import docker_command, enter_command, open_shell, remove_command
from simulator.errors import EnvironmentProblem, InputError
from simulator.reporting.masking import Masker

# A shell is worth opening where a command went wrong or the time ran out; a stopped build was stopped on purpose.
SHELL_STATUSES = frozenset({Status.FAILED, Status.TIMED_OUT})


def add_flags(parser: Any) -> None:
    parser.add_argument(
        "--shell-on-failure",
        action="store_true",
        help="when the build fails, open a shell in its container, with the failing command's variables and "
        "working directory; the container is removed when the shell exits (needs a terminal)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the build's container after the build, and print how to enter and remove it "
        "(`simulator prune` also removes it)",
    )
    parser.add_argument(
        "--phase",
        type=phase_name,
        metavar="PHASE",
        help="end the build after this phase (INSTALL, PRE_BUILD, BUILD or POST_BUILD), routed as CodeBuild "
        "routes it; UPLOAD_ARTIFACTS is skipped",
    )


def phase_name(text: str) -> PhaseType:
    wanted = text.strip().upper().replace("-", "_")
    for phase in STOPPABLE_PHASES:
        if phase.value == wanted:
            return phase
    names = ", ".join(p.value for p in STOPPABLE_PHASES[:-1]) + f" or {STOPPABLE_PHASES[-1].value}"
    raise argparse.ArgumentTypeError(f"{text!r} is not a buildspec phase: pass {names}")


def check_flags(args: argparse.Namespace) -> None:
    """Before anything runs: a refusal after a ten-minute build would waste it."""
    if args.shell_on_failure and args.watch:
        raise InputError(
            "--watch and --shell-on-failure do not go together (a change would have to stop a shell someone is "
            "typing in): use --shell-on-failure without --watch."
        )
    if args.watch and args.mount:
        # A mounted source is written by the build itself: every build would change what it watches.
        raise InputError("--watch and --mount do not go together (the build writes into the watched folder): drop one.")
    if args.keep and args.watch:
        raise InputError("--watch and --keep do not go together (every change would leave a container): drop one.")
    if args.shell_on_failure and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError(
            "--shell-on-failure needs a terminal, and standard input or output is not one: run it from a "
            "terminal, or use --keep and enter the container afterwards."
        )
    if args.shell_on_failure and docker_command() is None:
        raise EnvironmentProblem(
            "--shell-on-failure opens the shell with the docker command, which is not on PATH: install Docker's "
            "command-line client."
        )


def container_handler(
    args: argparse.Namespace, masker: Masker, report: Callable[[BuildResult], None]
) -> ContainerHandler | None:
    """What becomes of the build's container, or None for the usual (it goes with the build)."""
    if not (args.shell_on_failure or args.keep):
        return None

    def handle(result: BuildResult, container: FinishedContainer) -> bool:
        # The outcome first: if the shell is killed, or the terminal closed, nothing of the build is lost.
        report(result)
        if args.shell_on_failure and result.status in SHELL_STATUSES:
            _shell(result, container, masker, keeping=args.keep)
        if args.keep:
            _say_kept(container, masker)
        return bool(args.keep)

    return handle


def no_container_note(args: argparse.Namespace, result: BuildResult, handled: bool) -> None:
    """A build that failed before it had a container (its source, a parameter) has nowhere to open a shell."""
    if args.shell_on_failure and not handled and result.status in SHELL_STATUSES:
        _err("No shell opened: the build failed before its container started (see the log above).")
    elif args.keep and not handled:
        _err("No container kept: the build ended before its container started, or its container died.")


def _shell(result: BuildResult, container: FinishedContainer, masker: Masker, *, keeping: bool) -> None:
    failed = container.failed_command
    user = failed.user if failed else None
    if failed is not None and failed.state_saved:
        where = f"with the variables and working directory that `{failed.command}` ({failed.phase.value}) left"
    elif failed is not None:
        where = f"in CODEBUILD_SRC_DIR, where `{failed.command}` ({failed.phase.value}) started (version 0.1)"
    else:
        where = "in the state the build's last command left"
    ending = "the container stays (--keep)" if keeping else "the container is removed"
    _err(masker.mask(f"Build {result.status.value}: opening a shell in its container {where}; exit it and {ending}."))
    ended_by = open_shell(enter_command(container.name, container.shell, user))
    if ended_by is not None:
        _err(f"The shell was ended by {ended_by}.")
    if not keeping:
        _err(f"Removing the build container {container.name}.")


def _say_kept(container: FinishedContainer, masker: Masker) -> None:
    user = container.failed_command.user if container.failed_command else None
    _err(
        masker.mask(f"Kept the build container {container.name} (`simulator prune` removes it once this run ends):"),
        "  enter:  " + shlex.join(enter_command(container.name, container.shell, user)),
        "  remove: " + shlex.join(remove_command(container.name)),
    )


def _err(*lines: str) -> None:
    for line in lines:
        print(line, file=sys.stderr, flush=True)
