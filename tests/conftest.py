"""Shared test plumbing: the Docker tier's engine check, fixture folders, and running the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IMAGE = "simulator/codebuild-standard:7.0-local"
IN_CI = bool(os.environ.get("CI"))


@cache
def docker_problem() -> str | None:
    """Why the Docker tier cannot run here, or None when the engine answers and the image is present."""
    try:
        import docker

        client = docker.from_env(timeout=10)
        client.ping()
    except Exception as error:
        return f"no Docker engine answers ({type(error).__name__}); run scripts/ensure-docker"
    try:
        client.images.get(IMAGE)
    except Exception:
        return f"the image {IMAGE} is missing; run `python -m simulator image build`"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is not None and shutil.which("chromium") is None:
        problem = "chromium is not installed; run scripts/ensure-chromium"
        if IN_CI:
            pytest.fail(f"The browser test cannot run in CI: {problem}", pytrace=False)
        pytest.skip(problem)
    if item.get_closest_marker("docker") is None:
        return
    problem = docker_problem()
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"Docker tier cannot run in CI: {problem}", pytrace=False)
    pytest.skip(problem)


@dataclass(frozen=True)
class Completed:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


def simulator(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> Completed:
    """Run `python -m simulator` as a user would, in a separate process."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    completed = subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Completed(completed.returncode, completed.stdout, completed.stderr)


def copy_fixture(name: str, destination: Path, *, git: bool = True) -> Path:
    """The fixture folder as a fresh source tree (a git repository, as CodeBuild would have cloned it)."""
    source = destination / name
    shutil.copytree(FIXTURES / name, source)
    if git:
        quiet = {"capture_output": True, "check": True, "cwd": source}
        subprocess.run(["git", "init", "-q", "-b", "main"], **quiet)
        subprocess.run(["git", "add", "-A"], **quiet)
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "fixture"], **quiet)
    return source


@pytest.fixture
def fixture_source(tmp_path: Path):
    return lambda name, **kwargs: copy_fixture(name, tmp_path, **kwargs)


def agent_lines(stdout: str) -> list[str]:
    """The `[Container]` lines without their timestamps, for exact comparison."""
    return [line.split(" ", 3)[3] for line in stdout.splitlines() if line.startswith("[Container] ")]


def leftover_containers(build_id: str | None = None) -> list[str]:
    """Containers of one build, or the simulator's containers whose owner process is gone (a leak).

    Builds that are still running (a developer's, in another terminal) are not leftovers.
    """
    import docker

    from simulator.container.labels import is_leftover

    label = f"simulator.build-id={build_id}" if build_id else "simulator.managed=true"
    containers = docker.from_env().containers.list(all=True, filters={"label": label})
    return [c.name for c in containers if build_id or is_leftover(c.labels)]


@pytest.fixture(scope="session")
def moto_aws(tmp_path_factory: pytest.TempPathFactory):
    """moto's server on 127.0.0.1, seeded (tests/aws_endpoint.py), stopped when the session ends."""
    from tests.aws_endpoint import seed, start_server  # boto3 and moto only for the tests that ask for them

    process, endpoint = start_server(tmp_path_factory.mktemp("moto") / "server.log")
    try:
        yield seed(endpoint)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def aws_env(moto_aws, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """This process's environment pointed at the moto server, as a user's shell would be; also returned, for
    the subprocesses a test starts."""
    from tests.aws_endpoint import FOREIGN_AWS_VARIABLES, client_environment

    for name in FOREIGN_AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    environment = client_environment(moto_aws.endpoint, tmp_path)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment
