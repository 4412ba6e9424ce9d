"""The CodeBuild engine: one build, run phase by phase with CodeBuild's rules, through one entry point.

`run_build` is imported on first use, not with the package: the runner brings in the docker package, and what only
reads the engine's rules (`plan`, reading simulator.codebuild.environment) must start without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.codebuild.request import BuildOptions, BuildOutcome, BuildRequest

if TYPE_CHECKING:
    from simulator.codebuild.runner import run_build

__all__ = ["BuildOptions", "BuildOutcome", "BuildRequest", "run_build"]


def __getattr__(name: str) -> Any:
    if name == "run_build":
        from simulator.codebuild.runner import run_build

        return run_build
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
