"""`simulator image build`: build the default CodeBuild-like image."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from simulator.container import image_builder
from simulator.container.docker_session import connect
from simulator.reporting.masking import Masker


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("image", help="manage the simulator's build image")
    actions = parser.add_subparsers(dest="image_action", required=True)
    build = actions.add_parser("build", help=f"build {image_builder.DEFAULT_IMAGE} (bootstraps Debian if needed)")
    build.add_argument("--if-missing", action="store_true", help="do nothing when the image already exists")
    build.set_defaults(handler=run_build)


def run_build(args: argparse.Namespace, _masker: Masker) -> int:
    client = connect()
    if args.if_missing and image_builder.image_exists(client, image_builder.DEFAULT_IMAGE):
        print(f"{image_builder.DEFAULT_IMAGE} is present.")
        return 0
    image_builder.build_default_image(client, lambda line: print(line, file=sys.stderr, flush=True))
    print(f"Built {image_builder.DEFAULT_IMAGE}.")
    return 0
