"""The CodeBuild engine: one build, run phase by phase with CodeBuild's rules, through one entry point.

The entry point loads on first use, so Docker-free readers of the package's rules (`validate` reading
`runtimes`) do not pay for the Docker SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.codebuild.request import BuildOutcome, BuildRequest
    from simulator.codebuild.runner import run_build

__all__ = ["BuildOutcome", "BuildRequest", "run_build"]


def __getattr__(name: str) -> Any:
    if name in ("BuildOutcome", "BuildRequest"):
        from simulator.codebuild import request

        return getattr(request, name)
    if name == "run_build":
        from simulator.codebuild.runner import run_build

        return run_build
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
