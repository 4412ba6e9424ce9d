"""Variables CodeBuild sets (CB §4.1) and the user's overrides (CB §1.4, CB §4.2)."""

import os
from pathlib import Path

import pytest

from simulator.codebuild.environment import (
    BuildIdentity,
    check_not_reserved,
    codebuild_variables,
    compose,
    host_network_variables,
    parse_assignment,
    parse_env_file,
)
from simulator.errors import InputError

IDENTITY = BuildIdentity(
    project="shop",
    build_uuid="b1e6661e-e4f2-4156-9ab9-82a19e000000",
    build_number=25,
    start_time_ms=1795760000123,
    source_dir="/codebuild/output/src123456789/src",
    image="aws/codebuild/standard:7.0",
    initiator="alice",
    region="eu-west-1",
    account="000000000000",
    resolved_source_version="3d6151b3eb00000000000000000000000000000a",
)


def test_codebuild_variables_have_the_documented_shapes():
    variables = codebuild_variables(IDENTITY)
    assert variables["CODEBUILD_BUILD_ID"] == "shop:b1e6661e-e4f2-4156-9ab9-82a19e000000"
    assert variables["CODEBUILD_BUILD_ARN"] == (
        "arn:aws:codebuild:eu-west-1:000000000000:build/shop:b1e6661e-e4f2-4156-9ab9-82a19e000000"
    )
    assert variables["CODEBUILD_START_TIME"] == "1795760000123"
    assert variables["CODEBUILD_SRC_DIR"] == "/codebuild/output/src123456789/src"
    assert variables["CODEBUILD_RESOLVED_SOURCE_VERSION"] == "3d6151b3eb00000000000000000000000000000a"
    assert variables["CODEBUILD_BUILD_NUMBER"] == "25"
    assert variables["CODEBUILD_BUILD_SUCCEEDING"] == "1"
    assert (variables["AWS_REGION"], variables["AWS_DEFAULT_REGION"], variables["HOME"]) == (
        "eu-west-1",
        "eu-west-1",
        "/root",
    )


def test_override_beats_buildspec_beats_codebuild():
    merged = compose({"HOME": "/root", "A": "cb"}, {"A": "buildspec", "B": "buildspec"}, {"B": "override"})
    assert merged == {"HOME": "/root", "A": "buildspec", "B": "override"}


def test_reserved_names_are_refused():
    with pytest.raises(InputError) as caught:
        check_not_reserved(["OK", "CODEBUILD_BUILD_ID"], "--env")
    assert str(caught.value) == (
        "--env sets CODEBUILD_BUILD_ID: names starting with CODEBUILD_ are reserved for CodeBuild itself; "
        "rename the variable."
    )


def test_assignment_keeps_everything_after_the_first_equals():
    assert parse_assignment("URL=https://x/?a=b", "--env") == ("URL", "https://x/?a=b")


def test_assignment_without_equals_is_refused():
    with pytest.raises(InputError, match=r"^--env: there is no '=' \(the text is not shown, it may be a secret\)"):
        parse_assignment("NOVALUE", "--env")


def test_env_file_skips_comments_and_keeps_quotes(tmp_path):
    path = tmp_path / "build.env"
    path.write_text('# comment\n\nSTAGE=dev\nQUOTED="x y"\n')
    assert parse_env_file(path) == {"STAGE": "dev", "QUOTED": '"x y"'}


def test_proxy_and_ca_variables_follow_the_host():
    variables = host_network_variables({"HTTPS_PROXY": "http://proxy:3128", "UNRELATED": "x"}, inject_ca=True)
    assert variables["HTTPS_PROXY"] == "http://proxy:3128"
    assert variables["SSL_CERT_FILE"] == "/usr/local/share/simulator/host-ca-bundle.crt"
    assert "UNRELATED" not in variables
    assert host_network_variables({}, inject_ca=False) == {}


NOT_REGULAR = "it is not a regular file (a pipe, device or socket cannot be read as one)"


def unreadable_env_file(kind: str, folder: Path) -> Path:
    if kind == "fifo":
        os.mkfifo(folder / "build.env")
    elif kind == "not-utf8":
        (folder / "build.env").write_bytes(b"A=caf\xe9\n")
    return {"dev-zero": Path("/dev/zero"), "folder": folder}.get(kind, folder / "build.env")


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        # Issue 5 item 10: a FIFO blocked the open forever; /dev/zero was read until memory ran out.
        ("fifo", NOT_REGULAR),
        ("dev-zero", NOT_REGULAR),
        ("folder", "it is a folder, not a file"),
        ("not-utf8", "the file is not UTF-8 text"),
        ("missing", "No such file or directory"),
    ],
)
def test_an_env_file_that_cannot_be_read_is_one_sentence(tmp_path, kind, reason):
    path = unreadable_env_file(kind, tmp_path)
    with pytest.raises(InputError) as caught:
        parse_env_file(path)
    assert str(caught.value) == f"Cannot read the env file {path}: {reason}."


@pytest.mark.parametrize(
    ("line", "message"),
    [
        # Found by the review: the whole line was echoed, an AWS secret key with it.
        (
            "AWS-SECRET=wJalrXUtnFEMI/K7MDENG",
            "creds.env:1: 'AWS-SECRET' is not a valid variable name: write NAME=VALUE.",
        ),
        (
            "wJalrXUtnFEMI/K7MDENG",
            "creds.env:1: there is no '=' (the text is not shown, it may be a secret): write NAME=VALUE.",
        ),
    ],
)
def test_a_bad_env_file_line_never_shows_its_value(tmp_path, line, message):
    env_file = tmp_path / "creds.env"
    env_file.write_text(line + "\n")
    with pytest.raises(InputError) as raised:
        parse_env_file(env_file)
    assert str(raised.value) == message.replace("creds.env", str(env_file))
    assert "wJalr" not in str(raised.value)


def test_shell_style_export_lines_are_read():
    assert parse_assignment("export STAGE=dev", "--env-file") == ("STAGE", "dev")
