"""The store's boundaries, read from the source: `PipelineStore` is the one door, its modules do not import each
other round in a circle, and neither the executor nor the local actions reach the store."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import simulator

PACKAGE = Path(simulator.__file__).parent
STORE = PACKAGE / "pipeline" / "store"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    """Every module `path` imports, at its top or inside a function, a name from a package counted as the module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_module_of_the_store_imports_another_round_in_a_circle():
    modules = {_module(path): path for path in STORE.glob("*.py") if path.name != "__init__.py"}
    graph = {
        name: {other for other in _imports(path) if other in modules and other != name}
        for name, path in modules.items()
    }

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(step == goal or (step not in seen and reaches(step, goal, seen | {step})) for step in graph[start])

    assert [name for name in modules if reaches(name, name, set())] == []


def test_the_modules_beside_the_store_are_not_given_the_store():
    for path in STORE.glob("*.py"):
        if path.name in ("__init__.py", "store.py"):
            continue
        imported = set(_imports(path))
        assert "simulator.pipeline.store.store" not in imported, path.name
        assert "simulator.pipeline.store.PipelineStore" not in imported, path.name


def test_nobody_calls_a_private_member_of_the_store():
    for path in PACKAGE.rglob("*.py"):
        if path == STORE / "store.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                assert not name.endswith("store"), f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.attr}"


def test_neither_the_executor_nor_the_local_actions_reach_the_store():
    paths = [PACKAGE / "pipeline" / "executor.py", *(PACKAGE / "pipeline" / "actions").glob("*.py")]
    for path in paths:
        assert [name for name in _imports(path) if name.startswith("simulator.pipeline.store")] == [], path.name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("store", "_store"):
                owner = node.value
                name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                assert name != "recorder", f"{path.name}:{node.lineno}: the recorder's store"
