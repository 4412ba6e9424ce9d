"""`simulator run --aws`: a real build whose parameter-store and secrets-manager variables come from moto's server on
loopback (tests/aws_endpoint.py), seen by the build's commands and masked in every record (CB §1.4)."""

from __future__ import annotations

import json

import pytest

from tests.aws_endpoint import ACCESS_KEY, DB_PASSWORD, GREETING, SECRET_KEY
from tests.conftest import simulator

BUILDSPEC = """version: 0.2
env:
  parameter-store:
    GREETING: /shop/dev/greeting
    DB_PASSWORD: /shop/dev/db/password
  secrets-manager:
    DB_USER: prod/db:username
    OLD_PASSWORD: prod/db:password:AWSPREVIOUS
phases:
  build:
    commands:
      - printf '%s\\n' "$GREETING" "$DB_PASSWORD" "$DB_USER" "$OLD_PASSWORD" > seen.txt
      - echo "password=$DB_PASSWORD old=$OLD_PASSWORD"
artifacts:
  files: [seen.txt]
"""


@pytest.mark.docker
def test_run_with_aws_gives_the_build_the_values_and_masks_them_everywhere(tmp_path, aws_env):
    source = tmp_path / "src"
    source.mkdir()
    (source / "buildspec.yml").write_text(BUILDSPEC)
    out, summary = tmp_path / "out", tmp_path / "summary.json"
    result = simulator(
        "run",
        "buildspec.yml",
        "--source",
        str(source),
        "--aws",
        "--artifacts",
        str(out),
        "--summary-json",
        str(summary),
        cwd=source,
        env=aws_env,
    )
    assert result.code == 0, result.stdout + result.stderr
    assert (out / "seen.txt").read_text() == f"{GREETING}\n{DB_PASSWORD}\nadmin\np4ss-previous\n"
    assert "password=*** old=***" in result.lines
    build_log = next((source / ".simulator" / "builds").iterdir()) / "build.log"
    for written in (result.stdout, result.stderr, build_log.read_text(), summary.read_text()):
        for secret in (GREETING, DB_PASSWORD, "admin", "p4ss-previous", ACCESS_KEY, SECRET_KEY):
            assert secret not in written
    assert json.loads(summary.read_text())["buildStatus"] == "SUCCEEDED"
