"""The native format (stages/*.yml): validated with pydantic, every error at file:line:col, and the same model out
as a template (CP §1.3, CP §1.8)."""

from __future__ import annotations

import json

import pytest

from simulator.pipeline.loader import load_pipeline
from simulator.pipeline.model import VariableType
from tests.pipeline.helpers import CASES, problems


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("native_unknown_key", ["7:9: error: unknown key 'output' in stages[0].actions[0]; did you mean 'outputs'?"]),
        (
            "native_bad_kind",
            [
                "5:9: error: stages[0].actions[0].kind must be one of 'source', 'build', 'test', 'approval', "
                "'deploy', got 'fetch'",
                "6:9: error: stages[0].actions[1] needs a kind",
            ],
        ),
        (
            "native_key_of_another_kind",
            [
                "10:9: error: the key 'image' does not belong in stages[1].actions[0]",
                "11:18: error: stages[1].actions[0].timeout must be a whole number, got 'soon'",
            ],
        ),
        ("native_env_types", ["16:19: error: unknown key 'vault' in stages[1].actions[0].env.WRONG"]),
        (
            "native_not_a_pipeline",
            ["1:1: error: not a pipeline file: a CloudFormation template has Resources, a native pipeline has stages"],
        ),
    ],
)
def test_each_bad_native_file_is_reported_where_it_is_wrong(case, expected):
    assert problems(CASES / case / "pipeline.yml") == expected


def test_env_types(tmp_path):
    text = (CASES / "native_env_types" / "pipeline.yml").read_text().replace("          WRONG: {vault: x}\n", "")
    path = tmp_path / "pipeline.yml"
    path.write_text(text)
    build = load_pipeline(path).stage("Build").actions[0]
    assert json.loads(build.configuration["EnvironmentVariables"]) == [
        {"name": "PLAIN", "value": "text", "type": VariableType.PLAINTEXT.value},
        {"name": "PASSWORD", "value": "/app/db/password", "type": "PARAMETER_STORE"},
        {"name": "TOKEN", "value": "app/token:key", "type": "SECRETS_MANAGER"},
    ]
    assert build.project is not None
    assert (build.project.name, build.project.buildspec, build.project.timeout_minutes) == (
        "Build",
        "buildspec.yml",
        60,
    )


def test_template_flags_on_a_native_file_are_refused():
    path = CASES / "native_unknown_key" / "pipeline.yml"
    assert problems(path, {"Env": "dev"}, "Pipeline") == [
        "1:1: error: --parameter and --pipeline apply to CloudFormation templates; this is a native pipeline file"
    ]
