"""Tests of the default image: the pure name/mirror logic without Docker, the built image with it."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import docker
import docker.errors
import pytest
import requests.exceptions

from simulator.container import image_builder
from simulator.container.image_builder import (
    BASE_IMAGE,
    CURATED_ALIASES,
    DEFAULT_IMAGE,
    AptSource,
    DebianMirror,
    base_sources_file,
    choose_debian_mirror,
    ensure_image,
    parse_deb822_sources,
    parse_one_line_sources,
    read_apt_sources,
    read_debian_mirror,
    resolve_image_name,
)
from simulator.errors import EnvironmentProblem

RUNTIMES_LABEL = '{"java":["corretto17"],"python":["3.11"],"nodejs":["18"]}'

# --- resolve_image_name -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "curated",
    [
        "aws/codebuild/standard:7.0",
        "aws/codebuild/standard:6.0",
        "aws/codebuild/standard:8.0",
        "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
    ],
)
def test_curated_names_resolve_to_the_local_image(curated):
    assert curated in CURATED_ALIASES
    assert resolve_image_name(curated) == "simulator/codebuild-standard:7.0-local"


def test_default_image_constants():
    assert DEFAULT_IMAGE == "simulator/codebuild-standard:7.0-local"
    assert BASE_IMAGE == "simulator/debian-base:bookworm"


def test_curated_aliases_are_only_aws_codebuild_identifiers():
    assert all(name.startswith("aws/codebuild/") for name in CURATED_ALIASES)


def test_user_mapping_wins_over_the_curated_alias():
    mapping = {"aws/codebuild/standard:7.0": "my/codebuild:7"}
    assert resolve_image_name("aws/codebuild/standard:7.0", mapping) == "my/codebuild:7"
    # Names the mapping does not mention keep the default behaviour.
    assert resolve_image_name("aws/codebuild/standard:6.0", mapping) == DEFAULT_IMAGE


def test_user_mapping_applies_to_any_name():
    assert resolve_image_name("python:3.12", {"python:3.12": "local/python:3.12"}) == "local/python:3.12"


@pytest.mark.parametrize(
    "name",
    [
        "public.ecr.aws/codebuild/amazonlinux2-x86_64-standard:5.0",
        "ubuntu:22.04",
        "simulator/codebuild-standard:7.0-local",
        "aws/codebuild/windows-base:2019-1.0",
    ],
)
def test_other_names_are_used_as_given(name):
    assert resolve_image_name(name) == name
    assert resolve_image_name(name, {}) == name


# --- apt sources and the Debian mirror --------------------------------------------------------

ONE_LINE = """\
# the main archive
deb http://ftp.de.debian.org/debian/ bookworm main contrib non-free-firmware
deb-src http://ftp.de.debian.org/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/a.gpg] http://ftp.de.debian.org/debian bookworm-updates main # x
deb [ arch=amd64 ] http://security.debian.org/debian-security bookworm-security main
deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main
#deb http://commented.example/debian bookworm main
deb incomplete-line
"""

DEB822 = """\
# Debian's default since bookworm
Types: deb deb-src
URIs: http://mirror.example.org/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.org/debian-security
Suites: bookworm-security
Components: main

Types: deb
Enabled: no
URIs: http://disabled.example.org/debian
Suites: bookworm
Components: main

Types: deb
URIs: https://deb.nodesource.com/node_20.x
Suites: nodistro
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBFdDN1ABEADaNd/I3j3tn40deQNgz7hB2NvT+syXe53z
 -----END PGP PUBLIC KEY BLOCK-----
"""


def test_one_line_format_is_parsed():
    assert parse_one_line_sources(ONE_LINE) == [
        AptSource("http://ftp.de.debian.org/debian", ("bookworm",), ("main", "contrib", "non-free-firmware")),
        AptSource("http://ftp.de.debian.org/debian", ("bookworm-updates",), ("main",)),
        AptSource("http://security.debian.org/debian-security", ("bookworm-security",), ("main",)),
        AptSource("https://packages.cloud.google.com/apt", ("cloud-sdk-bookworm",), ("main",)),
    ]


def test_deb822_format_is_parsed():
    assert parse_deb822_sources(DEB822) == [
        AptSource("http://mirror.example.org/debian", ("bookworm", "bookworm-updates"), ("main",)),
        AptSource("http://mirror.example.org/debian-security", ("bookworm-security",), ("main",)),
        AptSource("https://deb.nodesource.com/node_20.x", ("nodistro",), ("main",)),
    ]


def _apt_dir(tmp_path: Path, sources_list: str = "", parts: dict[str, str] | None = None) -> Path:
    apt_dir = tmp_path / "apt"
    (apt_dir / "sources.list.d").mkdir(parents=True)
    if sources_list:
        (apt_dir / "sources.list").write_text(sources_list)
    for name, text in (parts or {}).items():
        (apt_dir / "sources.list.d" / name).write_text(text)
    return apt_dir


def test_mirror_from_a_one_line_sources_list(tmp_path):
    apt_dir = _apt_dir(tmp_path, ONE_LINE)
    assert read_debian_mirror(apt_dir) == DebianMirror(
        uri="http://ftp.de.debian.org/debian",
        suite="bookworm",
        security_uri="http://security.debian.org/debian-security",
    )


def test_mirror_from_a_deb822_sources_file(tmp_path):
    apt_dir = _apt_dir(tmp_path, parts={"debian.sources": DEB822})
    assert read_debian_mirror(apt_dir) == DebianMirror(
        uri="http://mirror.example.org/debian",
        suite="bookworm",
        security_uri="http://mirror.example.org/debian-security",
    )


def test_only_list_and_sources_files_are_read(tmp_path):
    apt_dir = _apt_dir(
        tmp_path,
        parts={
            "nodesource.sources.disabled-by-farm": DEB822,
            "old.list.save": "deb http://saved.example.org/debian bookworm main\n",
            "zz-debian.list": "deb http://deb.example.net/debian trixie main\n",
        },
    )
    assert read_apt_sources(apt_dir) == [AptSource("http://deb.example.net/debian", ("trixie",), ("main",))]
    # The mirror serves bookworm too, and no security source is configured for it.
    assert read_debian_mirror(apt_dir) == DebianMirror("http://deb.example.net/debian", "trixie", None)


def test_a_bookworm_source_is_preferred_over_an_earlier_other_suite(tmp_path):
    apt_dir = _apt_dir(
        tmp_path,
        "deb http://trixie.example.org/debian trixie main\n",
        {"bookworm.list": "deb http://bookworm.example.org/debian bookworm main\n"},
    )
    assert read_debian_mirror(apt_dir).uri == "http://bookworm.example.org/debian"


def test_hosts_without_a_debian_source_use_the_public_mirror(tmp_path):
    ubuntu = "deb http://archive.ubuntu.com/ubuntu jammy main universe\n"
    assert read_debian_mirror(_apt_dir(tmp_path, ubuntu)) == DebianMirror(
        "http://deb.debian.org/debian", "", "http://deb.debian.org/debian-security"
    )
    assert read_debian_mirror(tmp_path / "no-such-dir") == DebianMirror(
        "http://deb.debian.org/debian", "", "http://deb.debian.org/debian-security"
    )


def test_the_public_mirror_gets_the_public_security_archive():
    sources = [AptSource("http://deb.debian.org/debian", ("bookworm",), ("main",))]
    assert choose_debian_mirror(sources) == DebianMirror(
        "http://deb.debian.org/debian", "bookworm", "http://deb.debian.org/debian-security"
    )


def test_non_http_sources_are_ignored():
    sources = [
        AptSource("cdrom:[Debian GNU/Linux 12]/", ("bookworm",), ("main",)),
        AptSource("mirror+file:/etc/apt/mirrors/debian.list", ("bookworm",), ("main",)),
    ]
    assert choose_debian_mirror(sources).uri == "http://deb.debian.org/debian"


def test_base_image_sources_file():
    mirror = DebianMirror("http://mirror.example.org/debian", "trixie", "http://sec.example.org/debian-security")
    assert base_sources_file(mirror) == (
        "Types: deb\n"
        "URIs: http://mirror.example.org/debian\n"
        "Suites: bookworm bookworm-updates\n"
        "Components: main\n"
        "\n"
        "Types: deb\n"
        "URIs: http://sec.example.org/debian-security\n"
        "Suites: bookworm-security\n"
        "Components: main\n"
    )
    assert "security" not in base_sources_file(DebianMirror("http://m.example.org/debian", "bookworm", None))


# --- behaviour around Docker, with a fake engine ----------------------------------------------


class _FakeImages:
    def __init__(self, present: set[str], pullable: set[str] = frozenset()) -> None:
        self.present = set(present)
        self.pullable = set(pullable)
        self.pulled: list[str] = []

    def get(self, name: str) -> object:
        if name not in self.present:
            raise docker.errors.ImageNotFound(f"No such image: {name}")
        return object()

    def pull(self, name: str) -> object:
        self.pulled.append(name)
        if name not in self.pullable:
            raise docker.errors.APIError("registry unreachable")
        self.present.add(name)
        return object()


class _FakeClient:
    def __init__(self, present: set[str], pullable: set[str] = frozenset()) -> None:
        self.images = _FakeImages(present, pullable)


def test_ensure_image_does_nothing_when_the_image_exists(monkeypatch):
    monkeypatch.setattr(image_builder, "build_default_image", _must_not_build)
    client = _FakeClient({DEFAULT_IMAGE})
    ensure_image(client, DEFAULT_IMAGE, _must_not_print)
    assert client.images.pulled == []


def test_ensure_image_builds_the_missing_default_image(monkeypatch):
    built = []
    monkeypatch.setattr(image_builder, "build_default_image", lambda client, progress: built.append(client))
    client = _FakeClient(set())
    ensure_image(client, DEFAULT_IMAGE, lambda line: None)
    assert built == [client]
    assert client.images.pulled == []


def test_ensure_image_refuses_other_missing_images(monkeypatch):
    monkeypatch.setattr(image_builder, "build_default_image", _must_not_build)
    client = _FakeClient(set())
    with pytest.raises(EnvironmentProblem) as caught:
        ensure_image(client, "my/image:1", lambda line: None)
    assert str(caught.value) == (
        "Image my/image:1 does not exist locally and no registry is reachable: build it (or docker load it), "
        "or pass --image simulator/codebuild-standard:7.0-local to use the simulator's default image."
    )
    assert client.images.pulled == ["my/image:1"]


def test_ensure_image_uses_a_registry_when_one_answers(monkeypatch):
    monkeypatch.setattr(image_builder, "build_default_image", _must_not_build)
    client = _FakeClient(set(), pullable={"my/image:1"})
    ensure_image(client, "my/image:1", lambda line: None)
    assert "my/image:1" in client.images.present


def test_an_unreachable_engine_is_an_environment_problem():
    class Broken:
        class images:
            @staticmethod
            def get(name):
                raise requests.exceptions.ConnectionError("connection refused")

    with pytest.raises(EnvironmentProblem, match=r"scripts/ensure-docker"):
        image_builder.image_exists(Broken(), DEFAULT_IMAGE)


def test_bootstrap_needs_root(monkeypatch):
    monkeypatch.setattr(image_builder.os, "geteuid", lambda: 1000)
    with pytest.raises(EnvironmentProblem, match=r"needs root: run `sudo python -m simulator image build`"):
        image_builder.bootstrap_base_image(_FakeClient(set()), lambda line: None)


def test_bootstrap_needs_debootstrap(monkeypatch):
    monkeypatch.setattr(image_builder.os, "geteuid", lambda: 0)
    monkeypatch.setattr(image_builder, "_find_debootstrap", lambda: None)
    with pytest.raises(EnvironmentProblem, match=r"debootstrap is not installed: run `apt-get install debootstrap`"):
        image_builder.bootstrap_base_image(_FakeClient(set()), lambda line: None)


def test_build_output_is_streamed_and_failures_carry_the_last_lines(tmp_path):
    class Api:
        def build(self, **kwargs):
            assert kwargs["buildargs"] == {"BASE_IMAGE": BASE_IMAGE}
            assert kwargs["tag"] == DEFAULT_IMAGE
            yield {"stream": "Step 1/2 : FROM base\n ---> abc"}
            yield {"stream": "123\n"}
            yield {"stream": "\x1b[91m+ false\n\x1b[0m"}
            yield {
                "error": "The command '/bin/sh -c set -eux; false' returned a non-zero code: 1",
                "errorDetail": {"code": 1},
            }

    class Client:
        api = Api()

    lines: list[str] = []
    with pytest.raises(EnvironmentProblem) as caught:
        image_builder._docker_build(Client(), tmp_path, lines.append)
    assert lines == ["Step 1/2 : FROM base", " ---> abc123", "+ false"]
    assert str(caught.value) == (
        "Building simulator/codebuild-standard:7.0-local failed (a RUN step exited with code 1); fix the "
        "problem shown in the last build lines and run `python -m simulator image build` again:\n"
        "Step 1/2 : FROM base\n ---> abc123\n+ false"
    )


def test_build_context_gets_the_host_bundle_or_an_empty_one(tmp_path):
    bundle = tmp_path / "bundle.crt"
    bundle.write_text("PEM DATA\n")
    with_bundle, without, missing = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for directory in (with_bundle, without, missing):
        directory.mkdir()
    notes: list[str] = []
    image_builder._fill_build_context(with_bundle, bundle, notes.append)
    image_builder._fill_build_context(without, None, notes.append)
    image_builder._fill_build_context(missing, tmp_path / "nope.crt", notes.append)
    assert (with_bundle / "host-ca.crt").read_text() == "PEM DATA\n"
    assert (without / "host-ca.crt").read_text() == ""
    assert (missing / "host-ca.crt").read_text() == ""
    assert {p.name for p in with_bundle.iterdir()} == {"Dockerfile", "add_host_cas.py", "host-ca.crt"}
    assert len(notes) == 1 and notes[0].startswith("No host CA bundle added")


def _must_not_build(client, progress):
    raise AssertionError("the default image must not be built here")


def _must_not_print(line):
    raise AssertionError(f"unexpected progress line: {line}")


# --- the helper that adds the host's CAs inside the image build ---------------------------------


def _load_add_host_cas() -> ModuleType:
    path = Path(image_builder.__file__).parent / "imagefiles" / "add_host_cas.py"
    spec = importlib.util.spec_from_file_location("add_host_cas", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _self_signed(tmp_path: Path, name: str) -> str:
    key, cert = tmp_path / f"{name}.key", tmp_path / f"{name}.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert.read_text()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make certificates")
def test_only_certificates_the_image_lacks_are_added(tmp_path):
    add_host_cas = _load_add_host_cas()
    shared, proxy, other = (_self_signed(tmp_path, n) for n in ("shared", "proxy", "other"))
    host = tmp_path / "host.crt"
    host.write_text(shared + "garbage\n-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n" + proxy + other)
    image = tmp_path / "image.crt"
    image.write_text(shared)
    target = tmp_path / "local"
    assert add_host_cas.main(["add_host_cas.py", str(host), str(image), str(target)]) == 0
    written = sorted(target.iterdir())
    assert [p.name for p in written] == ["simulator-host-ca-001.crt", "simulator-host-ca-002.crt"]
    assert [add_host_cas.certificates(p.read_text()) for p in written] == [
        add_host_cas.certificates(proxy),
        add_host_cas.certificates(other),
    ]


# --- the real image -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> Iterator[docker.DockerClient]:
    def unavailable(reason: str) -> None:
        # CI must build and check the image; a developer machine without Docker just skips.
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)

    try:
        client = docker.from_env()
        client.ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        unavailable(f"no Docker engine ({exc}); run scripts/ensure-docker")
    if not image_builder.image_exists(client, DEFAULT_IMAGE):
        unavailable(f"{DEFAULT_IMAGE} is not built; run `python -m simulator image build`")
    yield client
    client.close()


def _run(client: docker.DockerClient, script: str, user: str = "") -> str:
    output = client.containers.run(
        DEFAULT_IMAGE, ["bash", "-c", script], remove=True, stdout=True, stderr=True, user=user
    )
    return output.decode()


@pytest.mark.docker
def test_image_labels(engine):
    labels = engine.images.get(DEFAULT_IMAGE).labels
    assert labels["simulator.image"] == "codebuild-standard"
    assert labels["simulator.runtimes"] == RUNTIMES_LABEL
    assert json.loads(labels["simulator.runtimes"]) == {
        "java": ["corretto17"],
        "python": ["3.11"],
        "nodejs": ["18"],
    }


@pytest.mark.docker
def test_terraform_runs(engine):
    assert _run(engine, "terraform version").startswith("Terraform v1.0.3\non linux_amd64\n")


@pytest.mark.docker
def test_python_311_with_pip_and_venv(engine):
    assert _run(engine, "python3 --version").startswith("Python 3.11.")
    assert _run(engine, "python --version").startswith("Python 3.11.")
    assert "(python 3.11)" in _run(engine, "pip --version")
    assert _run(engine, "python3 -m venv /tmp/venv && /tmp/venv/bin/python --version").startswith("Python 3.11.")


@pytest.mark.docker
def test_java_17(engine):
    assert 'version "17.' in _run(engine, "java -version 2>&1")
    assert _run(engine, '"$JAVA_HOME/bin/javac" -version 2>&1').startswith("javac 17.")


@pytest.mark.docker
def test_node_18_with_npm(engine):
    assert _run(engine, "node --version").startswith("v18.")
    assert _run(engine, "npm --version").strip()


@pytest.mark.docker
def test_maven(engine):
    assert "Apache Maven 3." in _run(engine, "mvn -v")


@pytest.mark.docker
def test_command_line_tools(engine):
    assert _run(engine, "git --version").startswith("git version 2.")
    assert _run(engine, "echo '{\"a\": [1, 2]}' | jq -c .a") == "[1,2]\n"
    assert _run(engine, "cd /tmp && echo hi > f && zip -q f.zip f && unzip -p f.zip f") == "hi\n"
    assert _run(engine, "readlink -f /bin/sh") == "/usr/bin/dash\n"
    for tool in ("bash", "curl", "tar", "gzip", "ps", "runuser"):
        assert _run(engine, f"command -v {tool}").strip(), tool


@pytest.mark.docker
def test_codebuild_user_exists(engine):
    assert _run(engine, "id -un", user="codebuild-user") == "codebuild-user\n"
    assert _run(engine, "getent passwd codebuild-user | cut -d: -f6") == "/home/codebuild-user\n"
    assert _run(engine, "runuser -u codebuild-user -- sh -c 'cd && pwd'") == "/home/codebuild-user\n"


@pytest.mark.docker
def test_environment_like_codebuild(engine):
    env = dict(line.split("=", 1) for line in _run(engine, "env").splitlines() if "=" in line)
    assert env["LANG"] == "C.UTF-8"
    assert env["JAVA_HOME"] == "/usr/lib/jvm/java-17"
    assert env["PATH"].split(":")[:2] == ["/usr/local/sbin", "/usr/local/bin"]


@pytest.mark.docker
def test_https_through_the_hosts_trusted_cas(engine):
    # Succeeds only if the image trusts whatever CA signs pypi.org's certificate as seen from here,
    # which behind a TLS-intercepting proxy is the proxy's CA taken from the host bundle.
    # The trailing echo matters: this engine (20.10) can drop a final output line that lacks a newline.
    assert _run(engine, "curl -fsS -o /dev/null -w '%{http_code}' https://pypi.org/simple/pip/; echo") == "200\n"
