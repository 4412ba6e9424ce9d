"""Secret values are replaced by `***` at one choke point that every line the simulator writes goes through."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
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
