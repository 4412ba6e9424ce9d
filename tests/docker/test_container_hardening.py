"""What a build cannot do to the simulator's own machinery: forge or steal the agent's channel, change the owner of
a mounted folder, or lose a mount; and what a container that does not start leaves behind (nothing)."""

from __future__ import annotations

import os
import stat
import threading

import docker
import pytest

from simulator.container.docker_session import BindMount, ContainerSpec, open_session
from simulator.errors import EnvironmentProblem
from tests.conftest import IMAGE, agent_lines, simulator

pytestmark = pytest.mark.docker


def run(source, *args):
    return simulator("run", "buildspec.yml", "--source", str(source), *args, cwd=source)


def test_end_markers_printed_with_what_a_build_can_read_of_the_agent_are_plain_output(fixture_source):
    # Found by the adversarial pass: the nonce was in /proc/1/cmdline, so a command could end itself, or a later one.
    result = run(fixture_source("agent_forged_markers"))
    assert result.code == 1, result.stderr
    output = result.stdout.split("\n")  # not splitlines(): it also splits at the record separator
    # Only the stand-in token was found, and its markers went to the log as the command's output.
    assert "candidates=1" in output
    assert [line.strip("\x1e") for line in output if line.startswith("\x1e0123456789abcdef")][:2] == [
        "0123456789abcdef 1 0",
        "0123456789abcdef 2 0",
    ]
    assert 'echo "candidates=$(wc -l < /tmp/candidates)"\nexit 7\n. Reason: exit status 7' in result.stdout
    assert "post-build-ran" in output


def test_a_background_reader_of_the_agents_input_takes_nothing(fixture_source):
    # Found by the adversarial pass: `cat /proc/1/fd/0 &` took the next requests; the build hung, its artifacts lost.
    result = run(fixture_source("agent_stolen_requests"), "--timeout", "0.5")
    assert result.code == 0, result.stdout[-2000:]
    lines = agent_lines(result.stdout)
    assert "Running command echo still-served > out.txt" in lines
    assert "Phase complete: UPLOAD_ARTIFACTS State: SUCCEEDED" in lines


@pytest.mark.skipif(os.geteuid() != 0, reason="giving the folder to another owner needs root")
def test_mount_keeps_the_folders_owner_and_mode_and_mounts_one_folder_twice(fixture_source):
    # Found by the adversarial pass: --mount made the user's folder root's, mode 0755 (setgid and group bits lost);
    # and a folder given twice (primary and secondary source) was mounted once.
    source = fixture_source("mount_owner", git=False)
    os.chown(source, 4321, 4322)
    os.chmod(source, 0o2775)
    result = run(source, "--mount", "--source", f"again={source}")
    assert result.code == 0, result.stdout[-2000:] + result.stderr
    assert "the same folder, mounted twice" in result.stdout.splitlines()
    after = os.stat(source)
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode), stat.S_ISGID & after.st_mode) == (
        4321, 4322, 0o2775, stat.S_ISGID,
    )  # fmt: skip
    assert (source / "from-build.txt").read_text() == "written-by-the-build\n"


def test_a_container_that_does_not_start_leaves_no_reader_and_says_what_docker_said(tmp_path):
    # Mounting a file over a folder fails when the container starts, not when it is created.
    a_file = tmp_path / "a.txt"
    a_file.write_text("x")
    spec = ContainerSpec(
        image=IMAGE,
        build_id="start-failure:0123456789abcdef",
        environment={},
        bind_mounts=[BindMount(str(a_file), "/etc")],
    )
    client = docker.from_env()
    readers_before = _readers()
    try:
        with pytest.raises(EnvironmentProblem) as caught, open_session(client, spec, None):
            pass
    finally:
        client.close()
    assert str(caught.value).startswith("Docker could not start the build container (")
    assert str(caught.value).endswith("): check the engine and the image.")
    assert "/bin/sh" not in str(caught.value)
    assert "\n" not in str(caught.value)
    assert _readers() == readers_before


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "simulator-agent-reader"]


def test_a_mounted_source_shows_the_build_no_state_folder(tmp_path):
    # Found by the review: with --mount the build could read .simulator/parameters.yml (every local secret) and
    # other builds' records, which a copied source never holds.
    (tmp_path / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        '      - echo "state entries=$(ls -A .simulator | wc -l)"\n'
        "      - cat .simulator/parameters.yml || echo no-values-file\n"
        "      - echo written > out.txt\n"
    )
    state = tmp_path / ".simulator"
    state.mkdir()
    (state / "parameters.yml").write_text("parameter-store:\n  /app/key: top-s3cret-value\n")
    result = run(tmp_path, "--mount")
    assert result.code == 0, result.stdout[-2000:] + result.stderr
    lines = result.stdout.splitlines()
    assert "state entries=0" in lines
    assert "no-values-file" in lines
    assert "top-s3cret-value" not in result.stdout
    assert (tmp_path / "out.txt").read_text() == "written\n"  # the rest of the folder is the user's, as mounted
    assert (state / "parameters.yml").is_file()
    (build_dir,) = (state / "builds").iterdir()
    assert (build_dir / "summary.json").is_file()
