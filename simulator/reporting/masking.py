"""Secret values are replaced by `***` at one choke point that every line the simulator writes goes through."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from functools import lru_cache
from typing import Any

MASK = "***"
# codebuild-semantics §1.4: AWS credentials are hidden in logs too, whatever the variable that carries them.
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


# The event fields that carry text from the build or the buildspec (see simulator.reporting.render.TEMPLATES).
FREE_TEXT_FIELDS = frozenset({"line", "command", "message", "name", "path", "value"})


class Masker:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        pieces: set[str] = set()
        for secret in secrets:
            pieces.add(secret)
            # A multi-line secret reaches the log one line at a time.
            pieces.update(line for line in secret.splitlines() if line.strip())
        # Every value is masked, however short: a one-character secret makes the log hard to read, and that is
        # the price CodeBuild's exact-string masking pays too. Blank values are not secrets.
        self._secrets = sorted((p for p in pieces if p.strip()), key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def mask(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def safe_cut(self, text: str, limit: int) -> int:
        """Where a piece of `text` may end (at most `limit`) without splitting a secret over two pieces.

        Each piece is masked on its own, so no cut may fall inside an occurrence of a secret: neither one that is
        complete in `text` nor one that `text` ends in the first part of, since the rest may follow in the next
        piece. The search stays within a few secret lengths of `limit`, so cutting a long line costs linear time.
        Only overlapping occurrences running across more than that (a repeated periodic secret such as "abab")
        leave no such point; the cut is then at `limit`, as it would be without secrets.
        """
        longest = len(self._secrets[0]) if self._secrets else 0
        if longest < 2 or limit <= 0:
            return limit
        floor = max(1, limit - _CUT_SEARCH_SECRET_LENGTHS * longest)
        spans = sorted(span for secret in self._secrets for span in _spans_near(text, secret, floor, limit))
        cut = limit
        for start, end in _merged(spans):
            if start < cut < end:
                cut = start
        return cut if cut >= floor else limit

    def mask_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, Mapping):
            return {key: self.mask_value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.mask_value(item) for item in value]
        return value

    def __call__(self, _logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
        """structlog processor: free text is masked; ids, statuses, phase names and times never are, so a
        one-character secret cannot turn SUCCEEDED into ***UCCEEDED."""
        if not self._secrets:
            return event_dict
        return {key: self.mask_value(v) if key in FREE_TEXT_FIELDS else v for key, v in event_dict.items()}


# How far left of its limit safe_cut looks for a point outside every secret, in lengths of the longest secret.
_CUT_SEARCH_SECRET_LENGTHS = 4


def _spans_near(text: str, secret: str, floor: int, limit: int) -> list[tuple[int, int]]:
    """The occurrences of `secret` that a cut in [floor, limit] could split, as (start, end) offsets.

    One that `text` ends in the middle of counts as complete: its end lies beyond `text`.
    """
    size = len(secret)
    if size < 2:
        return []
    spans: list[tuple[int, int]] = []
    search_end = min(len(text), limit + size - 1)
    found = text.find(secret, max(0, floor - size + 1), search_end)
    while found != -1 and found < limit:
        spans.append((found, found + size))
        found = text.find(secret, found + 1, search_end)
    begun = _longest_begun_at_end(text, secret)
    if begun and len(text) - begun < limit:
        spans.append((len(text) - begun, len(text) - begun + size))
    return spans


def _longest_begun_at_end(text: str, secret: str) -> int:
    """The length of the longest proper prefix of `secret` that `text` ends with (Knuth-Morris-Pratt: linear)."""
    table = _prefix_table(secret)
    state = 0
    for char in text[max(0, len(text) - len(secret) + 1) :]:
        while state and secret[state] != char:
            state = table[state - 1]
        if secret[state] == char:
            state += 1
    return state


@lru_cache(maxsize=1024)
def _prefix_table(secret: str) -> tuple[int, ...]:
    """For each prefix of `secret`, the length of its longest proper prefix that is also its suffix."""
    table = [0] * len(secret)
    length = 0
    for index in range(1, len(secret)):
        while length and secret[index] != secret[length]:
            length = table[length - 1]
        if secret[index] == secret[length]:
            length += 1
        table[index] = length
    return tuple(table)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans joined where they overlap: a cut is safe only outside all of them (touching is fine)."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def credential_values(environment: Mapping[str, str]) -> list[str]:
    return [environment[name] for name in CREDENTIAL_VARIABLES if environment.get(name)]


def mask_build_record(record: dict[str, Any], masker: Masker) -> dict[str, Any]:
    """The BatchGetBuilds record with its free text masked: context messages, exported values, artifact names."""
    masked = dict(record)
    masked["phases"] = [_mask_contexts(phase, masker) for phase in record["phases"]]
    masked["exportedEnvironmentVariables"] = [
        {**item, "value": masker.mask(item["value"])} for item in record["exportedEnvironmentVariables"]
    ]
    if "name" in record.get("artifacts", {}):
        masked["artifacts"] = {**record["artifacts"], "name": masker.mask(record["artifacts"]["name"])}
    if "secondaryArtifacts" in record:
        masked["secondaryArtifacts"] = [
            {**item, "name": masker.mask(item["name"])} if "name" in item else item
            for item in record["secondaryArtifacts"]
        ]
    return masked


def _mask_contexts(phase: dict[str, Any], masker: Masker) -> dict[str, Any]:
    if "contexts" not in phase:
        return phase
    return {**phase, "contexts": [{**c, "message": masker.mask(c["message"])} for c in phase["contexts"]]}
