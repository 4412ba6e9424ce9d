"""Making sure the image a build runs in is on the engine: present, pulled, or (the default image) built."""

from __future__ import annotations

import docker

from simulator.container.image import build
from simulator.container.image.names import DEFAULT_IMAGE
from simulator.container.image.presence import image_exists, try_pull
from simulator.container.image.progress import Progress
from simulator.errors import EnvironmentProblem


def ensure_image(client: docker.DockerClient, name: str, progress: Progress) -> None:
    """Make sure the (already resolved) image name exists locally, building DEFAULT_IMAGE if needed."""
    if image_exists(client, name):
        return
    if name == DEFAULT_IMAGE:
        progress(f"Image {DEFAULT_IMAGE} is missing; building it (a one-time step of a few minutes).")
        build.build_default_image(client, progress)
        return
    # A pull costs nothing when no registry answers, and saves the user a step when one does.
    if try_pull(client, name, progress):
        return
    raise EnvironmentProblem(
        f"Image {name} does not exist locally and no registry is reachable: build it (or docker load it), "
        f"or pass --image {DEFAULT_IMAGE} to use the simulator's default image."
    )
