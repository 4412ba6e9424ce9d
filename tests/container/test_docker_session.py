"""The Docker adapter's pure parts: how mounts are keyed, what the agent is started with, start-failure sentences."""

from __future__ import annotations

import docker.errors
import pytest

from simulator.container.docker_session import BindMount, agent_entrypoint, agent_script, docker_mounts, start_failure


def test_one_host_folder_mounted_twice_gives_two_mounts():
    # Docker's `volumes` option is keyed by host path: the second mount of one folder used to vanish.
    mounts = docker_mounts([BindMount("/home/me/app", "/codebuild/output/src1/src"),
                            BindMount("/home/me/app", "/codebuild/output/src1/secSrc/again")])  # fmt: skip
    assert [(m["Source"], m["Target"], m["Type"], m["ReadOnly"]) for m in mounts] == [
        ("/home/me/app", "/codebuild/output/src1/src", "bind", False),
        ("/home/me/app", "/codebuild/output/src1/secSrc/again", "bind", False),
    ]


def test_the_agent_is_started_with_its_text_and_the_safe_folders_only():
    # Every process in the container can read /proc/1/cmdline: the nonce goes over stdin instead.
    script = agent_script()
    assert agent_entrypoint(["/codebuild/output/src1/src", "/x"]) == [
        "/bin/sh", "-c", script, "simulator-agent", script, "/codebuild/output/src1/src", "/x",
    ]  # fmt: skip


class _Response:
    status_code = 500
    reason = "Internal Server Error"
    url = "http+docker://localhost/v1.41/containers/abc/start"


@pytest.mark.parametrize(
    ("explanation", "sentence"),
    [
        (
            "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container "
            'process: exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown',
            "The build container did not start (failed to create shim task: OCI runtime create failed: runc create "
            'failed: unable to start container process: exec: "/bin/sh": stat /bin/sh: no such file or directory: '
            "unknown): the image needs /bin/sh.",
        ),
        (
            'error mounting "/tmp/a.txt" to rootfs at "/etc": not a directory.\n',
            'Docker could not start the build container (error mounting "/tmp/a.txt" to rootfs at "/etc": not a '
            "directory): check the engine and the image.",
        ),
    ],
)
def test_only_a_missing_shell_is_blamed_on_the_image(explanation, sentence):
    error = docker.errors.APIError("500 Server Error", response=_Response(), explanation=explanation)
    assert start_failure(error) == sentence
