"""Every Docker-tier test must leave no container, volume or network of the simulator's behind."""

from __future__ import annotations

import pytest

from tests.conftest import docker_problem, leftover_containers


@pytest.fixture(autouse=True)
def no_leftovers():
    before = set(leftover_containers()) if docker_problem() is None else set()
    yield
    if docker_problem() is None:
        assert set(leftover_containers()) - before == set()
