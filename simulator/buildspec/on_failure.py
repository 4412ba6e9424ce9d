"""The phase-level `on-failure` value (CB §2).

Accepted forms, keyword case-insensitive because the AWS doc examples write `Retry-3-...`:
`ABORT`, `CONTINUE`, `RETRY`, `RETRY-<count>`, `RETRY-<regex>`, `RETRY-<count>-<regex>`.

Ambiguity rule (the doc leaves it open): after `RETRY-`, a run of digits that is the whole rest or is
followed by `-` is always read as the count. So `RETRY-404-not-found` means "404 retries, regex `not-found`"
(and is rejected, 404 > 100). To retry on a message that starts with digits and a dash, give the count first
(`RETRY-3-404-not-found`) or write the digits so they are not a bare number (`RETRY-[4]04-not-found`).
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_RETRY_COUNT = 3
DEFAULT_RETRY_PATTERN = ".*"
MAX_RETRY_COUNT = 100

_LONGEST_COUNT = 20
_RETRY_PREFIX = "RETRY-"
_COUNT_THEN_REGEX = re.compile(r"(\d+)-(.*)", re.DOTALL)
_FORMS = "ABORT, CONTINUE, RETRY, RETRY-<count>, RETRY-<regex> or RETRY-<count>-<regex>"


class OnFailureMode(StrEnum):
    ABORT = "ABORT"
    CONTINUE = "CONTINUE"
    RETRY = "RETRY"


class OnFailure(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: OnFailureMode
    retry_count: int | None = Field(default=None, ge=0, le=MAX_RETRY_COUNT)
    retry_pattern: str | None = None
    raw: str


class OnFailureError(ValueError):
    """An on-failure text that is none of the accepted forms; `reason` says which part is wrong."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{text!r} is not a valid on-failure value: {reason}")


def parse_on_failure(text: str) -> OnFailure:
    """Parse an `on-failure` value; raise OnFailureError (a ValueError) if it is not one of the CB §2 forms."""
    word = text.strip()
    upper = word.upper()
    if upper in (OnFailureMode.ABORT, OnFailureMode.CONTINUE):
        return OnFailure(mode=OnFailureMode(upper), raw=text)
    if upper == OnFailureMode.RETRY:
        return _retry(text, DEFAULT_RETRY_COUNT, DEFAULT_RETRY_PATTERN)
    if upper.startswith(_RETRY_PREFIX):
        return _parse_retry_suffix(text, word[len(_RETRY_PREFIX) :])
    raise OnFailureError(text, f"expected {_FORMS}")


def _parse_retry_suffix(text: str, rest: str) -> OnFailure:
    if not rest:
        raise OnFailureError(text, "nothing follows 'RETRY-'; give a count, a regex or both")
    if rest.isdigit():
        return _retry(text, _count(text, rest), DEFAULT_RETRY_PATTERN)
    count_then_regex = _COUNT_THEN_REGEX.fullmatch(rest)
    if count_then_regex is None:
        return _retry(text, DEFAULT_RETRY_COUNT, _pattern(text, rest))
    count, pattern = count_then_regex.groups()
    if not pattern:
        raise OnFailureError(text, f"the regex after 'RETRY-{count}-' is empty")
    return _retry(text, _count(text, count), _pattern(text, pattern))


def _count(text: str, digits: str) -> int:
    if len(digits) > _LONGEST_COUNT:
        # int() refuses more than 4,300 digits, and a count this long is out of range anyway.
        reason = f"the retry count must be between 0 and {MAX_RETRY_COUNT}, got a number of {len(digits)} digits"
        raise OnFailureError(text, reason)
    count = int(digits)
    if count > MAX_RETRY_COUNT:
        raise OnFailureError(text, f"the retry count must be between 0 and {MAX_RETRY_COUNT}, got {count}")
    return count


def _pattern(text: str, pattern: str) -> str:
    # Python's `re` stands in for CodeBuild's (Go, RE2) engine; the common syntax is the same.
    try:
        re.compile(pattern)
    except re.error as exc:
        raise OnFailureError(text, f"the regex {pattern!r} does not compile ({exc})") from exc
    except OverflowError as exc:  # `a{4294967296}`: a repeat count past what `re` can hold
        raise OnFailureError(text, f"the regex {pattern!r} does not compile ({exc})") from exc
    except RecursionError as exc:  # groups nested deeper than `re`'s recursive parser can go
        raise OnFailureError(text, f"the regex {pattern!r} nests its groups too deeply to compile") from exc
    return pattern


def _retry(text: str, count: int, pattern: str) -> OnFailure:
    return OnFailure(mode=OnFailureMode.RETRY, retry_count=count, retry_pattern=pattern, raw=text)
