"""`run` and `plan` make their build request from the same flags through one function, and mask the same secrets
the same way: a value from --env-file or the values file that is a secret never reaches `plan`'s output, and `run`
knows it as a secret before anything is printed (CB §1.4)."""

from __future__ import annotations

import dataclasses
import subprocess

import pytest

from simulator.cli.commands import run as run_command
from simulator.cli.main import build_parser, main
from simulator.reporting.masking import Masker

BUILDSPEC = """\
version: 0.2
env:
  variables:
    STAGE: dev
  parameter-store:
    DB_PASSWORD: /shop/db
phases:
  build:
    commands:
      - echo "$DB_PASSWORD" uses p4ss-from-values
"""
KEY_ID = "AKIAENVFILE000000001"
SECRET_KEY = "env-file/secret+access-key"
DB_PASSWORD = "p4ss-from-values"
FLAGS = ["--source", "shop", "--project", "shop-dev", "--no-host-ca", "--parameters", "values.yml"]
FLAGS += ["--env-file", "build.env", "--env", "COPY=p4ss-from-values"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    source = tmp_path / "shop"
    source.mkdir()
    (source / "buildspec.yml").write_text(BUILDSPEC)
    (tmp_path / "values.yml").write_text(f"parameter-store:\n  /shop/db: {DB_PASSWORD}\n  /shop/unused: unused\n")
    (tmp_path / "build.env").write_text(f"AWS_ACCESS_KEY_ID={KEY_ID}\nAWS_SECRET_ACCESS_KEY={SECRET_KEY}\nSTAGE=test\n")
    monkeypatch.setenv("SIMULATOR_INITIATOR", "tester")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return source


def test_plan_masks_the_env_files_credentials_and_the_values_files_secrets(project, capsys):
    assert main(["plan", "shop/buildspec.yml", *FLAGS]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    lines = out.out.splitlines()
    start = lines.index("Environment at the start of the build (later phases see what earlier commands set):")
    environment = lines[start + 1 : lines.index("", start)]
    assert [line for line in environment if "CODEBUILD_" not in line] == [
        '  AWS_ACCESS_KEY_ID           "***"  (--env)',
        '  AWS_DEFAULT_REGION          "us-east-1"  (CodeBuild)',
        '  AWS_REGION                  "us-east-1"  (CodeBuild)',
        '  AWS_SECRET_ACCESS_KEY       "***"  (--env)',
        '  COPY                        "***"  (--env)',
        "  DB_PASSWORD                 ***  (parameter-store /shop/db)",
        '  HOME                        "/root"  (CodeBuild)',
        '  SIMULATOR                   "true"  (simulator)',
        '  STAGE                       "test"  (--env)',
        "  (<...>: chosen when the build starts; the image's own ENV comes first and is not shown)",
    ]
    assert '    1. echo "$DB_PASSWORD" uses ***' in lines
    for secret in (KEY_ID, SECRET_KEY, DB_PASSWORD):
        assert secret not in out.out


def test_plan_diff_masks_the_env_files_credentials_too(project, capsys, tmp_path):
    # A file that is not in git is new since any revision: its whole plan is shown as added.
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "x",
        ],
        check=True,
    )
    assert main(["plan", "--diff", "HEAD", "shop/buildspec.yml", *FLAGS]) == 0
    out = capsys.readouterr()
    assert "AWS_SECRET_ACCESS_KEY" in out.out
    for secret in (KEY_ID, SECRET_KEY, DB_PASSWORD):
        assert secret not in out.out


def test_run_knows_the_env_files_credentials_as_secrets_once_its_flags_are_read(project):
    args = build_parser().parse_args(["run", "shop/buildspec.yml", *FLAGS])
    masker = Masker()
    request, state = run_command._request(args, masker)
    assert masker.mask(f"{KEY_ID} {SECRET_KEY} STAGE=test") == "*** *** STAGE=test"
    # The values file's secrets are the build's to mask once it resolves them, as before: not at flag time.
    assert masker.mask(DB_PASSWORD) == DB_PASSWORD
    assert state.root == project.parent / ".simulator"
    assert dict(request.environment_overrides) == {
        "AWS_ACCESS_KEY_ID": KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "STAGE": "test",
        "COPY": DB_PASSWORD,
    }


def test_run_and_plan_make_the_same_request_from_the_same_flags(project):
    from simulator.buildspec import load_buildspec
    from simulator.cli import build_options
    from simulator.codebuild.value_source_choice import local_values

    run_args = build_parser().parse_args(["run", "shop/buildspec.yml", *FLAGS])
    plan_args = build_parser().parse_args(["plan", "shop/buildspec.yml", *FLAGS])
    ran, _ = run_command._request(run_args, Masker())
    planned = build_options.requested_build(
        plan_args, Masker(), lambda state: local_values(plan_args.parameters, state)
    ).request(load_buildspec(project / "buildspec.yml"))
    assert dataclasses.replace(ran, buildspec=planned.buildspec) == planned
