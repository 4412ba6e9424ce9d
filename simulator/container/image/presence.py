"""Whether an image is on the Docker engine, and getting it from a registry when one answers."""

from __future__ import annotations

import docker
import docker.errors
import requests.exceptions

from simulator.container.image.progress import Progress, one_line
from simulator.errors import EnvironmentProblem


def image_exists(client: docker.DockerClient, name: str) -> bool:
    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        return False
    except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
        raise EnvironmentProblem(
            f"The Docker engine did not answer while looking for image {name} ({one_line(exc)}): "
            "run scripts/ensure-docker and try again."
        ) from exc
    return True


def try_pull(client: docker.DockerClient, name: str, progress: Progress) -> bool:
    """True when a registry gave the image; a failure is reported to progress, not raised."""
    progress(f"Trying to pull {name}.")
    try:
        # The SDK splits "repo:tag" and "repo@digest" itself and defaults the tag to latest.
        client.images.pull(name)
    except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
        progress(f"Pull of {name} failed: {one_line(exc)}")
        return False
    return True
