"""CP §1.7: `#{Namespace.Key}` resolution."""

from __future__ import annotations

import pytest

from simulator.pipeline.variables import Reference, UnresolvedReference, references, resolve, resolve_all

KNOWN = {
    "codepipeline": {"PipelineExecutionId": "0e3c-uuid"},
    "SourceVariables": {"CommitId": "abc123", "BranchName": "main"},
    "BuildDevVars": {"IMAGE_TAG": "1.2.3", "ECHO": "#{SourceVariables.CommitId}"},
    "variables": {"DeployTarget": "dev"},
}


@pytest.mark.parametrize(
    ("text", "resolved"),
    [
        ("#{codepipeline.PipelineExecutionId}", "0e3c-uuid"),
        ("deploy #{BuildDevVars.IMAGE_TAG} from #{SourceVariables.BranchName}", "deploy 1.2.3 from main"),
        ("#{variables.DeployTarget}", "dev"),
        ("no reference", "no reference"),
        ("#{not a reference}", "#{not a reference}"),
        ("#{NoDot}", "#{NoDot}"),
        ("${CloudFormation} stays", "${CloudFormation} stays"),
        # A value is inserted once: its own #{...} text is not resolved again.
        ("#{BuildDevVars.ECHO}", "#{SourceVariables.CommitId}"),
    ],
)
def test_references_resolve_to_earlier_values(text, resolved):
    assert resolve(text, KNOWN) == resolved


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "#{Later.Thing}",
            "The variable #{Later.Thing} cannot be resolved: no earlier action has the namespace 'Later'.",
        ),
        (
            "#{SourceVariables.Nope}",
            "The variable #{SourceVariables.Nope} cannot be resolved: the namespace 'SourceVariables' has no "
            "variable 'Nope'.",
        ),
    ],
)
def test_an_unresolvable_reference_is_an_error_never_an_empty_string(text, message):
    # CP §1.7 [inferred]: do not substitute an empty string silently.
    with pytest.raises(UnresolvedReference) as raised:
        resolve(text, KNOWN)
    assert str(raised.value) == message


def test_references_are_listed_in_order():
    assert list(references("#{a.b} and #{c.d-e}")) == [Reference("a", "b"), Reference("c", "d-e")]


def test_every_value_of_a_configuration_is_resolved():
    assert resolve_all({"CustomData": "tag #{BuildDevVars.IMAGE_TAG}", "Plain": "x"}, KNOWN) == {
        "CustomData": "tag 1.2.3",
        "Plain": "x",
    }


def test_a_variable_stored_masked_is_an_error_never_the_text_of_the_mask():
    # Found by the review: a carried-on run handed `***` on (a shell then expanded it as a glob).
    from simulator.pipeline.variables import Withheld

    with pytest.raises(UnresolvedReference) as raised:
        resolve("#{BV.LEAK}", {"BV": {"LEAK": Withheld("p=***")}})
    assert str(raised.value).startswith(
        "The variable #{BV.LEAK} cannot be resolved: its value held a secret, which the execution store keeps masked"
    )
