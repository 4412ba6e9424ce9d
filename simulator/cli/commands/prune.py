"""`simulator prune`: remove containers, volumes and networks a crashed run left behind."""

from __future__ import annotations

import argparse
from typing import Any

from simulator.container.engine import connect
from simulator.container.removal import prune
from simulator.reporting.masking import Masker


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "prune", help="remove leftovers of crashed runs (never images)", examples=("python -m simulator prune",)
    )
    parser.add_argument("--all", action="store_true", help="also remove the containers of builds still running")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, _masker: Masker) -> int:
    removed = prune(connect(), everything=args.all)
    print(", ".join(f"{count} {kind}" for kind, count in removed.items()) + " removed")
    return 0
