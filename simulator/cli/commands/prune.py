"""`simulator prune`: remove containers, volumes and networks a crashed run left behind."""

from __future__ import annotations

import argparse
from typing import Any

from simulator.container.docker_session import connect, prune


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("prune", help="remove leftovers of crashed runs (never images)")
    parser.set_defaults(handler=run)


def run(_args: argparse.Namespace) -> int:
    removed = prune(connect())
    print(", ".join(f"{count} {kind}" for kind, count in removed.items()) + " removed")
    return 0
