import pytest

from simulator.buildspec import OnFailure, OnFailureError, OnFailureMode, parse_on_failure

ABORT, CONTINUE, RETRY = OnFailureMode.ABORT, OnFailureMode.CONTINUE, OnFailureMode.RETRY


@pytest.mark.parametrize(
    ("text", "mode", "count", "pattern"),
    [
        # CB §2: every documented form, with the documented defaults (3 tries, regex .*).
        ("ABORT", ABORT, None, None),
        ("CONTINUE", CONTINUE, None, None),
        ("RETRY", RETRY, 3, ".*"),
        ("RETRY-4", RETRY, 4, ".*"),
        ("RETRY-0", RETRY, 0, ".*"),
        ("RETRY-100", RETRY, 100, ".*"),
        ("RETRY-invalid+", RETRY, 3, "invalid+"),
        ("RETRY-8-invalid+", RETRY, 8, "invalid+"),
        # CB §2: the doc example writes the keyword in mixed case.
        ("Retry-3-.*connection timed out.*", RETRY, 3, ".*connection timed out.*"),
        ("abort", ABORT, None, None),
        ("continue", CONTINUE, None, None),
        # The regex keeps its own case and may itself contain dashes.
        ("RETRY-2-Time-Out", RETRY, 2, "Time-Out"),
        ("RETRY-too-many-requests", RETRY, 3, "too-many-requests"),
    ],
)
def test_documented_forms_parse(text, mode, count, pattern):
    assert parse_on_failure(text) == OnFailure(mode=mode, retry_count=count, retry_pattern=pattern, raw=text)


def test_digits_then_dash_are_always_the_count():
    # CB §2 leaves "RETRY-<regex starting with digits and '-'>" undefined; our rule reads the
    # digits as the count, so a regex like that needs an explicit count in front of it.
    assert parse_on_failure("RETRY-3-404-not-found").retry_pattern == "404-not-found"
    assert parse_on_failure("RETRY-3-404-not-found").retry_count == 3
    assert parse_on_failure("RETRY-[4]04-not-found").retry_pattern == "[4]04-not-found"


def test_digits_not_followed_by_a_dash_are_a_regex():
    assert parse_on_failure("RETRY-3.5") == OnFailure(mode=RETRY, retry_count=3, retry_pattern="3.5", raw="RETRY-3.5")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "IGNORE",
            "'IGNORE' is not a valid on-failure value: expected ABORT, CONTINUE, RETRY, RETRY-<count>, "
            "RETRY-<regex> or RETRY-<count>-<regex>",
        ),
        ("RETRY-", "'RETRY-' is not a valid on-failure value: nothing follows 'RETRY-'; give a count, a regex or both"),
        # CB §2: 0 <= count <= 100.
        (
            "RETRY-101",
            "'RETRY-101' is not a valid on-failure value: the retry count must be between 0 and 100, got 101",
        ),
        (
            "RETRY-404-x",
            "'RETRY-404-x' is not a valid on-failure value: the retry count must be between 0 and 100, got 404",
        ),
        ("RETRY-3-", "'RETRY-3-' is not a valid on-failure value: the regex after 'RETRY-3-' is empty"),
        (
            "RETRY-(",
            "'RETRY-(' is not a valid on-failure value: the regex '(' does not compile "
            "(missing ), unterminated subpattern at position 0)",
        ),
        # Regexes that `re` refuses with other errors than re.error, once an unexpected internal error.
        (
            "RETRY-3-a{4294967296}",
            "'RETRY-3-a{4294967296}' is not a valid on-failure value: the regex 'a{4294967296}' does not compile "
            "(the repetition number is too large)",
        ),
        (
            "RETRY-3-" + "(" * 1000 + ")" * 1000,
            f"{'RETRY-3-' + '(' * 1000 + ')' * 1000!r} is not a valid on-failure value: the regex "
            f"{'(' * 1000 + ')' * 1000!r} nests its groups too deeply to compile",
        ),
        (
            "RETRY-" + "9" * 5000,
            f"{'RETRY-' + '9' * 5000!r} is not a valid on-failure value: the retry count must be between 0 and 100, "
            "got a number of 5000 digits",
        ),
        (
            "ABORT-1",
            "'ABORT-1' is not a valid on-failure value: expected ABORT, CONTINUE, RETRY, RETRY-<count>, "
            "RETRY-<regex> or RETRY-<count>-<regex>",
        ),
    ],
)
def test_invalid_values_raise_a_clear_value_error(text, message):
    with pytest.raises(ValueError) as caught:
        parse_on_failure(text)
    assert str(caught.value) == message
    assert isinstance(caught.value, OnFailureError)
    assert caught.value.text == text
