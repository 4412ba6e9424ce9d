"""The default image's Debian base: tagged from debian:bookworm-slim when there is one, else bootstrapped."""

from __future__ import annotations

import docker

from simulator.container.image.bootstrap import bootstrap_base_image
from simulator.container.image.names import BASE_IMAGE, SLIM_IMAGE
from simulator.container.image.presence import image_exists, try_pull
from simulator.container.image.progress import Progress


def ensure_base_image(client: docker.DockerClient, progress: Progress) -> None:
    """Provide BASE_IMAGE: from a local or pullable debian:bookworm-slim, else by debootstrap."""
    if image_exists(client, BASE_IMAGE):
        return
    if image_exists(client, SLIM_IMAGE) or try_pull(client, SLIM_IMAGE, progress):
        repository, _, tag = BASE_IMAGE.rpartition(":")
        client.images.get(SLIM_IMAGE).tag(repository, tag)
        progress(f"Base image {BASE_IMAGE} tagged from {SLIM_IMAGE}.")
        return
    progress(f"No registry answered; bootstrapping {BASE_IMAGE} from Debian's package mirror.")
    bootstrap_base_image(client, progress)
