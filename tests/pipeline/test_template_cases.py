"""Bad CloudFormation templates, one fixture folder each: every error at its file:line:col, nothing run
(CP §1.2, CP §1.4, CP §1.6, CP §1.7, CP §4, CP §6)."""

from __future__ import annotations

import pytest

from simulator.pipeline.cloudformation import load_template
from tests.pipeline.helpers import CASES, problems

TEMPLATE = "pipeline-template.yml"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("template_valid", []),
        (
            "template_import_value",
            [
                "26:29: error: !ImportValue 'shared-branch' reads another stack's export, which has no local "
                "value; use a parameter"
            ],
        ),
        (
            "template_missing_parameter",
            [
                "26:29: error: !Ref 'Brnch': the template has no parameter or resource of that name; "
                "did you mean 'Branch'?"
            ],
        ),
        (
            "template_missing_resource",
            ["32:44: error: !GetAtt Projekt.Arn: no resource named 'Projekt'; did you mean 'Project'?"],
        ),
        (
            "template_parameter_without_default",
            ["3:3: error: the parameter 'Branch' has no Default: give it a value with --parameter Branch=VALUE"],
        ),
        ("template_unknown_property", ["18:7: error: unknown key 'Stagse' in Pipeline; did you mean 'Stages'?"]),
        (
            "template_two_pipelines",
            ["6:1: error: the template defines 2 pipelines (Pipeline, Pipeline2): pick one with --pipeline LOGICAL_ID"],
        ),
        (
            "template_unknown_provider",
            [
                "31:69: error: unknown action provider 'Build/AWS/CodeBuld/1': the simulator cannot run it; "
                "did you mean 'CodeBuild'?"
            ],
        ),
        (
            "template_source_outside_first_stage",
            ["31:29: error: the source action 'Build' must be in the first stage, not 'Build'"],
        ),
        (
            "template_input_never_produced",
            ["33:39: error: the input artifact 'Source' is not produced by any action; did you mean 'Src'?"],
        ),
        (
            "template_unknown_namespace",
            [
                "34:39: error: #{SourceVars.CommitId} in EnvironmentVariables can never be resolved: no action "
                "declares the namespace 'SourceVars'"
            ],
        ),
    ],
)
def test_each_bad_template_is_reported_where_it_is_wrong(case, expected):
    assert problems(CASES / case / TEMPLATE) == expected


def test_a_parameter_given_on_the_command_line_fills_one_without_default():
    path = CASES / "template_parameter_without_default" / TEMPLATE
    assert problems(path, {"Branch": "release"}) == []
    source = load_template(path, {"Branch": "release"}).stages[0].actions[0]
    assert source.configuration == {"BranchName": "release"}


def test_a_parameter_the_template_does_not_declare_is_refused():
    path = CASES / "template_valid" / TEMPLATE
    assert problems(path, {"Brnch": "x"}) == [
        "2:1: error: --parameter Brnch: the template has no such parameter; did you mean 'Branch'?"
    ]


def test_one_of_several_pipelines_is_picked_by_logical_id():
    path = CASES / "template_two_pipelines" / TEMPLATE
    assert load_template(path, pipeline="Pipeline").name == "Pipeline"
    assert problems(path, pipeline="Nope") == [
        "1:1: error: the template has no pipeline 'Nope'; its pipelines are Pipeline, Pipeline2"
    ]
