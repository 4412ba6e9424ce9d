"""The options that say what a build is asked (StartBuild's fields), shared by `run` and `plan`.

Docker-free: `plan` reads the same flags as `run` and must start without the docker package.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from simulator.buildspec import LoadedBuildspec
from simulator.cli.current_repository import current_repository, current_state
from simulator.codebuild.environment import check_not_reserved, parse_assignment, parse_env_file
from simulator.codebuild.parameters import ValueSource
from simulator.codebuild.request import BuildRequest, check_source_identifier
from simulator.config.flag_values import MAX_TIMEOUT_MINUTES, image_mapping, image_name, minutes
from simulator.container.image.names import DEFAULT_IMAGE
from simulator.errors import InputError
from simulator.ownership import user_name
from simulator.reporting.masking import Masker, credential_values
from simulator.state import StateFolder, check_project_name, project_name_from_folder


def add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="DIR|ID=DIR",
        help="the primary source folder (default: the git top-level of the current folder); ID=DIR, repeatable, "
        "adds a secondary source at $CODEBUILD_SRC_DIR_<ID> (ID: letters, digits and underscores)",
    )


def add_variables(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="override a variable")
    parser.add_argument("--env-file", type=Path, help="file of NAME=VALUE lines overriding variables")
    parser.add_argument(
        "--parameters",
        type=Path,
        help="local values for parameter-store and secrets-manager "
        "(default: .simulator/parameters.yml at the top of the repository, if present)",
    )


def add_image(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--image", type=image_name, default=DEFAULT_IMAGE, help="build image (default: %(default)s)")
    parser.add_argument(
        "--map-image",
        action="append",
        default=[],
        type=image_mapping,
        metavar="NAME=IMAGE",
        help="run IMAGE where a curated name such as aws/codebuild/standard:7.0 is asked for",
    )


def add_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        type=minutes,
        default=60.0,
        metavar="MINUTES",
        help=f"build timeout, more than 0 and at most {MAX_TIMEOUT_MINUTES:g} (default 60)",
    )


def add_privileged(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--privileged", action="store_true", help="privileged mode (recorded in the build)")


def add_no_host_ca(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-host-ca",
        action="store_true",
        help="do not make the host's CA bundle and proxy settings available in the build",
    )


def add_project(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", help="project name used in CODEBUILD_BUILD_ID (default: the source folder's)")


def sources(given: list[str]) -> tuple[Path, dict[str, Path]]:
    """`DIR` is the primary source, `ID=DIR` a secondary one (a path with `=` in it: write it as `./a=b`)."""
    primary: Path | None = None
    secondary: dict[str, Path] = {}
    for item in given:
        identifier, equals, folder = item.partition("=")
        if not (folder if equals and "/" not in identifier else item):
            # An empty path would be the current folder: a typo must not build whatever folder one stands in.
            raise InputError(f"--source {item!r} names no folder: pass DIR or ID=DIR with a folder.")
        if equals and "/" not in identifier:
            check_source_identifier(identifier)
            if identifier in secondary:
                raise InputError(f"--source {identifier}= is given twice: give each secondary source once.")
            secondary[identifier] = _existing_folder(Path(folder), f"--source {identifier}=")
        elif primary is not None:
            raise InputError("--source DIR is given twice: give one primary source, and ID=DIR for the others.")
        else:
            primary = _existing_folder(Path(item), "--source")
    if primary is None:
        primary = current_repository()
    return primary, secondary


def _existing_folder(path: Path, flag: str) -> Path:
    if not path.is_dir():
        raise InputError(f"The source folder {path} does not exist: pass an existing folder to {flag}.")
    return path.resolve()


def overrides(args: argparse.Namespace) -> dict[str, str]:
    """--env-file, then --env (the later wins), as StartBuild's environment variable overrides."""
    given = parse_env_file(args.env_file) if args.env_file else {}
    given.update(parse_assignment(item, "--env") for item in args.env)
    check_not_reserved(given, "--env/--env-file")
    return given


V = TypeVar("V", bound=ValueSource)


@dataclass(frozen=True)
class RequestedBuild(Generic[V]):
    """What the flags `run` and `plan` share ask for: the build request for any buildspec (`plan` plans several
    files with one set of flags), and the state folder it was read against."""

    args: argparse.Namespace
    masker: Masker
    state: StateFolder
    source: Path
    secondary_sources: dict[str, Path]
    project: str
    initiator: str
    overrides: dict[str, str]
    value_source: V

    def request(self, loaded: LoadedBuildspec) -> BuildRequest:
        """The request for this buildspec; `run` adds its own options (--mount, --artifacts...) to it."""
        args = self.args
        # AWS credentials are masked whatever variable carries them (CB §1.4): the runner masks
        # them when the build starts, but `plan` shows the buildspec's variables without starting one.
        self.masker.add(credential_values(loaded.buildspec.env.variables))
        return BuildRequest(
            buildspec=loaded,
            source=self.source,
            project=self.project,
            initiator=self.initiator,
            secondary_sources=self.secondary_sources,
            environment_overrides=self.overrides,
            value_source=self.value_source,
            image=args.image,
            image_map=dict(args.map_image),
            privileged=args.privileged,
            timeout_minutes=args.timeout,
            inject_host_ca=not args.no_host_ca,
        )


def requested_build(
    args: argparse.Namespace,
    masker: Masker,
    values: Callable[[StateFolder], V],
    own_checks: Callable[[], None] = lambda: None,
) -> RequestedBuild[V]:
    """The build the shared flags ask for; `values` gives the command's value source (`run` has --aws, `plan` reads
    the local values file only), and `own_checks` checks the command's own flags, after the sources and before the
    project's name, so that of two wrong flags the same one is reported first as always.

    The credentials among the overrides (--env, --env-file) are masked here, as soon as they are read: before
    anything is printed, and for `plan` too, which shows the overrides' values and never starts a build.
    """
    primary, secondary = sources(args.source)
    state = current_state()
    own_checks()
    project = args.project if args.project is not None else project_name_from_folder(primary)
    check_project_name(project)
    given = overrides(args)
    masker.add(credential_values(given))
    initiator = os.environ.get("SIMULATOR_INITIATOR") or user_name()
    return RequestedBuild(args, masker, state, primary, secondary, project, initiator, given, values(state))
