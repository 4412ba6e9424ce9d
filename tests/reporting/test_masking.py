"""Secret values never reach a log: codebuild-semantics §1.4 (masking is an exact-string match)."""

from simulator.reporting.masking import Masker, mask_build_record


def test_every_occurrence_is_masked():
    assert Masker(["s3cret"]).mask("pw=s3cret and again s3cret") == "pw=*** and again ***"


def test_longer_secret_is_masked_before_its_prefix():
    assert Masker(["abcd", "abcdef"]).mask("abcdef abcd") == "*** ***"


def test_each_line_of_a_multi_line_secret_is_masked():
    assert Masker(['{\n  "password": "p4ssw0rd"\n}']).mask('  "password": "p4ssw0rd"') == "***"


def test_structlog_processor_masks_free_text_only():
    masker = Masker(["S"])
    event = masker(None, "info", {"event": "phase_complete", "state": "SUCCEEDED", "line": "S is S", "command": "S"})
    assert event == {"event": "phase_complete", "state": "SUCCEEDED", "line": "*** is ***", "command": "***"}


def test_build_record_keeps_ids_and_statuses_and_masks_free_text():
    record = {
        "id": "p:1S",
        "buildStatus": "SUCCEEDED",
        "phases": [
            {"phaseType": "BUILD", "contexts": [{"statusCode": "COMMAND_EXECUTION_ERROR", "message": "echo S"}]}
        ],
        "exportedEnvironmentVariables": [{"name": "SECRET", "value": "S"}],
        "artifacts": {"location": "/a/S", "name": "app-S"},
        "secondaryArtifacts": [{"artifactIdentifier": "S", "location": "/b", "name": "S-2"}],
    }
    assert mask_build_record(record, Masker(["S"])) == {
        "id": "p:1S",
        "buildStatus": "SUCCEEDED",
        "phases": [
            {"phaseType": "BUILD", "contexts": [{"statusCode": "COMMAND_EXECUTION_ERROR", "message": "echo ***"}]}
        ],
        "exportedEnvironmentVariables": [{"name": "SECRET", "value": "***"}],
        "artifacts": {"location": "/a/S", "name": "app-***"},
        "secondaryArtifacts": [{"artifactIdentifier": "S", "location": "/b", "name": "***-2"}],
    }


def test_transformed_secret_is_not_masked_as_in_the_cloud():
    assert Masker(["s3cret"]).mask("terces3") == "terces3"


def test_short_values_are_masked_too_but_blank_ones_are_not():
    assert Masker(["ab", "  "]).mask("grab a  cab") == "gr*** a  c***"
