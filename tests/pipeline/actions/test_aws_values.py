"""A pipeline's `--aws`: the CodeBuild project's, the action's and the buildspec's parameter-store and secrets-manager
variables resolve through the source the run's BuildEngine carries, against moto's server (tests/aws_endpoint.py),
with the precedence of CP §1.8 (action > project > buildspec) and one lookup per name."""

from __future__ import annotations

from pathlib import Path

from simulator.codebuild.aws_values import AwsTarget, connect_aws
from simulator.codebuild.parameters import SecretReference
from simulator.codebuild.result import PhaseContext
from simulator.codebuild.runner import resolve_values
from simulator.pipeline.actions.codebuild import BuildInputs, LocalSettings, build_request, parse_action_variables
from simulator.pipeline.actions.dispatch import BuildEngine
from simulator.pipeline.model import (
    Action,
    ActionType,
    Category,
    CodeBuildProject,
    EnvironmentVariable,
    VariableType,
    Where,
)
from simulator.reporting.masking import Masker
from simulator.state import StateFolder
from tests.aws_endpoint import DB_PASSWORD, GREETING, TOKEN

HERE = Where(Path("pipeline.yml"), 3, 5)
BUILDSPEC = (
    "version: 0.2\nenv:\n  parameter-store:\n    GREETING: /shop/dev/greeting\n    DB_PASSWORD: /shop/dev/greeting\n"
    "  secrets-manager:\n    DB_USER: prod/db:username\nphases:\n  build:\n    commands: [make]\n"
)
MISSING = "version: 0.2\nenv:\n  parameter-store:\n    X: /shop/dev/missing\nphases:\n  build:\n    commands: [make]\n"


def project(*variables: EnvironmentVariable) -> CodeBuildProject:
    return CodeBuildProject("shop-dev", HERE, buildspec="buildspec.yml", environment_variables=variables)


def action(built: CodeBuildProject) -> Action:
    return Action(
        "BuildDev",
        ActionType(Category.BUILD, "AWS", "CodeBuild"),
        HERE,
        configuration={"ProjectName": built.name},
        input_artifacts=("SourceOutput",),
        output_artifacts=(),
        project=built,
    )


class Counting:
    def __init__(self, source) -> None:
        self.source, self.asked = source, []

    def parameter(self, name: str) -> str:
        self.asked.append(name)
        return self.source.parameter(name)

    def secret(self, reference: SecretReference):
        self.asked.append(reference.version_key)
        return self.source.secret(reference)


def engine_request(tmp_path, engine: BuildEngine, built: CodeBuildProject, action_variables: str, text=BUILDSPEC):
    source = tmp_path / "SourceOutput"
    source.mkdir()
    (source / "buildspec.yml").write_text(text)
    return build_request(
        "shop",
        action(built),
        built,
        parse_action_variables(action_variables),
        BuildInputs({"SourceOutput": source}, tmp_path / "out", "abc123"),
        LocalSettings(engine.value_source, engine.image_map, engine.overrides),
    )


def test_project_and_action_variables_resolve_from_aws_above_the_buildspec_once_per_name(aws_env, tmp_path):
    counting = Counting(connect_aws(AwsTarget()))
    engine = BuildEngine(None, StateFolder(tmp_path / ".simulator"), Masker(), counting, {}, {})  # type: ignore[arg-type]
    built = project(
        # The project's parameter beats the buildspec's, the action's secret the project's.
        EnvironmentVariable("DB_PASSWORD", "/shop/dev/db/password", VariableType.PARAMETER_STORE),
        EnvironmentVariable("TOKEN", "prod/db:password", VariableType.SECRETS_MANAGER),
    )
    request = engine_request(
        tmp_path,
        engine,
        built,
        '[{"name":"TOKEN","value":"shop/token","type":"SECRETS_MANAGER"},'
        '{"name":"AGAIN","value":"/shop/dev/greeting","type":"PARAMETER_STORE"}]',
    )
    assert request.value_source is counting
    assert resolve_values(request) == (
        {"GREETING": GREETING, "DB_PASSWORD": DB_PASSWORD, "DB_USER": "admin", "AGAIN": GREETING, "TOKEN": TOKEN},
        None,
    )
    # /shop/dev/greeting is named three times (twice by the buildspec, once by the action), prod/db twice.
    assert counting.asked == ["/shop/dev/greeting", "prod/db", "/shop/dev/db/password", "shop/token"]


def test_a_missing_name_in_aws_fails_download_source_with_the_name_and_aws_error_code(aws_env, tmp_path):
    engine = BuildEngine(None, StateFolder(tmp_path / ".simulator"), Masker(), connect_aws(AwsTarget()), {}, {})  # type: ignore[arg-type]
    request = engine_request(tmp_path, engine, project(), "[]", MISSING)
    assert resolve_values(request) == (
        {},
        PhaseContext("Decrypted Variables Error", "parameter does not exist: /shop/dev/missing (ParameterNotFound)"),
    )
