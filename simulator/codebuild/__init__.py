"""The CodeBuild engine: one build, run phase by phase with CodeBuild's rules, through one entry point."""

from simulator.codebuild.request import BuildOutcome, BuildRequest
from simulator.codebuild.runner import run_build

__all__ = ["BuildOutcome", "BuildRequest", "run_build"]
