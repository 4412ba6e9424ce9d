"""Secret values are replaced by `***` at one choke point that every line the simulator writes goes through."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from functools import lru_cache
from typing import Any

MASK = "***"
# CB §1.4: AWS credentials are hidden in logs too, whatever the variable that carries them.
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


# Fail closed: every string the tool writes is masked, except in these fields, which the simulator itself fills
# with ids, statuses, phase names, counts and times (never with text from a build, a buildspec or a user).
# A new field is masked until someone adds it here; so a one-character secret cannot turn SUCCEEDED into
# ***UCCEEDED, and nothing can leak by being forgotten.
STRUCTURAL_EVENT_FIELDS = frozenset(
    {"event", "level", "time", "timestamp", "build_id", "status", "state", "phase", "code", "exit_status", "count"}
)
# The same for a build record (BatchGetBuilds' shape): dotted paths, `[]` for the items of a list.
STRUCTURAL_BUILD_FIELDS = frozenset(
    {
        "id",
        "arn",
        "buildNumber",
        "startTime",
        "endTime",
        "currentPhase",
        "buildStatus",
        "projectName",
        "timeoutInMinutes",
        "buildComplete",
        "resolvedSourceVersion",
        "environment.type",
        "phases[].phaseType",
        "phases[].phaseStatus",
        "phases[].startTime",
        "phases[].endTime",
        "phases[].durationInSeconds",
        "phases[].contexts[].statusCode",
        "exportedEnvironmentVariables[].name",
        "artifacts.location",
        "artifacts.overrideArtifactName",
        "secondaryArtifacts[].artifactIdentifier",
        "secondaryArtifacts[].location",
        "secondaryArtifacts[].overrideArtifactName",
        "reports[].location",
        "stoppedAfterPhase",
    }
)


class Masker:
    """One per process, shared by every build in it: each build adds its secrets, all output is masked by all.

    Safe across threads: `add` swaps in a new tuple, and masking reads whichever tuple is current.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        pieces: set[str] = set()
        for secret in secrets:
            pieces.add(secret)
            # A multi-line secret reaches the log one line at a time.
            pieces.update(line for line in secret.splitlines() if line.strip())
        with self._lock:
            # Every value is masked, however short: a one-character secret makes the log hard to read, and that
            # is the price CodeBuild's exact-string masking pays too. Blank values are not secrets.
            known = {*self._secrets, *(p for p in pieces if p.strip())}
            self._secrets = tuple(sorted(known, key=lambda secret: (-len(secret), secret)))

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def mask(self, text: str) -> str:
        """Every occurrence of every secret, overlapping ones as one: `abc123xyz` with the secrets `abc123` and
        `123xyz` becomes `***`, not `***xyz`, which would show part of the second."""
        spans = [span for secret in self._secrets if secret in text for span in _occurrences(text, secret)]
        if not spans:
            return text
        pieces, position = [], 0
        for start, end in _merged(sorted(spans)):
            pieces += [text[position:start], MASK]
            position = end
        pieces.append(text[position:])
        return "".join(pieces)

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
        """Every string in a value, at any depth (mapping keys included)."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, Mapping):
            return {self.mask_value(key): self.mask_value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.mask_value(item) for item in value]
        return value

    def mask_document(self, document: Any, structural: frozenset[str], path: str = "") -> Any:
        """Every string except those at a structural path (`a.b`, `a[].b`): for summaries and state files.

        Keys are masked too, unless they lead to a structural path (the record's own field names): a mapping keyed by
        text from a build (a new section nobody declared) fails closed like its values.
        """
        if path in structural:
            return document
        if isinstance(document, str):
            return self.mask(document)
        if isinstance(document, Mapping):
            masked = {}
            for key, item in document.items():
                inner = f"{path}.{key}" if path else str(key)
                kept = isinstance(key, str) and _leads_to_structural(inner, structural)
                masked[key if kept else self.mask_value(key)] = self.mask_document(item, structural, inner)
            return masked
        if isinstance(document, list | tuple):
            return [self.mask_document(item, structural, f"{path}[]") for item in document]
        return document

    def __call__(self, _logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
        """structlog processor: everything but the structural fields is masked."""
        if not self._secrets:
            return event_dict
        return {
            key: value if key in STRUCTURAL_EVENT_FIELDS else self.mask_value(value)
            for key, value in event_dict.items()
        }


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


def _leads_to_structural(path: str, structural: frozenset[str]) -> bool:
    return path in structural or any(known.startswith((f"{path}.", f"{path}[]")) for known in structural)


def mask_build_record(record: dict[str, Any], masker: Masker) -> dict[str, Any]:
    """The BatchGetBuilds record with everything but its ids, statuses, times and locations masked."""
    masked: dict[str, Any] = masker.mask_document(record, STRUCTURAL_BUILD_FIELDS)
    return masked


def _occurrences(text: str, secret: str) -> Iterator[tuple[int, int]]:
    start = text.find(secret)
    while start != -1:
        yield start, start + len(secret)
        start = text.find(secret, start + 1)
