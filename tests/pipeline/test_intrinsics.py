"""Intrinsic functions evaluated locally, short and long forms (CP §1.7, CP §4, CP §6)."""

from __future__ import annotations

import base64
import textwrap
from pathlib import Path

import pytest

from simulator.pipeline.cloudformation import parse_template
from simulator.pipeline.errors import PipelineFileError

# A template whose source action's Configuration.Value is the expression under test.
TEMPLATE = """\
Parameters:
  Env: {{Type: String, Default: prod, AllowedValues: [dev, prod]}}
  Names: {{Type: CommaDelimitedList, Default: "a,b,c"}}
  Token: {{Type: String, NoEcho: true, Default: s3cr3t-token}}
Mappings:
  Sizes:
    prod: {{Compute: LARGE}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: {{"Fn::Not": [{{Condition: IsProd}}]}}
  Both: !And [!Condition IsProd, !Not [!Condition IsDev]]
  Either: !Or [!Condition IsDev, !Equals [a, b]]
Resources:
  Bucket: {{Type: AWS::S3::Bucket, Properties: {{BucketName: !Sub "${{AWS::StackName}}-artifacts"}}}}
  Topic: {{Type: AWS::SNS::Topic, Properties: {{TopicName: approvals}}}}
  Role: {{Type: AWS::IAM::Role, Properties: {{RoleName: pipeline-role}}}}
  Project:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: app
      Source: {{Type: CODEPIPELINE}}
      Environment: {{Image: img}}
  Unnamed: {{Type: AWS::Lambda::Function, Properties: {{}}}}
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: r
      ArtifactStore: {{Type: S3, Location: b}}
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {{Category: Source, Owner: AWS, Provider: S3, Version: "1"}}
              Configuration:
                Value: {expression}
"""


def value(expression: str, parameters: dict[str, str] | None = None) -> str:
    text = TEMPLATE.format(expression=expression)
    pipeline = parse_template(text, Path("stack.yml"), parameters)
    return pipeline.stages[0].actions[0].configuration["Value"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("!Ref Env", "prod"),
        ('{"Ref": "Env"}', "prod"),
        ("!Ref AWS::Region", "us-east-1"),
        ("!Ref AWS::AccountId", "000000000000"),
        ("!Ref AWS::StackName", "stack"),
        ("!Ref AWS::Partition", "aws"),
        ("!Ref AWS::URLSuffix", "amazonaws.com"),
        (
            "!Ref AWS::StackId",
            "arn:aws:cloudformation:us-east-1:000000000000:stack/stack/00000000-0000-0000-0000-000000000000",
        ),
        ("!Ref Bucket", "stack-artifacts"),
        ("!Ref Topic", "arn:aws:sns:us-east-1:000000000000:approvals"),  # Ref of a topic is its ARN
        ("!Ref Unnamed", "Unnamed"),  # no name property: the logical id
        ("!GetAtt Bucket.Arn", "arn:aws:s3:::stack-artifacts"),
        ("!GetAtt [Role, Arn]", "arn:aws:iam::000000000000:role/pipeline-role"),
        ('{"Fn::GetAtt": [Project, Arn]}', "arn:aws:codebuild:us-east-1:000000000000:project/app"),
        ("!GetAtt Topic.TopicName", "approvals"),
        ("!GetAtt Unnamed.Arn", "arn:aws:lambda:us-east-1:000000000000:function:Unnamed"),
        ("!GetAtt Pipeline.Version", "1"),
        ("!Sub '${Env}-${AWS::Region}'", "prod-us-east-1"),
        ("!Sub '${Bucket.Arn}/*'", "arn:aws:s3:::stack-artifacts/*"),
        ("!Sub ['${A}-${Env}', {A: !Ref Topic}]", "arn:aws:sns:us-east-1:000000000000:approvals-prod"),
        # CP §1.7: CodePipeline's #{...} passes through !Sub untouched; ${!X} is the literal ${X}.
        ("!Sub '#{SourceVariables.CommitId}-${Env}-${!Literal}'", "#{SourceVariables.CommitId}-prod-${Literal}"),
        ('{"Fn::Sub": "${Env}"}', "prod"),
        ("!Join ['-', [a, !Ref Env, c]]", "a-prod-c"),
        ("!Join [',', !Ref Names]", "a,b,c"),
        ("!Select [1, !Ref Names]", "b"),
        ("!Select [2, !Split ['/', 'x/y/z']]", "z"),
        ("!If [IsProd, big, small]", "big"),
        ("!If [IsDev, big, small]", "small"),
        ("!If [Both, yes, no]", "yes"),
        ("!If [Either, yes, no]", "no"),
        ('{"Fn::If": [IsProd, {"Fn::FindInMap": [Sizes, !Ref Env, Compute]}, none]}', "LARGE"),
        ("!FindInMap [Sizes, prod, Compute]", "LARGE"),
        ("!Base64 hello", base64.b64encode(b"hello").decode()),
        ("!Select [0, !GetAZs '']", "us-east-1a"),
        ("!Ref Token", "s3cr3t-token"),
    ],
)
def test_expression(expression, expected):
    assert value(expression) == expected


def test_given_parameters_and_pseudo_parameters_win_over_defaults():
    assert value("!Sub '${Env}@${AWS::Region}'", {"Env": "dev", "AWS::Region": "eu-west-1"}) == "dev@eu-west-1"


def test_a_no_echo_parameter_value_is_a_secret_of_the_pipeline():
    text = TEMPLATE.format(expression="!Ref Token")
    assert parse_template(text, Path("stack.yml")).secret_values == ("s3cr3t-token",)


def test_no_value_removes_the_key():
    text = TEMPLATE.format(expression="x\n                Gone: !If [IsDev, kept, !Ref AWS::NoValue]")
    assert parse_template(text, Path("stack.yml")).stages[0].actions[0].configuration == {"Value": "x"}


def errors(expression: str, parameters: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(PipelineFileError) as caught:
        value(expression, parameters)
    return [f"{d.line}:{d.column}: {d.message}" for d in caught.value.diagnostics]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "!ImportValue shared",
            ["35:24: !ImportValue 'shared' reads another stack's export, which has no local value; use a parameter"],
        ),
        (
            "!GetAtt Bucket.Nope",
            ["35:24: !GetAtt Bucket.Nope has no local value (AWS::S3::Bucket: use Arn, or a parameter)"],
        ),
        ("!Select [9, !Ref Names]", ["35:24: !Select index '9' is not one of 0 to 2"]),
        ("!If [Nope, a, b]", ["35:24: no condition named 'Nope' in Conditions"]),
        ("!FindInMap [Sizes, dev, Compute]", ["35:24: !FindInMap: Mappings.Sizes has no key 'dev'"]),
        ("!Cidr [a, b, c]", ["35:24: !Cidr is not supported locally"]),
        ("!Sub '${Nope}'", ["35:24: !Ref 'Nope': the template has no parameter or resource of that name"]),
        # Every problem is reported, not only the first.
        (
            "!Join ['', [!ImportValue a, !Ref Missing]]",
            [
                "35:36: !ImportValue 'a' reads another stack's export, which has no local value; use a parameter",
                "35:52: !Ref 'Missing': the template has no parameter or resource of that name",
            ],
        ),
    ],
)
def test_what_cannot_be_resolved_locally_is_an_error_at_its_position(expression, expected):
    assert errors(expression) == expected


def test_a_value_outside_allowed_values_is_refused_and_a_no_echo_value_is_not_echoed():
    assert errors("!Ref Env", {"Env": "qa"}) == ["2:3: the parameter 'Env' is 'qa', not one of dev, prod"]
    text = TEMPLATE.format(expression="x").replace("NoEcho: true,", "NoEcho: true, AllowedValues: [a],")
    with pytest.raises(PipelineFileError) as caught:
        parse_template(text, Path("stack.yml"))
    assert [d.message for d in caught.value.diagnostics] == ["the parameter 'Token' is the value given, not one of a"]


def test_a_json_template_keeps_positions():
    text = textwrap.dedent(
        """\
        {
          "Resources": {
            "Pipeline": {
              "Type": "AWS::CodePipeline::Pipeline",
              "Properties": {
                "RoleArn": {"Fn::ImportValue": "role"},
                "ArtifactStore": {"Type": "S3", "Location": "b"},
                "Stages": []
              }
            }
          }
        }
        """
    )
    with pytest.raises(PipelineFileError) as caught:
        parse_template(text, Path("stack.json"))
    assert [d.format() for d in caught.value.diagnostics] == [
        "stack.json:6:21: error: !ImportValue 'role' reads another stack's export, which has no local value; "
        "use a parameter"
    ]
