"""Where a command's parameter-store and secrets-manager values come from: the local values file (`--parameters` for
`run`, `--values` for the pipeline commands), or AWS with `--aws` (`--aws-profile`, `--aws-region`): the flags.
simulator/codebuild/value_source_choice.py makes the source from what they say.

The same flags and the same choice for `run`, `pipeline run`, `approve` and `retry`; the AWS side is imported only
when `--aws` is given (simulator/codebuild/aws_values.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulator.codebuild.aws_values import AwsTarget
from simulator.config.apply import ORIGINS
from simulator.errors import InputError


def add_aws_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--aws",
        action="store_true",
        help="read parameter-store and secrets-manager values from AWS (SSM, Secrets Manager) through boto3 with "
        "your credentials, instead of the local values file; AWS_ENDPOINT_URL is honoured (LocalStack, moto)",
    )
    parser.add_argument("--aws-profile", metavar="NAME", help="with --aws: the AWS profile (default: boto3's chain)")
    parser.add_argument(
        "--aws-region", metavar="REGION", help="with --aws: the region (default: AWS_REGION, then the profile's)"
    )


def aws_target(args: argparse.Namespace) -> AwsTarget | None:
    """`--aws` and its profile and region, or None; a profile or region without `--aws` is a mistake, not a hint."""
    for flag, given in (("--aws-profile", args.aws_profile), ("--aws-region", args.aws_region)):
        if given is not None and not args.aws:
            raise InputError(f"{flag} goes with --aws (values read from AWS): add --aws, or leave {flag} out.")
    return AwsTarget(args.aws_profile, args.aws_region) if args.aws else None


def asked_values_file(args: argparse.Namespace, dest: str) -> Path | None:
    """The values file, except one that only the project's defaults name (simulator/config) when `--aws` is
    given: a default is no request, so `--aws` does not clash with it as it does with the flag."""
    given: Path | None = getattr(args, dest)
    return None if args.aws and default_origin(args, dest) is not None else given


def default_origin(args: argparse.Namespace, dest: str) -> str | None:
    """Where `dest`'s value came from when the project's defaults gave it (a flag given replaces the object)."""
    origin, default = (getattr(args, ORIGINS, None) or {}).get(dest, (None, None))
    return origin if origin is not None and getattr(args, dest) is default else None


def carried_source(
    args: argparse.Namespace, kept_aws: AwsTarget | None, kept_values: Path | None
) -> tuple[AwsTarget | None, Path | None]:
    """For `approve` and `retry`: what the command says, else what the execution's own run said."""
    given = aws_target(args)
    if given is not None or args.values_file is not None:
        return given, args.values_file
    return kept_aws, kept_values
