"""Bootstrapping the Debian base refuses early, in one sentence, what it cannot do (fake engine)."""

from __future__ import annotations

import pytest

from simulator.container.image import bootstrap
from simulator.errors import EnvironmentProblem
from tests.container.image.engine_fakes import FakeClient


def test_bootstrap_needs_root(monkeypatch):
    monkeypatch.setattr(bootstrap.os, "geteuid", lambda: 1000)
    with pytest.raises(EnvironmentProblem, match=r"needs root: run `sudo python -m simulator image build`"):
        bootstrap.bootstrap_base_image(FakeClient(set()), lambda line: None)


def test_bootstrap_needs_debootstrap(monkeypatch):
    monkeypatch.setattr(bootstrap.os, "geteuid", lambda: 0)
    monkeypatch.setattr(bootstrap, "_find_debootstrap", lambda: None)
    with pytest.raises(EnvironmentProblem, match=r"debootstrap is not installed: run `apt-get install debootstrap`"):
        bootstrap.bootstrap_base_image(FakeClient(set()), lambda line: None)
