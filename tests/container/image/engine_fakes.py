"""A fake Docker engine that knows which images it has and which a registry would give."""

from __future__ import annotations

import docker.errors


class FakeImages:
    def __init__(self, present: set[str], pullable: set[str] = frozenset()) -> None:
        self.present = set(present)
        self.pullable = set(pullable)
        self.pulled: list[str] = []

    def get(self, name: str) -> object:
        if name not in self.present:
            raise docker.errors.ImageNotFound(f"No such image: {name}")
        return object()

    def pull(self, name: str) -> object:
        self.pulled.append(name)
        if name not in self.pullable:
            raise docker.errors.APIError("registry unreachable")
        self.present.add(name)
        return object()


class FakeClient:
    def __init__(self, present: set[str], pullable: set[str] = frozenset()) -> None:
        self.images = FakeImages(present, pullable)
