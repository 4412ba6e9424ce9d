"""Image names: the simulator's own images, and which local image runs a buildspec's image name (no Docker here)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

DEFAULT_IMAGE = "simulator/codebuild-standard:7.0-local"
BASE_IMAGE = "simulator/debian-base:bookworm"
SLIM_IMAGE = "debian:bookworm-slim"

# CodeBuild's curated Linux image identifiers. A buildspec project names one of these; locally they all
# run in DEFAULT_IMAGE unless the user maps them elsewhere. The public.ecr.aws/codebuild/... names are
# deliberately absent: those are real images a user may have pulled and wants to use as they are.
CURATED_ALIASES: frozenset[str] = frozenset(
    {
        "aws/codebuild/standard:4.0",
        "aws/codebuild/standard:5.0",
        "aws/codebuild/standard:6.0",
        "aws/codebuild/standard:7.0",
        "aws/codebuild/standard:8.0",
        "aws/codebuild/amazonlinux2-x86_64-standard:3.0",
        "aws/codebuild/amazonlinux2-x86_64-standard:4.0",
        "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
        "aws/codebuild/amazonlinux2-x86_64-standard:corretto8",
        "aws/codebuild/amazonlinux2-x86_64-standard:corretto11",
        "aws/codebuild/amazonlinux-x86_64-standard:4.0",
        "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        "aws/codebuild/amazonlinux-x86_64-standard:corretto8",
        "aws/codebuild/amazonlinux-x86_64-standard:corretto11",
        "aws/codebuild/amazonlinux2-aarch64-standard:2.0",
        "aws/codebuild/amazonlinux2-aarch64-standard:3.0",
        "aws/codebuild/amazonlinux-aarch64-standard:2.0",
        "aws/codebuild/amazonlinux-aarch64-standard:3.0",
    }
)

_NO_MAP: Mapping[str, str] = MappingProxyType({})


def resolve_image_name(name: str, image_map: Mapping[str, str] = _NO_MAP) -> str:
    """The local image to run for a buildspec's image name.

    A user mapping wins over everything, then curated CodeBuild names become DEFAULT_IMAGE, and any
    other name is used as given.
    """
    if name in image_map:
        return image_map[name]
    if name in CURATED_ALIASES:
        return DEFAULT_IMAGE
    return name
