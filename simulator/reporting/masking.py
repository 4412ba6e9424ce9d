"""Secret values are replaced by `***` at one choke point that every line the simulator writes goes through."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

MASK = "***"
# codebuild-semantics §1.4: AWS credentials are hidden in logs too, whatever the variable that carries them.
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
            self._secrets = tuple(sorted(known, key=len, reverse=True))

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def mask(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

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
        """Every string except those at a structural path (`a.b`, `a[].b`): for summaries and state files."""
        if path in structural:
            return document
        if isinstance(document, str):
            return self.mask(document)
        if isinstance(document, Mapping):
            return {
                key: self.mask_document(item, structural, f"{path}.{key}" if path else str(key))
                for key, item in document.items()
            }
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


def credential_values(environment: Mapping[str, str]) -> list[str]:
    return [environment[name] for name in CREDENTIAL_VARIABLES if environment.get(name)]


def mask_build_record(record: dict[str, Any], masker: Masker) -> dict[str, Any]:
    """The BatchGetBuilds record with everything but its ids, statuses, times and locations masked."""
    masked: dict[str, Any] = masker.mask_document(record, STRUCTURAL_BUILD_FIELDS)
    return masked
