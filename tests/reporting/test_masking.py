"""Secret values never reach a log: codebuild-semantics §1.4 (masking is an exact-string match)."""

from simulator.reporting.masking import Masker


def test_every_occurrence_is_masked():
    assert Masker(["s3cret"]).mask("pw=s3cret and again s3cret") == "pw=*** and again ***"


def test_longer_secret_is_masked_before_its_prefix():
    assert Masker(["abcd", "abcdef"]).mask("abcdef abcd") == "*** ***"


def test_each_line_of_a_multi_line_secret_is_masked():
    assert Masker(['{\n  "password": "p4ssw0rd"\n}']).mask('  "password": "p4ssw0rd"') == "***"


def test_structlog_processor_masks_nested_values():
    masker = Masker(["s3cret"])
    event = masker(None, "info", {"event": "x", "line": "s3cret", "items": [{"v": "a s3cret"}]})
    assert event == {"event": "x", "line": "***", "items": [{"v": "a ***"}]}


def test_transformed_secret_is_not_masked_as_in_the_cloud():
    assert Masker(["s3cret"]).mask("terces3") == "terces3"


def test_short_values_are_masked_too_but_blank_ones_are_not():
    assert Masker(["ab", "  "]).mask("grab a  cab") == "gr*** a  c***"
