"""Secret values never reach a log: CB §1.4 (masking is an exact-string match)."""

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
        "newSection": {"notes": ["***"], "***": "x"},  # a key from a build is text like any other
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


# -- safe_cut: where a long line may be cut without splitting a secret (each piece is masked alone) -----------


def test_a_cut_inside_a_complete_secret_moves_to_its_start():
    assert Masker(["s3cret"]).safe_cut("abc s3cret def", 7) == 4


def test_a_cut_inside_a_secret_that_may_still_be_arriving_moves_to_its_start():
    assert Masker(["s3cret"]).safe_cut("abc s3c", 6) == 4


def test_a_cut_next_to_a_secret_stays():
    masker = Masker(["s3cret"])
    assert (masker.safe_cut("abc s3cret def", 4), masker.safe_cut("abc s3cret def", 10)) == (4, 10)


def test_a_look_alike_that_does_not_continue_leaves_the_cut():
    assert Masker(["s3cret"]).safe_cut("abc s3c-x", 6) == 6


def test_one_character_secrets_can_never_be_split():
    assert Masker(["s"]).safe_cut("ssssss", 3) == 3


def test_overlapping_secrets_move_the_cut_before_the_first():
    assert Masker(["abc123", "123xyz"]).safe_cut("--abc123xyz--", 9) == 2


def test_the_partial_secret_at_the_end_is_found_after_a_complete_one():
    # "abab" ends the text complete, yet its last "ab" may begin another occurrence: a cut at 6 would split both.
    assert Masker(["abab"]).safe_cut("xxxxabab", 8) == 4


def test_without_secrets_the_cut_is_the_limit():
    assert Masker().safe_cut("anything at all", 5) == 5


def test_a_run_of_overlapping_secrets_longer_than_the_search_cuts_at_the_limit():
    # A repeated periodic secret leaves no point outside every occurrence near the limit.
    assert Masker(["ab", "ba"]).safe_cut("ab" * 100, 101) == 101


def test_overlapping_secrets_are_masked_as_one_whatever_their_order():
    for secrets in (["abc123", "123xyz"], ["123xyz", "abc123"]):
        assert Masker(secrets).mask("<abc123xyz>") == "<***>"


def test_a_repeated_secret_that_overlaps_itself_leaves_nothing_of_it():
    assert Masker(["aaa"]).mask("aaaa b") == "*** b"
