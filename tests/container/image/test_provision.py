"""Providing a build's image: present, pulled when a registry answers, the default one built (fake engine)."""

from __future__ import annotations

import pytest
import requests.exceptions

from simulator.container.image import build
from simulator.container.image.names import DEFAULT_IMAGE
from simulator.container.image.presence import image_exists
from simulator.container.image.provision import ensure_image
from simulator.errors import EnvironmentProblem
from tests.container.image.engine_fakes import FakeClient


def test_ensure_image_does_nothing_when_the_image_exists(monkeypatch):
    monkeypatch.setattr(build, "build_default_image", _must_not_build)
    client = FakeClient({DEFAULT_IMAGE})
    ensure_image(client, DEFAULT_IMAGE, _must_not_print)
    assert client.images.pulled == []


def test_ensure_image_builds_the_missing_default_image(monkeypatch):
    built = []
    monkeypatch.setattr(build, "build_default_image", lambda client, progress: built.append(client))
    client = FakeClient(set())
    ensure_image(client, DEFAULT_IMAGE, lambda line: None)
    assert built == [client]
    assert client.images.pulled == []


def test_ensure_image_refuses_other_missing_images(monkeypatch):
    monkeypatch.setattr(build, "build_default_image", _must_not_build)
    client = FakeClient(set())
    with pytest.raises(EnvironmentProblem) as caught:
        ensure_image(client, "my/image:1", lambda line: None)
    assert str(caught.value) == (
        "Image my/image:1 does not exist locally and no registry is reachable: build it (or docker load it), "
        "or pass --image simulator/codebuild-standard:7.0-local to use the simulator's default image."
    )
    assert client.images.pulled == ["my/image:1"]


def test_ensure_image_uses_a_registry_when_one_answers(monkeypatch):
    monkeypatch.setattr(build, "build_default_image", _must_not_build)
    client = FakeClient(set(), pullable={"my/image:1"})
    ensure_image(client, "my/image:1", lambda line: None)
    assert "my/image:1" in client.images.present


def test_an_unreachable_engine_is_an_environment_problem():
    class Broken:
        class images:
            @staticmethod
            def get(name):
                raise requests.exceptions.ConnectionError("connection refused")

    with pytest.raises(EnvironmentProblem, match=r"scripts/ensure-docker"):
        image_exists(Broken(), DEFAULT_IMAGE)


def _must_not_build(client, progress):
    raise AssertionError("the default image must not be built here")


def _must_not_print(line):
    raise AssertionError(f"unexpected progress line: {line}")
