"""The local image's Docker-free description: what validate knows of it (the Docker tier checks it is true)."""

from __future__ import annotations

import pytest

from simulator.container.image.description import LOCAL_IMAGE, describe_image
from simulator.container.image.names import DEFAULT_IMAGE


@pytest.mark.parametrize(
    ("shell", "present"),
    [
        ("bash", True),
        ("sh", True),
        ("/bin/sh", True),
        ("/usr/bin/bash", True),
        ("/bin//bash", True),
        ("zsh", False),
        ("/usr/local/bin/bash", False),
        ("/bin/zsh", False),
    ],
)
def test_a_shell_is_found_as_the_images_path_would_find_it(shell, present):
    assert LOCAL_IMAGE.has_shell(shell) is present


def test_curated_names_resolve_to_the_local_image_as_run_does():
    assert describe_image("aws/codebuild/standard:7.0") is LOCAL_IMAGE
    assert describe_image(DEFAULT_IMAGE) is LOCAL_IMAGE
    assert describe_image("my/own:1") is None  # only Docker knows what it holds: its checks are skipped
    assert describe_image("aws/codebuild/standard:7.0", {"aws/codebuild/standard:7.0": "my/own:1"}) is None


def test_the_runtimes_label_is_what_run_reads():
    assert LOCAL_IMAGE.labels() == {"simulator.runtimes": '{"java":["corretto17"],"python":["3.11"],"nodejs":["18"]}'}
