"""Entry point: dispatch to a subcommand inside the one error boundary."""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simulator import __version__
from simulator.diagnostics import printable
from simulator.errors import ExitCode, SimulatorError
from simulator.ownership import hand_over, invoking_user
from simulator.reporting.masking import Masker
from simulator.reporting.package_warnings import configure_diagnostics

# Every subcommand, in `--help` order, with its module and its one-line help. Only the command being run is
# imported: `run` and `image` bring in the docker package and the pipeline package costs a third of a `run`'s
# start-up, while `plan` and `validate` must start without either. The help is repeated here so that `--help` can
# name every command without importing it; a test checks that each module says the same.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("simulator.cli.commands.run", "run a buildspec in a CodeBuild-like container"),
    "validate": (
        "simulator.cli.commands.validate",
        "check buildspecs and pipeline files without running them (no Docker needed)",
    ),
    "plan": (
        "simulator.cli.commands.plan",
        "print what a buildspec or pipeline would run, or what an edit changes (--diff REV); no Docker needed",
    ),
    "pipeline": (
        "simulator.cli.commands.pipeline",
        "show and run a CodePipeline from its CloudFormation template or a native stages/*.yml file",
    ),
    "image": ("simulator.cli.commands.image", "manage the simulator's build image"),
    "prune": ("simulator.cli.commands.prune", "remove leftovers of crashed runs (never images)"),
    "completion": ("simulator.cli.commands.completion", "print a shell completion script (bash or zsh)"),
    "hook": (
        "simulator.cli.commands.hook",
        "install or remove the git pre-push hook that tests the commits being pushed",
    ),
    "config": (
        "simulator.cli.commands.config",
        "print the project's defaults for flags (.simulator.yml, SIMULATOR_* variables) and where each comes from",
    ),
}
PIPELINE_HELP = COMMANDS["pipeline"][1]


class _Parser(argparse.ArgumentParser):
    """argparse's own errors exit 2 as ours do, with one line instead of the whole usage; every command's `--help`
    ends with `examples:`, commands to copy, kept as written (argparse would rewrap an epilog)."""

    def __init__(self, *args: Any, examples: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.examples = tuple(examples)

    def format_help(self) -> str:
        text = super().format_help()
        if not self.examples:
            return text
        return text + "\nexamples:\n" + "".join(f"  {example}\n" for example in self.examples)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see --help).")


class UsageError(SimulatorError):
    exit_code = ExitCode.BAD_INPUT


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Every command's parser when `argv` is not known; otherwise only the named command's, the others being
    named in `--help` but never reached."""
    parser = _Parser(
        prog="simulator",
        description="Run AWS CodeBuild buildspecs locally, in Docker.",
        examples=(
            "python -m simulator run buildspecs/buildspec-dev.yml",
            "python -m simulator pipeline run examples/pipeline-template.yml",
            "python -m simulator validate",
        ),
    )
    parser.add_argument("--version", action="version", version=f"simulator {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    wanted = None if argv is None else (_command_word(argv) or "")
    for name, (module, help_text) in COMMANDS.items():
        if wanted is None or wanted == name:
            importlib.import_module(module).add_parser(subparsers)
        else:
            subparsers.add_parser(name, help=help_text)  # never reached: only the command named is built
    return parser


def import_command(argv: Sequence[str]) -> None:
    """Import the module of the command `argv` names, if any: the entry point does it while an interrupt is only
    noted, so that a Ctrl-C in the middle of importing (the docker SDK, pydantic's validators) cannot break an
    import half-way inside the command."""
    known = COMMANDS.get(_command_word(argv) or "")
    if known is None:
        return
    # A module that fails to import fails again inside the error boundary, which says so properly.
    with contextlib.suppress(Exception):
        importlib.import_module(known[0])


def _command_word(argv: Sequence[str]) -> str | None:
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    masker = Masker()  # the process's one masker: every build adds its secrets, every line on stderr is masked
    given = list(sys.argv[1:] if argv is None else argv)
    if _command_word(given) not in ("validate", "hook"):
        # validate logs nothing through structlog, and its import is a tenth of validate's start-up (the pre-push
        # hook's); a test keeps validate's process free of it, so a log line cannot slip out unconfigured. The
        # hook configures it only when it runs a pipeline in its own process (simulator/hook/push_builds.py).
        configure_diagnostics(masker)
    with error_boundary(masker) as outcome:
        args = parsed(given)
        outcome.code = int(args.handler(args, masker))
    return outcome.code


def parsed(given: Sequence[str]) -> argparse.Namespace:
    """The command line, the covered flags defaulting to the environment's and the project's settings."""
    from simulator.config.apply import apply_project_defaults

    parser = build_parser(given)
    apply_project_defaults(parser, _repository_root)
    return parser.parse_args(given)


def _repository_root() -> Path:
    """The repository whose settings apply; git is asked only when a command has a flag they cover."""
    from simulator.cli.current_repository import current_repository

    return current_repository()


class _Outcome:
    code: int = int(ExitCode.SUCCEEDED)


def crash_log_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The user's own state folder (XDG), never the current folder: `validate` in a repository writes nothing."""
    state_home = environ.get("XDG_STATE_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".local" / "state")
    return Path(state_home) / "simulator" / "crash.log"


@contextmanager
def error_boundary(masker: Masker) -> Iterator[_Outcome]:
    """Every failure leaves as one sentence on stderr and a documented exit code, never a traceback.

    The sentence is masked: an error can quote what Docker or the OS said about a build, secrets included.
    """
    outcome = _Outcome()
    try:
        yield outcome
    except SimulatorError as error:
        print(masker.mask(f"{error.prefix}{error}"), file=sys.stderr)
        outcome.code = int(error.exit_code)
    except BrokenPipeError:
        # The reader of our output went away (`| head`): nothing more to say to it.
        sys.stderr.close()
        outcome.code = int(ExitCode.BUILD_FAILED)
    except KeyboardInterrupt:
        print("Interrupted: the build was stopped; nothing it started is left running.", file=sys.stderr)
        outcome.code = int(ExitCode.STOPPED)
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            # Checks such as Path.is_file() raise this one instead of answering False, wherever a path is given.
            name = printable(str(error.filename)) if error.filename else "a path given"
            print(masker.mask(f"error: {name} has a name too long for the file system: shorten it."), file=sys.stderr)
            outcome.code = int(ExitCode.BAD_INPUT)
            return
        if error.errno != errno.ENOSPC:
            _report_crash(error, outcome, masker)
            return
        where = f" ({error.filename})" if error.filename else ""
        print(masker.mask(f"error: the disk is full{where}: free some space and run again."), file=sys.stderr)
        outcome.code = int(ExitCode.BAD_ENVIRONMENT)
    except Exception as error:  # the last resort: keep the traceback in a file, not on the screen
        _report_crash(error, outcome, masker)


def _report_crash(error: Exception, outcome: _Outcome, masker: Masker) -> None:
    crash_log = crash_log_path()
    try:
        crash_log.parent.mkdir(parents=True, exist_ok=True)
        crash_log.write_text(masker.mask(traceback.format_exc()))
        details = f"details in {crash_log}"
        hand_over(invoking_user(os.environ), [crash_log])
    except OSError as write_error:
        details = f"the details could not be saved either: {write_error.strerror or write_error}"
    print(masker.mask(f"error: unexpected {type(error).__name__}: {error} ({details})."), file=sys.stderr)
    outcome.code = int(ExitCode.BAD_ENVIRONMENT)
