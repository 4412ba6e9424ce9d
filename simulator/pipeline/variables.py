"""`#{Namespace.Key}` references in action configuration, resolved just before the action starts (CP §1.7).

Choices (the reference marks them inferred or says nothing):
- A reference that cannot be resolved fails the action before it starts and names the reference; nothing is ever
  replaced by an empty string.
- `#{` that does not form a reference (no dot, an empty part) is left as written, as text CodePipeline would not
  treat as a variable.
- Values are inserted as they are, once: a value that itself holds `#{...}` is not resolved again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

CODEPIPELINE_NAMESPACE = "codepipeline"  # reserved: PipelineExecutionId and the like
PIPELINE_VARIABLES_NAMESPACE = "variables"  # V2 pipeline-level variables
# CP §1.2: namespaces are [A-Za-z0-9@_-]{1,100}; keys are what an action exports (variable names, CommitId, ...).
_REFERENCE = re.compile(r"#\{(?P<namespace>[A-Za-z0-9@_-]{1,100})\.(?P<key>[A-Za-z0-9@_.-]{1,128})\}")


@dataclass(frozen=True)
class Reference:
    namespace: str
    key: str

    def __str__(self) -> str:
        return f"#{{{self.namespace}.{self.key}}}"


class Withheld(str):
    """A variable whose value held a secret: the execution store keeps it masked, so a run carried on later
    cannot hand it on. Resolving it is an error that says so, never the text `***`."""


class UnresolvedReference(Exception):
    def __init__(self, reference: Reference, why: str) -> None:
        super().__init__(f"The variable {reference} cannot be resolved: {why}.")
        self.reference = reference


def references(text: str) -> Iterator[Reference]:
    for match in _REFERENCE.finditer(text):
        yield Reference(match["namespace"], match["key"])


def resolve(text: str, known: Mapping[str, Mapping[str, str]]) -> str:
    """`text` with every reference replaced by its value; `known` maps namespace -> key -> value."""

    def value(match: re.Match[str]) -> str:
        reference = Reference(match["namespace"], match["key"])
        namespace = known.get(reference.namespace)
        if namespace is None:
            raise UnresolvedReference(reference, f"no earlier action has the namespace {reference.namespace!r}")
        if reference.key not in namespace:
            raise UnresolvedReference(
                reference, f"the namespace {reference.namespace!r} has no variable {reference.key!r}"
            )
        value = namespace[reference.key]
        if isinstance(value, Withheld):
            raise UnresolvedReference(
                reference,
                "its value held a secret, which the execution store keeps masked; pass secrets through "
                "parameter-store or secrets-manager variables, or answer the gate from the run that waits at it",
            )
        return value

    return _REFERENCE.sub(value, text)


def resolve_all(values: Mapping[str, str], known: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    return {name: resolve(text, known) for name, text in values.items()}
