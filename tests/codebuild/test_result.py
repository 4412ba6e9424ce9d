"""The build record's shape: BatchGetBuilds' field types (CB §7, the summary)."""

import pytest

from simulator.codebuild.result import BuildResult


@pytest.mark.parametrize(("minutes", "recorded"), [(60.0, 60), (0.05, 1), (2.5, 3)])
def test_timeout_in_minutes_is_an_integer_as_in_the_api(minutes, recorded):
    result = BuildResult("p:1", "arn", 1, "p", None, "img", "me", 0.0, timeout_minutes=minutes)
    value = result.to_json()["timeoutInMinutes"]
    assert (type(value), value) == (int, recorded)
