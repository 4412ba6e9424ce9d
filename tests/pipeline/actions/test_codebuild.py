"""CP §1.8, CP §3, CP §7 item 4: what a CodeBuild action asks of the build engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.buildspec import parse_buildspec
from simulator.codebuild.parameters import LocalValues
from simulator.codebuild.upload import RequiredArtifacts
from simulator.pipeline.actions.codebuild import (
    ActionInputError,
    BuildInputs,
    LocalSettings,
    build_request,
    parse_action_variables,
    report_summaries,
)
from simulator.pipeline.model import (
    Action,
    ActionType,
    Category,
    CodeBuildProject,
    EnvironmentVariable,
    VariableType,
    Where,
)
from tests.conftest import FIXTURES

HERE = Where(Path("pipeline.yml"), 3, 5)
PROJECT = CodeBuildProject(
    "shop-dev",
    HERE,
    buildspec="buildspecs/buildspec-dev.yml",
    image="aws/codebuild/standard:7.0",
    environment_variables=(
        EnvironmentVariable("STAGE", "project"),
        EnvironmentVariable("DB_PASSWORD", "/shop/dev/db", VariableType.PARAMETER_STORE),
        EnvironmentVariable("ONLY_PROJECT", "kept"),
    ),
    privileged=True,
    timeout_minutes=30,
)


def codebuild(inputs=("SourceOutput",), outputs=("BuildOutput",), **configuration) -> Action:
    return Action(
        "BuildDev",
        ActionType(Category.BUILD, "AWS", "CodeBuild"),
        HERE,
        configuration={"ProjectName": "shop-dev", **configuration},
        input_artifacts=inputs,
        output_artifacts=outputs,
        project=PROJECT,
    )


@pytest.fixture
def artifacts(tmp_path):
    source = tmp_path / "SourceOutput"
    (source / "buildspecs").mkdir(parents=True)
    (source / "buildspecs" / "buildspec-dev.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    config = tmp_path / "config-files"
    config.mkdir()
    return {"SourceOutput": source, "config-files": config}


def test_one_input_is_the_primary_and_one_output_the_primary_artifact(artifacts, tmp_path):
    inputs = BuildInputs({"SourceOutput": artifacts["SourceOutput"]}, tmp_path / "out", "abc123")
    action_variables = parse_action_variables(
        '[{"name":"STAGE","value":"action"},{"name":"TOKEN","value":"t","type":"SECRETS_MANAGER"}]'
    )
    request = build_request("shop", codebuild(), PROJECT, action_variables, inputs, LocalSettings(LocalValues(), {}))
    assert request.source == artifacts["SourceOutput"]
    assert request.buildspec.path == artifacts["SourceOutput"] / "buildspecs" / "buildspec-dev.yml"
    assert (request.project, request.initiator, request.image) == ("shop-dev", "codepipeline/shop", PROJECT.image)
    assert (request.privileged, request.timeout_minutes, request.source_version) == (True, 30.0, "abc123")
    # Action > project (CP §1.8 [inferred]); the buildspec's own env is below both, in the engine.
    assert request.environment_overrides == {"STAGE": "action", "ONLY_PROJECT": "kept"}
    assert request.parameter_overrides == {"DB_PASSWORD": "/shop/dev/db"}
    assert request.secret_overrides == {"TOKEN": "t"}
    assert request.artifacts_dir == tmp_path / "out" / "BuildOutput"
    assert request.required_artifacts == RequiredArtifacts(primary=True)


def test_several_inputs_and_outputs(artifacts, tmp_path):
    # CP §3: other inputs at CODEBUILD_SRC_DIR_<name>; several outputs are secondary artifacts by name.
    action = codebuild(("config-files", "SourceOutput"), ("web", "api"), PrimarySource="SourceOutput")
    request = build_request(
        "shop", action, PROJECT, (), BuildInputs(artifacts, tmp_path / "out", None), LocalSettings(LocalValues(), {})
    )
    assert request.source == artifacts["SourceOutput"]
    assert dict(request.secondary_sources) == {"config-files": artifacts["config-files"]}
    assert (request.artifacts_dir, request.secondary_artifacts_dir) == (None, tmp_path / "out")
    assert request.required_artifacts == RequiredArtifacts(secondary=("web", "api"))


def test_a_buildspec_the_primary_source_lacks_fails_the_action_before_any_build(artifacts, tmp_path):
    project = CodeBuildProject("shop-dev", HERE, buildspec="buildspecs/nope.yml")
    inputs = BuildInputs({"SourceOutput": artifacts["SourceOutput"]}, tmp_path / "out", None)
    with pytest.raises(ActionInputError) as raised:
        build_request("shop", codebuild(), project, (), inputs, LocalSettings(LocalValues(), {}))
    assert str(raised.value) == (
        "YAML_FILE_ERROR: YAML file does not exist: buildspecs/nope.yml is not in the primary source."
    )


def test_an_inline_buildspec_is_the_buildspec_itself(artifacts, tmp_path):
    project = CodeBuildProject(
        "inline", HERE, buildspec="version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n", buildspec_is_inline=True
    )
    inputs = BuildInputs({"SourceOutput": artifacts["SourceOutput"]}, tmp_path / "out", None)
    request = build_request("shop", codebuild(), project, (), inputs, LocalSettings(LocalValues(), {}))
    assert request.buildspec.buildspec.phases.build is not None
    assert request.buildspec.buildspec.phases.build.commands == ("echo hi",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[{",
            "EnvironmentVariables is not valid JSON (Expecting property name enclosed in double quotes at column 3).",
        ),
        ('{"name": "A"}', "EnvironmentVariables must be a JSON list of {name, value, type} objects."),
        ('[{"name": "A"}]', "EnvironmentVariables entry 1 needs a name and a value."),
        (
            '[{"name": "A", "value": "x", "type": "SSM"}]',
            "EnvironmentVariables entry 1 (A) has the type 'SSM': use PLAINTEXT, PARAMETER_STORE or SECRETS_MANAGER.",
        ),
    ],
)
def test_bad_action_variables_say_what_is_wrong(text, message):
    with pytest.raises(ActionInputError) as raised:
        parse_action_variables(text)
    assert str(raised.value) == message


def test_each_saved_report_group_is_summed_up_in_the_format_its_buildspec_names():
    # CB §1.8: file-format is per group, JUNITXML when a group gives none; a group the build saved
    # no files for is not in the result's reports, so it gets no summary.
    buildspec = parse_buildspec(
        "version: 0.2\n"
        "phases: {build: {commands: [make test]}}\n"
        "reports:\n"
        "  unit: {files: ['*.xml']}\n"
        "  nunit: {files: ['*.xml'], file-format: nunit3xml}\n"
        "  empty: {files: ['*.xml']}\n",
        Path("buildspec.yml"),
    ).buildspec
    folders = FIXTURES / "report_files"
    saved = {"unit": str(folders / "failing"), "nunit": str(folders / "nunit3")}

    summaries = report_summaries(buildspec, saved)

    assert [(s.group, s.file_format, s.total, s.failed_tests[:1]) for s in summaries] == [
        ("unit", "JUNITXML", 3, ("tests.test_cart.test_total",)),
        ("nunit", "NUNIT3XML", 4, ("Shop.Tests.CartTests.Totals",)),
    ]
