"""Run AWS CodeBuild buildspecs locally, in CodeBuild-like Docker containers."""

__version__ = "0.1.0"
