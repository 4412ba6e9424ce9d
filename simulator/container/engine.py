"""The connection to the Docker engine, and how its errors are told in one line."""

from __future__ import annotations

import docker
import docker.errors

from simulator.errors import EnvironmentProblem


def connect() -> docker.DockerClient:
    """A client for the engine DOCKER_HOST names (or the default socket), checked to answer."""
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except docker.errors.DockerException as error:
        raise EnvironmentProblem(
            "No Docker engine answers (" + first_line(error) + "): start one, e.g. run "
            "`sudo scripts/ensure-docker` or `sudo systemctl start docker`, then try again."
        ) from error
    return client


def first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
