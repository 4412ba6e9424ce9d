"""The Docker build of DEFAULT_IMAGE from imagefiles/, on top of BASE_IMAGE, with the host's extra CAs."""

from __future__ import annotations

import collections
import re
import shutil
import tempfile
import time
from pathlib import Path

import docker
import docker.errors
import requests.exceptions

from simulator.container.image.base import ensure_base_image
from simulator.container.image.description import LOCAL_IMAGE
from simulator.container.image.names import BASE_IMAGE, DEFAULT_IMAGE
from simulator.container.image.presence import image_exists
from simulator.container.image.progress import REBUILD_HINT, Progress, one_line
from simulator.errors import EnvironmentProblem

IMAGEFILES_DIR = Path(__file__).resolve().parent / "imagefiles"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

_ERROR_TAIL_LINES = 15
# The classic builder wraps a step's stderr in colour codes; they are noise in a progress line.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_FAILED_STEP = re.compile(r"^The command .* returned a non-zero code: (\d+)$", re.DOTALL)


def build_default_image(
    client: docker.DockerClient,
    progress: Progress,
    *,
    ca_bundle: Path | None = HOST_CA_BUNDLE,
) -> None:
    """Build DEFAULT_IMAGE from imagefiles/, first providing BASE_IMAGE when it is missing.

    ca_bundle is the host's CA bundle; certificates in it that Debian does not ship (a TLS-intercepting
    proxy's CA) become trusted inside the image. None builds without host certificates.
    """
    ensure_base_image(client, progress)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="simulator-build-context-") as context:
        context_dir = Path(context)
        fill_build_context(context_dir, ca_bundle, progress)
        docker_build(client, context_dir, progress)
    if not image_exists(client, DEFAULT_IMAGE):
        raise EnvironmentProblem(
            f"The build of {DEFAULT_IMAGE} reported success but the image is missing: run `{REBUILD_HINT}` again."
        )
    progress(f"Image {DEFAULT_IMAGE} built in {time.monotonic() - started:.0f} s.")


def fill_build_context(context: Path, ca_bundle: Path | None, progress: Progress) -> None:
    for item in IMAGEFILES_DIR.iterdir():
        if item.is_file() and item.name != "host-ca.crt":
            shutil.copy2(item, context / item.name)
    host_ca = context / "host-ca.crt"
    if ca_bundle is None:
        host_ca.write_text("")
        return
    try:
        shutil.copyfile(ca_bundle, host_ca)
    except OSError as exc:
        # The Dockerfile always copies host-ca.crt; an empty one just means "no extra CAs".
        progress(f"No host CA bundle added ({one_line(exc)}); the image trusts Debian's CAs only.")
        host_ca.write_text("")


def docker_build(client: docker.DockerClient, context: Path, progress: Progress) -> None:
    """Run the classic-builder build of the context, streaming its output lines to progress."""
    tail: collections.deque[str] = collections.deque(maxlen=_ERROR_TAIL_LINES)
    pending = ""

    def emit(text: str) -> None:
        nonlocal pending
        pending += text
        *complete, pending = pending.split("\n")
        for raw in complete:
            line = _ANSI_ESCAPE.sub("", raw)
            if raw and not line:
                # Only colour codes: the builder closing a stderr span, not a line of output.
                continue
            tail.append(line)
            progress(line)

    try:
        # timeout=None: a single build step (the package install) can stay silent for minutes.
        stream = client.api.build(
            path=str(context),
            tag=DEFAULT_IMAGE,
            buildargs={"BASE_IMAGE": BASE_IMAGE},
            labels=LOCAL_IMAGE.labels(),
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
            timeout=None,
        )
        error = ""
        for item in stream:
            if not isinstance(item, dict):
                continue
            if "stream" in item:
                emit(str(item["stream"]))
            elif item.get("status"):
                emit(f"{item['status']} {item.get('progress', '')}".rstrip() + "\n")
            if item.get("error"):
                error = _build_error(str(item["error"]))
                break
    except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
        error = one_line(exc)
    if pending:
        emit("\n")
    if error:
        raise EnvironmentProblem(
            f"Building {DEFAULT_IMAGE} failed ({error}); fix the problem shown in the last build lines and "
            f"run `{REBUILD_HINT}` again:\n" + "\n".join(tail)
        )


def _build_error(message: str) -> str:
    # The classic builder repeats the whole RUN command in its error; the output tail already shows it.
    failed = _FAILED_STEP.match(message.strip())
    if failed:
        return f"a RUN step exited with code {failed.group(1)}"
    return one_line(message)
