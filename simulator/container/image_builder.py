"""Build the simulator's default image locally, without any container registry.

The default image (DEFAULT_IMAGE) is built from imagefiles/Dockerfile on top of a Debian bookworm
base. The base comes from debian:bookworm-slim when that is present or can be pulled; otherwise it is
bootstrapped with debootstrap from the host's Debian mirror, which needs root.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import docker
import docker.errors
import requests.exceptions

from simulator.errors import EnvironmentProblem

DEFAULT_IMAGE = "simulator/codebuild-standard:7.0-local"
BASE_IMAGE = "simulator/debian-base:bookworm"

# CodeBuild's curated Linux image identifiers. A buildspec project names one of these; locally they all
# run in DEFAULT_IMAGE unless the user maps them elsewhere. The public.ecr.aws/codebuild/... names are
# deliberately absent: those are real images a user may have pulled and wants to use as they are.
CURATED_ALIASES: frozenset[str] = frozenset(
    {
        "aws/codebuild/standard:4.0",
        "aws/codebuild/standard:5.0",
        "aws/codebuild/standard:6.0",
        "aws/codebuild/standard:7.0",
        "aws/codebuild/standard:8.0",
        "aws/codebuild/amazonlinux2-x86_64-standard:3.0",
        "aws/codebuild/amazonlinux2-x86_64-standard:4.0",
        "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
        "aws/codebuild/amazonlinux2-x86_64-standard:corretto8",
        "aws/codebuild/amazonlinux2-x86_64-standard:corretto11",
        "aws/codebuild/amazonlinux-x86_64-standard:4.0",
        "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        "aws/codebuild/amazonlinux-x86_64-standard:corretto8",
        "aws/codebuild/amazonlinux-x86_64-standard:corretto11",
        "aws/codebuild/amazonlinux2-aarch64-standard:2.0",
        "aws/codebuild/amazonlinux2-aarch64-standard:3.0",
        "aws/codebuild/amazonlinux-aarch64-standard:2.0",
        "aws/codebuild/amazonlinux-aarch64-standard:3.0",
    }
)

IMAGEFILES_DIR = Path(__file__).resolve().parent / "imagefiles"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

# The image's runtimes (Python 3.11, Node.js 18, Java 17) are bookworm's, so the base is bookworm
# whatever Debian release the host runs; only the host's mirror is reused.
BOOTSTRAP_SUITE = "bookworm"
SLIM_IMAGE = "debian:bookworm-slim"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_SECURITY_MIRROR = "http://deb.debian.org/debian-security"
DEBOOTSTRAP_CANDIDATES = ("/usr/sbin/debootstrap", "/sbin/debootstrap", "/usr/bin/debootstrap")
DEBIAN_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")

# Debian codenames and aliases a host may name; a suite outside this set (an Ubuntu release, a vendor's
# "nodistro") marks a source that is not a Debian archive.
_DEBIAN_SUITES = frozenset(
    {
        "buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid",
        "oldoldstable", "oldstable", "stable", "testing", "unstable",
    }
)  # fmt: skip
_BASE_ENV_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_ERROR_TAIL_LINES = 15
_NO_MAP: Mapping[str, str] = MappingProxyType({})
# The classic builder wraps a step's stderr in colour codes; they are noise in a progress line.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_FAILED_STEP = re.compile(r"^The command .* returned a non-zero code: (\d+)$", re.DOTALL)
_REBUILD_HINT = "python -m simulator image build"

Progress = Callable[[str], None]


def resolve_image_name(name: str, image_map: Mapping[str, str] = _NO_MAP) -> str:
    """The local image to run for a buildspec's image name.

    A user mapping wins over everything, then curated CodeBuild names become DEFAULT_IMAGE, and any
    other name is used as given.
    """
    if name in image_map:
        return image_map[name]
    if name in CURATED_ALIASES:
        return DEFAULT_IMAGE
    return name


def image_exists(client: docker.DockerClient, name: str) -> bool:
    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        return False
    except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
        raise EnvironmentProblem(
            f"The Docker engine did not answer while looking for image {name} ({_one_line(exc)}): "
            "run scripts/ensure-docker and try again."
        ) from exc
    return True


def ensure_image(client: docker.DockerClient, name: str, progress: Progress) -> None:
    """Make sure the (already resolved) image name exists locally, building DEFAULT_IMAGE if needed."""
    if image_exists(client, name):
        return
    if name == DEFAULT_IMAGE:
        progress(f"Image {DEFAULT_IMAGE} is missing; building it (a one-time step of a few minutes).")
        build_default_image(client, progress)
        return
    # A pull costs nothing when no registry answers, and saves the user a step when one does.
    if _try_pull(client, name, progress):
        return
    raise EnvironmentProblem(
        f"Image {name} does not exist locally and no registry is reachable: build it (or docker load it), "
        f"or pass --image {DEFAULT_IMAGE} to use the simulator's default image."
    )


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
        _fill_build_context(context_dir, ca_bundle, progress)
        _docker_build(client, context_dir, progress)
    if not image_exists(client, DEFAULT_IMAGE):
        raise EnvironmentProblem(
            f"The build of {DEFAULT_IMAGE} reported success but the image is missing: run `{_REBUILD_HINT}` again."
        )
    progress(f"Image {DEFAULT_IMAGE} built in {time.monotonic() - started:.0f} s.")


def ensure_base_image(client: docker.DockerClient, progress: Progress) -> None:
    """Provide BASE_IMAGE: from a local or pullable debian:bookworm-slim, else by debootstrap."""
    if image_exists(client, BASE_IMAGE):
        return
    if image_exists(client, SLIM_IMAGE) or _try_pull(client, SLIM_IMAGE, progress):
        repository, _, tag = BASE_IMAGE.rpartition(":")
        client.images.get(SLIM_IMAGE).tag(repository, tag)
        progress(f"Base image {BASE_IMAGE} tagged from {SLIM_IMAGE}.")
        return
    progress(f"No registry answered; bootstrapping {BASE_IMAGE} from Debian's package mirror.")
    bootstrap_base_image(client, progress)


# --- the host's Debian mirror -------------------------------------------------------------------


@dataclass(frozen=True)
class AptSource:
    """One `deb` source: an archive URI with the suites and components read from it."""

    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]


@dataclass(frozen=True)
class DebianMirror:
    """Where debootstrap and the image's apt read Debian from."""

    uri: str
    # The Debian suite the host uses from that mirror ("bookworm"), or "" when the host has no Debian
    # source and the public default mirror is used.
    suite: str
    security_uri: str | None


def parse_one_line_sources(text: str) -> list[AptSource]:
    """The `deb` entries of a sources.list in the classic one-line format."""
    sources = []
    for raw in text.splitlines():
        tokens = raw.split("#", 1)[0].split()
        if not tokens or tokens[0] != "deb":
            continue
        rest = tokens[1:]
        if rest and rest[0].startswith("["):
            # Options such as [arch=amd64 signed-by=...] may span several tokens.
            while rest and not rest[0].endswith("]"):
                rest = rest[1:]
            rest = rest[1:]
        if len(rest) < 2:
            continue
        sources.append(AptSource(rest[0].rstrip("/"), (rest[1],), tuple(rest[2:])))
    return sources


def parse_deb822_sources(text: str) -> list[AptSource]:
    """The enabled `deb` entries of a deb822 .sources file."""
    sources: list[AptSource] = []
    for stanza in _deb822_stanzas(text):
        if stanza.get("enabled", "yes").strip().lower() == "no":
            continue
        if "deb" not in stanza.get("types", "").split():
            continue
        suites = tuple(stanza.get("suites", "").split())
        components = tuple(stanza.get("components", "").split())
        sources.extend(AptSource(uri.rstrip("/"), suites, components) for uri in stanza.get("uris", "").split())
    return sources


def _deb822_stanzas(text: str) -> Iterator[dict[str, str]]:
    fields: dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if fields:
                yield fields
            fields, current = {}, ""
            continue
        if line[0] in " \t":
            # A continuation line (e.g. an inline Signed-By key) belongs to the previous field.
            if current:
                fields[current] += "\n" + line.strip()
            continue
        key, sep, value = line.partition(":")
        if sep:
            current = key.strip().lower()
            fields[current] = value.strip()
    if fields:
        yield fields


def read_apt_sources(apt_dir: Path = Path("/etc/apt")) -> list[AptSource]:
    """Every `deb` source apt on this host uses, in apt's reading order."""
    sources: list[AptSource] = []
    main_list = apt_dir / "sources.list"
    if main_list.is_file():
        sources.extend(parse_one_line_sources(_read_text(main_list)))
    parts = apt_dir / "sources.list.d"
    if parts.is_dir():
        # apt itself reads only these two suffixes; files like *.list.disabled or *.save are ignored.
        for path in sorted(parts.iterdir()):
            if path.suffix == ".list" and path.is_file():
                sources.extend(parse_one_line_sources(_read_text(path)))
            elif path.suffix == ".sources" and path.is_file():
                sources.extend(parse_deb822_sources(_read_text(path)))
    return sources


def read_debian_mirror(apt_dir: Path = Path("/etc/apt")) -> DebianMirror:
    """The host's Debian mirror (preferring one it uses for bookworm), or the public default."""
    return choose_debian_mirror(read_apt_sources(apt_dir))


def choose_debian_mirror(sources: Iterable[AptSource]) -> DebianMirror:
    archives: list[tuple[str, str]] = []
    security: list[tuple[str, str]] = []
    for source in sources:
        if not source.uri.startswith(("http://", "https://")):
            continue
        for suite in source.suites:
            codename = re.split(r"[-/]", suite, maxsplit=1)[0]
            if codename not in _DEBIAN_SUITES:
                continue
            is_security = suite.endswith(("-security", "/updates")) or "debian-security" in source.uri
            (security if is_security else archives).append((source.uri, suite))
    if not archives:
        return DebianMirror(DEFAULT_MIRROR, "", DEFAULT_SECURITY_MIRROR)
    uri, suite = _prefer_suite(archives, BOOTSTRAP_SUITE)
    security_uri = _prefer_suite(security, f"{BOOTSTRAP_SUITE}-security")[0] if security else None
    if security_uri is None and uri == DEFAULT_MIRROR:
        security_uri = DEFAULT_SECURITY_MIRROR
    return DebianMirror(uri, suite, security_uri)


def _prefer_suite(entries: list[tuple[str, str]], wanted: str) -> tuple[str, str]:
    for uri, suite in entries:
        if suite == wanted:
            return uri, suite
    for uri, suite in entries:
        if "-" not in suite and "/" not in suite:
            return uri, suite
    return entries[0]


def base_sources_file(mirror: DebianMirror) -> str:
    """The deb822 apt sources the bootstrapped base image gets (bookworm, its updates and security)."""
    text = f"Types: deb\nURIs: {mirror.uri}\nSuites: {BOOTSTRAP_SUITE} {BOOTSTRAP_SUITE}-updates\nComponents: main\n"
    if mirror.security_uri:
        text += f"\nTypes: deb\nURIs: {mirror.security_uri}\nSuites: {BOOTSTRAP_SUITE}-security\nComponents: main\n"
    return text


# --- bootstrapping the base image -------------------------------------------------------------


def bootstrap_base_image(client: docker.DockerClient, progress: Progress, *, apt_dir: Path = Path("/etc/apt")) -> None:
    """Create BASE_IMAGE with debootstrap --variant=minbase and import it into Docker."""
    debootstrap = _find_debootstrap()
    if os.geteuid() != 0:
        raise EnvironmentProblem(
            f"The base image {BASE_IMAGE} is missing, no registry is reachable, and bootstrapping it with "
            f"debootstrap needs root: run `sudo {_REBUILD_HINT}` once (or `docker load` a {SLIM_IMAGE} "
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
        _run_streaming(command, progress, what="debootstrap")
        _unmount_below(rootfs)
        _tidy_rootfs(rootfs, mirror)
        tarball = workdir / "rootfs.tar"
        progress("Packing the root file system for docker import.")
        _run_streaming(
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
            f"docker import of the bootstrapped base image failed ({_one_line(exc)}): check the Docker "
            f"engine (scripts/ensure-docker) and run `{_REBUILD_HINT}` again."
        ) from exc
    error = _stream_error(output if isinstance(output, str) else str(output))
    if error or not image_exists(client, BASE_IMAGE):
        raise EnvironmentProblem(
            f"docker import of the bootstrapped base image failed ({error or 'no image was created'}): "
            f"check the Docker engine (scripts/ensure-docker) and run `{_REBUILD_HINT}` again."
        )


def _stream_error(output: str) -> str:
    for line in output.splitlines():
        with contextlib.suppress(ValueError):
            item = json.loads(line)
            if isinstance(item, dict) and item.get("error"):
                return _one_line(item["error"])
    return ""


def _run_streaming(command: list[str], progress: Progress, *, what: str) -> None:
    """Run command, passing each output line to progress; on failure raise with the last lines."""
    tail: collections.deque[str] = collections.deque(maxlen=_ERROR_TAIL_LINES)
    # A session of its own so that on Ctrl-C the whole tree (debootstrap runs dpkg in a chroot) is
    # stopped here, before the work directory is removed, instead of racing the cleanup.
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.rstrip("\n")
            tail.append(line)
            progress(line)
        returncode = process.wait()
    except BaseException:
        _stop_process_group(process)
        raise
    if returncode != 0:
        raise EnvironmentProblem(
            f"{what} failed with exit code {returncode}; fix the problem shown in its last lines and run "
            f"`{_REBUILD_HINT}` again:\n" + "\n".join(tail)
        )


def _stop_process_group(process: subprocess.Popen[str]) -> None:
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


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
        progress(f"Could not remove {workdir} ({_one_line(exc)}); remove it by hand.")


# --- building the image ------------------------------------------------------------------------


def _fill_build_context(context: Path, ca_bundle: Path | None, progress: Progress) -> None:
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
        progress(f"No host CA bundle added ({_one_line(exc)}); the image trusts Debian's CAs only.")
        host_ca.write_text("")


def _docker_build(client: docker.DockerClient, context: Path, progress: Progress) -> None:
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
        error = _one_line(exc)
    if pending:
        emit("\n")
    if error:
        raise EnvironmentProblem(
            f"Building {DEFAULT_IMAGE} failed ({error}); fix the problem shown in the last build lines and "
            f"run `{_REBUILD_HINT}` again:\n" + "\n".join(tail)
        )


def _build_error(message: str) -> str:
    # The classic builder repeats the whole RUN command in its error; the output tail already shows it.
    failed = _FAILED_STEP.match(message.strip())
    if failed:
        return f"a RUN step exited with code {failed.group(1)}"
    return _one_line(message)


# --- small helpers -------------------------------------------------------------------------------


def _try_pull(client: docker.DockerClient, name: str, progress: Progress) -> bool:
    progress(f"Trying to pull {name}.")
    try:
        # The SDK splits "repo:tag" and "repo@digest" itself and defaults the tag to latest.
        client.images.pull(name)
    except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
        progress(f"Pull of {name} failed: {_one_line(exc)}")
        return False
    return True


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _one_line(value: object) -> str:
    return " ".join(str(value).split())
