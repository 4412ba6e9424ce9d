"""A full disk on the host: one sentence and exit 3, and what was written before stays (a real 1 MiB tmpfs)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess

import pytest

from tests.conftest import IN_CI, simulator

pytestmark = pytest.mark.docker

BIG_ARTIFACT = (
    "version: 0.2\nphases:\n  build:\n    commands:\n"
    "      - echo small > a-small.txt\n      - head -c 3000000 /dev/urandom > big.bin\n"
    "artifacts:\n  files: [a-small.txt, big.bin]\n"
)


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        if IN_CI and os.geteuid() == 0:
            pytest.fail(f"cannot mount a tmpfs: {mounted.stderr.decode().strip()}")
        pytest.skip("mounting a small tmpfs needs root")
    yield mount_point
    with contextlib.suppress(subprocess.CalledProcessError):
        subprocess.run(["umount", str(mount_point)], check=True)


def test_artifacts_filling_the_disk_end_with_one_sentence_and_exit_3(fixture_source, small_disk):
    source = fixture_source("session_v02")
    (source / "big.yml").write_text(BIG_ARTIFACT)
    result = simulator("run", "big.yml", "--artifacts", str(small_disk / "out"), cwd=source)
    assert result.code == 3, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"error: The host disk is full: the artifact file 'big.bin' could not be written to '{small_disk / 'out'}'."
    )
    assert "Traceback" not in result.stderr
    (build_dir,) = (source / ".simulator" / "builds").iterdir()
    record = json.loads((build_dir / "summary.json").read_text())
    assert record["buildStatus"] == "FAILED"
    assert (small_disk / "out" / "a-small.txt").read_text() == "small\n"
    assert not (small_disk / "out" / "big.bin").exists()


def test_a_build_log_filling_the_disk_keeps_what_was_written_and_exits_3(fixture_source, small_disk, tmp_path):
    # The state folder is the small disk: the log fills it, then the summary cannot be written either.
    source = fixture_source("session_v02")
    (source / "loud.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - yes 'a line of output' | head -c 2000000\n"
    )
    project = small_disk / "project"
    project.mkdir()
    result = simulator("run", str(source / "loud.yml"), "--source", str(source), cwd=project)
    assert result.code == 3, result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"error: The disk holding {project / '.simulator' / 'builds'}")
    assert result.stderr.splitlines()[-1].endswith("is full: free some space and run again.")
    assert "Traceback" not in result.stderr
    (build_dir,) = (project / ".simulator" / "builds").iterdir()
    assert (build_dir / "build.log").read_text().startswith("[Container] ")
    assert "a line of output" in result.stdout  # the console still had everything
