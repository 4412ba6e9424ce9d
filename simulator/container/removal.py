"""Removing the simulator's Docker objects: one build's container, or everything crashed runs left behind."""

from __future__ import annotations

import docker
import docker.errors
import requests
import structlog
from docker.models.containers import Container

from simulator.container.engine import first_line
from simulator.container.labels import MANAGED_LABEL, is_leftover

log = structlog.get_logger("simulator.container")


def remove_container(container: Container) -> None:
    """Kill and remove; a cleanup error is logged and never replaces the build's own outcome."""
    try:
        container.remove(force=True, v=True)
    except docker.errors.NotFound:
        pass
    except (docker.errors.DockerException, requests.exceptions.RequestException) as error:
        log.warning("container_cleanup_failed", container=container.name, error=first_line(error))


def prune(client: docker.DockerClient, *, everything: bool = False) -> dict[str, int]:
    """Remove the containers, volumes and networks that crashed runs left behind.

    Objects of builds still running on this host are kept, unless `everything` is asked for.
    """
    selector: dict[str, str | list[str] | bool] = {"label": f"{MANAGED_LABEL}=true"}
    removed = {"containers": 0, "volumes": 0, "networks": 0}
    for container in client.containers.list(all=True, filters=selector):
        if everything or is_leftover(container.labels):
            remove_container(container)
            removed["containers"] += 1
    for volume in client.volumes.list(filters=selector):
        if everything or is_leftover(volume.attrs.get("Labels") or {}):
            volume.remove(force=True)
            removed["volumes"] += 1
    for network in client.networks.list(filters=selector):
        if everything or is_leftover(network.attrs.get("Labels") or {}):
            network.remove()
            removed["networks"] += 1
    return removed
