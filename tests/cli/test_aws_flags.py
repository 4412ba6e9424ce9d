"""`--aws`, `--aws-profile`, `--aws-region` on `run`, `pipeline run`, `approve` and `retry`: one choice of where
parameter-store and secrets-manager values come from, a wrong one refused in one sentence before Docker is asked,
credentials masked, and boto3 never imported without `--aws`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli.main import build_parser, main
from simulator.cli.value_sources import aws_target, carried_source
from simulator.codebuild.aws_values import AwsTarget
from simulator.codebuild.value_source_choice import value_source
from simulator.pipeline.actions.source import Revision
from simulator.pipeline.start_and_resume import RunOptions, _definition, options_from
from simulator.reporting.masking import Masker
from simulator.state import StateFolder
from tests.aws_endpoint import ACCESS_KEY, SECRET_KEY
from tests.conftest import FIXTURES, ROOT

BOTH = "error: --aws and {flag} both say where parameter-store and secrets-manager values come from: give one.\n"


@pytest.fixture
def buildspec(tmp_path) -> Path:
    path = tmp_path / "buildspec.yml"
    path.write_text("version: 0.2\nenv:\n  parameter-store:\n    A: /a\nphases:\n  build:\n    commands: [make]\n")
    (tmp_path / "values.yml").write_text("parameter-store:\n  /a: x\n")
    return path


@pytest.fixture
def pipeline_repository(tmp_path, monkeypatch) -> Path:
    repository = tmp_path / "repo"
    shutil.copytree(FIXTURES / "pipeline_chain", repository)
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    monkeypatch.chdir(repository)
    return repository


def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_of(buildspec: Path, *flags: str) -> list[str]:
    return ["run", str(buildspec), "--source", str(buildspec.parent), *flags]


def test_aws_and_a_values_file_together_are_refused(capsys, buildspec):
    values = str(buildspec.parent / "values.yml")
    assert run_main(capsys, *run_of(buildspec, "--aws", "--parameters", values)) == (
        2,
        "",
        BOTH.format(flag="--parameters"),
    )


@pytest.mark.parametrize("flag", ["--aws-profile", "--aws-region"])
def test_a_profile_or_region_without_aws_is_refused(capsys, buildspec, flag):
    assert run_main(capsys, *run_of(buildspec, flag, "x")) == (
        2,
        "",
        f"error: {flag} goes with --aws (values read from AWS): add --aws, or leave {flag} out.\n",
    )


def test_aws_without_boto3_is_one_sentence_and_exit_3(capsys, buildspec, aws_env, monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)  # what `import boto3` meets where it is not installed
    assert run_main(capsys, *run_of(buildspec, "--aws")) == (
        3,
        "",
        "error: --aws needs boto3, which is not installed: pip install 'simulator[aws]' (or boto3>=1.34).\n",
    )


def test_aws_without_credentials_stops_before_docker_with_exit_3(capsys, buildspec, aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")  # asking Docker would be exit 3 too
    assert run_main(capsys, *run_of(buildspec, "--aws")) == (
        3,
        "",
        "error: --aws found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass a profile "
        "that has them to --aws-profile.\n",
    )


def test_the_credentials_found_are_masked_from_then_on(aws_env, tmp_path):
    masker = Masker()
    value_source(AwsTarget(), None, StateFolder(tmp_path / ".simulator"), masker, values_flag="--parameters")
    assert masker.mask(f"key {ACCESS_KEY} secret {SECRET_KEY}") == "key *** secret ***"


IMPORTED = (
    "import sys\nfrom simulator.cli.main import main\ncode = main(sys.argv[1:])\n"
    "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore'}))\n"
)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--parameters", "missing.yml"], "2 []"),  # the values path taken, without AWS
        (["--aws", "--aws-profile", "nobody"], "2 ['boto3', 'botocore']"),  # the check sees an import
    ],
)
def test_run_imports_boto3_only_with_aws(buildspec, aws_env, flags, expected):
    completed = subprocess.run(
        [sys.executable, "-c", IMPORTED, *run_of(buildspec, *flags)],
        cwd=buildspec.parent,
        env={**aws_env, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.stdout == f"{expected}\n", completed.stderr


def test_pipeline_run_refuses_aws_with_values_before_anything_runs(capsys, pipeline_repository, aws_env):
    (pipeline_repository / "values.yml").write_text("parameter-store: {}\n")
    argv = ["pipeline", "run", "stages/pipeline.yml", "--no-input", "--aws", "--values", "values.yml"]
    assert run_main(capsys, *argv) == (2, "", BOTH.format(flag="--values"))
    assert not (pipeline_repository / ".simulator").exists()


@pytest.mark.parametrize("no_input", [[], ["--no-input"]], ids=["may prompt", "--no-input"])
def test_pipeline_run_with_standard_input_closed_still_refuses_aws_with_values_in_one_sentence(
    pipeline_repository, aws_env, no_input
):
    """Whether a gate may prompt is looked at once the run's context is open: a refusal before that never reads
    standard input, even when there is none (`<&-`)."""
    (pipeline_repository / "values.yml").write_text("parameter-store: {}\n")
    argv = ["pipeline", "run", "stages/pipeline.yml", *no_input, "--aws", "--values", "values.yml"]
    command = " ".join([sys.executable, "-m", "simulator", *argv]) + " <&-"
    completed = subprocess.run(
        ["bash", "-c", command],
        cwd=pipeline_repository,
        env={**os.environ, **aws_env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (completed.returncode, completed.stdout, completed.stderr) == (2, "", BOTH.format(flag="--values"))
    assert not (pipeline_repository / ".simulator").exists()


def test_pipeline_run_with_aws_and_no_region_stops_before_anything_runs(
    capsys, pipeline_repository, aws_env, monkeypatch
):
    monkeypatch.delenv("AWS_REGION")
    assert run_main(capsys, "pipeline", "run", "stages/pipeline.yml", "--no-input", "--aws") == (
        2,
        "",
        "error: --aws needs a region: pass --aws-region, set AWS_REGION or AWS_DEFAULT_REGION, or give the profile "
        "one.\n",
    )
    assert not (pipeline_repository / ".simulator").exists()


@pytest.mark.parametrize(
    "command",
    [["run", "examples/pipeline-template.yml"], ["approve", "EXECUTION"], ["retry", "EXECUTION"]],
    ids=["run", "approve", "retry"],
)
def test_the_pipeline_commands_take_the_same_aws_flags(command):
    argv = ["pipeline", *command, "--aws", "--aws-profile", "shop", "--aws-region", "eu-west-1"]
    assert aws_target(build_parser(argv).parse_args(argv)) == AwsTarget("shop", "eu-west-1")


KEPT_AWS = AwsTarget("shop", "eu-west-1")
KEPT_VALUES = Path("/kept/values.yml")


@pytest.mark.parametrize(
    ("flags", "kept", "expected"),
    [
        ([], (KEPT_AWS, None), (KEPT_AWS, None)),  # the run's own --aws, as its own --values below
        ([], (None, KEPT_VALUES), (None, KEPT_VALUES)),
        (["--values", "other.yml"], (KEPT_AWS, None), (None, Path("other.yml"))),  # said now: that wins
        (["--aws", "--aws-region", "us-west-2"], (None, KEPT_VALUES), (AwsTarget(None, "us-west-2"), None)),
    ],
)
def test_approve_and_retry_take_what_they_are_told_else_the_execution_s_own_source(flags, kept, expected):
    for command in (["approve", "EXECUTION"], ["retry", "EXECUTION"]):
        argv = ["pipeline", *command, *flags]
        assert carried_source(build_parser(argv).parse_args(argv), *kept) == expected


class _Pipeline:
    secret_values: tuple[str, ...] = ()


def test_an_execution_keeps_its_aws_profile_and_region_names_for_approve_and_retry(tmp_path):
    (tmp_path / "pipeline.yml").write_text("kept\n")
    options = RunOptions(file=tmp_path / "pipeline.yml", repository=tmp_path, aws=AwsTarget("shop", None))
    revision = Revision("c0ffee", "7ree", "message", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "main")
    definition = _definition(_Pipeline(), options, revision)  # type: ignore[arg-type]
    assert definition["aws"] == {"profile": "shop", "region": None}
    assert options_from(definition).aws == AwsTarget("shop", None)
    assert options_from({**definition, "aws": None}).aws is None
    older = {key: value for key, value in definition.items() if key != "aws"}  # kept before --aws existed
    assert options_from(older).aws is None
