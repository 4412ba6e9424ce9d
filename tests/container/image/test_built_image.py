"""The built default image, for real: its labels, runtimes, tools and user (Docker tier)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import docker
import docker.errors
import pytest
import requests.exceptions

from simulator.container.image.description import LOCAL_IMAGE
from simulator.container.image.names import DEFAULT_IMAGE
from simulator.container.image.presence import image_exists

RUNTIMES_LABEL = '{"java":["corretto17"],"python":["3.11"],"nodejs":["18"]}'


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
    if not image_exists(client, DEFAULT_IMAGE):
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


@pytest.mark.docker
def test_the_docker_free_description_is_the_image(engine):
    # validate judges run-as, env.shell and runtime-versions by LOCAL_IMAGE without Docker: it must be the truth.
    assert engine.images.get(DEFAULT_IMAGE).labels["simulator.runtimes"] == LOCAL_IMAGE.labels()["simulator.runtimes"]
    users = " ".join(LOCAL_IMAGE.users)
    assert _run(engine, f'for u in {users}; do id -un "$u"; done').split() == list(LOCAL_IMAGE.users)
    shells = " ".join(LOCAL_IMAGE.shells)
    assert _run(engine, f'for s in {shells}; do test -x "$s" && echo "$s"; done').split() == list(LOCAL_IMAGE.shells)
    assert _run(engine, "command -v zsh fish csh ksh || true") == ""
