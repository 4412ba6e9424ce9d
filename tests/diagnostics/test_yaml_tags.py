"""CloudFormation's short-form tags, kept with their positions when asked for (CP §4.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.buildspec import parse_buildspec
from simulator.diagnostics import Tagged, YamlSourceError, compose, to_document


def load(text: str, *, keep_tags: bool = True) -> object:
    root = compose(text)
    assert root is not None
    document = to_document(root, keep_tags=keep_tags)
    assert document.problems == []
    return document.data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!Ref Bucket", Tagged("!Ref", "Bucket", 1, 4)),
        ("!Ref AWS::Region", Tagged("!Ref", "AWS::Region", 1, 4)),
        # The scalar form of GetAtt is kept as written: splitting it on the first dot is the evaluator's job.
        ("!GetAtt Role.Arn", Tagged("!GetAtt", "Role.Arn", 1, 4)),
        ("!GetAtt [Stack, Outputs.Url]", Tagged("!GetAtt", ["Stack", "Outputs.Url"], 1, 4)),
        ("!Join ['-', [a, b]]", Tagged("!Join", ["-", ["a", "b"]], 1, 4)),
        ("!If [IsProd, big, small]", Tagged("!If", ["IsProd", "big", "small"], 1, 4)),
        ("!Select [0, [a, b]]", Tagged("!Select", ["0", ["a", "b"]], 1, 4)),
        ("!Split [',', 'a,b']", Tagged("!Split", [",", "a,b"], 1, 4)),
        ("!Equals [a, b]", Tagged("!Equals", ["a", "b"], 1, 4)),
        ("!Not [Cond]", Tagged("!Not", ["Cond"], 1, 4)),
        ("!And [A, B]", Tagged("!And", ["A", "B"], 1, 4)),
        ("!Or [A, B]", Tagged("!Or", ["A", "B"], 1, 4)),
        ("!FindInMap [Map, Top, Second]", Tagged("!FindInMap", ["Map", "Top", "Second"], 1, 4)),
        ("!ImportValue shared-vpc", Tagged("!ImportValue", "shared-vpc", 1, 4)),
        ("!Base64 text", Tagged("!Base64", "text", 1, 4)),
        ("!Condition IsProd", Tagged("!Condition", "IsProd", 1, 4)),
        # CP §4.1: `!GetAZs ''` names the current region; the empty text stays text.
        ("!GetAZs ''", Tagged("!GetAZs", "", 1, 4)),
    ],
)
def test_each_short_form_tag_loads_with_its_line_and_column(text, expected):
    assert load(f"v: {text}\n") == {"v": expected}


def test_both_forms_of_sub():
    text = (
        "Resources:\n"
        "  Name: !Sub '${AWS::StackName}-bucket'\n"
        "  Url: !Sub\n"
        "    - 'https://${Host}/${!Literal}'\n"
        "    - Host: !GetAtt Balancer.DNSName\n"
    )
    assert load(text) == {
        "Resources": {
            "Name": Tagged("!Sub", "${AWS::StackName}-bucket", 2, 9),
            "Url": Tagged(
                "!Sub",
                ["https://${Host}/${!Literal}", {"Host": Tagged("!GetAtt", "Balancer.DNSName", 5, 13)}],
                3,
                8,
            ),
        }
    }


def test_nested_tags_keep_each_position():
    text = "Subnet: !Select [0, !GetAZs '']\nValue: !If [IsProd, !Ref Big, !Ref AWS::NoValue]\n"
    assert load(text) == {
        "Subnet": Tagged("!Select", ["0", Tagged("!GetAZs", "", 1, 21)], 1, 9),
        "Value": Tagged("!If", ["IsProd", Tagged("!Ref", "Big", 2, 21), Tagged("!Ref", "AWS::NoValue", 2, 31)], 2, 8),
    }


def test_long_forms_are_plain_mappings():
    text = "Name:\n  Fn::Sub: '${AWS::StackName}-x'\nId:\n  Ref: Bucket\nArn:\n  Fn::GetAtt: [Role, Arn]\n"
    assert load(text) == {
        "Name": {"Fn::Sub": "${AWS::StackName}-x"},
        "Id": {"Ref": "Bucket"},
        "Arn": {"Fn::GetAtt": ["Role", "Arn"]},
    }


def test_yaml_own_tags_are_never_kept():
    assert load("a: !!str 3\nb: !!int 4\n") == {"a": "3", "b": "4"}


def test_without_the_opt_in_a_tag_is_ignored_as_before():
    assert load("v: !Ref Bucket\nw: !Join [a, [b]]\n", keep_tags=False) == {"v": "Bucket", "w": ["a", ["b"]]}


def test_a_buildspec_reads_tagged_text_as_text():
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - !Ref make\n"
    assert parse_buildspec(text, Path("buildspec.yml")).buildspec.phases.build.commands == ("make",)  # type: ignore[union-attr]


def test_two_tags_on_one_node_are_a_yaml_error():
    # CP §4.1: a node carries one tag; one of the two must use the long form.
    with pytest.raises(YamlSourceError) as caught:
        compose("v: !Base64 !Sub x\n")
    assert (caught.value.line, caught.value.column, caught.value.message) == (
        1,
        12,
        "invalid YAML: expected <block end>, but found '<tag>' (while parsing a block mapping at line 1, column 1)",
    )
