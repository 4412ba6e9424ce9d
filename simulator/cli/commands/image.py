"""`simulator image build`: build the default CodeBuild-like image."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from simulator.container.engine import connect
from simulator.container.image.build import build_default_image
from simulator.container.image.names import DEFAULT_IMAGE
from simulator.container.image.presence import image_exists
from simulator.reporting.masking import Masker


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "image", help="manage the simulator's build image", examples=("python -m simulator image build --if-missing",)
    )
    actions = parser.add_subparsers(dest="image_action", required=True, parser_class=type(parser))
    build = actions.add_parser(
        "build",
        help=f"build {DEFAULT_IMAGE} (bootstraps Debian if needed)",
        examples=("python -m simulator image build --if-missing",),
    )
    build.add_argument("--if-missing", action="store_true", help="do nothing when the image already exists")
    build.set_defaults(handler=run_build)


def run_build(args: argparse.Namespace, _masker: Masker) -> int:
    client = connect()
    if args.if_missing and image_exists(client, DEFAULT_IMAGE):
        print(f"{DEFAULT_IMAGE} is present.")
        return 0
    build_default_image(client, lambda line: print(line, file=sys.stderr, flush=True))
    print(f"Built {DEFAULT_IMAGE}.")
    return 0
