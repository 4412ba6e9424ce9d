"""Image names: curated CodeBuild names, user mappings, and names used as given (no Docker)."""

from __future__ import annotations

import pytest

from simulator.container.image.names import BASE_IMAGE, CURATED_ALIASES, DEFAULT_IMAGE, resolve_image_name


@pytest.mark.parametrize(
    "curated",
    [
        "aws/codebuild/standard:7.0",
        "aws/codebuild/standard:6.0",
        "aws/codebuild/standard:8.0",
        "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
    ],
)
def test_curated_names_resolve_to_the_local_image(curated):
    assert curated in CURATED_ALIASES
    assert resolve_image_name(curated) == "simulator/codebuild-standard:7.0-local"


def test_default_image_constants():
    assert DEFAULT_IMAGE == "simulator/codebuild-standard:7.0-local"
    assert BASE_IMAGE == "simulator/debian-base:bookworm"


def test_curated_aliases_are_only_aws_codebuild_identifiers():
    assert all(name.startswith("aws/codebuild/") for name in CURATED_ALIASES)


def test_user_mapping_wins_over_the_curated_alias():
    mapping = {"aws/codebuild/standard:7.0": "my/codebuild:7"}
    assert resolve_image_name("aws/codebuild/standard:7.0", mapping) == "my/codebuild:7"
    # Names the mapping does not mention keep the default behaviour.
    assert resolve_image_name("aws/codebuild/standard:6.0", mapping) == DEFAULT_IMAGE


def test_user_mapping_applies_to_any_name():
    assert resolve_image_name("python:3.12", {"python:3.12": "local/python:3.12"}) == "local/python:3.12"


@pytest.mark.parametrize(
    "name",
    [
        "public.ecr.aws/codebuild/amazonlinux2-x86_64-standard:5.0",
        "ubuntu:22.04",
        "simulator/codebuild-standard:7.0-local",
        "aws/codebuild/windows-base:2019-1.0",
    ],
)
def test_other_names_are_used_as_given(name):
    assert resolve_image_name(name) == name
    assert resolve_image_name(name, {}) == name
