"""Secret values never reach a log: codebuild-semantics §1.4 (masking is an exact-string match)."""

import threading

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


def test_a_new_event_field_is_masked_without_touching_the_masker():
    # Fail closed: a field nobody declared structural (an approval summary, a resolved #{...} variable) is masked.
    event = Masker(["s3cret"])(None, "info", {"event": "approval_needed", "summary": "deploy s3cret?", "count": 2})
    assert event == {"event": "approval_needed", "summary": "deploy ***?", "count": 2}


def test_a_new_build_record_field_is_masked_at_any_depth():
    record = {"id": "p:s3cret", "buildStatus": "SUCCEEDED", "newSection": {"notes": ["s3cret"], "s3cret": "x"}}
    assert mask_build_record(record, Masker(["s3cret"])) == {
        "id": "p:s3cret",
        "buildStatus": "SUCCEEDED",
        "newSection": {"notes": ["***"], "s3cret": "x"},
    }


def test_secrets_added_by_one_build_mask_the_output_of_every_build_sharing_the_masker():
    masker = Masker()
    masker.add(["first-build-secret"])
    masker.add(["second"])
    assert masker.mask("first-build-secret and second") == "*** and ***"


def test_adding_secrets_from_many_threads_loses_none():
    masker = Masker()
    names = [f"secret-{n:03d}" for n in range(200)]
    threads = [threading.Thread(target=masker.add, args=([name],)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert masker.mask(" ".join(names)) == " ".join(["***"] * 200)
