"""Secret values are replaced by `***` at one choke point that every line the simulator writes goes through."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

MASK = "***"
# codebuild-semantics §1.4: AWS credentials are hidden in logs too, whatever the variable that carries them.
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


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
        """structlog processor."""
        if not self._secrets:
            return event_dict
        return {key: self.mask_value(value) for key, value in event_dict.items()}


def credential_values(environment: Mapping[str, str]) -> list[str]:
    return [environment[name] for name in CREDENTIAL_VARIABLES if environment.get(name)]
