"""Bootstrapping BASE_IMAGE with debootstrap from the host's Debian mirror, when no registry answers (needs root)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import docker
import docker.errors
import requests.exceptions

from simulator.container.image.debian_mirror import BOOTSTRAP_SUITE, DebianMirror, base_sources_file, read_debian_mirror
from simulator.container.image.names import BASE_IMAGE, SLIM_IMAGE
from simulator.container.image.presence import image_exists
from simulator.container.image.progress import REBUILD_HINT, Progress, one_line
from simulator.container.image.streaming import run_streaming
from simulator.errors import EnvironmentProblem

DEBOOTSTRAP_CANDIDATES = ("/usr/sbin/debootstrap", "/sbin/debootstrap", "/usr/bin/debootstrap")
DEBIAN_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
_BASE_ENV_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def bootstrap_base_image(client: docker.DockerClient, progress: Progress, *, apt_dir: Path = Path("/etc/apt")) -> None:
    """Create BASE_IMAGE with debootstrap --variant=minbase and import it into Docker."""
    debootstrap = _find_debootstrap()
    if os.geteuid() != 0:
        raise EnvironmentProblem(
            f"The base image {BASE_IMAGE} is missing, no registry is reachable, and bootstrapping it with "
            f"debootstrap needs root: run `sudo {REBUILD_HINT}` once (or `docker load` a {SLIM_IMAGE} "
            "image)."
        )
    if debootstrap is None:
        raise EnvironmentProblem(
            f"The base image {BASE_IMAGE} is missing, no registry is reachable, and debootstrap is not "
            "installed: run `apt-get install debootstrap` (or scripts/ensure-docker as root) and try again."
        )
    mirror = read_debian_mirror(apt_dir)
    progress(f"Debian mirror: {mirror.uri} (suite {BOOTSTRAP_SUITE}).")
    started = time.monotonic()
    # /var/tmp rather than /tmp: /tmp is often a small tmpfs mounted nodev, and the tree is ~300 MB.
    workdir = Path(tempfile.mkdtemp(prefix="simulator-rootfs-", dir="/var/tmp"))
    try:
        rootfs = workdir / "rootfs"
        command = [debootstrap, "--variant=minbase", "--components=main"]
        if DEBIAN_KEYRING.is_file():
            command.append(f"--keyring={DEBIAN_KEYRING}")
        if mirror.uri.startswith("https://"):
            # Without ca-certificates the base's own apt could not read an https mirror.
            command.append("--include=ca-certificates")
        command += [BOOTSTRAP_SUITE, str(rootfs), mirror.uri]
        run_streaming(command, progress, what="debootstrap")
        _unmount_below(rootfs)
        _tidy_rootfs(rootfs, mirror)
        tarball = workdir / "rootfs.tar"
        progress("Packing the root file system for docker import.")
        run_streaming(
            [
                "tar", "--numeric-owner", "--xattrs", "-C", str(rootfs),
                "--exclude=./proc/*", "--exclude=./sys/*", "--exclude=./dev/*",
                "-cf", str(tarball), ".",
            ],
            progress,
            what="tar",
        )  # fmt: skip
        progress(f"Importing {BASE_IMAGE} into Docker.")
        _import_rootfs(client, tarball)
    finally:
        _remove_workdir(workdir, progress)
    progress(f"Base image {BASE_IMAGE} bootstrapped in {time.monotonic() - started:.0f} s.")


def _find_debootstrap() -> str | None:
    found = shutil.which("debootstrap")
    if found:
        return found
    # Non-root PATHs usually lack /usr/sbin, where Debian installs it.
    return next((path for path in DEBOOTSTRAP_CANDIDATES if os.access(path, os.X_OK)), None)


def _tidy_rootfs(rootfs: Path, mirror: DebianMirror) -> None:
    # debootstrap leaves a one-line sources.list for the bootstrap suite only; the base gets the
    # updates and security suites too, in the deb822 form Debian's own images use.
    (rootfs / "etc/apt/sources.list").unlink(missing_ok=True)
    sources_dir = rootfs / "etc/apt/sources.list.d"
    sources_dir.mkdir(parents=True, exist_ok=True)
    (sources_dir / "debian.sources").write_text(base_sources_file(mirror))
    for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
        directory = rootfs / leftover
        if directory.is_dir():
            for entry in directory.iterdir():
                if entry.is_file():
                    entry.unlink()


def _import_rootfs(client: docker.DockerClient, tarball: Path) -> None:
    repository, _, tag = BASE_IMAGE.rpartition(":")
    changes = [
        f"ENV PATH={_BASE_ENV_PATH}",
        'CMD ["bash"]',
        "LABEL simulator.image=debian-base",
    ]
    try:
        output = client.api.import_image_from_file(str(tarball), repository=repository, tag=tag, changes=changes)
    except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
        raise EnvironmentProblem(
            f"docker import of the bootstrapped base image failed ({one_line(exc)}): check the Docker "
            f"engine (scripts/ensure-docker) and run `{REBUILD_HINT}` again."
        ) from exc
    error = _stream_error(output if isinstance(output, str) else str(output))
    if error or not image_exists(client, BASE_IMAGE):
        raise EnvironmentProblem(
            f"docker import of the bootstrapped base image failed ({error or 'no image was created'}): "
            f"check the Docker engine (scripts/ensure-docker) and run `{REBUILD_HINT}` again."
        )


def _stream_error(output: str) -> str:
    for line in output.splitlines():
        with contextlib.suppress(ValueError):
            item = json.loads(line)
            if isinstance(item, dict) and item.get("error"):
                return one_line(item["error"])
    return ""


def _mounts_below(directory: Path) -> list[Path]:
    """Mount points at or under directory, deepest first."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    prefix = str(directory)
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) < 5:
            continue
        # mountinfo escapes blanks and backslashes in paths as octal sequences such as \040.
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        if point == prefix or point.startswith(prefix + "/"):
            found.append(Path(point))
    return sorted(found, key=lambda p: len(p.parts), reverse=True)


def _unmount_below(directory: Path) -> None:
    # An interrupted debootstrap can leave /proc or /sys mounted inside the tree; deleting through a
    # live mount would try to remove the host's files.
    for point in _mounts_below(directory):
        subprocess.run(["umount", "--lazy", str(point)], check=False, capture_output=True)


def _remove_workdir(workdir: Path, progress: Progress) -> None:
    _unmount_below(workdir)
    if _mounts_below(workdir):
        progress(f"Left {workdir} in place because something is still mounted below it; remove it by hand.")
        return
    try:
        shutil.rmtree(workdir)
    except OSError as exc:
        progress(f"Could not remove {workdir} ({one_line(exc)}); remove it by hand.")
