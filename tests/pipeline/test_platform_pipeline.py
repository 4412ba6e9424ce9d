"""The platform's pipeline in both forms, examples/pipeline-template.yml and stages/pipeline.yml, is one pipeline
(issue 6 item 5; CP §6)."""

from __future__ import annotations

from simulator.pipeline.checks import check_pipeline
from simulator.pipeline.loader import load_pipeline
from simulator.pipeline.model import Pipeline
from tests.conftest import ROOT

TEMPLATE = ROOT / "examples" / "pipeline-template.yml"
NATIVE = ROOT / "stages" / "pipeline.yml"


def shape(pipeline: Pipeline) -> list[tuple[object, ...]]:
    return [
        (
            stage.name,
            action.name,
            str(action.type),
            action.run_order,
            action.input_artifacts,
            action.output_artifacts,
            action.namespace,
            action.primary_source,
            action.project and (action.project.name, action.project.buildspec, action.project.timeout_minutes),
            action.configuration.get("CustomData"),
            action.configuration.get("ExternalEntityLink"),
            action.timeout_minutes,
        )
        for stage, action in pipeline.actions()
    ]


def test_both_forms_load_to_the_same_pipeline():
    template, native = load_pipeline(TEMPLATE), load_pipeline(NATIVE)
    assert template.name == native.name == "ecommerce-ai-platform-pipeline"
    assert shape(template) == shape(native)
    assert [stage.name for stage in template.stages] == ["Source", "BuildDev", "ApproveDev", "BuildProd", "ApproveProd"]


def test_prod_builds_from_the_source_with_the_dev_build_beside_it():
    build_prod = load_pipeline(TEMPLATE).stage("BuildProd").actions[0]
    assert (build_prod.input_artifacts, build_prod.primary_source) == (
        ("SourceOutput", "DevBuildOutput"),
        "SourceOutput",
    )


def test_both_pass_every_check_with_the_repository_buildspecs():
    assert check_pipeline(load_pipeline(TEMPLATE), ROOT) == ()
    assert check_pipeline(load_pipeline(NATIVE), ROOT) == ()


def test_the_template_resolves_what_the_native_file_writes_out():
    template = load_pipeline(TEMPLATE)
    assert template.secret_values == ("local-github-token-not-used",)
    approve = template.stage("ApproveDev").actions[0]
    assert (
        approve.configuration["NotificationArn"]
        == "arn:aws:sns:us-east-1:000000000000:ecommerce-ai-platform-dev-approval"
    )
    project = template.stage("BuildProd").actions[0].project
    assert project is not None
    assert (project.image, project.privileged, [v.name for v in project.environment_variables]) == (
        "aws/codebuild/standard:7.0",
        True,
        ["DEPLOY_ENV", "SITE_URL"],
    )
