"""What a build request refuses before anything runs: exit 2, one sentence, nothing touched."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import docker
import pytest

from simulator.buildspec import parse_buildspec
from simulator.cancellation import CancelToken
from simulator.codebuild import BuildRequest, run_build
from simulator.codebuild.parameters import LocalValues
from simulator.errors import InputError
from simulator.reporting.masking import Masker
from simulator.state import StateFolder

GOOD = "version: 0.2\nphases:\n  build:\n    commands: [make]\n"


def request(tmp_path: Path, text: str = GOOD, **fields: object) -> BuildRequest:
    return BuildRequest(
        buildspec=parse_buildspec(text, tmp_path / "buildspec.yml"),
        source=tmp_path,
        project="demo",
        initiator="tester",
        **fields,  # type: ignore[arg-type]
    )


def test_a_nul_in_an_override_is_refused_naming_the_variable_only(tmp_path):
    with pytest.raises(InputError) as raised:
        request(tmp_path, environment_overrides={"TOKEN": "s3cret\x00rest"})
    assert str(raised.value) == ("The variable TOKEN holds a NUL character, which no environment can carry: remove it.")


def test_a_nul_in_a_buildspec_variable_is_refused(tmp_path):
    text = 'version: 0.2\nenv:\n  variables:\n    GREETING: "hi\\0there"\nphases:\n  build:\n    commands: [make]\n'
    with pytest.raises(InputError, match=r"^The variable GREETING holds a NUL character"):
        request(tmp_path, text)


def test_a_nul_in_a_secret_is_refused_before_docker_and_before_any_record(tmp_path):
    text = "version: 0.2\nenv:\n  secrets-manager:\n    TOKEN: app/token\nphases:\n  build:\n    commands: [make]\n"
    build = request(tmp_path, text, value_source=LocalValues(secrets={"app/token": "s3cret\x00"}))
    state = StateFolder(tmp_path / ".simulator")
    no_engine = cast(docker.DockerClient, None)  # touching it would raise AttributeError, not InputError
    with pytest.raises(InputError, match=r"^The variable TOKEN holds a NUL character"):
        run_build(build, client=no_engine, state=state, events=[], masker=Masker(), cancel=CancelToken())
    assert not state.root.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timeout_minutes", 0.0, "The timeout 0 minutes is out of range"),
        ("timeout_minutes", 2161.0, "The timeout 2161 minutes is out of range"),
        ("git_clone_depth", -1, "The git clone depth -1 is negative"),
        ("secondary_sources", {"my lib": Path("/tmp")}, "The source identifier 'my lib' is not valid"),
    ],
)
def test_out_of_range_fields_are_refused(tmp_path, field, value, message):
    with pytest.raises(InputError, match=f"^{re.escape(message)}"):
        request(tmp_path, **{field: value})


def test_a_variable_given_with_two_types_is_refused(tmp_path):
    with pytest.raises(InputError) as raised:
        request(tmp_path, environment_overrides={"DB": "x"}, secret_overrides={"DB": "shop/db"})
    assert str(raised.value) == "The override DB is given with two types: give each variable once."
